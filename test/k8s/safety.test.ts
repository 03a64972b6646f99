import { Duration, Token } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { canaryStrategy, CONTAINERS, rolloutOf, synthValid } from './util';
import {
  AbortScaleDown, Analysis, AntiAffinity, ArgoRollout, ArgoRolloutProps, ArgoSmokeTest, Capacity, CanaryStep, DeploymentStrategy, HealthCheck,
  MetricProvider, PrometheusQueries, Promotion, TrafficRouting, WarmUp, ArgoAnalysis, AnalysisTemplateRef,
} from '../../src';
import { checkControllerRules } from '../../src/k8s/private/controller-rules';

const metrics = MetricProvider.prometheus({ address: 'http://prometheus:9090' });
const nginx = () => TrafficRouting.nginx({ stableIngress: 'api' });
const noKeep = () => canaryStrategy({ keep: Duration.seconds(0) });
const blueGreen = () => DeploymentStrategy.blueGreen({ promotion: Promotion.manual() });
const basicCanary = () => DeploymentStrategy.canary({ steps: [CanaryStep.of(50, Duration.minutes(5))], analysis: Analysis.none('a demo'), keepPreviousVersionFor: Duration.seconds(0) });

/** An NGINX canary with the usual checks, with the given props on top. */
function canary(props: Partial<ArgoRolloutProps> = {}) {
  return render({ strategy: canaryStrategy(), trafficRouting: nginx(), metrics, ...props });
}

function render(props: Partial<ArgoRolloutProps>) {
  const chart = cdk8s.Testing.chart();
  const rollout = new ArgoRollout(chart, 'api', { strategy: blueGreen(), containers: CONTAINERS, ...props } as ArgoRolloutProps);
  const manifests = synthValid(chart);
  const r = rolloutOf(manifests);
  return {
    rollout,
    manifests,
    spec: r.spec,
    notes: rollout.plan.notes,
    check: (mutate: (spec: any) => void) => {
      mutate(r.spec);
      return () => checkControllerRules(r, manifests.filter(m => m.kind === 'AnalysisTemplate'));
    },
  };
}

const fails = (props: Partial<ArgoRolloutProps>) => () => render(props);

describe('progress deadline', () => {
  test('by default an update stuck for 10 minutes is aborted, written explicitly', () => {
    const { spec, notes } = canary();
    expect(spec.progressDeadlineSeconds).toBe(600);
    expect(spec.progressDeadlineAbort).toBe(true);
    expect(notes).toContain('Progress deadline: an update whose pods make no progress for 10m (pauses and analysis steps do not count) is aborted, '
      + 'and all traffic returns to the previous version (progressDeadlineSeconds, progressDeadlineAbort).');
  });

  test('progressDeadline sets progressDeadlineSeconds', () => {
    expect(canary({ progressDeadline: Duration.minutes(20) }).spec.progressDeadlineSeconds).toBe(1200);
  });

  test('progressDeadlineAbort: false leaves a stuck update Degraded, and the plan says so', () => {
    const { spec, notes } = canary({ progressDeadlineAbort: false });
    expect(spec.progressDeadlineAbort).toBe(false);
    expect(notes.some(n => n.startsWith('Progress deadline: an update whose pods make no progress for 10m (pauses and analysis steps do not count) is marked Degraded but NOT aborted'))).toBe(true);
  });

  test('blue/green gets ten minutes on top of the time it waits on its checks', () => {
    const strategy = DeploymentStrategy.blueGreen({
      promotion: Promotion.automatic(Duration.minutes(10)),
      postPromotionAnalysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
      keepPreviousVersionFor: Duration.minutes(15),
    });
    const { spec, notes } = render({ strategy, metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }) });
    expect(spec.progressDeadlineSeconds).toBe(1500);
    expect(notes.some(n => n.includes('for 25m (pauses and analysis steps do not count; ten minutes on top of the 15m the rollout waits on its preview or post-promotion analysis)'))).toBe(true);
  });

  test('fails when progressDeadline is shorter than a blue/green preview wait', () => {
    const strategy = DeploymentStrategy.blueGreen({
      promotion: Promotion.automatic(Duration.minutes(30)), postPromotionAnalysis: Analysis.none('smoke tested'),
    });
    expect(fails({ strategy, progressDeadline: Duration.minutes(10) })).toThrow(
      'ArgoRollout: progressDeadline must be longer than the 30m a blue-green rollout waits on its preview or post-promotion analysis without new pods');
  });

  test('fails when progressDeadline is not longer than minReadyTime', () => {
    expect(fails({ progressDeadline: Duration.minutes(1), minReadyTime: Duration.minutes(1) }))
      .toThrow('ArgoRollout: progressDeadline must be longer than minReadyTime (1m): the controller refuses a deadline a pod cannot meet, got 1m. Raise progressDeadline or lower minReadyTime.');
  });

  test('fails when progressDeadline is not a whole number of seconds, or not a Duration', () => {
    expect(fails({ progressDeadline: Duration.millis(1500) })).toThrow('ArgoRollout: progressDeadline must be a whole number of seconds, got 1500ms.');
    expect(fails({ progressDeadline: 600 as any })).toThrow('ArgoRollout: progressDeadline must be a Duration (for example Duration.minutes(5)), got 600.');
  });

  test('fails when progressDeadlineAbort is not a boolean', () => {
    expect(fails({ progressDeadlineAbort: 'yes' as any })).toThrow('ArgoRollout: progressDeadlineAbort must be true or false, got "yes".');
    expect(fails({ progressDeadlineAbort: null as any })).toThrow('ArgoRollout: progressDeadlineAbort must be true or false, got null.');
  });
});

describe('runbook', () => {
  test('says what the progress deadline does and what undo does within the rollback window', () => {
    const runbook = canary({ rollbackWindowRevisions: 2 }).rollout.runbook;
    expect(runbook.automatic).toContain('An update whose pods make no progress for 10m (outside pauses and analysis steps) is aborted: traffic returns to the stable version.');
    const undo = runbook.procedures.find(p => (p.commands ?? []).some(c => c.includes(' undo ')))!;
    expect(undo.notes![0]).toMatch(/^undo to one of the last 2 revision\(s\) is promoted at once, without steps or checks \(rollbackWindow\)/);
    expect(canary({ progressDeadlineAbort: false }).rollout.runbook.automatic)
      .toContain('An update whose pods make no progress for 10m is marked Degraded and NOT aborted (progressDeadlineAbort: false): abort it below.');
  });
});

describe('minReadyTime', () => {
  test('sets minReadySeconds, with a plan line', () => {
    const { spec, notes } = canary({ minReadyTime: Duration.seconds(30) });
    expect(spec.minReadySeconds).toBe(30);
    expect(notes).toContain('A new pod counts as available only after 30s ready without a crash (minReadySeconds).');
  });

  test('is absent by default', () => {
    expect(canary().spec.minReadySeconds).toBeUndefined();
  });

  test('fails when minReadyTime reaches the default deadline', () => {
    expect(fails({ minReadyTime: Duration.minutes(10) })).toThrow('ArgoRollout: progressDeadline must be longer than minReadyTime (10m)');
  });
});

describe('rollbackWindowRevisions', () => {
  test('sets rollbackWindow.revisions, with a plan line', () => {
    const { spec, notes } = canary({ rollbackWindowRevisions: 2 });
    expect(spec.rollbackWindow).toEqual({ revisions: 2 });
    expect(notes).toContain('Rollback window: rolling back to one of the last 2 revision(s) is promoted at once, skipping the steps and their analysis (rollbackWindow); older revisions go through every step.');
  });

  test('by default there is none, and the plan says a rollback runs every step', () => {
    const { spec, notes } = canary();
    expect(spec.rollbackWindow).toBeUndefined();
    expect(notes).toContain('No rollback window: rolling back (`kubectl argo rollouts undo`) goes through every step and check again, like any update.');
  });

  test('fails when it exceeds revisionHistoryLimit', () => {
    expect(fails({ rollbackWindowRevisions: 4, revisionHistoryLimit: 3 })).toThrow('ArgoRollout: rollbackWindowRevisions must be a whole number between 1 and 3, got 4.');
    expect(fails({ rollbackWindowRevisions: NaN })).toThrow('ArgoRollout: rollbackWindowRevisions must be a whole number between 1 and 10, got NaN.');
  });
});

describe('abortScaleDown', () => {
  test('after(d) sets abortScaleDownDelaySeconds on a routed canary and on blue/green', () => {
    expect(canary({ abortScaleDown: AbortScaleDown.after(Duration.minutes(10)) }).spec.strategy.canary.abortScaleDownDelaySeconds).toBe(600);
    const bg = render({ abortScaleDown: AbortScaleDown.after(Duration.minutes(2)) });
    expect(bg.spec.strategy.blueGreen.abortScaleDownDelaySeconds).toBe(120);
    expect(bg.notes).toContain('On abort, the preview pods are scaled down 2m after traffic returns to the previous version (abortScaleDownDelaySeconds).');
  });

  test('never() writes 0 (keep), and the plan names the cost', () => {
    const { spec, notes } = canary({ abortScaleDown: AbortScaleDown.never() });
    expect(spec.strategy.canary.abortScaleDownDelaySeconds).toBe(0);
    expect(notes.some(n => n.startsWith('On abort, the canary pods are kept running without traffic for debugging'))).toBe(true);
  });

  test('the default is Argo\'s 30 seconds, not written, and said in the plan', () => {
    const { spec, notes } = canary();
    expect(spec.strategy.canary.abortScaleDownDelaySeconds).toBeUndefined();
    expect(notes).toContain('On abort, the canary pods are scaled down 30s after traffic returns to the previous version (abortScaleDownDelaySeconds, Argo\'s default).');
  });

  test('fails when the canary has no traffic router (Argo ignores it there)', () => {
    expect(fails({ strategy: basicCanary(), abortScaleDown: AbortScaleDown.never() }))
      .toThrow('ArgoRollout: abortScaleDown is ignored by Argo Rollouts for a canary rollout without traffic routing');
  });

  test('fails when the delay is zero or not an AbortScaleDown', () => {
    expect(() => AbortScaleDown.after(Duration.seconds(0))).toThrow('AbortScaleDown.after: delay must be longer than zero, got 0s.');
    expect(fails({ abortScaleDown: 30 as any })).toThrow('ArgoRollout: abortScaleDown must be an AbortScaleDown, got 30.');
  });
});

describe('dynamicStableScale', () => {
  test('sets dynamicStableScale and drops the scale-down delay the controller refuses beside it', () => {
    const { spec, notes, rollout } = canary({ strategy: noKeep(), dynamicStableScale: true });
    expect(spec.strategy.canary.dynamicStableScale).toBe(true);
    expect(spec.strategy.canary.scaleDownDelaySeconds).toBeUndefined();
    // The plan does not promise a scale-down delay that is not written.
    expect(rollout.plan.phases[2].name).toBe('Promoted, previous ReplicaSet already scaled down as traffic moved (dynamicStableScale)');
    expect(notes.some(n => n.includes('(scaleDownDelaySeconds)'))).toBe(false);
    expect(notes.some(n => n.startsWith('keepPreviousVersionFor is zero and dynamicStableScale is on: the previous ReplicaSet shrinks as traffic moves'))).toBe(true);
    expect(notes.some(n => n.startsWith('Dynamic stable scale: the previous version is scaled down as traffic moves to the new one') && n.includes('(slower abort'))).toBe(true);
  });

  test('off by default: the plan explains the full-scale previous version', () => {
    const { spec, notes } = canary();
    expect(spec.strategy.canary.dynamicStableScale).toBeUndefined();
    expect(spec.strategy.canary.scaleDownDelaySeconds).toBe(30);
    expect(notes).toContain('The previous version stays at full scale until the update completes (no dynamicStableScale): an abort returns all traffic at once, at the cost of running up to twice the replicas during the update.');
  });

  test('fails when the previous version is to be kept', () => {
    expect(fails({ strategy: canaryStrategy(), trafficRouting: nginx(), metrics, dynamicStableScale: true }))
      .toThrow('ArgoRollout: dynamicStableScale cannot keep the previous version');
  });

  test('fails without a traffic router, and on blue/green', () => {
    expect(fails({ strategy: basicCanary(), dynamicStableScale: true })).toThrow('ArgoRollout: dynamicStableScale needs a traffic router');
    expect(fails({ dynamicStableScale: true })).toThrow('ArgoRollout: dynamicStableScale only applies to a canary or linear strategy with traffic routing, not to a blue-green strategy');
    expect(fails({ strategy: noKeep(), trafficRouting: nginx(), metrics, dynamicStableScale: 1 as any })).toThrow('ArgoRollout: dynamicStableScale must be true or false, got 1.');
  });
});

describe('maxSurge and maxUnavailable', () => {
  test('are written on a canary without traffic routing', () => {
    const { spec, notes } = render({ strategy: basicCanary(), maxSurge: Capacity.count(1), maxUnavailable: Capacity.percent(0) });
    expect(spec.strategy.canary.maxSurge).toBe(1);
    expect(spec.strategy.canary.maxUnavailable).toBe('0%');
    expect(notes).toContain('Without a traffic router, pods are replaced within maxSurge 1 and maxUnavailable 0%.');
  });

  test('fails with a traffic router, which ignores them', () => {
    expect(fails({ strategy: canaryStrategy(), trafficRouting: nginx(), metrics, maxSurge: Capacity.count(1) }))
      .toThrow('ArgoRollout: maxSurge is ignored by Argo Rollouts with traffic routing: the canary and stable pod counts follow the weights, got 1.');
  });

  test('fails on a rolling strategy, which declares its own, and on blue/green', () => {
    const rolling = DeploymentStrategy.rolling({ analysis: Analysis.none('stateless demo') });
    expect(fails({ strategy: rolling, maxUnavailable: Capacity.count(1) })).toThrow('ArgoRollout: maxUnavailable is declared by the rolling strategy itself, got 1. Pass maxUnavailable to DeploymentStrategy.rolling({...}) instead.');
    expect(fails({ maxSurge: Capacity.count(1) })).toThrow('ArgoRollout: maxSurge only applies to a canary or linear strategy without traffic routing, not to a blue-green strategy');
  });

  test('fails when both are zero', () => {
    expect(fails({ strategy: basicCanary(), maxSurge: Capacity.count(0), maxUnavailable: Capacity.percent(0) }))
      .toThrow('ArgoRollout: maxSurge/maxUnavailable must not both be zero, or no pod can ever be replaced (the controller refuses it), got 0 / 0%.');
  });
});

describe('previewReplicaCount', () => {
  test('sets previewReplicaCount on blue/green, with a plan line', () => {
    const { spec, notes } = render({ replicas: 4, previewReplicaCount: 1 });
    expect(spec.strategy.blueGreen.previewReplicaCount).toBe(1);
    expect(notes).toContain('The preview runs 1 pod(s) before promotion (previewReplicaCount); the preview checks judge those, and the rest start before the switch.');
  });

  test('applies to all-at-once with a smoke test', () => {
    const { spec } = render({ strategy: DeploymentStrategy.allAtOnce(), smokeTest: ArgoSmokeTest.web({ path: '/health' }), replicas: 3, previewReplicaCount: 2 });
    expect(spec.strategy.blueGreen.previewReplicaCount).toBe(2);
  });

  test('fails on a canary, and above replicas', () => {
    expect(fails({ strategy: canaryStrategy(), trafficRouting: nginx(), metrics, previewReplicaCount: 1 }))
      .toThrow('ArgoRollout: previewReplicaCount only applies to a rollout with a preview (blue/green, or all-at-once with a smoke test), not to a canary rollout without a smoke test');
    expect(fails({ replicas: 2, previewReplicaCount: 3 })).toThrow('ArgoRollout: previewReplicaCount must be a whole number between 1 and 2, got 3.');
  });
});

describe('scaleDownDelayRevisionLimit', () => {
  test('is written on blue/green and on a routed canary, with a plan line', () => {
    expect(render({ scaleDownDelayRevisionLimit: 1 }).spec.strategy.blueGreen.scaleDownDelayRevisionLimit).toBe(1);
    const { spec, notes } = canary({ scaleDownDelayRevisionLimit: 2 });
    expect(spec.strategy.canary.scaleDownDelayRevisionLimit).toBe(2);
    expect(notes).toContain('At most 2 previous ReplicaSet(s) wait for their scale-down delay; older ones are scaled down at once (scaleDownDelayRevisionLimit).');
  });

  test('fails above revisionHistoryLimit (the controller rule), without a router, or with dynamicStableScale', () => {
    expect(fails({ scaleDownDelayRevisionLimit: 3, revisionHistoryLimit: 2 })).toThrow('ArgoRollout: scaleDownDelayRevisionLimit must be a whole number between 0 and 2, got 3.');
    expect(fails({ strategy: basicCanary(), scaleDownDelayRevisionLimit: 1 })).toThrow('ArgoRollout: scaleDownDelayRevisionLimit is ignored by Argo Rollouts for a canary rollout without traffic routing');
    expect(fails({ strategy: noKeep(), trafficRouting: nginx(), metrics, dynamicStableScale: true, scaleDownDelayRevisionLimit: 1 }))
      .toThrow('ArgoRollout: scaleDownDelayRevisionLimit is ignored with dynamicStableScale');
  });
});

describe('antiAffinity', () => {
  test('preferred and required are written on either strategy, with a plan line', () => {
    const c = canary({ antiAffinity: AntiAffinity.preferred(50) });
    expect(c.spec.strategy.canary.antiAffinity).toEqual({ preferredDuringSchedulingIgnoredDuringExecution: { weight: 50 } });
    expect(c.notes).toContain('Anti-affinity (preferred, weight 50): the scheduler avoids the nodes of the previous version where it can.');
    const bg = render({ antiAffinity: AntiAffinity.required() });
    expect(bg.spec.strategy.blueGreen.antiAffinity).toEqual({ requiredDuringSchedulingIgnoredDuringExecution: {} });
    expect(AntiAffinity.preferred().weight).toBe(100);
  });

  test('fails when the weight is outside 1 to 100, or not an AntiAffinity', () => {
    expect(() => AntiAffinity.preferred(0)).toThrow('AntiAffinity.preferred: weight must be a whole number between 1 and 100 (the controller refuses other weights), got 0.');
    expect(() => AntiAffinity.preferred(null as any)).toThrow('AntiAffinity.preferred: weight must be a whole number between 1 and 100');
    expect(fails({ antiAffinity: { weight: 5 } as any })).toThrow('ArgoRollout: antiAffinity must be an AntiAffinity, got {"weight":5}.');
  });
});

describe('controller rules on the safety fields', () => {
  test('a rollout with every safety field passes them', () => {
    const { check } = canary({
      strategy: noKeep(),
      progressDeadline: Duration.minutes(15),
      minReadyTime: Duration.seconds(20),
      rollbackWindowRevisions: 3,
      abortScaleDown: AbortScaleDown.after(Duration.minutes(1)),
      dynamicStableScale: true,
      antiAffinity: AntiAffinity.preferred(),
    });
    expect(check(() => undefined)).not.toThrow();
  });

  test('fails when minReadySeconds reaches the controller\'s default deadline of 600', () => {
    expect(canary().check(s => { delete s.progressDeadlineSeconds; s.minReadySeconds = 600; }))
      .toThrow('ArgoRollout (Argo Rollouts controller rule): spec.progressDeadlineSeconds must be greater than minReadySeconds (600; unset, the controller uses 600), got undefined.');
  });

  test('fails when dynamicStableScale meets scaleDownDelaySeconds', () => {
    expect(canary({ strategy: noKeep(), dynamicStableScale: true }).check(s => { s.strategy.canary.scaleDownDelaySeconds = 30; }))
      .toThrow('spec.strategy.canary.dynamicStableScale cannot be used with scaleDownDelaySeconds');
  });

  test('fails when antiAffinity has both or neither rule, or a weight outside 1-100', () => {
    const both = { preferredDuringSchedulingIgnoredDuringExecution: { weight: 1 }, requiredDuringSchedulingIgnoredDuringExecution: {} };
    expect(canary().check(s => { s.strategy.canary.antiAffinity = both; }))
      .toThrow('spec.strategy.canary.antiAffinity must have exactly one of preferredDuringSchedulingIgnoredDuringExecution and requiredDuringSchedulingIgnoredDuringExecution');
    expect(render({}).check(s => { s.strategy.blueGreen.antiAffinity = {}; })).toThrow('spec.strategy.blueGreen.antiAffinity must have exactly one of');
    expect(canary().check(s => { s.strategy.canary.antiAffinity = { preferredDuringSchedulingIgnoredDuringExecution: { weight: 101 } }; }))
      .toThrow('spec.strategy.canary.antiAffinity.preferredDuringSchedulingIgnoredDuringExecution.weight must be a whole number between 1 and 100, got 101.');
  });

  test('fails when blue/green scaleDownDelayRevisionLimit exceeds revisionHistoryLimit', () => {
    expect(render({ scaleDownDelayRevisionLimit: 2 }).check(s => { s.revisionHistoryLimit = 1; }))
      .toThrow('spec.strategy.blueGreen.scaleDownDelayRevisionLimit must not exceed revisionHistoryLimit (1), got 2.');
  });

  test('fails when a field has the wrong type for the CRD (progressDeadlineAbort, rollbackWindow, abortScaleDownDelaySeconds, previewReplicaCount, dynamicStableScale)', () => {
    expect(canary().check(s => { s.progressDeadlineAbort = 'true'; })).toThrow('spec.progressDeadlineAbort must be true or false (the CRD types it boolean), got "true".');
    expect(canary().check(s => { s.rollbackWindow = { revisions: -1 }; })).toThrow('spec.rollbackWindow.revisions must be a non-negative whole number, got -1.');
    expect(canary().check(s => { s.strategy.canary.abortScaleDownDelaySeconds = 1.5; })).toThrow('spec.strategy.canary.abortScaleDownDelaySeconds must be a non-negative whole number, got 1.5.');
    expect(render({}).check(s => { s.strategy.blueGreen.previewReplicaCount = -1; })).toThrow('spec.strategy.blueGreen.previewReplicaCount must be a non-negative whole number, got -1.');
    expect(canary().check(s => { s.strategy.canary.dynamicStableScale = 'yes'; })).toThrow('spec.strategy.canary.dynamicStableScale must be true or false (the CRD types it boolean), got "yes".');
    expect(canary().check(s => { s.strategy.canary.scaleDownDelayRevisionLimit = -3; })).toThrow('spec.strategy.canary.scaleDownDelayRevisionLimit must be a non-negative whole number, got -3.');
  });
});

describe('bad input from any language', () => {
  const props = [
    'progressDeadline', 'progressDeadlineAbort', 'rollbackWindowRevisions', 'abortScaleDown', 'minReadyTime', 'dynamicStableScale', 'maxSurge', 'maxUnavailable',
    'previewReplicaCount', 'scaleDownDelayRevisionLimit', 'antiAffinity', 'notifications', 'podLabels', 'podAnnotations', 'serviceAccount',
    'automountServiceAccountToken', 'podSecurityContext', 'affinity', 'tolerations', 'canaryMetadata', 'stableMetadata', 'serviceType', 'portName', 'sharedAnalysis',
  ];
  test.each(props)('fails when %s is null, naming the prop', prop => {
    expect(() => canary({ [prop]: null } as any)).toThrow(new RegExp(`^ArgoRollout: ${prop}(\\[| )`));
  });

  test('fails when a number or a duration is an unresolved token', () => {
    expect(fails({ rollbackWindowRevisions: Token.asNumber({ resolve: () => 2 }) })).toThrow('ArgoRollout: rollbackWindowRevisions must be known at synth time, got an unresolved token.');
    expect(fails({ minReadyTime: Duration.seconds(Token.asNumber({ resolve: () => 2 })) })).toThrow('ArgoRollout: minReadyTime must be a concrete duration known at synth time, got an unresolved token.');
    expect(() => AntiAffinity.preferred(Token.asNumber({ resolve: () => 2 }))).toThrow('AntiAffinity.preferred: weight must be known at synth time, got an unresolved token.');
  });
});

describe('a blue/green with a warm-up on a traffic router (rendered as canary steps)', () => {
  const warmUp = () => ({
    strategy: DeploymentStrategy.blueGreen({
      promotion: Promotion.manual(), warmUp: WarmUp.of(2, Duration.minutes(10)), postPromotionAnalysis: Analysis.none('warm-up judged by people'),
    }),
    trafficRouting: TrafficRouting.istio({ virtualService: 'api' }),
  });

  test('fails when previewReplicaCount, preview metadata or promotion analysis would be written where the rendering has no preview', () => {
    expect(fails({ ...warmUp(), replicas: 3, previewReplicaCount: 1 }))
      .toThrow('ArgoRollout: previewReplicaCount does not apply to a blue/green rollout with a warm-up on a traffic router, which Argo Rollouts runs as canary steps with a full-scale preview');
    expect(fails({ ...warmUp(), previewMetadata: { labels: { role: 'preview' } } }))
      .toThrow('ArgoRollout: previewMetadata does not apply to a blue-green rollout with a warm-up on a traffic router (rendered as canary steps)');
    expect(fails({ ...warmUp(), sharedAnalysis: [ArgoAnalysis.postPromotion({ templates: [AnalysisTemplateRef.named('kpi')] })] }))
      .toThrow('ArgoRollout: sharedAnalysis[0] runs around a blue/green promotion, but this blue/green rollout has a warm-up on a traffic router');
  });

  test('the fields that apply to its canary steps are written there', () => {
    const { spec } = render({ ...warmUp(), abortScaleDown: AbortScaleDown.never(), antiAffinity: AntiAffinity.required(), canaryMetadata: { labels: { role: 'new' } } });
    expect(spec.strategy.canary).toMatchObject({ abortScaleDownDelaySeconds: 0, antiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {} }, canaryMetadata: { labels: { role: 'new' } } });
  });
});
