import { Duration } from 'aws-cdk-lib';
import { canaryStrategy } from './util';
import {
  Analysis, ArgoSmokeTest, Capacity, CanaryStep, Comparison, DeploymentStrategy, HealthCheck, MetricProvider, PrometheusQueries, Promotion,
  TrafficRouting,
} from '../../src';
import { argoPlan } from '../../src/k8s/private/plan';
import { ObjectNames, renderBlueGreen, renderCanary, renderRolling, renderRolloutSpec, renderStrategy, RolloutDeclaration } from '../../src/k8s/private/render';
import { renderTrafficRouter } from '../../src/k8s/private/router';

/**
 * The renderers are pure: a declaration in, Argo Rollouts JSON out, no Chart. The construct tests
 * (canary, blue-green) check that ArgoRollout writes what they return.
 */
const prometheus = MetricProvider.prometheus({ address: 'http://prometheus:9090' });
const nginx = TrafficRouting.nginx({ stableIngress: 'api' });
const names: ObjectNames = {
  rollout: 'api',
  services: { StableService: 'api-stable', CanaryService: 'api-canary', ActiveService: 'api-active', PreviewService: 'api-preview', Service: 'api' },
  templates: { Analysis: 'api-analysis', PreviewAnalysis: 'api-preview-analysis', SmokeTest: 'api-smoke', PostPromotionAnalysis: 'api-post' },
};
const namespaceArg = { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } };

function decl(extra: Partial<RolloutDeclaration> = {}): RolloutDeclaration {
  return { strategy: canaryStrategy(), router: nginx, metrics: prometheus, replicas: 3, port: 8080, ...extra };
}

function custom(name = 'queue-depth'): Analysis {
  return Analysis.of({
    checks: [HealthCheck.custom({ name, threshold: 100, failWhen: Comparison.GREATER_THAN, prometheus: 'sum(queue_depth)' })],
    interval: Duration.minutes(1),
    failureLimit: 1,
  });
}

describe('renderCanary', () => {
  test('renders the steps, the Services and the analysis template before any name is known', () => {
    const r = renderCanary(decl());
    expect(r.services).toEqual(['StableService', 'CanaryService']);
    expect(r.templates.map(t => t.id)).toEqual(['Analysis']);
    expect(r.templates[0].spec.args).toEqual([{ name: 'service' }, { name: 'stable-service' }, { name: 'namespace' }]);
    expect(r.templates[0].spec.metrics.map((m: any) => m.name)).toEqual(['error-rate', 'latency-p99']);
    expect(r.warnings).toEqual([]);
  });

  test('fills in the names of the Services, the template and the rollout', () => {
    const strategy: any = JSON.parse(JSON.stringify(renderCanary(decl({ router: TrafficRouting.smi(), metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }) })).strategy(names)));
    expect(strategy).toEqual({
      canary: {
        stableService: 'api-stable',
        canaryService: 'api-canary',
        steps: [
          { setWeight: 5 }, { pause: { duration: { value: '10m' } } }, { setWeight: 25 }, { pause: { duration: { value: '10m' } } }, { pause: {} },
          { setWeight: 100 }, { pause: { duration: { value: '30m' } } },
        ],
        analysis: {
          templates: [{ templateName: 'api-analysis' }],
          args: [{ name: 'service', value: 'api-canary' }, { name: 'stable-service', value: 'api-stable' }, namespaceArg],
          startingStep: 1,
        },
        scaleDownDelaySeconds: 30,
        trafficRouting: { smi: { trafficSplitName: 'api' } },
      },
    });
  });

  test('without checks there is no template and no analysis', () => {
    const strategy = DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.none('no metrics yet') });
    const r = renderCanary(decl({ strategy, metrics: undefined }));
    expect(r.templates).toEqual([]);
    expect((r.strategy({ ...names, templates: {} }).canary as any).analysis).toBeUndefined();
  });

  test('without a router the weights are pod counts, with a warning and no scale-down delay', () => {
    const r = renderCanary(decl({ router: TrafficRouting.none(), strategy: canaryStrategy({ keep: Duration.seconds(0) }), metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }) }));
    expect(r.warnings).toEqual([
      'No traffic router: Argo Rollouts approximates each weight by the number of new pods running beside the 3 old one(s) (5% → 1 new pod(s), 25% → 1 new pod(s)), so the share of requests is not the declared weight. Pass trafficRouting (NGINX, Istio, ALB, SMI or Gateway API) for exact weights.',
    ]);
    const canary = r.strategy(names).canary!;
    expect(canary.trafficRouting).toBeUndefined();
    expect(canary.scaleDownDelaySeconds).toBeUndefined();
  });

  test('fails when the previous version should be kept without a router, before the templates are rendered', () => {
    // metrics without queries for the built-in checks would fail too: the strategy's own problem is reported first
    expect(() => renderCanary(decl({ router: TrafficRouting.none() })))
      .toThrow('ArgoRollout: strategy.keepPreviousVersionFor cannot be honoured without a traffic router');
  });
});

describe('renderRolling', () => {
  test('bakes at 100% with the analysis on the only Service', () => {
    const strategy = DeploymentStrategy.rolling({
      maxSurge: Capacity.percent(25), maxUnavailable: Capacity.count(0), analysis: custom(), bakeTime: Duration.minutes(5),
    });
    const r = renderRolling(decl({ strategy, router: TrafficRouting.none() }));
    expect(r.services).toEqual(['Service']);
    expect(r.templates.map(t => t.id)).toEqual(['Analysis']);
    const canary: any = JSON.parse(JSON.stringify(r.strategy(names).canary));
    expect(canary).toEqual({
      maxSurge: { value: '25%' },
      maxUnavailable: { value: 0 },
      steps: [{ setWeight: 100 }, { pause: { duration: { value: '5m' } } }],
      analysis: { templates: [{ templateName: 'api-analysis' }], args: [{ name: 'service', value: 'api' }, { name: 'stable-service', value: 'api' }, namespaceArg] },
    });
  });
});

describe('renderBlueGreen', () => {
  const strategy = () => DeploymentStrategy.blueGreen({
    previewAnalysis: custom('preview-depth'), postPromotionAnalysis: custom(), promotion: Promotion.automatic(Duration.minutes(5)), keepPreviousVersionFor: Duration.minutes(10),
  });

  test('renders the preview checks, the smoke test and the post-promotion checks in that order', () => {
    const r = renderBlueGreen(decl({ strategy: strategy(), router: TrafficRouting.none(), smokeTest: ArgoSmokeTest.web({ path: '/health' }) }));
    expect(r.services).toEqual(['ActiveService', 'PreviewService']);
    expect(r.templates.map(t => t.id)).toEqual(['PreviewAnalysis', 'SmokeTest', 'PostPromotionAnalysis']);
    // the preview is measured during the 5-minute promotion wait, the active Service while the previous version is kept (10 minutes)
    expect(r.templates[0].spec.metrics[0].count).toBe(5);
    expect(r.templates[2].spec.metrics[0].count).toBe(10);
    expect(r.strategy(names).blueGreen).toEqual({
      activeService: 'api-active',
      previewService: 'api-preview',
      autoPromotionEnabled: true,
      autoPromotionSeconds: 300,
      prePromotionAnalysis: {
        templates: [{ templateName: 'api-preview-analysis' }, { templateName: 'api-smoke' }],
        args: [{ name: 'service', value: 'api-preview' }, { name: 'stable-service', value: 'api-active' }, namespaceArg],
      },
      postPromotionAnalysis: {
        templates: [{ templateName: 'api-post' }],
        args: [{ name: 'service', value: 'api-active' }, { name: 'stable-service', value: 'api-active' }, namespaceArg],
      },
      scaleDownDelaySeconds: 30,
    });
  });

  test('all-at-once has no preview Service unless a smoke test needs one', () => {
    const allAtOnce = DeploymentStrategy.allAtOnce();
    expect(renderBlueGreen(decl({ strategy: allAtOnce, router: TrafficRouting.none(), metrics: undefined })).services).toEqual(['ActiveService']);
    const withSmoke = renderBlueGreen(decl({ strategy: allAtOnce, router: TrafficRouting.none(), metrics: undefined, smokeTest: ArgoSmokeTest.web({ path: '/h' }) }));
    expect(withSmoke.services).toEqual(['ActiveService', 'PreviewService']);
    expect(withSmoke.strategy({ ...names, templates: { SmokeTest: 'smoke' } }).blueGreen).toMatchObject({ autoPromotionEnabled: true, previewService: 'api-preview' });
  });

  test('a manual promotion disables auto-promotion; the previous version is kept 5 minutes by default', () => {
    const manual = DeploymentStrategy.blueGreen({ promotion: Promotion.manual() });
    const r = renderStrategy(decl({ strategy: manual, router: TrafficRouting.none(), metrics: undefined }));
    expect(r.strategy(names).blueGreen).toEqual({ activeService: 'api-active', previewService: 'api-preview', autoPromotionEnabled: false, scaleDownDelaySeconds: 300 });
  });
});

describe('renderTrafficRouter', () => {
  const ctx = { port: 8080, rolloutName: 'api' };
  test('renders each router', () => {
    expect(renderTrafficRouter(TrafficRouting.nginx({ stableIngress: 'shop', annotationPrefix: 'x.io' }), { ...ctx, maxTrafficWeight: 1000 }))
      .toEqual({ maxTrafficWeight: 1000, nginx: { stableIngress: 'shop', annotationPrefix: 'x.io' } });
    expect(renderTrafficRouter(TrafficRouting.istio({ virtualService: 'vs' }), ctx)).toEqual({ istio: { virtualService: { name: 'vs' } } });
    expect(renderTrafficRouter(TrafficRouting.alb({ ingress: 'ing' }), ctx)).toEqual({ alb: { ingress: 'ing', servicePort: 8080 } });
    expect(renderTrafficRouter(TrafficRouting.smi({ rootService: 'root' }), ctx)).toEqual({ smi: { trafficSplitName: 'api', rootService: 'root' } });
    expect(renderTrafficRouter(TrafficRouting.gatewayApi({ httpRoute: 'r' }), { ...ctx, namespace: 'shop' }))
      .toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'r', namespace: 'shop' } } });
  });

  test('fails when the Gateway API router has no namespace at all', () => {
    expect(() => renderTrafficRouter(TrafficRouting.gatewayApi({ httpRoute: 'r' }), ctx))
      .toThrow('ArgoRollout: trafficRouting.namespace is required by the Gateway API plugin when neither the rollout nor its chart has a namespace, got undefined.');
  });
});

describe('renderRolloutSpec', () => {
  test('converts the strategy to Kubernetes JSON and adds the pod template as it is', () => {
    const strategy = renderCanary(decl()).strategy(names);
    const template = { metadata: { labels: { app: 'api' } }, spec: { containers: [{ image: 'x' }] } };
    const spec = renderRolloutSpec({ replicas: 2, revisionHistoryLimit: 3, selector: { app: 'api' }, template, strategy });
    expect(Object.keys(spec)).toEqual(['replicas', 'revisionHistoryLimit', 'selector', 'strategy', 'template']);
    expect(spec.strategy.canary.steps[1]).toEqual({ pause: { duration: '10m' } });
    expect(spec.template).toBe(template);
  });

  test('references a Deployment with workloadRef instead of a template', () => {
    const spec = renderRolloutSpec({ replicas: 1, selector: { app: 'web' }, workloadRef: { name: 'web', scaleDown: 'never' }, strategy: renderCanary(decl()).strategy(names) });
    expect(spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', scaleDown: 'never' });
    expect(spec.template).toBeUndefined();
    expect(spec.revisionHistoryLimit).toBeUndefined();
  });
});

describe('argoPlan', () => {
  test('restates the strategy as Argo executes it, with the router, the notes and the warnings', () => {
    const plan = argoPlan({ strategy: canaryStrategy(), router: nginx, warnings: ['something approximated'], notes: ['a remark'] });
    expect(plan.target).toBe('Argo Rollouts');
    expect(plan.phases.map(p => p.trafficPercent)).toEqual([5, 25, 100]);
    expect(plan.notes).toEqual(expect.arrayContaining(['Traffic routing: NGINX ingress api.', 'a remark', 'Warning: something approximated']));
  });

  test('an all-at-once smoke test is a phase of its own before traffic', () => {
    const plan = argoPlan({ strategy: DeploymentStrategy.allAtOnce(), router: TrafficRouting.none(), smokeTest: ArgoSmokeTest.web({ path: '/h', timeout: Duration.seconds(7) }), warnings: [], notes: [] });
    expect(plan.phases[0]).toMatchObject({ name: 'Smoke test on the new pods (no production traffic)', trafficPercent: 0, checks: ['smoke-test'] });
    expect(plan.phases[0].duration.toSeconds()).toBe(7);
  });
});
