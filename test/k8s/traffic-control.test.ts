import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { CONTAINERS, rolloutOf, synthValid } from './util';
import {
  Analysis, ArgoRollout, ArgoSmokeTest, BaselineComparison, CanaryStep, DarkLaunch, DeploymentStrategy, HeaderPreview, HealthCheck, MetricProvider,
  PrometheusQueries,
  Promotion,
  RequestMatch,
  Stickiness, TrafficRouting, WarmUp,
} from '../../src';
import { cookieRegex } from '../../src/k8s/private/traffic-steps';

const prometheus = MetricProvider.prometheus({
  address: 'http://prometheus.monitoring:9090',
  queries: PrometheusQueries.custom({
    errorRatio: 'sum(rate(http_errors_total{service="{{args.service}}"}[{{window}}])) / sum(rate(http_requests_total{service="{{args.service}}"}[{{window}}]))',
    requestCount: 'sum(increase(http_requests_total{service="{{args.service}}"}[{{window}}]))',
  }),
});
const istio = TrafficRouting.istio({ virtualService: 'api', routes: ['primary'] });
const alb = TrafficRouting.alb({ ingress: 'api' });
const checks = Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], interval: Duration.minutes(1), failureLimit: 2, minRequests: 20 });

function strategy(extra: Partial<Parameters<typeof DeploymentStrategy.canary>[0]> = {}): DeploymentStrategy {
  return DeploymentStrategy.canary({
    steps: [CanaryStep.of(5, Duration.minutes(10)), CanaryStep.of(25, Duration.minutes(10))],
    analysis: checks,
    keepPreviousVersionFor: Duration.minutes(10),
    ...extra,
  });
}

function render(s: DeploymentStrategy, trafficRouting: TrafficRouting, replicas = 4) {
  const chart = cdk8s.Testing.chart();
  const rollout = new ArgoRollout(chart, 'api', { strategy: s, containers: CONTAINERS, trafficRouting, metrics: prometheus, replicas });
  const manifests = synthValid(chart);
  return { rollout, canary: rolloutOf(manifests).spec.strategy.canary };
}

const fullIstio = () => strategy({
  headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(15), manualGate: true }),
  darkLaunch: DarkLaunch.mirror({ percent: 20, duration: Duration.minutes(30) }),
  stickiness: Stickiness.byRequest(RequestMatch.cookie('release', 'canary')),
});

describe('Istio: header-only preview, dark launch and sticky canary', () => {
  test('renders the preview, the mirror phase and the sticky route before the first setWeight, valid against the v1.9.1 CRD', () => {
    const { canary } = render(fullIstio(), istio);
    expect(canary.steps).toEqual([
      { setCanaryScale: { weight: 5 } },
      { setHeaderRoute: { name: 'header-preview', match: [{ headerName: 'x-preview', headerValue: { exact: 'qa' } }] } },
      { pause: { duration: '15m' } },
      { pause: {} },
      { setCanaryScale: { weight: 20 } },
      { setMirrorRoute: { name: 'dark-launch', percentage: 20, match: [{ method: { exact: 'GET' } }, { method: { exact: 'HEAD' } }] } },
      { pause: { duration: '30m' } },
      { setMirrorRoute: { name: 'dark-launch' } },
      { setCanaryScale: { matchTrafficWeight: true } },
      { setHeaderRoute: { name: 'sticky-canary', match: [{ headerName: 'cookie', headerValue: { regex: '^(.*;\\s*)?release=canary(;.*)?$' } }] } },
      { setWeight: 5 }, { pause: { duration: '10m' } },
      { setWeight: 25 }, { pause: { duration: '10m' } },
      { setWeight: 100 }, { pause: { duration: '10m' } },
    ]);
    // Header routes take precedence over the mirror route.
    expect(canary.trafficRouting.managedRoutes).toEqual([{ name: 'header-preview' }, { name: 'sticky-canary' }, { name: 'dark-launch' }]);
    expect(canary.trafficRouting.istio).toEqual({ virtualService: { name: 'api', routes: ['primary'] } });
  });

  test('starts the background analysis at the first traffic step, not during the preview or the mirror phase', () => {
    const { canary } = render(fullIstio(), istio);
    expect(canary.steps[canary.analysis.startingStep - 1]).toEqual({ setWeight: 5 });
    expect(canary.analysis.startingStep).toBe(11);
  });

  test('the cookie match is a regular expression on the Cookie header that finds the cookie among others', () => {
    const re = new RegExp(cookieRegex('release', 'canary'));
    expect(re.test('release=canary')).toBe(true);
    expect(re.test('session=abc; release=canary; theme=dark')).toBe(true);
    expect(re.test('session=abc;release=canary')).toBe(true);
    expect(re.test('myrelease=canary')).toBe(false);
    expect(re.test('release=canary2')).toBe(false);
    expect(cookieRegex('a.b', 'x+y')).toBe('^(.*;\\s*)?a\\.b=x\\+y(;.*)?$');
  });

  test('a dark launch alone scales the canary to the mirror share, and mirrors the declared methods only', () => {
    const { canary } = render(strategy({ darkLaunch: DarkLaunch.mirror({ percent: 2, duration: Duration.minutes(5), methods: ['GET'] }) }), istio);
    expect(canary.steps.slice(0, 5)).toEqual([
      { setCanaryScale: { weight: 5 } },
      { setMirrorRoute: { name: 'dark-launch', percentage: 2, match: [{ method: { exact: 'GET' } }] } },
      { pause: { duration: '5m' } },
      { setMirrorRoute: { name: 'dark-launch' } },
      { setCanaryScale: { matchTrafficWeight: true } },
    ]);
    expect(canary.trafficRouting.managedRoutes).toEqual([{ name: 'dark-launch' }]);
  });

  test('a header preview by regex renders the regex, with the header name in lower case', () => {
    const { canary } = render(strategy({ headerPreview: HeaderPreview.of({ match: RequestMatch.headerRegex('X-Team', '^(qa|dev)$'), duration: Duration.minutes(5) }) }), istio);
    expect(canary.steps[1]).toEqual({ setHeaderRoute: { name: 'header-preview', match: [{ headerName: 'x-team', headerValue: { regex: '^(qa|dev)$' } }] } });
    expect(canary.steps[3]).toEqual({ setCanaryScale: { matchTrafficWeight: true } });
  });

  test('the plan shows the preview and the dark launch as phases without user traffic, mirrored traffic said to reach the new version', () => {
    const { rollout } = render(fullIstio(), istio);
    const plan = rollout.plan;
    expect(plan.phases.map(p => [p.name, p.trafficPercent, p.duration.toMinutes(), p.manualGate])).toEqual([
      ['Header-only preview (header X-Preview: qa)', 0, 15, true],
      ['Dark launch (mirrored requests)', 0, 30, false],
      ['Step 1', 5, 10, false],
      ['Step 2', 25, 10, false],
      ['Full traffic, previous version kept (setWeight 100 + pause, then promoted)', 100, 10, false],
    ]);
    expect(plan.phases[1].mirroredPercent).toBe(20);
    expect(plan.phases[1].checks).toEqual([]);
    const md = plan.toMarkdown();
    expect(md).toContain('| 2 | Dark launch (mirrored requests) (20% of GET/HEAD requests mirrored to the new version, responses discarded: mirrored traffic reaches the new version, but no user sees its responses) | 0% |');
    expect(md).toContain('no user traffic (20% of requests mirrored to the new version, responses discarded)');
    expect(plan.toJson().phases[1].mirroredPercent).toBe(20);
    expect(plan.notes).not.toContain('Sticky canary: requests with cookie release=canary go to the new version for the whole rollout.');
    expect(plan.notes.some(n => n.startsWith('Sticky canary: from the first traffic step, requests with cookie release=canary go to the new version (setHeaderRoute "sticky-canary")'))).toBe(true);
    expect(plan.notes.some(n => n.startsWith('Dark launch: setMirrorRoute "dark-launch" copies 20% of the GET/HEAD requests'))).toBe(true);
    // The preview and the mirror phase serve no user: they leave the worst case bounded.
    expect(plan.phases[0].exposureBeforeDetection).toBeUndefined();
    expect(plan.phases[1].exposureBeforeDetection).toBeUndefined();
    expect(plan.worstCaseExposure).toBe(300);
  });

  test('same input, byte-identical output', () => {
    const a = cdk8s.Testing.synth((() => { const c = cdk8s.Testing.chart(); new ArgoRollout(c, 'api', { strategy: fullIstio(), containers: CONTAINERS, trafficRouting: istio, metrics: prometheus }); return c; })());
    const b = cdk8s.Testing.synth((() => { const c = cdk8s.Testing.chart(); new ArgoRollout(c, 'api', { strategy: fullIstio(), containers: CONTAINERS, trafficRouting: istio, metrics: prometheus }); return c; })());
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });
});

describe('ALB', () => {
  test('load-balancer stickiness renders stickinessConfig on the ALB router, valid against the CRD', () => {
    const { canary, rollout } = render(strategy({ stickiness: Stickiness.loadBalancer(Duration.hours(1)) }), alb);
    expect(canary.trafficRouting.alb).toEqual({ ingress: 'api', servicePort: 8080, stickinessConfig: { enabled: true, durationSeconds: 3600 } });
    expect(canary.trafficRouting.managedRoutes).toBeUndefined();
    expect(canary.steps[0]).toEqual({ setWeight: 5 });
    expect(canary.analysis.startingStep).toBe(1);
    expect(rollout.plan.notes).toContain('Sticky canary: the ALB keeps each client on the target group it first reached for 3600s (trafficRouting.alb.stickinessConfig), so a client does not bounce between versions while the weights are split.');
  });

  test('an exact header preview and sticky header route render with the header name as given', () => {
    const { canary } = render(strategy({
      headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(5) }),
      stickiness: Stickiness.byRequest(RequestMatch.header('X-Cohort', 'canary')),
    }), alb);
    expect(canary.steps.slice(0, 5)).toEqual([
      { setCanaryScale: { weight: 5 } },
      { setHeaderRoute: { name: 'header-preview', match: [{ headerName: 'X-Preview', headerValue: { exact: 'qa' } }] } },
      { pause: { duration: '5m' } },
      { setCanaryScale: { matchTrafficWeight: true } },
      { setHeaderRoute: { name: 'sticky-canary', match: [{ headerName: 'X-Cohort', headerValue: { exact: 'canary' } }] } },
    ]);
    expect(canary.trafficRouting.managedRoutes).toEqual([{ name: 'header-preview' }, { name: 'sticky-canary' }]);
  });

  test('fails when an ALB header route is a cookie, a prefix or a regex', () => {
    expect(() => render(strategy({ stickiness: Stickiness.byRequest(RequestMatch.cookie('release', 'canary')) }), alb))
      .toThrow('ArgoRollout: strategy.stickiness.match cannot be rendered with the ALB router: Argo Rollouts matches ALB header routes by exact value only, and a cookie is one part of the Cookie header, never its whole value, got cookie release=canary.');
    expect(() => render(strategy({ headerPreview: HeaderPreview.of({ match: RequestMatch.headerPrefix('X-Team', 'qa'), duration: Duration.minutes(5) }) }), alb))
      .toThrow('ArgoRollout: strategy.headerPreview.match cannot be rendered with the ALB router: Argo Rollouts matches ALB header routes by exact value only, got header X-Team starting with qa.');
  });

  test('fails when a dark launch is routed by the ALB', () => {
    expect(() => render(strategy({ darkLaunch: DarkLaunch.mirror({ percent: 10, duration: Duration.minutes(5) }) }), alb))
      .toThrow('ArgoRollout: strategy.darkLaunch cannot be rendered with ALB ingress api: Argo Rollouts v1.9 accepts setMirrorRoute with Istio only (its validation rejects every other router, plugins included), got 10% of GET/HEAD requests mirrored to the new version, responses discarded.');
  });
});

describe('Gateway API', () => {
  const gateway = TrafficRouting.gatewayApi({ httpRoute: 'api', namespace: 'shop' });
  test('renders header routes through the plugin, a cookie as a regex', () => {
    const { canary } = render(strategy({ stickiness: Stickiness.byRequest(RequestMatch.cookie('release', 'canary')) }), gateway);
    expect(canary.steps[0]).toEqual({ setHeaderRoute: { name: 'sticky-canary', match: [{ headerName: 'cookie', headerValue: { regex: '^(.*;\\s*)?release=canary(;.*)?$' } }] } });
    expect(canary.trafficRouting.managedRoutes).toEqual([{ name: 'sticky-canary' }]);
    expect(canary.trafficRouting.plugins).toEqual({ 'argoproj-labs/gatewayAPI': { httpRoute: 'api', namespace: 'shop' } });
  });
  test('fails when a Gateway API header route matches by prefix', () => {
    expect(() => render(strategy({ stickiness: Stickiness.byRequest(RequestMatch.headerPrefix('X-Team', 'qa')) }), gateway))
      .toThrow('ArgoRollout: strategy.stickiness.match cannot be rendered with the Gateway API router: an HTTPRoute header match is exact or a regular expression, with no prefix match, got header X-Team starting with qa. Use RequestMatch.headerRegex("X-Team", "^qa.*") instead.');
  });
  test('fails when load-balancer stickiness is asked of a router other than the ALB', () => {
    expect(() => render(strategy({ stickiness: Stickiness.loadBalancer(Duration.hours(1)) }), gateway))
      .toThrow('ArgoRollout: strategy.stickiness cannot be rendered with Gateway API HTTPRoute api: Argo Rollouts configures load-balancer stickiness only for the ALB router (trafficRouting.alb.stickinessConfig), got Stickiness.loadBalancer.');
    expect(() => render(strategy({ stickiness: Stickiness.loadBalancer(Duration.hours(1)) }), istio)).toThrow('strategy.stickiness cannot be rendered with Istio VirtualService api');
  });
});

describe('routers the controller rejects', () => {
  const preview = () => strategy({ headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(5) }) });
  test('fails when a header route is routed by NGINX, SMI or no router', () => {
    expect(() => render(preview(), TrafficRouting.nginx({ stableIngress: 'api' })))
      .toThrow('ArgoRollout: strategy.headerPreview.match cannot be rendered with NGINX ingress api: Argo Rollouts v1.9 accepts setHeaderRoute only with Istio, ALB, Apisix and router plugins, got header X-Preview: qa. Route with TrafficRouting.istio, .alb or .gatewayApi; with NGINX, the canary-by-header annotations (additionalIngressAnnotations) route by header outside the strategy.');
    expect(() => render(preview(), TrafficRouting.smi())).toThrow('strategy.headerPreview.match cannot be rendered with SMI TrafficSplit');
    expect(() => render(strategy({ stickiness: Stickiness.byRequest(RequestMatch.header('X-Cohort', 'canary')), keepPreviousVersionFor: Duration.seconds(0) }), TrafficRouting.none()))
      .toThrow('strategy.stickiness.match cannot be rendered with no traffic router');
  });
  test('fails when a dark launch is routed by NGINX or Gateway API', () => {
    const mirror = () => strategy({ darkLaunch: DarkLaunch.mirror({ percent: 10, duration: Duration.minutes(5) }) });
    expect(() => render(mirror(), TrafficRouting.nginx({ stableIngress: 'api' }))).toThrow('strategy.darkLaunch cannot be rendered with NGINX ingress api: Argo Rollouts v1.9 accepts setMirrorRoute with Istio only');
    expect(() => render(mirror(), TrafficRouting.gatewayApi({ httpRoute: 'api', namespace: 'a' }))).toThrow('strategy.darkLaunch cannot be rendered with Gateway API HTTPRoute api');
  });
});

describe('blue/green warm-up', () => {
  const warmUp = (extra: Partial<Parameters<typeof DeploymentStrategy.blueGreen>[0]> = {}) => DeploymentStrategy.blueGreen({
    previewAnalysis: checks,
    promotion: Promotion.manual(),
    postPromotionAnalysis: checks,
    keepPreviousVersionFor: Duration.minutes(10),
    warmUp: WarmUp.of(2, Duration.minutes(5)),
    ...extra,
  });
  const build = (s: DeploymentStrategy, trafficRouting?: TrafficRouting, extra: Record<string, unknown> = {}) => {
    const chart = cdk8s.Testing.chart();
    const rollout = new ArgoRollout(chart, 'api', {
      strategy: s, containers: CONTAINERS, metrics: prometheus, trafficRouting, smokeTest: ArgoSmokeTest.web({ path: '/health' }), ...extra,
    });
    return { chart, rollout };
  };

  test('on a router: canary steps with a full-scale preview, its checks inline, the approval, the warm-up weight, then 100%; valid against the CRD', () => {
    const { chart, rollout } = build(warmUp(), istio);
    const manifests = synthValid(chart);
    const canary = rolloutOf(manifests).spec.strategy.canary;
    expect(canary.stableService).toBe(rollout.activeService!.name);
    expect(canary.canaryService).toBe(rollout.previewService!.name);
    expect(canary.steps).toEqual([
      { setCanaryScale: { weight: 100 } },
      {
        analysis: {
          templates: [{ templateName: rollout.analysisTemplateNames[0] }, { templateName: rollout.analysisTemplateNames[1] }],
          args: [
            { name: 'service', value: rollout.previewService!.name },
            { name: 'stable-service', value: rollout.activeService!.name },
            { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
          ],
        },
      },
      { pause: {} },
      { setWeight: 2 }, { pause: { duration: '5m' } },
      { setWeight: 100 }, { pause: { duration: '10m' } },
    ]);
    // The post-promotion checks judge from the warm-up on.
    expect(canary.analysis.startingStep).toBe(4);
    expect(canary.analysis.templates).toEqual([{ templateName: rollout.analysisTemplateNames[2] }]);
    expect(canary.scaleDownDelaySeconds).toBe(30);
    expect(canary.trafficRouting).toEqual({ istio: { virtualService: { name: 'api', routes: ['primary'] } } });
    expect(rolloutOf(manifests).spec.strategy.blueGreen).toBeUndefined();
  });

  test('the plan shows the warm-up as its own judged phase between the preview and full traffic', () => {
    const { rollout } = build(warmUp(), istio);
    expect(rollout.plan.phases.map(p => [p.name, p.trafficPercent, p.duration.toMinutes(), p.checks])).toEqual([
      ['Preview (test route only)', 0, 3, ['error-rate', 'smoke-test']],
      ['Warm-up before the switch', 2, 5, ['error-rate']],
      ['Full traffic, previous version kept (setWeight 100 + pause, then promoted)', 100, 10, ['error-rate']],
    ]);
    expect(rollout.plan.notes.some(n => n.startsWith('Blue/green with a warm-up on Istio VirtualService api: rendered as canary steps.'))).toBe(true);
  });

  test('an automatic promotion without preview checks holds the preview with a timed pause', () => {
    const s = DeploymentStrategy.blueGreen({
      promotion: Promotion.automatic(Duration.minutes(3)),
      postPromotionAnalysis: checks,
      keepPreviousVersionFor: Duration.minutes(10),
      warmUp: WarmUp.of(1, Duration.minutes(5)),
    });
    const chart = cdk8s.Testing.chart();
    new ArgoRollout(chart, 'api', { strategy: s, containers: CONTAINERS, metrics: prometheus, trafficRouting: alb });
    expect(rolloutOf(synthValid(chart)).spec.strategy.canary.steps.slice(0, 4)).toEqual([
      { setCanaryScale: { weight: 100 } }, { pause: { duration: '3m' } }, { setWeight: 1 }, { pause: { duration: '5m' } },
    ]);
  });

  test('fails when a blue/green with a warm-up has no traffic router', () => {
    const chart = cdk8s.Testing.chart();
    expect(() => new ArgoRollout(chart, 'api', { strategy: warmUp(), containers: CONTAINERS, metrics: prometheus, smokeTest: ArgoSmokeTest.web({ path: '/health' }) }))
      .toThrow('ArgoRollout: strategy.warmUp needs a traffic router on Argo Rollouts: a blue/green rollout without one switches the active Service from one ReplicaSet to the other at once, with nothing to send a share of requests to the new version first, got WarmUp.of(2, ...). Pass trafficRouting (Istio, ALB, SMI, NGINX or Gateway API): the blue/green is then rendered as canary steps, full-scale preview, warm-up weight, then 100%.');
    expect(chart.node.children).toHaveLength(0);
  });

  test('fails when an automatic promotion wait would add to the preview checks instead of overlapping them', () => {
    expect(() => build(warmUp({ promotion: Promotion.automatic(Duration.minutes(5)) }), istio))
      .toThrow('ArgoRollout: strategy.promotion cannot hold the preview for a fixed time beside the preview checks when a blue/green warm-up is rendered as canary steps: the steps run one after the other, so the wait would add to the checks instead of overlapping them, got Promotion.automatic(5m).');
  });

  test('fails when a blue/green warm-up on a router carries migrations', () => {
    expect(() => build(warmUp(), istio, { migrationsAfterPreviewStarts: true }))
      .toThrow('ArgoRollout: migrations cannot run with a blue/green warm-up on a traffic router, which Argo Rollouts runs as canary steps, got a MigrationSet.');
  });

  test('a blue/green without a warm-up still refuses a router', () => {
    const plain = DeploymentStrategy.blueGreen({
      promotion: Promotion.manual(), postPromotionAnalysis: checks, keepPreviousVersionFor: Duration.minutes(10),
    });
    expect(() => build(plain, istio))
      .toThrow('ArgoRollout: trafficRouting must be TrafficRouting.none() for a blue-green strategy: Argo Rollouts switches the Services, got Istio VirtualService api. Omit trafficRouting, or use a canary or linear strategy to shift traffic by weight (or add a warmUp to the blue/green, which then runs as canary steps on the router).');
  });
});

test('a canary without traffic control renders exactly as before', () => {
  const { canary } = render(strategy(), TrafficRouting.nginx({ stableIngress: 'api' }));
  expect(canary.steps[0]).toEqual({ setWeight: 5 });
  expect(canary.analysis.startingStep).toBe(1);
  expect(canary.trafficRouting.managedRoutes).toBeUndefined();
});

test('with a baseline comparison, the experiment runs after the header-only preview and the dark launch, before the first setWeight, as the plan orders them', () => {
  const s = DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(10))],
    analysis: checks,
    keepPreviousVersionFor: Duration.minutes(10),
    headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(5) }),
    darkLaunch: DarkLaunch.mirror({ percent: 10, duration: Duration.minutes(5) }),
    baseline: BaselineComparison.of({
      analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 })], minRequests: 20 }),
      duration: Duration.minutes(10),
      replicas: 2,
      trafficPercent: 5,
    }),
  });
  const { canary, rollout } = render(s, istio);
  const kinds = canary.steps.map((step: any) => Object.keys(step)[0]);
  expect(kinds).toEqual([
    // The mirror share (10%) needs no more canary pods than the first step: one setCanaryScale before both.
    'setCanaryScale', 'setHeaderRoute', 'pause', 'setMirrorRoute', 'pause', 'setMirrorRoute', 'setCanaryScale',
    'experiment', 'setWeight', 'pause', 'setWeight', 'pause',
  ]);
  expect(canary.steps[canary.analysis.startingStep - 1]).toEqual({ setWeight: 10 });
  expect(rollout.plan.phases.map(p => p.name.split(' (')[0])).toEqual([
    'Header-only preview', 'Dark launch', 'Baseline comparison', 'Step 1', 'Full traffic, previous version kept',
  ]);
});
