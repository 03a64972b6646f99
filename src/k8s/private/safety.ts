/**
 * The Rollout's safety fields (progress deadline and abort, rollback window, abort scale-down,
 * minimum ready time, dynamic stable scale, surge and unavailability of a basic canary, preview
 * replicas, scale-down revision limit, anti-affinity): checked against the strategy and the router,
 * written into the rendered spec, and explained in the plan. Pure functions, no Chart needed.
 *
 * Each field is refused where Argo Rollouts v1.9 would ignore it (for example `maxSurge` on a
 * traffic-routed canary, whose replica counts follow the weights) or reject it.
 */
import { Duration } from 'aws-cdk-lib';
import { fail, formatDuration, requireDuration, show } from '../../private/validate';
import { Capacity } from '../../strategy/capacity';
import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import { AbortScaleDown, AntiAffinity } from '../rollout-safety';
import { ArgoSmokeTest } from '../smoke-test';
import { TrafficRouterKind, TrafficRouting } from '../traffic-routing';
import { seconds } from './durations';
import { requireInteger, requireResolved } from './inputs';

const WHERE = 'ArgoRollout';
/** Argo Rollouts' default progressDeadlineSeconds. */
export const ARGO_PROGRESS_DEADLINE_SECONDS = 600;
/** Argo Rollouts' default abortScaleDownDelaySeconds (blue/green, and canary with traffic routing). */
export const ARGO_ABORT_SCALE_DOWN_DELAY_SECONDS = 30;
/** Argo Rollouts' default revisionHistoryLimit. */
const ARGO_REVISION_HISTORY_LIMIT = 10;
const INT32_MAX = 2_147_483_647;

/** The safety props of ArgoRolloutProps, as given. */
export interface SafetyProps {
  readonly progressDeadline?: Duration;
  readonly progressDeadlineAbort?: boolean;
  readonly rollbackWindowRevisions?: number;
  readonly abortScaleDown?: AbortScaleDown;
  readonly minReadyTime?: Duration;
  readonly dynamicStableScale?: boolean;
  readonly maxSurge?: Capacity;
  readonly maxUnavailable?: Capacity;
  readonly previewReplicaCount?: number;
  readonly scaleDownDelayRevisionLimit?: number;
  readonly antiAffinity?: AntiAffinity;
}

/** What the rest of the rollout tells the checks. */
export interface SafetyContext {
  readonly strategy: DeploymentStrategy;
  readonly router: TrafficRouting;
  readonly smokeTest?: ArgoSmokeTest;
  readonly replicas: number;
  readonly revisionHistoryLimit?: number;
}

/** The validated settings, with the defaults resolved. */
export interface SafetySettings {
  readonly progressDeadlineSeconds: number;
  readonly progressDeadlineAbort: boolean;
  /** Whether the deadline is the default (for the plan). */
  readonly progressDeadlineIsDefault: boolean;
  readonly rollbackWindowRevisions?: number;
  readonly abortScaleDownDelaySeconds?: number;
  readonly minReadySeconds?: number;
  readonly dynamicStableScale: boolean;
  readonly maxSurge?: Capacity;
  readonly maxUnavailable?: Capacity;
  readonly previewReplicaCount?: number;
  readonly scaleDownDelayRevisionLimit?: number;
  readonly antiAffinity?: AntiAffinity;
  /** How long the rollout waits without pod progress outside pauses and analysis steps (blue/green previews and post-promotion analysis), in seconds. */
  readonly waitWithoutProgressSeconds: number;
  readonly kind: StrategyKind;
  readonly routed: boolean;
}

/** Checks the safety props against the strategy and the router, and resolves the defaults. */
export function checkSafety(p: SafetyProps, ctx: SafetyContext): SafetySettings {
  const { strategy, router } = ctx;
  const kind = strategy.kind;
  const isCanary = kind === StrategyKind.CANARY || kind === StrategyKind.LINEAR;
  const isBlueGreen = kind === StrategyKind.BLUE_GREEN || kind === StrategyKind.ALL_AT_ONCE;
  const routed = isCanary && router.kind !== TrafficRouterKind.NONE;
  const kindName = kind.toLowerCase().replace(/_/g, '-');

  const minReadySeconds = p.minReadyTime === undefined ? undefined
    : wholeSeconds('minReadyTime', p.minReadyTime, true);
  const wait = waitWithoutProgress(ctx);
  // Blue/green waits on its preview and post-promotion analysis without pod progress, which the
  // controller counts against the deadline: the default leaves ten minutes on top of that wait.
  const defaultDeadline = ARGO_PROGRESS_DEADLINE_SECONDS + wait;
  const progressDeadlineSeconds = p.progressDeadline === undefined ? defaultDeadline
    : wholeSeconds('progressDeadline', p.progressDeadline, false);
  const progressDeadlineAbort = p.progressDeadlineAbort === undefined ? true : requireBoolean('progressDeadlineAbort', p.progressDeadlineAbort);
  if (progressDeadlineSeconds <= (minReadySeconds ?? 0)) {
    fail(WHERE, 'progressDeadline', `must be longer than minReadyTime (${formatDuration(Duration.seconds(minReadySeconds ?? 0))}): the controller refuses a deadline a pod cannot meet`,
      formatDuration(Duration.seconds(progressDeadlineSeconds)), 'Raise progressDeadline or lower minReadyTime.');
  }
  if (p.progressDeadline !== undefined && progressDeadlineAbort && progressDeadlineSeconds <= wait) {
    fail(WHERE, 'progressDeadline', `must be longer than the ${formatDuration(Duration.seconds(wait))} a ${kindName} rollout waits on its preview or post-promotion analysis without new pods, which the controller counts as no progress: the update would be aborted while it is being judged`,
      formatDuration(Duration.seconds(progressDeadlineSeconds)), `Raise progressDeadline above ${formatDuration(Duration.seconds(wait))}, or omit it for ten minutes on top of that wait.`);
  }

  const revisionLimit = ctx.revisionHistoryLimit ?? ARGO_REVISION_HISTORY_LIMIT;
  const rollbackWindowRevisions = p.rollbackWindowRevisions === undefined ? undefined
    : requireInteger(WHERE, 'rollbackWindowRevisions', p.rollbackWindowRevisions, 1, revisionLimit,
      `Pass how many recent revisions a rollback fast-tracks, at most revisionHistoryLimit (${revisionLimit}): older ReplicaSets are deleted.`);

  const dynamicStableScale = p.dynamicStableScale === undefined ? false : requireBoolean('dynamicStableScale', p.dynamicStableScale);
  if (dynamicStableScale) {
    if (!routed) {
      fail(WHERE, 'dynamicStableScale', isCanary
        ? 'needs a traffic router: without one the pod counts are the weights already, and the controller refuses it'
        : `only applies to a canary or linear strategy with traffic routing, not to a ${kindName} strategy`,
      'true', isCanary ? 'Pass a trafficRouting such as TrafficRouting.nginx({...}), or remove dynamicStableScale.' : 'Remove dynamicStableScale.');
    }
    if (seconds(strategy.keepPreviousVersionFor) > 0) {
      fail(WHERE, 'dynamicStableScale', 'cannot keep the previous version: it scales the stable ReplicaSet down as traffic moves, so at 100% nothing of the previous version is left to return to during keepPreviousVersionFor',
        formatDuration(strategy.keepPreviousVersionFor), 'Set keepPreviousVersionFor: Duration.seconds(0) in the strategy, or remove dynamicStableScale to keep the previous version at full scale.');
    }
  }

  let abortScaleDownDelaySeconds: number | undefined;
  if (p.abortScaleDown !== undefined) {
    if (!(p.abortScaleDown instanceof AbortScaleDown)) {
      fail(WHERE, 'abortScaleDown', 'must be an AbortScaleDown', show(p.abortScaleDown), 'Pass AbortScaleDown.after(Duration.minutes(5)) or AbortScaleDown.never().');
    }
    if (!routed && !isBlueGreen) {
      fail(WHERE, 'abortScaleDown', `is ignored by Argo Rollouts for a ${kindName} rollout without traffic routing: an abort there scales the new pods down as it scales the old ones up`,
        p.abortScaleDown.isNever ? 'AbortScaleDown.never()' : `AbortScaleDown.after(${p.abortScaleDown.seconds}s)`,
        'Remove abortScaleDown, or use a trafficRouting or a blue/green strategy.');
    }
    abortScaleDownDelaySeconds = p.abortScaleDown.seconds;
  }

  let maxSurge: Capacity | undefined;
  let maxUnavailable: Capacity | undefined;
  for (const field of ['maxSurge', 'maxUnavailable'] as const) {
    const value = p[field];
    if (value === undefined) continue;
    if (!(value instanceof Capacity)) {
      fail(WHERE, field, 'must be a Capacity', show(value), 'Pass Capacity.percent(n) or Capacity.count(n).');
    }
    if (kind === StrategyKind.ROLLING) {
      fail(WHERE, field, 'is declared by the rolling strategy itself', value.toString(), `Pass ${field} to DeploymentStrategy.rolling({...}) instead.`);
    }
    if (!isCanary) {
      fail(WHERE, field, `only applies to a canary or linear strategy without traffic routing, not to a ${kindName} strategy`, value.toString(), `Remove ${field}.`);
    }
    if (routed) {
      fail(WHERE, field, 'is ignored by Argo Rollouts with traffic routing: the canary and stable pod counts follow the weights', value.toString(),
        `Remove ${field}, or use TrafficRouting.none() to let pod counts approximate the weights.`);
    }
    if (field === 'maxSurge') maxSurge = value; else maxUnavailable = value;
  }
  const surge = maxSurge ?? Capacity.percent(25);
  const unavailable = maxUnavailable ?? Capacity.percent(25);
  if ((maxSurge !== undefined || maxUnavailable !== undefined) && surge.isZero && unavailable.isZero) {
    fail(WHERE, 'maxSurge/maxUnavailable', 'must not both be zero, or no pod can ever be replaced (the controller refuses it)', `${surge} / ${unavailable}`,
      'Allow a surge or some unavailability.');
  }

  let previewReplicaCount: number | undefined;
  if (p.previewReplicaCount !== undefined) {
    const hasPreview = kind === StrategyKind.BLUE_GREEN || (kind === StrategyKind.ALL_AT_ONCE && ctx.smokeTest !== undefined);
    if (!hasPreview) {
      fail(WHERE, 'previewReplicaCount', `only applies to a rollout with a preview (blue/green, or all-at-once with a smoke test), not to a ${kindName} rollout${ctx.smokeTest ? '' : ' without a smoke test'}`,
        show(p.previewReplicaCount), 'Remove previewReplicaCount.');
    }
    if (ctx.replicas < 1) {
      fail(WHERE, 'previewReplicaCount', 'needs replicas of at least 1', show(p.previewReplicaCount), 'Raise replicas, or remove previewReplicaCount.');
    }
    previewReplicaCount = requireInteger(WHERE, 'previewReplicaCount', p.previewReplicaCount, 1, ctx.replicas,
      `Pass how many pods the preview runs before promotion, 1 to replicas (${ctx.replicas}); the rest start before the switch.`);
  }

  let scaleDownDelayRevisionLimit: number | undefined;
  if (p.scaleDownDelayRevisionLimit !== undefined) {
    if (!isBlueGreen && !routed) {
      fail(WHERE, 'scaleDownDelayRevisionLimit', `is ignored by Argo Rollouts for a ${kindName} rollout without traffic routing: its previous pods are not kept after a scale-down delay`,
        show(p.scaleDownDelayRevisionLimit), 'Remove scaleDownDelayRevisionLimit, or use a trafficRouting or a blue/green strategy.');
    }
    if (dynamicStableScale) {
      fail(WHERE, 'scaleDownDelayRevisionLimit', 'is ignored with dynamicStableScale: the previous version is already scaled down when the update completes, so nothing waits for a scale-down delay',
        show(p.scaleDownDelayRevisionLimit), 'Remove scaleDownDelayRevisionLimit or dynamicStableScale.');
    }
    scaleDownDelayRevisionLimit = requireInteger(WHERE, 'scaleDownDelayRevisionLimit', p.scaleDownDelayRevisionLimit, 0, revisionLimit,
      `Pass how many previous ReplicaSets may wait for their scale-down delay, at most revisionHistoryLimit (${revisionLimit}), as the controller requires.`);
  }

  if (p.antiAffinity !== undefined && !(p.antiAffinity instanceof AntiAffinity)) {
    fail(WHERE, 'antiAffinity', 'must be an AntiAffinity', show(p.antiAffinity), 'Pass AntiAffinity.preferred() or AntiAffinity.required().');
  }

  return {
    progressDeadlineSeconds,
    progressDeadlineAbort,
    progressDeadlineIsDefault: p.progressDeadline === undefined,
    rollbackWindowRevisions,
    abortScaleDownDelaySeconds,
    minReadySeconds,
    dynamicStableScale,
    maxSurge,
    maxUnavailable,
    previewReplicaCount,
    scaleDownDelayRevisionLimit,
    antiAffinity: p.antiAffinity,
    waitWithoutProgressSeconds: wait,
    kind,
    routed,
  };
}

/**
 * The longest time the rollout waits without creating or readying pods outside a pause or an
 * analysis step, which the controller counts against the progress deadline: the blue/green preview
 * (the promotion wait, the preview analysis, the smoke test) and the post-promotion analysis.
 * Canary pauses and analysis steps do not count.
 */
function waitWithoutProgress(ctx: SafetyContext): number {
  const s = ctx.strategy;
  if (s.kind !== StrategyKind.BLUE_GREEN && s.kind !== StrategyKind.ALL_AT_ONCE) return 0;
  const judged = (a: typeof s.analysis) => a !== undefined && !a.isNone;
  const preview = Math.max(
    s.promotion && !s.promotion.isManual ? seconds(s.promotion.wait) : 0,
    judged(s.previewAnalysis) ? seconds(s.previewAnalysis!.timeToDetect) : 0,
    ctx.smokeTest?._options.timeout ? seconds(ctx.smokeTest._options.timeout) : 0,
  );
  const post = judged(s.analysis) ? seconds(s.keepPreviousVersionFor) : 0;
  return Math.max(preview, post);
}

/**
 * Writes the settings into the rendered Rollout spec (Kubernetes JSON), in place: the spec fields,
 * and the strategy fields of its canary or blueGreen. dynamicStableScale takes the place of the
 * scale-down delay, which the controller refuses beside it.
 */
export function applySafety(spec: any, s: SafetySettings): void {
  spec.progressDeadlineSeconds = s.progressDeadlineSeconds;
  spec.progressDeadlineAbort = s.progressDeadlineAbort;
  if (s.minReadySeconds !== undefined) spec.minReadySeconds = s.minReadySeconds;
  if (s.rollbackWindowRevisions !== undefined) spec.rollbackWindow = { revisions: s.rollbackWindowRevisions };
  const strategy = spec.strategy.canary ?? spec.strategy.blueGreen;
  if (s.abortScaleDownDelaySeconds !== undefined) strategy.abortScaleDownDelaySeconds = s.abortScaleDownDelaySeconds;
  if (s.scaleDownDelayRevisionLimit !== undefined) strategy.scaleDownDelayRevisionLimit = s.scaleDownDelayRevisionLimit;
  if (s.antiAffinity !== undefined) {
    strategy.antiAffinity = s.antiAffinity.isRequired
      ? { requiredDuringSchedulingIgnoredDuringExecution: {} }
      : { preferredDuringSchedulingIgnoredDuringExecution: { weight: s.antiAffinity.weight } };
  }
  if (spec.strategy.canary) {
    if (s.dynamicStableScale) {
      strategy.dynamicStableScale = true;
      delete strategy.scaleDownDelaySeconds;
    }
    if (s.maxSurge !== undefined) strategy.maxSurge = capacityJson(s.maxSurge);
    if (s.maxUnavailable !== undefined) strategy.maxUnavailable = capacityJson(s.maxUnavailable);
    if (s.previewReplicaCount !== undefined) {
      // A blue/green with a warm-up on a traffic router is rendered as canary steps (src/k8s/private/traffic-steps.ts).
      fail(WHERE, 'previewReplicaCount', 'does not apply to a blue/green rollout with a warm-up on a traffic router, which Argo Rollouts runs as canary steps with a full-scale preview',
        show(s.previewReplicaCount), 'Remove previewReplicaCount, or the warm-up.');
    }
  } else if (s.previewReplicaCount !== undefined) {
    strategy.previewReplicaCount = s.previewReplicaCount;
  }
}

/**
 * The strategy's remarks as they hold with the safety settings: with dynamicStableScale there is no
 * scale-down delay, the previous version having been scaled down as traffic moved.
 */
export function notesWithSafety(notes: string[], s: SafetySettings): string[] {
  if (!s.dynamicStableScale) return notes;
  return notes.map(n => (n.includes('(scaleDownDelaySeconds)')
    ? 'keepPreviousVersionFor is zero and dynamicStableScale is on: the previous ReplicaSet shrinks as traffic moves to the new version and is gone at 100%; after the last step Argo Rollouts promotes the new version, and from then on a rollback is a new rollout (`kubectl argo rollouts undo`).'
    : n));
}

/** The plan's lines on the safety settings. */
export function safetyNotes(s: SafetySettings): string[] {
  const notes: string[] = [];
  const deadline = formatDuration(Duration.seconds(s.progressDeadlineSeconds));
  const why = s.progressDeadlineIsDefault && s.waitWithoutProgressSeconds > 0
    ? `; ten minutes on top of the ${formatDuration(Duration.seconds(s.waitWithoutProgressSeconds))} the rollout waits on its preview or post-promotion analysis` : '';
  notes.push(s.progressDeadlineAbort
    ? `Progress deadline: an update whose pods make no progress for ${deadline} (pauses and analysis steps do not count${why}) is aborted, and all traffic returns to the previous version (progressDeadlineSeconds, progressDeadlineAbort).`
    : `Progress deadline: an update whose pods make no progress for ${deadline} (pauses and analysis steps do not count${why}) is marked Degraded but NOT aborted (progressDeadlineAbort: false): it waits for a person, with the new version still serving its share of traffic.`);
  if (s.minReadySeconds !== undefined && s.minReadySeconds > 0) {
    notes.push(`A new pod counts as available only after ${formatDuration(Duration.seconds(s.minReadySeconds))} ready without a crash (minReadySeconds).`);
  }
  if (s.rollbackWindowRevisions !== undefined) {
    notes.push(`Rollback window: rolling back to one of the last ${s.rollbackWindowRevisions} revision(s) is promoted at once, skipping the steps and their analysis (rollbackWindow); older revisions go through every step.`);
  } else {
    notes.push('No rollback window: rolling back (`kubectl argo rollouts undo`) goes through every step and check again, like any update.');
  }
  const isBlueGreen = s.kind === StrategyKind.BLUE_GREEN || s.kind === StrategyKind.ALL_AT_ONCE;
  if (s.routed || isBlueGreen) {
    const delay = s.abortScaleDownDelaySeconds ?? ARGO_ABORT_SCALE_DOWN_DELAY_SECONDS;
    const pods = isBlueGreen ? 'preview' : 'canary';
    notes.push(delay === 0
      ? `On abort, the ${pods} pods are kept running without traffic for debugging until the next update (abortScaleDownDelaySeconds: 0); they cost as much as the stable version meanwhile.`
      : `On abort, the ${pods} pods are scaled down ${formatDuration(Duration.seconds(delay))} after traffic returns to the previous version (abortScaleDownDelaySeconds${s.abortScaleDownDelaySeconds === undefined ? ', Argo\'s default' : ''}).`);
  }
  if (s.routed) {
    notes.push(s.dynamicStableScale
      ? 'Dynamic stable scale: the previous version is scaled down as traffic moves to the new one, so the rollout never runs much more than the replicas (cheaper), but an abort must first scale the previous version back up before it can take traffic again (slower abort, and at risk when the cluster has no spare capacity).'
      : 'The previous version stays at full scale until the update completes (no dynamicStableScale): an abort returns all traffic at once, at the cost of running up to twice the replicas during the update.');
  }
  if (s.maxSurge !== undefined || s.maxUnavailable !== undefined) {
    notes.push(`Without a traffic router, pods are replaced within maxSurge ${s.maxSurge ?? '25%'} and maxUnavailable ${s.maxUnavailable ?? '25%'}.`);
  }
  if (s.previewReplicaCount !== undefined) {
    notes.push(`The preview runs ${s.previewReplicaCount} pod(s) before promotion (previewReplicaCount); the preview checks judge those, and the rest start before the switch.`);
  }
  if (s.scaleDownDelayRevisionLimit !== undefined) {
    notes.push(`At most ${s.scaleDownDelayRevisionLimit} previous ReplicaSet(s) wait for their scale-down delay; older ones are scaled down at once (scaleDownDelayRevisionLimit).`);
  }
  if (s.antiAffinity !== undefined) {
    notes.push(s.antiAffinity.isRequired
      ? 'Anti-affinity (required): new pods never share a node with the previous version\'s; without enough nodes they stay Pending and the progress deadline applies.'
      : `Anti-affinity (preferred, weight ${s.antiAffinity.weight}): the scheduler avoids the nodes of the previous version where it can.`);
  }
  return notes;
}

function capacityJson(c: Capacity): number | string {
  return c.isPercent ? `${c.value}%` : c.value;
}

function requireBoolean(field: string, value: unknown): boolean {
  requireResolved(WHERE, field, value);
  if (value !== true && value !== false) {
    fail(WHERE, field, 'must be true or false', show(value), `Pass ${field}: true or false.`);
  }
  return value;
}

function wholeSeconds(field: string, value: unknown, allowZero: boolean): number {
  const d = requireDuration(WHERE, field, value, { allowZero });
  const s = seconds(d);
  if (s > INT32_MAX) {
    fail(WHERE, field, 'must fit Argo Rollouts\' 32-bit seconds field', formatDuration(d), `Pass a shorter ${field}.`);
  }
  return s;
}
