import { Duration, Token } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Analysis, ArgoRollout, ArgoRolloutProps, ArgoSmokeTest, CanaryStep, DeploymentStrategy, MetricProvider, PrometheusQueries, TrafficRouting,
} from '../../src';

/**
 * Every public prop and factory argument of the Kubernetes target, passed as a Python, Java or
 * plain-JavaScript caller can pass it: wrong types, null, sparse arrays, NaN/Infinity durations and
 * unresolved tokens. Each is refused with the library's message naming the field; none reaches the
 * user as a TypeError, and none is accepted silently.
 */
const numberToken = () => Token.asNumber({ resolve: () => 1 });
const stringToken = () => Token.asString({ resolve: () => 'x' });
const TOKEN = 'got an unresolved token';
const CONTAINERS = [{ image: 'api:1', portNumber: 8080 }];
const noChecks = () => DeploymentStrategy.canary({
  steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.none('no metrics yet'), keepPreviousVersionFor: Duration.seconds(0),
});

/** Builds a rollout from props as an untyped caller would pass them; a refused rollout leaves the chart empty. */
function rollout(props: Record<string, unknown>): void {
  const chart = cdk8s.Testing.chart();
  try {
    new ArgoRollout(chart, 'api', { strategy: noChecks(), containers: CONTAINERS, ...props } as unknown as ArgoRolloutProps);
  } finally {
    expect(chart.node.findAll().filter(c => cdk8s.ApiObject.isApiObject(c))).toEqual([]);
  }
}

describe('ArgoRollout props', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['containers is null', { containers: null },
      'ArgoRollout: containers must be an array of containers, got null. Pass the pod\'s containers, for example [{ image: "my-app:1.0", portNumber: 8080 }], or omit it and pass deployment.'],
    ['containers is a string', { containers: 'api:1' }, 'ArgoRollout: containers must contain at least one container, got "api:1".'],
    ['containers is sparse', { containers: [, { image: 'api:1' }] }, 'ArgoRollout: containers[0] must be given (the array has a hole there), got an empty slot.'],
    ['a container is null', { containers: [null] }, 'ArgoRollout: containers[0] must be a container (an object with at least an image), got null.'],
    ['a container is a string', { containers: ['api:1'] }, 'ArgoRollout: containers[0] must be a container (an object with at least an image), got "api:1".'],
    ['a container has no image', { containers: [{ portNumber: 80 }] }, 'ArgoRollout: containers[0].image must be a non-empty string, got undefined.'],
    ['a container image is a number', { containers: [{ image: 5 }] }, 'ArgoRollout: containers[0].image must be a non-empty string, got 5.'],
    ['a container image is an unresolved token', { containers: [{ image: stringToken() }] }, `ArgoRollout: containers[0].image must be known at synth time, ${TOKEN}.`],
    ['a container port is a string', { containers: [{ image: 'api:1', portNumber: '80' }] }, 'ArgoRollout: containers[0].portNumber must be a port number between 1 and 65535, got "80".'],
    ['deployment is null', { deployment: null }, 'ArgoRollout: deployment must be a cdk8s-plus Deployment, got null. Pass a kplus.Deployment, or omit it and pass containers.'],
    ['deployment is a string', { containers: undefined, deployment: 'web' }, 'ArgoRollout: deployment must be a cdk8s-plus Deployment, got "web".'],
    ['replicas is null', { replicas: null }, 'ArgoRollout: replicas must be a whole number between 0 and 10000, got null.'],
    ['replicas is a string', { replicas: '3' }, 'ArgoRollout: replicas must be a whole number between 0 and 10000, got "3".'],
    ['replicas is NaN', { replicas: NaN }, 'ArgoRollout: replicas must be a whole number between 0 and 10000, got NaN.'],
    ['replicas is Infinity', { replicas: Infinity }, 'ArgoRollout: replicas must be a whole number between 0 and 10000, got Infinity.'],
    ['replicas is an unresolved token', { replicas: numberToken() },
      `ArgoRollout: replicas must be known at synth time, ${TOKEN}. Pass replicas as a literal value: cdk8s writes the manifest from concrete values.`],
    ['port is null', { port: null }, 'ArgoRollout: port must be a port number between 1 and 65535, got null.'],
    ['port is an unresolved token', { port: numberToken() }, `ArgoRollout: port must be known at synth time, ${TOKEN}.`],
    ['targetPort is null', { targetPort: null }, 'ArgoRollout: targetPort must be a port number between 1 and 65535, got null.'],
    ['targetPort is NaN', { targetPort: NaN }, 'ArgoRollout: targetPort must be a port number between 1 and 65535, got NaN.'],
    ['trafficRouting is null', { trafficRouting: null }, 'ArgoRollout: trafficRouting must be a TrafficRouting, got null.'],
    ['trafficRouting is a string', { trafficRouting: 'nginx' }, 'ArgoRollout: trafficRouting must be a TrafficRouting, got "nginx".'],
    ['metrics is null', { metrics: null }, 'ArgoRollout: metrics must be a MetricProvider, got null.'],
    ['metrics is a plain object', { metrics: { address: 'http://p:9090' } }, 'ArgoRollout: metrics must be a MetricProvider, got {"address":"http://p:9090"}.'],
    ['smokeTest is null', { smokeTest: null }, 'ArgoRollout: smokeTest must be an ArgoSmokeTest, got null.'],
    ['smokeTest is a string', { smokeTest: '/health' }, 'ArgoRollout: smokeTest must be an ArgoSmokeTest, got "/health".'],
    ['inconclusiveLimit is a string', { inconclusiveLimit: '2' }, 'ArgoRollout: inconclusiveLimit must be a whole number between 0 and 1000, got "2".'],
    ['revisionHistoryLimit is null', { revisionHistoryLimit: null }, 'ArgoRollout: revisionHistoryLimit must be a whole number between 0 and 1000, got null.'],
    ['revisionHistoryLimit is an unresolved token', { revisionHistoryLimit: numberToken() }, `ArgoRollout: revisionHistoryLimit must be known at synth time, ${TOKEN}.`],
    ['namespace is null', { namespace: null }, 'ArgoRollout: namespace must be a Kubernetes object name (lower-case letters, digits, "-" and "."), got null.'],
    ['namespace is an unresolved token', { namespace: stringToken() }, `ArgoRollout: namespace must be known at synth time, ${TOKEN}.`],
    ['rolloutName is null', { rolloutName: null }, 'ArgoRollout: rolloutName must be a DNS label (1-63 lower-case letters, digits or "-", starting with a letter or digit and ending with a letter or digit), got null.'],
    ['rolloutName is an unresolved token', { rolloutName: stringToken() }, `ArgoRollout: rolloutName must be known at synth time, ${TOKEN}.`],
    ['stableServiceName is a number', { stableServiceName: 5 }, 'ArgoRollout: stableServiceName must be a DNS label (1-63 lower-case letters, digits or "-", starting with a letter and ending with a letter or digit), got 5.'],
    ['activeServiceName is null on a canary', { activeServiceName: null }, 'ArgoRollout: activeServiceName must be a DNS label'],
    ['strategy is a plain object', { strategy: { kind: 'CANARY' } }, 'ArgoRollout: strategy must be a DeploymentStrategy, got {"kind":"CANARY"}.'],
    ['strategy is null', { strategy: null }, 'ArgoRollout: strategy must be a DeploymentStrategy, got null.'],
  ])('fails when %s', (_name, props, message) => {
    expect(() => rollout(props)).toThrow(message);
  });

  test('fails when props are null', () => {
    expect(() => new ArgoRollout(cdk8s.Testing.chart(), 'api', null as unknown as ArgoRolloutProps))
      .toThrow('ArgoRollout: props must be an object, got null. Pass { strategy, containers, ... }.');
  });

  test('fails when deploymentScaleDown is not one of its values', () => {
    const chart = cdk8s.Testing.chart();
    const deployment = new kplus.Deployment(chart, 'web', { containers: CONTAINERS });
    expect(() => new ArgoRollout(chart, 'api', { strategy: noChecks(), deployment, deploymentScaleDown: 'sometimes' as any }))
      .toThrow('ArgoRollout: deploymentScaleDown must be a DeploymentScaleDown, got "sometimes". Pass DeploymentScaleDown.NEVER, ON_SUCCESS or PROGRESSIVELY.');
  });
});

describe('TrafficRouting factories', () => {
  test.each<[string, () => unknown, string]>([
    ['nginx props are a string', () => TrafficRouting.nginx('api' as any), 'TrafficRouting.nginx: props must be an object, got "api".'],
    ['nginx stableIngress is an unresolved token', () => TrafficRouting.nginx({ stableIngress: stringToken() }), `TrafficRouting.nginx: stableIngress must be known at synth time, ${TOKEN}.`],
    ['nginx annotations are a string', () => TrafficRouting.nginx({ stableIngress: 'api', additionalIngressAnnotations: 'x' as any }),
      'TrafficRouting.nginx: additionalIngressAnnotations must be an object of annotation names to values, got "x". Pass for example { "canary-by-header": "X-Canary" }, or omit it.'],
    ['nginx annotations are null', () => TrafficRouting.nginx({ stableIngress: 'api', additionalIngressAnnotations: null as any }),
      'TrafficRouting.nginx: additionalIngressAnnotations must be an object of annotation names to values, got null.'],
    ['nginx annotations are an array', () => TrafficRouting.nginx({ stableIngress: 'api', additionalIngressAnnotations: ['x'] as any }),
      'TrafficRouting.nginx: additionalIngressAnnotations must be an object of annotation names to values, got ["x"].'],
    ['an nginx annotation name carries the prefix', () => TrafficRouting.nginx({ stableIngress: 'api', additionalIngressAnnotations: { 'nginx.ingress.kubernetes.io/canary-by-header': 'X' } }),
      'TrafficRouting.nginx: additionalIngressAnnotations must be keyed by annotation names (letters, digits, "-", "_" and ".", at most 63, without the prefix), got "nginx.ingress.kubernetes.io/canary-by-header".'],
    ['an nginx annotation value is a number', () => TrafficRouting.nginx({ stableIngress: 'api', additionalIngressAnnotations: { a: 5 as any } }),
      'TrafficRouting.nginx: additionalIngressAnnotations.a must be a non-empty string, got 5.'],
    ['nginx annotationPrefix is null', () => TrafficRouting.nginx({ stableIngress: 'api', annotationPrefix: null as any }), 'TrafficRouting.nginx: annotationPrefix must be a non-empty string, got null.'],
    ['istio routes are sparse', () => TrafficRouting.istio({ virtualService: 'api', routes: [, 'primary'] as any }),
      'TrafficRouting.istio: routes[0] must be given (the array has a hole there), got an empty slot. List the route names, for example ["primary"].'],
    ['istio routes are a string', () => TrafficRouting.istio({ virtualService: 'api', routes: 'primary' as any }),
      'TrafficRouting.istio: routes must name at least one HTTP route when given, got "primary".'],
    ['istio routes are null', () => TrafficRouting.istio({ virtualService: 'api', routes: null as any }), 'TrafficRouting.istio: routes must name at least one HTTP route when given, got null.'],
    ['an istio route is a number', () => TrafficRouting.istio({ virtualService: 'api', routes: [5 as any] }), 'TrafficRouting.istio: routes[0] must be a non-empty string, got 5.'],
    ['alb servicePort is an unresolved token', () => TrafficRouting.alb({ ingress: 'api', servicePort: numberToken() }), `TrafficRouting.alb: servicePort must be known at synth time, ${TOKEN}.`],
    ['alb servicePort is NaN', () => TrafficRouting.alb({ ingress: 'api', servicePort: NaN }), 'TrafficRouting.alb: servicePort must be a port number between 1 and 65535, got NaN.'],
    ['alb rootService is null', () => TrafficRouting.alb({ ingress: 'api', rootService: null as any }), 'TrafficRouting.alb: rootService must be a Kubernetes object name (lower-case letters, digits, "-" and "."), got null.'],
    ['smi props are null', () => TrafficRouting.smi(null as any), 'TrafficRouting.smi: props must be an object, got null.'],
    ['smi trafficSplitName is a number', () => TrafficRouting.smi({ trafficSplitName: 5 as any }), 'TrafficRouting.smi: trafficSplitName must be a Kubernetes object name (lower-case letters, digits, "-" and "."), got 5.'],
    ['gatewayApi namespace is null', () => TrafficRouting.gatewayApi({ httpRoute: 'api', namespace: null as any }),
      'TrafficRouting.gatewayApi: namespace must be a Kubernetes object name (lower-case letters, digits, "-" and "."), got null.'],
    ['gatewayApi httpRoute is an unresolved token', () => TrafficRouting.gatewayApi({ httpRoute: stringToken() }), `TrafficRouting.gatewayApi: httpRoute must be known at synth time, ${TOKEN}.`],
  ])('fails when %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('MetricProvider and PrometheusQueries factories', () => {
  test.each<[string, () => unknown, string]>([
    ['the Prometheus address is null', () => MetricProvider.prometheus({ address: null as any }), 'MetricProvider.prometheus: address must be a non-empty string, got null.'],
    ['the Prometheus address is an unresolved token', () => MetricProvider.prometheus({ address: stringToken() }), `MetricProvider.prometheus: address must be known at synth time, ${TOKEN}.`],
    ['the Prometheus queries are null', () => MetricProvider.prometheus({ address: 'http://p:9090', queries: null as any }), 'MetricProvider.prometheus: queries must be PrometheusQueries, got null.'],
    ['the Prometheus queries are a plain object', () => MetricProvider.prometheus({ address: 'http://p:9090', queries: { errorRatio: 'x' } as any }),
      'MetricProvider.prometheus: queries must be PrometheusQueries, got {"errorRatio":"x"}.'],
    ['the CloudWatch props are null', () => MetricProvider.cloudWatch(null as any), 'MetricProvider.cloudWatch: props must be an object, got null.'],
    ['the CloudWatch lookback is NaN', () => MetricProvider.cloudWatch({ lookback: Duration.minutes(NaN) }),
      'MetricProvider.cloudWatch: lookback must be a finite duration, got NaN minutes. Pass lookback as a finite Duration, for example Duration.minutes(5).'],
    ['the CloudWatch lookback is Infinity', () => MetricProvider.cloudWatch({ lookback: Duration.minutes(Infinity) }), 'MetricProvider.cloudWatch: lookback must be a finite duration, got Infinity minutes.'],
    ['the CloudWatch lookback is a string', () => MetricProvider.cloudWatch({ lookback: '5m' as any }), 'MetricProvider.cloudWatch: lookback must be a Duration (for example Duration.minutes(5)), got "5m".'],
    ['the CloudWatch lookback is null', () => MetricProvider.cloudWatch({ lookback: null as any }), 'MetricProvider.cloudWatch: lookback must be a Duration (for example Duration.minutes(5)), got null.'],
    ['the Datadog lookback is an unresolved token', () => MetricProvider.datadog({ lookback: Duration.minutes(numberToken()) }),
      `MetricProvider.datadog: lookback must be a concrete duration known at synth time, ${TOKEN}.`],
    ['a custom query is null', () => PrometheusQueries.custom({ errorRatio: null as any }), 'PrometheusQueries.custom: errorRatio must be a non-empty string, got null.'],
    ['a custom query is a number', () => PrometheusQueries.custom({ latencySeconds: 5 as any }), 'PrometheusQueries.custom: latencySeconds must be a non-empty string, got 5.'],
    ['a custom query is an unresolved token', () => PrometheusQueries.custom({ errorRatio: stringToken() }), `PrometheusQueries.custom: errorRatio must be known at synth time, ${TOKEN}.`],
  ])('fails when %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});

describe('ArgoSmokeTest factories', () => {
  test.each<[string, () => unknown, string]>([
    ['web props are a string', () => ArgoSmokeTest.web('/health' as any), 'ArgoSmokeTest.web: props must be an object, got "/health".'],
    ['the web path is an unresolved token', () => ArgoSmokeTest.web({ path: stringToken() }), `ArgoSmokeTest.web: path must be known at synth time, ${TOKEN}.`],
    ['the web port is an unresolved token', () => ArgoSmokeTest.web({ path: '/h', port: numberToken() }), `ArgoSmokeTest.web: port must be known at synth time, ${TOKEN}.`],
    ['the web timeout is null', () => ArgoSmokeTest.web({ path: '/h', timeout: null as any }), 'ArgoSmokeTest.web: timeout must be a Duration (for example Duration.minutes(5)), got null.'],
    ['the web timeout is NaN', () => ArgoSmokeTest.web({ path: '/h', timeout: Duration.seconds(NaN) }), 'ArgoSmokeTest.web: timeout must be a finite duration, got NaN seconds.'],
    ['the web timeout is Infinity', () => ArgoSmokeTest.web({ path: '/h', timeout: Duration.seconds(Infinity) }), 'ArgoSmokeTest.web: timeout must be a finite duration, got Infinity seconds.'],
    ['the web timeout is a string', () => ArgoSmokeTest.web({ path: '/h', timeout: '10s' as any }), 'ArgoSmokeTest.web: timeout must be a Duration (for example Duration.minutes(5)), got "10s".'],
    ['the web name is null', () => ArgoSmokeTest.web({ path: '/h', name: null as any }),
      'ArgoSmokeTest.web: name must be 1-63 lower-case letters, digits or "-", starting and ending with a letter or digit, got null.'],
    ['the web name is an unresolved token', () => ArgoSmokeTest.web({ path: '/h', name: stringToken() }), `ArgoSmokeTest.web: name must be known at synth time, ${TOKEN}.`],
    ['the web successCondition is null', () => ArgoSmokeTest.web({ path: '/h', successCondition: null as any }), 'ArgoSmokeTest.web: successCondition must be a non-empty string, got null.'],
    ['the web jsonPath is a number', () => ArgoSmokeTest.web({ path: '/h', jsonPath: 5 as any }), 'ArgoSmokeTest.web: jsonPath must be a non-empty string, got 5.'],
    ['the job image is null', () => ArgoSmokeTest.job({ image: null as any, command: ['sh'] }), 'ArgoSmokeTest.job: image must be a non-empty string, got null.'],
    ['the job command is a string', () => ArgoSmokeTest.job({ image: 'curl', command: 'sh' as any }), 'ArgoSmokeTest.job: command must contain at least one element, got "sh".'],
    ['the job command is sparse', () => ArgoSmokeTest.job({ image: 'curl', command: [, 'sh'] as any }),
      'ArgoSmokeTest.job: command[0] must be given (the array has a hole there), got an empty slot. Pass the command, for example ["sh", "-c", "curl -fsS $PREVIEW_URL/health"].'],
    ['the job args are a string', () => ArgoSmokeTest.job({ image: 'curl', command: ['sh'], args: '-c' as any }),
      'ArgoSmokeTest.job: args must be an array, got "-c". Pass the arguments as an array of strings, for example ["--verbose"], or omit args.'],
    ['the job args are null', () => ArgoSmokeTest.job({ image: 'curl', command: ['sh'], args: null as any }), 'ArgoSmokeTest.job: args must be an array, got null.'],
    ['the job args are sparse', () => ArgoSmokeTest.job({ image: 'curl', command: ['sh'], args: [, '-c'] as any }), 'ArgoSmokeTest.job: args[0] must be given (the array has a hole there), got an empty slot.'],
    ['a job arg is a number', () => ArgoSmokeTest.job({ image: 'curl', command: ['sh'], args: [5 as any] }), 'ArgoSmokeTest.job: args[0] must be a string, got 5. Pass strings.'],
    ['a job arg is an unresolved token', () => ArgoSmokeTest.job({ image: 'curl', command: ['sh'], args: [stringToken()] }), `ArgoSmokeTest.job: args[0] must be known at synth time, ${TOKEN}.`],
    ['the job name is null', () => ArgoSmokeTest.job({ image: 'curl', command: ['sh'], name: null as any }),
      'ArgoSmokeTest.job: name must be 1-63 lower-case letters, digits or "-", starting and ending with a letter or digit, got null.'],
  ])('fails when %s', (_name, make, message) => {
    expect(make).toThrow(message);
  });
});
