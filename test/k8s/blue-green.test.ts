import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { CONTAINERS, ofKind, rolloutOf, synthValid } from './util';
import {
  Analysis, ArgoRollout, ArgoSmokeTest, Capacity, DeploymentStrategy, HealthCheck, MetricProvider, PrometheusQueries, Promotion, TrafficRouting,
} from '../../src';

const metrics = MetricProvider.prometheus({ address: 'http://prometheus:9090', queries: PrometheusQueries.istio() });
const checks = () => Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], interval: Duration.minutes(1), failureLimit: 1 });

function render(props: Partial<ConstructorParameters<typeof ArgoRollout>[2]>) {
  const chart = cdk8s.Testing.chart();
  const rollout = new ArgoRollout(chart, 'api', { strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), containers: CONTAINERS, ...props });
  const manifests = synthValid(chart);
  return { rollout, manifests, spec: rolloutOf(manifests).spec };
}

const template = (manifests: any[], name: string) => ofKind(manifests, 'AnalysisTemplate').find(t => t.metadata.name === name);

describe('blue/green', () => {
  test('creates an active and a preview Service and switches them', () => {
    const { rollout, spec, manifests } = render({});
    expect(ofKind(manifests, 'Service')).toHaveLength(2);
    expect(spec.strategy.blueGreen).toEqual({
      activeService: rollout.activeService!.name,
      previewService: rollout.previewService!.name,
      autoPromotionEnabled: false,
      scaleDownDelaySeconds: 300,
    });
    expect(rollout.service).toBe(rollout.activeService);
    expect(spec.strategy.canary).toBeUndefined();
  });

  test('automatic promotion after a wait sets autoPromotionSeconds', () => {
    const strategy = DeploymentStrategy.blueGreen({
      promotion: Promotion.automatic(Duration.minutes(10)), postPromotionAnalysis: checks(), keepPreviousVersionFor: Duration.minutes(15),
    });
    const { spec } = render({ strategy, metrics });
    expect(spec.strategy.blueGreen.autoPromotionEnabled).toBe(true);
    expect(spec.strategy.blueGreen.autoPromotionSeconds).toBe(600);
  });

  test('with post-promotion checks the previous version is kept as stable until they pass, then released after Argo\'s 30s delay', () => {
    const strategy = DeploymentStrategy.blueGreen({
      promotion: Promotion.automatic(Duration.minutes(10)), postPromotionAnalysis: checks(), keepPreviousVersionFor: Duration.minutes(15),
    });
    const { spec, rollout, manifests } = render({ strategy, metrics });
    expect(spec.strategy.blueGreen.scaleDownDelaySeconds).toBe(30);
    const [metric] = template(manifests, spec.strategy.blueGreen.postPromotionAnalysis.templates[0].templateName).spec.metrics;
    expect(metric.count).toBe(15); // the whole keep window, one measurement a minute
    expect(rollout.plan.phases[1]).toMatchObject({ name: 'Promoted, previous version kept as stable until the post-promotion analysis passes', checks: ['error-rate'] });
    expect(rollout.plan.notes).toContain('After the switch the previous version stays the stable ReplicaSet, at full scale, until the post-promotion analysis (keepPreviousVersionFor) succeeds; '
      + 'a failure switches the active Service back to it. It is then scaled down 30s later (scaleDownDelaySeconds), without traffic.');
  });

  test('without post-promotion checks the previous ReplicaSet is kept for keepPreviousVersionFor (scaleDownDelaySeconds)', () => {
    const strategy = DeploymentStrategy.blueGreen({ promotion: Promotion.manual(), keepPreviousVersionFor: Duration.minutes(15) });
    const { spec, rollout } = render({ strategy, metrics: undefined });
    expect(spec.strategy.blueGreen.scaleDownDelaySeconds).toBe(900);
    expect(rollout.plan.phases[1].name).toBe('Promoted, previous ReplicaSet kept without traffic (scaleDownDelaySeconds)');
    expect(rollout.plan.notes).toContain('After the switch the previous ReplicaSet keeps running for keepPreviousVersionFor (scaleDownDelaySeconds) without traffic and without checks: `kubectl argo rollouts undo` switches back to it at once.');
  });

  test('pre-promotion analysis measures the preview Service and terminates within the preview window', () => {
    const strategy = DeploymentStrategy.blueGreen({ previewAnalysis: checks(), promotion: Promotion.automatic(Duration.minutes(5)) });
    const { rollout, spec, manifests } = render({ strategy, metrics });
    const pre = spec.strategy.blueGreen.prePromotionAnalysis;
    expect(pre.args[0]).toEqual({ name: 'service', value: rollout.previewService!.name });
    expect(pre.args[1]).toEqual({ name: 'stable-service', value: rollout.activeService!.name });
    const [metric] = template(manifests, pre.templates[0].templateName).spec.metrics;
    expect(metric.count).toBe(5); // 5 minutes of preview, one measurement a minute
    expect(metric.failureLimit).toBe(1);
    expect(metric.inconclusiveLimit).toBeUndefined(); // TooLittleData.PASS: no measurement is inconclusive
  });

  test('a manual promotion measures the preview for the time to detect a failure', () => {
    const strategy = DeploymentStrategy.blueGreen({ previewAnalysis: checks(), promotion: Promotion.manual() });
    const { spec, manifests } = render({ strategy, metrics });
    const [metric] = template(manifests, spec.strategy.blueGreen.prePromotionAnalysis.templates[0].templateName).spec.metrics;
    expect(metric.count).toBe(2);
  });

  test('post-promotion analysis measures the active Service while the previous version is kept', () => {
    const strategy = DeploymentStrategy.blueGreen({ postPromotionAnalysis: checks(), keepPreviousVersionFor: Duration.minutes(10) });
    const { rollout, spec, manifests } = render({ strategy, metrics });
    const post = spec.strategy.blueGreen.postPromotionAnalysis;
    expect(post.args[0]).toEqual({ name: 'service', value: rollout.activeService!.name });
    const [metric] = template(manifests, post.templates[0].templateName).spec.metrics;
    expect(metric.count).toBe(10);
    expect(rollout.plan.phases[1].checks).toEqual(['error-rate']);
  });

  test('a web smoke test calls the preview Service once before promotion', () => {
    const smokeTest = ArgoSmokeTest.web({ path: '/health', successCondition: 'result.status == "ok"', jsonPath: '{$.status}', timeout: Duration.seconds(5) });
    const { spec, manifests, rollout } = render({ smokeTest });
    const pre = spec.strategy.blueGreen.prePromotionAnalysis;
    expect(pre.templates).toHaveLength(1);
    const [metric] = template(manifests, pre.templates[0].templateName).spec.metrics;
    expect(metric).toEqual({
      name: 'smoke-test',
      count: 1,
      failureLimit: 0,
      successCondition: 'result.status == "ok"',
      provider: { web: { url: 'http://{{args.service}}.{{args.namespace}}.svc.cluster.local:8080/health', timeoutSeconds: 5, jsonPath: '{$.status}' } },
    });
    expect(rollout.plan.phases[0].checks).toEqual(['smoke-test']);
  });

  test('a web smoke test passes on any 2xx JSON answer by default, on the given port', () => {
    const { spec, manifests } = render({ smokeTest: ArgoSmokeTest.web({ path: '/ready', port: 9090, name: 'ready' }) });
    const [metric] = template(manifests, spec.strategy.blueGreen.prePromotionAnalysis.templates[0].templateName).spec.metrics;
    expect(metric.name).toBe('ready');
    expect(metric.successCondition).toBe('true');
    expect(metric.provider.web).toEqual({ url: 'http://{{args.service}}.{{args.namespace}}.svc.cluster.local:9090/ready', timeoutSeconds: 10 });
  });

  test('a job smoke test runs once with the preview URL', () => {
    const smokeTest = ArgoSmokeTest.job({ image: 'curlimages/curl:8.8.0', command: ['sh', '-c'], args: ['curl -fsS $PREVIEW_URL/health'] });
    const { spec, manifests } = render({ smokeTest });
    const [metric] = template(manifests, spec.strategy.blueGreen.prePromotionAnalysis.templates[0].templateName).spec.metrics;
    expect(metric.count).toBe(1);
    expect(metric.provider.job.spec.backoffLimit).toBe(0);
    expect(metric.provider.job.spec.template.spec).toEqual({
      restartPolicy: 'Never',
      containers: [{
        name: 'smoke-test',
        image: 'curlimages/curl:8.8.0',
        command: ['sh', '-c'],
        args: ['curl -fsS $PREVIEW_URL/health'],
        env: [{ name: 'PREVIEW_URL', value: 'http://{{args.service}}.{{args.namespace}}.svc.cluster.local:8080' }],
      }],
    });
  });

  test('a smoke test and preview checks run together before promotion', () => {
    const strategy = DeploymentStrategy.blueGreen({ previewAnalysis: checks(), promotion: Promotion.manual() });
    const { spec } = render({ strategy, metrics, smokeTest: ArgoSmokeTest.web({ path: '/health' }) });
    expect(spec.strategy.blueGreen.prePromotionAnalysis.templates).toHaveLength(2);
  });

  test('snapshot', () => {
    const strategy = DeploymentStrategy.blueGreen({
      previewAnalysis: checks(),
      promotion: Promotion.automatic(Duration.minutes(5)),
      postPromotionAnalysis: checks(),
      keepPreviousVersionFor: Duration.minutes(10),
    });
    expect(render({ strategy, metrics, smokeTest: ArgoSmokeTest.web({ path: '/health' }) }).manifests).toMatchSnapshot();
  });

  test('fails when a router is given', () => {
    expect(() => render({ trafficRouting: TrafficRouting.istio({ virtualService: 'api' }) }))
      .toThrow('ArgoRollout: trafficRouting must be TrafficRouting.none() for a blue-green strategy: Argo Rollouts switches the Services, got Istio VirtualService api.');
  });

  test('fails when two checks of one pre-promotion analysis share a name with the smoke test', () => {
    const strategy = DeploymentStrategy.blueGreen({ previewAnalysis: checks(), promotion: Promotion.manual() });
    expect(() => render({ strategy, metrics, smokeTest: ArgoSmokeTest.web({ path: '/health', name: 'error-rate' }) }))
      .toThrow('must not repeat a metric name across the referenced templates ("error-rate")');
  });
});

describe('all at once', () => {
  test('renders as a blue/green that promotes at once, judged after the switch', () => {
    const strategy = DeploymentStrategy.allAtOnce({ analysis: checks(), keepPreviousVersionFor: Duration.minutes(5) });
    const { rollout, spec, manifests } = render({ strategy, metrics });
    expect(rollout.previewService).toBeUndefined();
    expect(ofKind(manifests, 'Service')).toHaveLength(1);
    expect(spec.strategy.blueGreen.autoPromotionEnabled).toBe(true);
    expect(spec.strategy.blueGreen.autoPromotionSeconds).toBeUndefined();
    expect(spec.strategy.blueGreen.prePromotionAnalysis).toBeUndefined();
    expect(spec.strategy.blueGreen.postPromotionAnalysis.args[0].value).toBe(rollout.activeService!.name);
    expect(rollout.plan.strategy).toBe(strategy.plan().strategy);
  });

  test('a smoke test adds a preview Service to test the new pods first', () => {
    const { rollout, spec } = render({ strategy: DeploymentStrategy.allAtOnce(), smokeTest: ArgoSmokeTest.web({ path: '/health' }) });
    expect(spec.strategy.blueGreen.previewService).toBe(rollout.previewService!.name);
    expect(spec.strategy.blueGreen.prePromotionAnalysis.args[0].value).toBe(rollout.previewService!.name);
    expect(rollout.plan.phases[0].checks).toEqual(['smoke-test']);
  });
});

describe('rolling', () => {
  test('renders a canary without Services switching, with maxSurge/maxUnavailable, then bakes with the analysis', () => {
    const strategy = DeploymentStrategy.rolling({ maxSurge: Capacity.count(2), maxUnavailable: Capacity.percent(10), analysis: checks() });
    const { rollout, spec, manifests } = render({ strategy, metrics });
    expect(ofKind(manifests, 'Service')).toHaveLength(1);
    expect(rollout.stableService).toBeUndefined();
    const c = spec.strategy.canary;
    expect(c.maxSurge).toBe(2);
    expect(c.maxUnavailable).toBe('10%');
    expect(c.stableService).toBeUndefined();
    expect(c.steps).toEqual([{ setWeight: 100 }, { pause: { duration: '2m' } }]);
    expect(c.analysis.args[0].value).toBe(rollout.service.name);
  });

  test('without analysis or bake time there are no steps', () => {
    const strategy = DeploymentStrategy.rolling({ analysis: Analysis.none('stateless worker') });
    const { spec } = render({ strategy });
    expect(spec.strategy.canary.steps).toEqual([]);
    expect(spec.strategy.canary.maxSurge).toBe('25%');
    expect(spec.strategy.canary.maxUnavailable).toBe('0%');
    expect(spec.strategy.canary.analysis).toBeUndefined();
  });

  test('fails when a router is given', () => {
    expect(() => render({ strategy: DeploymentStrategy.rolling({ analysis: Analysis.none('stateless worker') }), trafficRouting: TrafficRouting.smi() }))
      .toThrow('ArgoRollout: trafficRouting must be TrafficRouting.none() for a rolling strategy: pods are replaced in place and traffic follows them');
  });

  test('fails when a smoke test is given', () => {
    expect(() => render({ strategy: DeploymentStrategy.rolling({ analysis: Analysis.none('stateless worker') }), smokeTest: ArgoSmokeTest.web({ path: '/health' }) }))
      .toThrow('ArgoRollout: smokeTest runs as a pre-promotion analysis, which only blue/green and all-at-once strategies have, got smoke-test.');
  });
});

describe('smoke test factories', () => {
  test('fails when the web path does not start with a slash', () => {
    expect(() => ArgoSmokeTest.web({ path: 'health' })).toThrow('ArgoSmokeTest.web: path must start with "/" and contain no spaces, got "health".');
  });
  test('fails when the web port is out of range', () => {
    expect(() => ArgoSmokeTest.web({ path: '/h', port: 70000 })).toThrow('ArgoSmokeTest.web: port must be a whole number between 1 and 65535, got 70000.');
  });
  test('fails when the job has no command', () => {
    expect(() => ArgoSmokeTest.job({ image: 'x', command: [] })).toThrow('ArgoSmokeTest.job: command must contain at least one element, got [].');
  });
  test('fails when the name is not a metric name', () => {
    expect(() => ArgoSmokeTest.job({ image: 'x', command: ['true'], name: 'Smoke Test' })).toThrow('ArgoSmokeTest.job: name must be 1-63 lower-case letters');
  });
});
