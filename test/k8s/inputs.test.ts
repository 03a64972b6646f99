import * as cdk8s from 'cdk8s';
import { canaryStrategy, CONTAINERS } from './util';
import { ArgoRollout, ArgoSmokeTest, DeploymentScaleDown, MetricProvider, TrafficRouterKind, TrafficRouting } from '../../src';

const metrics = MetricProvider.prometheus({ address: 'http://p:9090' });
const nginx = TrafficRouting.nginx({ stableIngress: 'api' });

function create(props: any): ArgoRollout {
  return new ArgoRollout(cdk8s.Testing.chart(), 'api', { strategy: canaryStrategy(), containers: CONTAINERS, trafficRouting: nginx, metrics, ...props });
}

describe('ArgoRollout props', () => {
  test('fails when the strategy is missing', () => {
    expect(() => create({ strategy: undefined })).toThrow('ArgoRollout: strategy must be a DeploymentStrategy, got undefined.');
  });
  test('fails when the router is not a TrafficRouting', () => {
    expect(() => create({ trafficRouting: { nginx: {} } })).toThrow('ArgoRollout: trafficRouting must be a TrafficRouting, got {"nginx":{}}.');
  });
  test('fails when metrics is not a MetricProvider', () => {
    expect(() => create({ metrics: { address: 'x' } })).toThrow('ArgoRollout: metrics must be a MetricProvider, got {"address":"x"}.');
  });
  test('fails when smokeTest is not an ArgoSmokeTest', () => {
    expect(() => create({ smokeTest: 'curl' })).toThrow('ArgoRollout: smokeTest must be an ArgoSmokeTest, got "curl".');
  });
  test('fails when neither containers nor a deployment is given', () => {
    expect(() => create({ containers: undefined })).toThrow('ArgoRollout: containers/deployment must have exactly one of them, got neither.');
  });
  test('fails when containers is empty', () => {
    expect(() => create({ containers: [] })).toThrow('ArgoRollout: containers must contain at least one container, got [].');
  });
  test('fails when deploymentScaleDown is given without a deployment', () => {
    expect(() => create({ deploymentScaleDown: DeploymentScaleDown.NEVER })).toThrow('ArgoRollout: deploymentScaleDown only applies with deployment, got "never".');
  });
  test('fails when the deployment is not a cdk8s-plus Deployment', () => {
    expect(() => create({ containers: undefined, deployment: { name: 'x' } })).toThrow('ArgoRollout: deployment must be a cdk8s-plus Deployment, got {"name":"x"}.');
  });
  test('fails when replicas is negative or fractional', () => {
    expect(() => create({ replicas: -1 })).toThrow('ArgoRollout: replicas must be a whole number between 0 and 10000, got -1.');
    expect(() => create({ replicas: 1.5 })).toThrow('ArgoRollout: replicas must be a whole number between 0 and 10000, got 1.5.');
  });
  test('fails when no port is known', () => {
    expect(() => create({ containers: [{ image: 'x' }] })).toThrow('ArgoRollout: port is required because no container declares a port, got undefined.');
  });
  test('fails when a port is out of range', () => {
    expect(() => create({ port: 0 })).toThrow('ArgoRollout: port must be a port number between 1 and 65535, got 0.');
    expect(() => create({ targetPort: 70000 })).toThrow('ArgoRollout: targetPort must be a port number between 1 and 65535, got 70000.');
  });
  test('fails when the namespace is not a name', () => {
    expect(() => create({ namespace: 'My NS' })).toThrow('ArgoRollout: namespace must be a Kubernetes object name');
  });
  test('fails when revisionHistoryLimit or inconclusiveLimit is negative', () => {
    expect(() => create({ revisionHistoryLimit: -1 })).toThrow('ArgoRollout: revisionHistoryLimit must be a whole number between 0 and 1000, got -1.');
    expect(() => create({ inconclusiveLimit: -1 })).toThrow('ArgoRollout: inconclusiveLimit must be a whole number between 0 and 1000, got -1.');
  });
  test('a failed construction writes nothing', () => {
    const chart = cdk8s.Testing.chart();
    expect(() => new ArgoRollout(chart, 'api', { strategy: canaryStrategy(), containers: CONTAINERS, trafficRouting: TrafficRouting.none(), metrics })).toThrow();
    expect(chart.node.children).toEqual([]);
    expect(cdk8s.Testing.synth(chart)).toEqual([]);
  });
});

describe('TrafficRouting factories', () => {
  test('each factory names its router', () => {
    expect([
      TrafficRouting.none(), nginx, TrafficRouting.istio({ virtualService: 'v' }), TrafficRouting.alb({ ingress: 'i' }),
      TrafficRouting.smi(), TrafficRouting.gatewayApi({ httpRoute: 'r' }),
    ].map(r => r.kind)).toEqual([
      TrafficRouterKind.NONE, TrafficRouterKind.NGINX, TrafficRouterKind.ISTIO,
      TrafficRouterKind.ALB, TrafficRouterKind.SMI, TrafficRouterKind.GATEWAY_API,
    ]);
  });
  test('only NGINX and Gateway API take fractional weights', () => {
    expect(nginx.supportsFractionalWeights).toBe(true);
    expect(TrafficRouting.gatewayApi({ httpRoute: 'r' }).supportsFractionalWeights).toBe(false);
    expect(TrafficRouting.alb({ ingress: 'i' }).supportsFractionalWeights).toBe(false);
  });
  test('fails when a name is not a Kubernetes name', () => {
    expect(() => TrafficRouting.nginx({ stableIngress: 'My_Ingress' })).toThrow('TrafficRouting.nginx: stableIngress must be a Kubernetes object name (lower-case letters, digits, "-" and "."), got "My_Ingress".');
    expect(() => TrafficRouting.istio({ virtualService: '' })).toThrow('TrafficRouting.istio: virtualService must be a Kubernetes object name');
    expect(() => TrafficRouting.alb({ ingress: 'x', rootService: 'A' })).toThrow('TrafficRouting.alb: rootService must be a Kubernetes object name');
    expect(() => TrafficRouting.smi({ trafficSplitName: '-x' })).toThrow('TrafficRouting.smi: trafficSplitName must be a Kubernetes object name');
    expect(() => TrafficRouting.gatewayApi({ httpRoute: 'r', namespace: 'N' })).toThrow('TrafficRouting.gatewayApi: namespace must be a Kubernetes object name');
  });
  test('fails when Istio routes are empty', () => {
    expect(() => TrafficRouting.istio({ virtualService: 'v', routes: [] })).toThrow('TrafficRouting.istio: routes must name at least one HTTP route when given, got [].');
  });
  test('fails when the ALB service port is out of range', () => {
    expect(() => TrafficRouting.alb({ ingress: 'i', servicePort: 0 })).toThrow('TrafficRouting.alb: servicePort must be a port number between 1 and 65535, got 0.');
  });
  test('fails when an NGINX annotation is empty', () => {
    expect(() => TrafficRouting.nginx({ stableIngress: 'i', additionalIngressAnnotations: { a: '' } })).toThrow('TrafficRouting.nginx: additionalIngressAnnotations.a must be a non-empty string, got "".');
  });
  test('fails when props are not an object', () => {
    expect(() => TrafficRouting.nginx(null as any)).toThrow('TrafficRouting.nginx: props must be an object, got null.');
  });
  test('a web smoke test is named smoke-test by default', () => {
    expect(ArgoSmokeTest.web({ path: '/h' }).name).toBe('smoke-test');
  });
});
