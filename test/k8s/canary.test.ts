import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { canaryStrategy, CONTAINERS, ofKind, rolloutOf, synthValid } from './util';
import { Analysis, ArgoRollout, CanaryStep, DeploymentScaleDown, DeploymentStrategy, MetricProvider, PrometheusQueries, TrafficRouting } from '../../src';
import { scaleWeights } from '../../src/k8s/private/weights';

const prometheus = MetricProvider.prometheus({ address: 'http://prometheus.monitoring:9090' });
const nginx = TrafficRouting.nginx({ stableIngress: 'api' });

function canary(props: Partial<ConstructorParameters<typeof ArgoRollout>[2]> = {}, chart = cdk8s.Testing.chart()) {
  const rollout = new ArgoRollout(chart, 'api', {
    strategy: canaryStrategy(), containers: CONTAINERS, trafficRouting: nginx, metrics: prometheus, ...props,
  });
  return { chart, rollout, manifests: synthValid(chart) };
}

describe('canary', () => {
  test('renders one setWeight and one timed pause per step, a manual gate as pause {}, and the keep window as a final 100% step', () => {
    const { manifests } = canary();
    expect(rolloutOf(manifests).spec.strategy.canary.steps).toEqual([
      { setWeight: 5 }, { pause: { duration: '10m' } },
      { setWeight: 25 }, { pause: { duration: '10m' } }, { pause: {} },
      { setWeight: 100 }, { pause: { duration: '30m' } },
    ]);
  });

  test('creates a stable and a canary Service that select the pod template', () => {
    const { manifests, rollout } = canary();
    const services = ofKind(manifests, 'Service');
    expect(services).toHaveLength(2);
    const spec = rolloutOf(manifests).spec;
    expect(spec.strategy.canary.stableService).toBe(rollout.stableService!.name);
    expect(spec.strategy.canary.canaryService).toBe(rollout.canaryService!.name);
    expect(rollout.service).toBe(rollout.stableService);
    for (const svc of services) {
      expect(svc.spec.selector).toEqual(spec.selector.matchLabels);
      expect(svc.spec.ports).toEqual([{ port: 8080, targetPort: 8080 }]);
    }
    expect(spec.template.metadata.labels).toEqual(spec.selector.matchLabels);
  });

  test('renders the containers as cdk8s-plus does', () => {
    const { manifests } = canary();
    const container = rolloutOf(manifests).spec.template.spec.containers[0];
    expect(container.image).toBe('registry.example.com/api:1.2.3');
    expect(container.ports).toEqual([{ containerPort: 8080 }]);
  });

  test('runs the strategy analysis in the background from the first pause, with service args', () => {
    const { manifests, rollout } = canary();
    const analysis = rolloutOf(manifests).spec.strategy.canary.analysis;
    expect(analysis.templates).toEqual([{ templateName: rollout.analysisTemplateNames[0] }]);
    expect(analysis.startingStep).toBe(1);
    expect(analysis.args).toEqual([
      { name: 'service', value: rollout.canaryService!.name },
      { name: 'stable-service', value: rollout.stableService!.name },
      { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ]);
    const [template] = ofKind(manifests, 'AnalysisTemplate');
    expect(template.metadata.name).toBe(rollout.analysisTemplateNames[0]);
    expect(template.spec.args).toEqual([{ name: 'service' }, { name: 'stable-service' }, { name: 'namespace' }]);
    // background analysis runs until the rollout completes: no count
    expect(template.spec.metrics.every((m: any) => m.count === undefined)).toBe(true);
  });

  test('judges the keep window: setWeight 100 and a pause while the background analysis runs, then Argo\'s 30s scale-down delay', () => {
    const { manifests, rollout } = canary({ strategy: canaryStrategy({ keep: Duration.minutes(7) }) });
    const c = rolloutOf(manifests).spec.strategy.canary;
    expect(c.steps.slice(-2)).toEqual([{ setWeight: 100 }, { pause: { duration: '7m' } }]);
    // the background analysis has no count: it runs until promotion, so through the final step
    expect(c.analysis.startingStep).toBe(1);
    expect(ofKind(manifests, 'AnalysisTemplate')[0].spec.metrics.every((m: any) => m.count === undefined)).toBe(true);
    expect(c.scaleDownDelaySeconds).toBe(30);
    expect(rollout.plan.notes).toContain('The previous version is kept by a final step, setWeight 100 then a pause of keepPreviousVersionFor: the background analysis keeps judging the new version, '
      + 'and a failure aborts the rollout: all traffic returns to the previous version, still running at full scale. After it, Argo Rollouts promotes the new version and scales the previous '
      + 'ReplicaSet down 30s later (scaleDownDelaySeconds), without traffic; from then on a rollback is a new rollout (`kubectl argo rollouts undo`).');
  });

  test('a zero keepPreviousVersionFor adds no final step; the previous ReplicaSet goes 30s after promotion', () => {
    const { manifests, rollout } = canary({ strategy: canaryStrategy({ keep: Duration.seconds(0) }) });
    const c = rolloutOf(manifests).spec.strategy.canary;
    expect(c.steps[c.steps.length - 1]).toEqual({ pause: {} });
    expect(c.scaleDownDelaySeconds).toBe(30);
    expect(rollout.plan.phases[2]).toMatchObject({ name: 'Promoted, previous ReplicaSet scaled down 30s later without traffic', trafficPercent: 100, checks: [] });
    expect(rollout.plan.phases[2].duration.toSeconds()).toBe(0);
  });

  test('the keep window of a strategy without checks is a pause at 100% that a person can abort', () => {
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.none('no metrics yet'), keepPreviousVersionFor: Duration.minutes(15),
    });
    const { manifests, rollout } = canary({ strategy, metrics: undefined });
    expect(rolloutOf(manifests).spec.strategy.canary.steps.slice(-2)).toEqual([{ setWeight: 100 }, { pause: { duration: '15m' } }]);
    expect(rollout.plan.notes.some(n => n.includes('nothing judges the new version automatically; `kubectl argo rollouts abort` returns all traffic to the previous version'))).toBe(true);
  });

  test('fails when the keep window is shorter than the time to detect a failure', () => {
    expect(() => canary({ strategy: canaryStrategy({ keep: Duration.minutes(2) }) }))
      .toThrow("ArgoRollout: strategy.keepPreviousVersionFor must be zero or at least the analysis' time to detect a failure (3m): the analysis judges the kept window at 100% and would end before a failure is detected, got 2m. Keep the previous version for 3m or more, or set keepPreviousVersionFor: Duration.seconds(0).");
  });

  test('fails when the keep window is not whole seconds', () => {
    expect(() => canary({ strategy: canaryStrategy({ keep: Duration.millis(300_500) }) })).toThrow(/keepPreviousVersionFor/);
  });

  test('replicas, port, targetPort, namespace and revisionHistoryLimit change the output', () => {
    const { manifests } = canary({ replicas: 4, port: 80, targetPort: 8080, namespace: 'shop', revisionHistoryLimit: 3 });
    const r = rolloutOf(manifests);
    expect(r.spec.replicas).toBe(4);
    expect(r.spec.revisionHistoryLimit).toBe(3);
    expect(manifests.every(m => m.metadata.namespace === 'shop')).toBe(true);
    expect(ofKind(manifests, 'Service')[0].spec.ports).toEqual([{ port: 80, targetPort: 8080 }]);
  });

  test('defaults to one replica and Argo\'s revision history', () => {
    const r = rolloutOf(canary().manifests);
    expect(r.spec.replicas).toBe(1);
    expect(r.spec.revisionHistoryLimit).toBeUndefined();
  });

  test('expands a linear strategy into equal steps', () => {
    const strategy = DeploymentStrategy.linear({
      stepPercent: 25, interval: Duration.minutes(5), analysis: Analysis.none('batch worker without traffic metrics'),
    });
    const { manifests } = canary({ strategy, metrics: undefined });
    const c = rolloutOf(manifests).spec.strategy.canary;
    expect(c.steps).toEqual([
      { setWeight: 25 }, { pause: { duration: '5m' } },
      { setWeight: 50 }, { pause: { duration: '5m' } },
      { setWeight: 75 }, { pause: { duration: '5m' } },
      { setWeight: 100 }, { pause: { duration: '5m' } }, // the default keepPreviousVersionFor
    ]);
    expect(c.analysis).toBeUndefined();
    expect(ofKind(manifests, 'AnalysisTemplate')).toHaveLength(0);
  });

  test('renders durations in the largest whole unit', () => {
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.seconds(90)), CanaryStep.of(20, Duration.hours(2))],
      analysis: Analysis.none('no metrics yet'),
      keepPreviousVersionFor: Duration.seconds(0),
    });
    const steps = rolloutOf(canary({ strategy, metrics: undefined }).manifests).spec.strategy.canary.steps;
    expect(steps[1]).toEqual({ pause: { duration: '90s' } });
    expect(steps[3]).toEqual({ pause: { duration: '2h' } });
  });

  test('the plan is the Argo plan: the keep window is judged, with its exposure', () => {
    const { rollout } = canary();
    expect(rollout.plan.target).toBe('Argo Rollouts');
    expect(rollout.plan.phases.map(p => p.trafficPercent)).toEqual([5, 25, 100]);
    expect(rollout.plan.phases[0].checks).toEqual(['error-rate', 'latency-p99']);
    expect(rollout.plan.phases[2]).toMatchObject({
      name: 'Full traffic, previous version kept (setWeight 100 + pause, then promoted)', checks: ['error-rate', 'latency-p99'], exposureBeforeDetection: 300,
    });
    expect(rollout.plan.phases[2].duration.toMinutes()).toBe(30);
    expect(rollout.plan.worstCaseExposure).toBe(300);
    expect(rollout.plan.toMarkdown()).not.toContain('unbounded');
    expect(rollout.plan.waitsForApproval).toBe(true);
    expect(rollout.plan.toMarkdown()).toContain('Traffic routing: NGINX ingress api.');
  });

  test('exposes the Rollout name and the Rollout object as an escape hatch', () => {
    const chart = cdk8s.Testing.chart();
    const rollout = new ArgoRollout(chart, 'api', { strategy: canaryStrategy(), containers: CONTAINERS, trafficRouting: nginx, metrics: prometheus });
    rollout.rollout.addJsonPatch(cdk8s.JsonPatch.add('/spec/minReadySeconds', 10));
    const r = rolloutOf(synthValid(chart));
    expect(r.metadata.name).toBe(rollout.rolloutName);
    expect(r.spec.minReadySeconds).toBe(10);
  });

  test('snapshot', () => {
    expect(canary().manifests).toMatchSnapshot();
  });
});

describe('traffic routers', () => {
  test('NGINX names the stable Ingress and passes annotations and prefix', () => {
    const { manifests } = canary({
      trafficRouting: TrafficRouting.nginx({ stableIngress: 'shop', additionalIngressAnnotations: { 'canary-by-header': 'X-Canary' }, annotationPrefix: 'custom.nginx.org' }),
    });
    expect(rolloutOf(manifests).spec.strategy.canary.trafficRouting).toEqual({
      nginx: { stableIngress: 'shop', additionalIngressAnnotations: { 'canary-by-header': 'X-Canary' }, annotationPrefix: 'custom.nginx.org' },
    });
  });

  test('Istio names the VirtualService and its routes', () => {
    const { manifests } = canary({ trafficRouting: TrafficRouting.istio({ virtualService: 'api', routes: ['primary'] }) });
    expect(rolloutOf(manifests).spec.strategy.canary.trafficRouting).toEqual({ istio: { virtualService: { name: 'api', routes: ['primary'] } } });
  });

  test('ALB uses the Service port unless told otherwise, and a root Service', () => {
    let { manifests } = canary({ trafficRouting: TrafficRouting.alb({ ingress: 'api' }), metrics: undefined, strategy: noChecks() });
    expect(rolloutOf(manifests).spec.strategy.canary.trafficRouting).toEqual({ alb: { ingress: 'api', servicePort: 8080 } });
    ({ manifests } = canary({ trafficRouting: TrafficRouting.alb({ ingress: 'api', servicePort: 443, rootService: 'api-root' }), metrics: undefined, strategy: noChecks() }));
    expect(rolloutOf(manifests).spec.strategy.canary.trafficRouting).toEqual({ alb: { ingress: 'api', servicePort: 443, rootService: 'api-root' } });
  });

  test('SMI names the TrafficSplit after the rollout unless told otherwise', () => {
    let { manifests } = canary({ trafficRouting: TrafficRouting.smi(), metrics: undefined, strategy: noChecks() });
    const r = rolloutOf(manifests);
    expect(r.spec.strategy.canary.trafficRouting).toEqual({ smi: { trafficSplitName: r.metadata.name } });
    ({ manifests } = canary({ trafficRouting: TrafficRouting.smi({ trafficSplitName: 'split', rootService: 'api' }), metrics: undefined, strategy: noChecks() }));
    expect(rolloutOf(manifests).spec.strategy.canary.trafficRouting).toEqual({ smi: { trafficSplitName: 'split', rootService: 'api' } });
  });

  test('Gateway API goes through the plugin, with the rollout or chart namespace by default', () => {
    let { manifests } = canary({ trafficRouting: TrafficRouting.gatewayApi({ httpRoute: 'api' }), metrics: undefined, strategy: noChecks(), namespace: 'shop' });
    expect(rolloutOf(manifests).spec.strategy.canary.trafficRouting).toEqual({ plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'api', namespace: 'shop' } } });
    ({ manifests } = canary({ trafficRouting: TrafficRouting.gatewayApi({ httpRoute: 'api' }), metrics: undefined, strategy: noChecks() },
      new cdk8s.Chart(cdk8s.Testing.app(), 'c', { namespace: 'team' })));
    expect(rolloutOf(manifests).spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI'].namespace).toBe('team');
    ({ manifests } = canary({ trafficRouting: TrafficRouting.gatewayApi({ httpRoute: 'api', namespace: 'gw' }), metrics: undefined, strategy: noChecks() }));
    expect(rolloutOf(manifests).spec.strategy.canary.trafficRouting.plugins['argoproj-labs/gatewayAPI'].namespace).toBe('gw');
  });

  test('fails when the Gateway API router has no namespace at all', () => {
    expect(() => canary({ trafficRouting: TrafficRouting.gatewayApi({ httpRoute: 'api' }), metrics: undefined, strategy: noChecks() }))
      .toThrow('ArgoRollout: trafficRouting.namespace is required by the Gateway API plugin when neither the rollout nor its chart has a namespace, got undefined.');
  });

  test('without a router, weights are pod counts: a warning says so, in metadata and in the plan', () => {
    const { rollout, manifests } = canary({
      trafficRouting: TrafficRouting.none(),
      replicas: 4,
      strategy: canaryStrategy({ keep: Duration.seconds(0) }),
      metrics: MetricProvider.prometheus({ address: 'http://prometheus:9090', queries: PrometheusQueries.istio() }),
    });
    const c = rolloutOf(manifests).spec.strategy.canary;
    expect(c.trafficRouting).toBeUndefined();
    expect(c.scaleDownDelaySeconds).toBeUndefined();
    expect(rollout.warnings).toHaveLength(1);
    expect(rollout.warnings[0]).toContain('5% → 1 new pod(s), 25% → 1 new pod(s)');
    expect(rollout.node.metadata.filter(m => m.type === 'warning').map(m => m.data)).toEqual(rollout.warnings);
    expect(rollout.plan.notes.some(n => n.startsWith('Warning: No traffic router'))).toBe(true);
  });

  test('with a router whose Ingress is in the chart there is no warning', () => {
    const chart = cdk8s.Testing.chart();
    const { rollout } = canary({}, chart);
    new kplus.Ingress(chart, 'ingress', { metadata: { name: 'api' }, rules: [{ path: '/', backend: kplus.IngressBackend.fromService(rollout.stableService!) }] });
    expect(rollout.warnings).toEqual([]);
  });

  test('fails when the previous version should be kept without a router', () => {
    expect(() => canary({ trafficRouting: TrafficRouting.none() }))
      .toThrow('ArgoRollout: strategy.keepPreviousVersionFor cannot be honoured without a traffic router');
  });

  test('fractional weights use maxTrafficWeight with NGINX; the Gateway API plugin, which counts out of 100 whatever the maximum, is refused', () => {
    const strategy = DeploymentStrategy.linear({ stepPercent: 12.5, interval: Duration.minutes(1), analysis: Analysis.none('no metrics yet') });
    const c = rolloutOf(canary({ strategy, metrics: undefined }).manifests).spec.strategy.canary;
    expect(c.trafficRouting.maxTrafficWeight).toBe(1000);
    expect(c.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight)).toEqual([125, 250, 375, 500, 625, 750, 875, 1000]);
    expect(() => canary({ strategy, metrics: undefined, namespace: 'x', trafficRouting: TrafficRouting.gatewayApi({ httpRoute: 'r' }) })).toThrow(
      "ArgoRollout: strategy steps have a fractional weight, but Argo Rollouts' setWeight is a whole percent with Gateway API HTTPRoute r "
      + '(only NGINX honours maxTrafficWeight; the Gateway API plugin counts weights out of 100 whatever the maximum), got 12.5%. '
      + 'Use whole-percent weights (for a linear strategy, a stepPercent that divides 100 into whole steps), or route with TrafficRouting.nginx().');
  });

  test('whole weights need no maxTrafficWeight', () => {
    expect(rolloutOf(canary().manifests).spec.strategy.canary.trafficRouting.maxTrafficWeight).toBeUndefined();
  });

  test('fails when a fractional weight meets a router without maxTrafficWeight', () => {
    const strategy = DeploymentStrategy.canary({ steps: [CanaryStep.of(2.5, Duration.minutes(5))], analysis: Analysis.none('no metrics yet') });
    expect(() => canary({ strategy, metrics: undefined, trafficRouting: TrafficRouting.istio({ virtualService: 'api' }) }))
      .toThrow("ArgoRollout: strategy steps have a fractional weight, but Argo Rollouts' setWeight is a whole percent with Istio VirtualService api (only NGINX honours maxTrafficWeight; the Gateway API plugin counts weights out of 100 whatever the maximum), got 2.5%.");
  });

  test('fails when a weight is finer than any maxTrafficWeight: the declaration refuses it, and so does the renderer', () => {
    expect(() => CanaryStep.of(1.23456, Duration.minutes(5)))
      .toThrow('CanaryStep.of: weight must be a multiple of 0.001 (three decimal places at most), got 1.23456.');
    expect(() => scaleWeights('ArgoRollout', [1.23456], TrafficRouting.nginx({ stableIngress: 'api' })))
      .toThrow('ArgoRollout: strategy steps have a weight finer than 0.001%, which Argo Rollouts cannot express, got 1.23456%.');
  });
});

describe('a referenced Deployment', () => {
  function withDeployment(props: Partial<ConstructorParameters<typeof ArgoRollout>[2]> = {}) {
    const chart = cdk8s.Testing.chart();
    const deployment = new kplus.Deployment(chart, 'web', { containers: [{ image: 'web:1', portNumber: 3000 }], replicas: 2 });
    const rollout = new ArgoRollout(chart, 'api', { strategy: canaryStrategy(), deployment, trafficRouting: nginx, metrics: prometheus, ...props });
    return { deployment, rollout, manifests: synthValid(chart) };
  }

  test('is referenced with workloadRef, scaled down on success by default, and selected by its labels', () => {
    const { deployment, manifests } = withDeployment();
    const r = rolloutOf(manifests);
    expect(r.spec.workloadRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: deployment.name, scaleDown: 'onsuccess' });
    expect(r.spec.template).toBeUndefined();
    expect(r.spec.selector.matchLabels).toEqual(deployment.matchLabels);
    for (const svc of ofKind(manifests, 'Service')) {
      expect(svc.spec.selector).toEqual(deployment.matchLabels);
      expect(svc.spec.ports).toEqual([{ port: 3000, targetPort: 3000 }]);
    }
  });

  test('deploymentScaleDown changes workloadRef.scaleDown', () => {
    const r = rolloutOf(withDeployment({ deploymentScaleDown: DeploymentScaleDown.PROGRESSIVELY }).manifests);
    expect(r.spec.workloadRef.scaleDown).toBe('progressively');
  });

  test('fails when both containers and a deployment are given', () => {
    expect(() => withDeployment({ containers: CONTAINERS }))
      .toThrow('ArgoRollout: containers/deployment must have exactly one of them, got both.');
  });

  test('fails when the deployment does not select its pods', () => {
    const chart = cdk8s.Testing.chart();
    const deployment = new kplus.Deployment(chart, 'web', { containers: [{ image: 'web:1', portNumber: 3000 }], select: false });
    expect(() => new ArgoRollout(chart, 'api', { strategy: canaryStrategy(), deployment, trafficRouting: nginx, metrics: prometheus }))
      .toThrow('ArgoRollout: deployment must select its pods by label, got a Deployment created with select: false.');
  });
});

function noChecks(): DeploymentStrategy {
  return DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.none('no metrics yet') });
}
