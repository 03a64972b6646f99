import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { canaryStrategy, CONTAINERS, ofKind, rolloutOf, synthValid } from './util';
import {
  Analysis, ArgoRollout, ArgoRolloutProps, ArgoSmokeTest, CanaryStep, DeploymentStrategy, MetricProvider, Promotion, TrafficRouting,
} from '../../src';
import { AppObject, ingressBackendProblems, missingReferenceWarnings, routerReferences } from '../../src/k8s/private/references';

const prometheus = MetricProvider.prometheus({ address: 'http://prometheus.monitoring:9090' });
const nginx = TrafficRouting.nginx({ stableIngress: 'shop' });
const noChecks = () => DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.none('no metrics yet') });
const manualBlueGreen = () => DeploymentStrategy.blueGreen({ promotion: Promotion.manual() });

function rollout(props: Partial<ArgoRolloutProps>, chart = cdk8s.Testing.chart()) {
  const r = new ArgoRollout(chart, 'api', { strategy: canaryStrategy(), containers: CONTAINERS, trafficRouting: nginx, metrics: prometheus, ...props });
  return { chart, rollout: r };
}

function stableIngress(chart: cdk8s.Chart, r: ArgoRollout, name = 'shop', namespace?: string): kplus.Ingress {
  return new kplus.Ingress(chart, `ingress-${name}`, {
    metadata: { name, namespace },
    rules: [{ path: '/', backend: kplus.IngressBackend.fromService(r.stableService!) }],
  });
}

describe('names', () => {
  test('names the Rollout and the canary Services as given; the pods carry the Rollout name', () => {
    const { chart, rollout: r } = rollout({ rolloutName: 'shop', stableServiceName: 'shop', canaryServiceName: 'shop-canary' });
    stableIngress(chart, r);
    const manifests = synthValid(chart);
    const spec = rolloutOf(manifests).spec;
    expect(rolloutOf(manifests).metadata.name).toBe('shop');
    expect(r.rolloutName).toBe('shop');
    expect(ofKind(manifests, 'Service').map(s => s.metadata.name)).toEqual(['shop', 'shop-canary']);
    expect(r.stableService!.name).toBe('shop');
    expect(r.canaryService!.name).toBe('shop-canary');
    expect(spec.strategy.canary.stableService).toBe('shop');
    expect(spec.strategy.canary.canaryService).toBe('shop-canary');
    expect(spec.strategy.canary.analysis.args.slice(0, 2)).toEqual([{ name: 'service', value: 'shop-canary' }, { name: 'stable-service', value: 'shop' }]);
    expect(spec.selector.matchLabels['app.kubernetes.io/name']).toBe('shop');
    expect(spec.template.metadata.labels).toEqual(spec.selector.matchLabels);
    expect(r.warnings).toEqual([]);
  });

  test('the SMI TrafficSplit is named after a named Rollout', () => {
    const { chart } = rollout({ rolloutName: 'shop', trafficRouting: TrafficRouting.smi(), metrics: undefined, strategy: noChecks() });
    expect(rolloutOf(synthValid(chart)).spec.strategy.canary.trafficRouting).toEqual({ smi: { trafficSplitName: 'shop' } });
  });

  test('names the active and preview Services of a blue/green rollout', () => {
    const { chart, rollout: r } = rollout({ strategy: manualBlueGreen(), trafficRouting: undefined, metrics: undefined, activeServiceName: 'shop', previewServiceName: 'shop-preview' });
    const bg = rolloutOf(synthValid(chart)).spec.strategy.blueGreen;
    expect([bg.activeService, bg.previewService]).toEqual(['shop', 'shop-preview']);
    expect([r.activeService!.name, r.previewService!.name]).toEqual(['shop', 'shop-preview']);
  });

  test('names the preview Service of an all-at-once rollout with a smoke test, and the only Service of a rolling one', () => {
    let { chart } = rollout({
      strategy: DeploymentStrategy.allAtOnce(), trafficRouting: undefined, metrics: undefined, smokeTest: ArgoSmokeTest.web({ path: '/health' }), previewServiceName: 'shop-preview',
    });
    expect(rolloutOf(synthValid(chart)).spec.strategy.blueGreen.previewService).toBe('shop-preview');
    ({ chart } = rollout({ strategy: DeploymentStrategy.rolling({ analysis: Analysis.none('no metrics yet') }), trafficRouting: undefined, metrics: undefined, serviceName: 'shop' }));
    expect(ofKind(synthValid(chart), 'Service').map(s => s.metadata.name)).toEqual(['shop']);
  });

  test('fails when the Rollout name is not a DNS label', () => {
    expect(() => rollout({ rolloutName: 'Shop' }))
      .toThrow('ArgoRollout: rolloutName must be a DNS label (1-63 lower-case letters, digits or "-", starting with a letter or digit and ending with a letter or digit), got "Shop". Pass a name such as "api" or "api-canary".');
    expect(() => rollout({ rolloutName: 'a'.repeat(64) })).toThrow(`ArgoRollout: rolloutName must be a DNS label (1-63 lower-case letters, digits or "-", starting with a letter or digit and ending with a letter or digit), got "${'a'.repeat(64)}".`);
    expect(() => rollout({ rolloutName: 42 as any })).toThrow('ArgoRollout: rolloutName must be a DNS label (1-63 lower-case letters, digits or "-", starting with a letter or digit and ending with a letter or digit), got 42.');
  });

  test('fails when a Service name does not start with a letter', () => {
    expect(() => rollout({ stableServiceName: '1shop' }))
      .toThrow('ArgoRollout: stableServiceName must be a DNS label (1-63 lower-case letters, digits or "-", starting with a letter and ending with a letter or digit), got "1shop".');
    expect(() => rollout({ canaryServiceName: 'shop.canary' })).toThrow('ArgoRollout: canaryServiceName must be a DNS label');
  });

  test('fails when a name is given for a Service the strategy does not create', () => {
    expect(() => rollout({ activeServiceName: 'shop' }))
      .toThrow("ArgoRollout: activeServiceName names a Service that a canary rollout does not create, got \"shop\". Remove it; this rollout's Services are named with stableServiceName and canaryServiceName.");
    expect(() => rollout({ strategy: DeploymentStrategy.allAtOnce(), trafficRouting: undefined, metrics: undefined, previewServiceName: 'p' }))
      .toThrow("ArgoRollout: previewServiceName names a Service that a all-at-once rollout does not create, got \"p\". Remove it; this rollout's Services are named with activeServiceName.");
    expect(() => rollout({ strategy: manualBlueGreen(), trafficRouting: undefined, metrics: undefined, serviceName: 's' }))
      .toThrow("ArgoRollout: serviceName names a Service that a blue-green rollout does not create, got \"s\". Remove it; this rollout's Services are named with activeServiceName and previewServiceName.");
  });

  test('fails when the stable and canary Services get the same name (the controller needs two Services)', () => {
    expect(() => rollout({ stableServiceName: 'shop', canaryServiceName: 'shop' }))
      .toThrow('ArgoRollout (Argo Rollouts controller rule): spec.strategy.canary.canaryService must differ from stableService');
  });

  test('fails when the active and preview Services get the same name', () => {
    expect(() => rollout({ strategy: manualBlueGreen(), trafficRouting: undefined, metrics: undefined, activeServiceName: 'shop', previewServiceName: 'shop' }))
      .toThrow('ArgoRollout (Argo Rollouts controller rule): spec.strategy.blueGreen.previewService must differ from activeService: the controller needs two different Services, got "shop".');
  });
});

describe('objects the traffic routing names', () => {
  test('warns when the stable Ingress is not in the app, in the warnings and the plan', () => {
    const { rollout: r } = rollout({ stableServiceName: 'shop' });
    const warning = 'trafficRouting (NGINX ingress shop) names the Ingress "shop" (stableIngress) in the namespace the manifests are applied to, which no chart of the app contains: '
      + 'Argo Rollouts cannot shift traffic until it exists. Add it to a chart, with a rule whose backend is the Service "shop", or make sure it is deployed by other means.';
    expect(r.warnings).toEqual([warning]);
    expect(r.plan.notes).toContain(`Warning: ${warning}`);
  });

  test('looks when read: an Ingress added after the rollout, in another chart of the app, counts', () => {
    const { chart, rollout: r } = rollout({});
    expect(r.warnings).toHaveLength(1);
    expect(r.plan.notes.filter(n => n.startsWith('Warning:'))).toHaveLength(1);
    stableIngress(new cdk8s.Chart(chart.node.root as cdk8s.App, 'routes'), r);
    expect(r.warnings).toEqual([]);
    expect(r.plan.notes.filter(n => n.startsWith('Warning:'))).toEqual([]);
  });

  test('an Ingress of that name in another namespace does not count', () => {
    const { chart, rollout: r } = rollout({ namespace: 'shop' });
    stableIngress(chart, r, 'shop', 'other');
    expect(r.warnings).toEqual([expect.stringContaining('names the Ingress "shop" (stableIngress) in namespace "shop", which no chart of the app contains')]);
  });

  test('an Istio VirtualService is looked up by name, or by name.namespace', () => {
    const istio = (virtualService: string) => rollout({ trafficRouting: TrafficRouting.istio({ virtualService }), namespace: 'shop' });
    let { chart, rollout: r } = istio('payments');
    expect(r.warnings).toEqual([expect.stringContaining('names the VirtualService "payments" (virtualService) in namespace "shop"')]);
    new cdk8s.ApiObject(chart, 'vs', { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'payments', namespace: 'shop' } });
    expect(r.warnings).toEqual([]);
    ({ chart, rollout: r } = istio('payments.mesh'));
    new cdk8s.ApiObject(chart, 'vs', { apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'payments', namespace: 'shop' } });
    expect(r.warnings).toEqual([expect.stringContaining('names the VirtualService "payments" (virtualService) in namespace "mesh"')]);
  });

  test('an HTTPRoute is looked up in the router namespace, and an object of another kind or group does not count', () => {
    const { chart, rollout: r } = rollout({ trafficRouting: TrafficRouting.gatewayApi({ httpRoute: 'shop', namespace: 'gw' }), metrics: undefined, strategy: noChecks() });
    new cdk8s.ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop', namespace: 'gw' } });
    new cdk8s.ApiObject(chart, 'other', { apiVersion: 'example.com/v1', kind: 'HTTPRoute', metadata: { name: 'shop', namespace: 'gw' } });
    expect(r.warnings).toEqual([expect.stringContaining('names the HTTPRoute "shop" (httpRoute) in namespace "gw"')]);
    new cdk8s.ApiObject(chart, 'route', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop', namespace: 'gw' } });
    expect(r.warnings).toEqual([]);
  });

  test('an ALB root Service is looked up too; an SMI TrafficSplit is created by Argo Rollouts', () => {
    let { rollout: r } = rollout({ trafficRouting: TrafficRouting.alb({ ingress: 'shop', rootService: 'shop-root' }), metrics: undefined, strategy: noChecks() });
    expect(r.warnings.map(w => w.split(' (')[1])).toEqual(['ALB ingress shop) names the Ingress "shop"', 'ALB ingress shop) names the Service "shop-root"']);
    ({ rollout: r } = rollout({ trafficRouting: TrafficRouting.smi(), metrics: undefined, strategy: noChecks() }));
    expect(r.warnings).toEqual([]);
  });

  test('fails at synthesis when the stable Ingress in the app has no rule using the stable Service', () => {
    const { chart, rollout: r } = rollout({ stableServiceName: 'shop' });
    new kplus.Ingress(chart, 'ingress', { metadata: { name: 'shop' }, defaultBackend: kplus.IngressBackend.fromService(r.stableService!) });
    const app = chart.node.root as cdk8s.App;
    expect(() => app.synthYaml()).toThrow('ArgoRollout (Argo Rollouts controller rule): the Ingress "shop" (trafficRouting stableIngress) must have a rule whose backend is the Service "shop", got no rule with a Service backend.');
  });

  test('fails at synthesis when the ALB Ingress routes to another Service than the root Service', () => {
    const { chart, rollout: r } = rollout({ trafficRouting: TrafficRouting.alb({ ingress: 'shop', rootService: 'root' }), metrics: undefined, strategy: noChecks() });
    new kplus.Ingress(chart, 'ingress', { metadata: { name: 'shop' }, rules: [{ path: '/', backend: kplus.IngressBackend.fromService(r.stableService!) }] });
    expect(() => (chart.node.root as cdk8s.App).synthYaml())
      .toThrow(`the Ingress "shop" (trafficRouting ingress) must have a rule whose backend is the Service "root", got rules using "${r.stableService!.name}".`);
  });

  test('synthesizes when the Ingress routes to the stable Service', () => {
    const { chart, rollout: r } = rollout({});
    stableIngress(chart, r);
    expect((chart.node.root as cdk8s.App).synthYaml()).toContain('kind: Rollout');
  });
});

describe('reference checks (pure)', () => {
  const obj = (apiVersion: string, kind: string, name: string, namespace?: string, manifest: any = {}): AppObject =>
    ({ apiVersion, kind, name, namespace, manifest: () => manifest });

  test('an Ingress of the legacy extensions group counts, and its serviceName backends are read', () => {
    const refs = routerReferences(nginx, undefined, 'stable');
    const legacy = obj('extensions/v1beta1', 'Ingress', 'shop', undefined, { spec: { rules: [{ http: { paths: [{ backend: { serviceName: 'stable' } }] } }] } });
    expect(missingReferenceWarnings(nginx, refs, [legacy])).toEqual([]);
    expect(ingressBackendProblems(refs, [legacy])).toEqual([]);
  });

  test('no router, no reference', () => {
    expect(routerReferences(TrafficRouting.none(), 'ns', 'stable')).toEqual([]);
  });
});
