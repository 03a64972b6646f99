import { Duration } from 'aws-cdk-lib';
import { Analysis } from './analysis';
import { BaselineComparison } from './baseline';
import { CanaryStep } from './canary-step';
import { Capacity } from './capacity';
import { requireNoBaselineChecks } from './private/baseline-checks';
import { Promotion } from './promotion';
import { PlanPhaseSpec, RolloutPlan } from './rollout-plan';
import { DarkLaunch, HeaderPreview, Stickiness, WarmUp } from './traffic-control';
import { toSeconds } from '../private/duration';
import { fail, formatDuration, requireDuration, requireNumber, requireThousandths, show } from '../private/validate';

/** The shape of a deployment strategy. */
export enum StrategyKind {
  /** Traffic moves to the new version in declared steps. */
  CANARY = 'CANARY',
  /** Traffic moves to the new version in equal steps at a fixed interval. */
  LINEAR = 'LINEAR',
  /** The new version runs beside the old one on a preview route, then takes all traffic at once. */
  BLUE_GREEN = 'BLUE_GREEN',
  /** Instances are replaced in place, a few at a time. */
  ROLLING = 'ROLLING',
  /** All traffic moves to the new version at once. */
  ALL_AT_ONCE = 'ALL_AT_ONCE',
}

/** Options shared by the strategies that keep the previous version after the switch. */
export interface StrategyBaseProps {
  /**
   * How long the previous version keeps running after the new one takes all traffic, so that a
   * rollback is instant (ECS bake time, CodeDeploy termination wait; on Argo Rollouts a final 100%
   * step of a canary, or a blue/green post-promotion analysis, judged by the checks).
   * @default Duration.minutes(5)
   */
  readonly keepPreviousVersionFor?: Duration;
}

/**
 * Traffic control before and during the steps of a canary or linear strategy: a header-only
 * preview, a dark launch and a sticky canary. Each target renders what it can express exactly and
 * refuses the rest.
 */
export interface TrafficControlProps {
  /**
   * Keep each user on the version they first got for the whole rollout.
   * @default - no stickiness: while the weights are split, consecutive requests of one user may reach either version
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/#traffic-routing-based-on-a-header-values-for-canary
   */
  readonly stickiness?: Stickiness;
  /**
   * Before any user gets the new version, make it reachable only by requests that match a header,
   * at 0% weight, for testers and automated checks.
   * @default - no header-only preview
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/#traffic-routing-based-on-a-header-values-for-canary
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
   */
  readonly headerPreview?: HeaderPreview;
  /**
   * Before any user gets the new version (after the header-only preview, if any), mirror a share of
   * production requests to it and discard its responses.
   * @default - no dark launch
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/#traffic-routing-mirroring-traffic-to-canary
   */
  readonly darkLaunch?: DarkLaunch;
}

/** Options for `DeploymentStrategy.canary`. */
export interface CanaryStrategyProps extends StrategyBaseProps, TrafficControlProps {
  /** The steps before 100%, with strictly increasing weights. */
  readonly steps: CanaryStep[];
  /** The checks that judge each step, or `Analysis.none('why')`. */
  readonly analysis: Analysis;
  /**
   * Judge the new version against a fresh baseline of the previous one before the first step (Argo
   * Rollouts: an experiment step). Refused by the AWS targets.
   * @default - no baseline comparison
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
   */
  readonly baseline?: BaselineComparison;
}

/** Options for `DeploymentStrategy.linear`. */
export interface LinearStrategyProps extends StrategyBaseProps, TrafficControlProps {
  /** Percent of traffic added at each step (1 to 50; the rollout goes to 100% after the last full step). */
  readonly stepPercent: number;
  /** How long each step bakes before the next one. */
  readonly interval: Duration;
  /** The checks that judge each step, or `Analysis.none('why')`. */
  readonly analysis: Analysis;
  /**
   * Judge the new version against a fresh baseline of the previous one before the first step (Argo
   * Rollouts: an experiment step). Refused by the AWS targets.
   * @default - no baseline comparison
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
   */
  readonly baseline?: BaselineComparison;
}

/** Options for `DeploymentStrategy.blueGreen`. */
export interface BlueGreenStrategyProps extends StrategyBaseProps {
  /**
   * Checks run against the new version on its preview (test) route before promotion; a failure
   * stops the deployment before any production traffic reaches it.
   * @default - no preview checks
   */
  readonly previewAnalysis?: Analysis;
  /**
   * When production traffic switches to the new version.
   * @default Promotion.automatic(Duration.seconds(0)) - as soon as the preview checks pass
   */
  readonly promotion?: Promotion;
  /**
   * Checks run against the new version after promotion, while the previous version is kept;
   * a failure switches traffic back.
   * @default - no post-promotion checks
   */
  readonly postPromotionAnalysis?: Analysis;
  /**
   * A trickle of production traffic on the new version for a while after the preview and before
   * the switch, judged by `postPromotionAnalysis` like any step; the plan shows it as its own phase.
   * @default - no warm-up: all traffic switches at once
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/canary-deployment.html
   */
  readonly warmUp?: WarmUp;
}

/** Options for `DeploymentStrategy.rolling`. */
export interface RollingStrategyProps {
  /**
   * How many instances may run above the desired count during the replacement.
   * @default Capacity.percent(25)
   */
  readonly maxSurge?: Capacity;
  /**
   * How many instances may be missing below the desired count during the replacement.
   * @default Capacity.percent(0)
   */
  readonly maxUnavailable?: Capacity;
  /** The checks that judge the new instances, or `Analysis.none('why')`. */
  readonly analysis: Analysis;
  /**
   * How long the checks keep watching once every instance runs the new version, before the
   * deployment is declared done. Must be at least the analysis' time to detect a failure.
   * @default - the analysis' time to detect a failure (`Analysis.timeToDetect`)
   */
  readonly bakeTime?: Duration;
}

/** Options for `DeploymentStrategy.allAtOnce`. */
export interface AllAtOnceStrategyProps extends StrategyBaseProps {
  /**
   * Checks run after the switch while the previous version is kept; a failure rolls back.
   * @default - no checks
   */
  readonly analysis?: Analysis;
}

/** One step of traffic in a strategy's expanded form. */
export interface TrafficStep {
  /** Percent of traffic sent to the new version. */
  readonly weight: number;
  /** How long the step bakes (with a manual gate: before approval is requested). */
  readonly bakeTime: Duration;
  /** Whether the step waits for a manual approval after baking. */
  readonly manualGate: boolean;
}

const DEFAULT_KEEP = Duration.minutes(5);

/**
 * How a new version replaces the old one: how traffic moves, how long each step bakes and what
 * "healthy" means. A value object with no knowledge of AWS or Kubernetes; each target renders it
 * and refuses what it cannot express exactly.
 */
export class DeploymentStrategy {
  /**
   * Shift traffic in the declared steps, each baking with the analysis running, then to 100%.
   */
  public static canary(props: CanaryStrategyProps): DeploymentStrategy {
    const where = 'DeploymentStrategy.canary';
    requireObject(where, props);
    if (!Array.isArray(props.steps) || props.steps.length === 0) {
      fail(where, 'steps', 'must contain at least one CanaryStep', show(props.steps),
        'Add a step such as CanaryStep.of(10, Duration.minutes(10)); for a single switch use DeploymentStrategy.allAtOnce().');
    }
    props.steps.forEach((s, i) => {
      if (!(s instanceof CanaryStep)) {
        fail(where, `steps[${i}]`, 'must be a CanaryStep', show(s), 'Build steps with CanaryStep.of(weight, bakeTime).');
      }
      if (i > 0 && s.weight <= props.steps[i - 1].weight) {
        fail(where, `steps[${i}].weight`, `must be greater than steps[${i - 1}].weight (${props.steps[i - 1].weight})`, show(s.weight),
          'Order the steps by strictly increasing weight.');
      }
    });
    const steps = props.steps.map(s => ({ weight: s.weight, bakeTime: s.bakeTime, manualGate: s.manualGate }));
    const analysis = requireAnalysis(where, 'analysis', props.analysis);
    requireBakes(where, steps, analysis, i => `steps[${i}].bakeTime`);
    const baseline = requireBaseline(where, props.baseline, steps);
    return new DeploymentStrategy(StrategyKind.CANARY, steps, analysis, keep(where, props.keepPreviousVersionFor),
      { baseline, ...trafficControl(where, props) });
  }

  /** Shift `stepPercent` more traffic every `interval`, with the analysis running, until 100%. */
  public static linear(props: LinearStrategyProps): DeploymentStrategy {
    const where = 'DeploymentStrategy.linear';
    requireObject(where, props);
    const stepPercent = requireThousandths(where, 'stepPercent', requireNumber(where, 'stepPercent', props.stepPercent, { min: 1, max: 50 },
      'Pass the percent added per step, between 1 and 50 (above 50 there is only one step: use canary).'), 'Round stepPercent to three decimal places, for example 12.5.');
    const interval = requireDuration(where, 'interval', props.interval);
    const steps: TrafficStep[] = [];
    for (let i = 1; round(stepPercent * i) < 100; i++) {
      steps.push({ weight: round(stepPercent * i), bakeTime: interval, manualGate: false });
    }
    const analysis = requireAnalysis(where, 'analysis', props.analysis);
    requireBakes(where, steps, analysis, () => 'interval');
    const baseline = requireBaseline(where, props.baseline, steps);
    return new DeploymentStrategy(StrategyKind.LINEAR, steps, analysis, keep(where, props.keepPreviousVersionFor),
      { stepPercent, interval, baseline, ...trafficControl(where, props) });
  }

  /**
   * Start the new version beside the old one, check it on a preview route, switch all production
   * traffic at once, and keep the old version for an instant switch back.
   */
  public static blueGreen(props: BlueGreenStrategyProps = {}): DeploymentStrategy {
    const where = 'DeploymentStrategy.blueGreen';
    requireObject(where, props);
    const promotion = props.promotion ?? Promotion.automatic(Duration.seconds(0));
    if (!(promotion instanceof Promotion)) {
      fail(where, 'promotion', 'must be a Promotion', show(promotion), 'Pass Promotion.automatic(wait) or Promotion.manual().');
    }
    const preview = props.previewAnalysis === undefined ? undefined : requireAnalysis(where, 'previewAnalysis', props.previewAnalysis);
    const post = props.postPromotionAnalysis === undefined ? undefined : requireAnalysis(where, 'postPromotionAnalysis', props.postPromotionAnalysis);
    const keepFor = keep(where, props.keepPreviousVersionFor);
    const checked = (a: Analysis | undefined) => a !== undefined && !a.isNone;
    const explicitlyNone = (preview?.isNone ?? false) || (post?.isNone ?? false);
    if (!checked(preview) && !checked(post) && !promotion.isManual && !explicitlyNone) {
      fail(where, 'previewAnalysis/postPromotionAnalysis', 'must judge the new version before or after an automatic promotion', 'neither',
        'Add previewAnalysis or postPromotionAnalysis, use Promotion.manual(), or pass postPromotionAnalysis: Analysis.none("why").');
    }
    if (post !== undefined && !post.isNone && toSeconds(keepFor) < toSeconds(post.timeToDetect)) {
      fail(where, 'keepPreviousVersionFor', `must be at least the post-promotion analysis' time to detect a failure (${formatDuration(post.timeToDetect)}), or the previous version is gone before a failure can roll back to it`,
        formatDuration(keepFor), `Set keepPreviousVersionFor to ${formatDuration(post.timeToDetect)} or more.`);
    }
    let warmUp: WarmUp | undefined;
    if (props.warmUp !== undefined) {
      if (!(props.warmUp instanceof WarmUp)) {
        fail(where, 'warmUp', 'must be a WarmUp', show(props.warmUp), 'Pass WarmUp.of(percent, duration), for example WarmUp.of(2, Duration.minutes(10)).');
      }
      warmUp = props.warmUp;
      if (post === undefined) {
        fail(where, 'warmUp', 'is judged like any step, by postPromotionAnalysis, which is not set', `WarmUp.of(${warmUp.percent}, ${formatDuration(warmUp.duration)})`,
          'Add postPromotionAnalysis (it judges the warm-up and the kept window), or pass postPromotionAnalysis: Analysis.none("why") to warm up without checks on purpose.');
      }
      if (!post.isNone && toSeconds(warmUp.duration) < toSeconds(post.timeToDetect)) {
        fail(where, 'warmUp.duration', `must be at least the post-promotion analysis' time to detect a failure (${formatDuration(post.timeToDetect)}), or the switch happens before a failure in the warm-up can be detected`,
          formatDuration(warmUp.duration), `Warm up for ${formatDuration(post.timeToDetect)} or more.`);
      }
    }
    return new DeploymentStrategy(StrategyKind.BLUE_GREEN, [], post, keepFor, { promotion, previewAnalysis: preview, warmUp });
  }

  /** Replace instances in place, a few at a time, with the analysis judging the new ones. */
  public static rolling(props: RollingStrategyProps): DeploymentStrategy {
    const where = 'DeploymentStrategy.rolling';
    requireObject(where, props);
    const maxSurge = props.maxSurge ?? Capacity.percent(25);
    const maxUnavailable = props.maxUnavailable ?? Capacity.percent(0);
    if (!(maxSurge instanceof Capacity)) {
      fail(where, 'maxSurge', 'must be a Capacity', show(maxSurge), 'Pass Capacity.percent(n) or Capacity.count(n).');
    }
    if (!(maxUnavailable instanceof Capacity)) {
      fail(where, 'maxUnavailable', 'must be a Capacity', show(maxUnavailable), 'Pass Capacity.percent(n) or Capacity.count(n).');
    }
    if (maxSurge.isZero && maxUnavailable.isZero) {
      fail(where, 'maxSurge/maxUnavailable', 'must not both be zero, or no instance can ever be replaced', `${maxSurge} / ${maxUnavailable}`,
        'Allow a surge (for example Capacity.percent(25)) or some unavailability.');
    }
    const analysis = requireAnalysis(where, 'analysis', props.analysis);
    const bakeTime = props.bakeTime === undefined
      ? (analysis.isNone ? Duration.seconds(0) : analysis.timeToDetect)
      : requireDuration(where, 'bakeTime', props.bakeTime, { allowZero: true });
    if (!analysis.isNone && toSeconds(bakeTime) < toSeconds(analysis.timeToDetect)) {
      fail(where, 'bakeTime', `must be at least the analysis' time to detect a failure (${formatDuration(analysis.timeToDetect)})`,
        formatDuration(bakeTime), `Set bakeTime to ${formatDuration(analysis.timeToDetect)} or more, or measure more often.`);
    }
    return new DeploymentStrategy(StrategyKind.ROLLING, [], analysis, Duration.seconds(0), { maxSurge, maxUnavailable, bakeTime });
  }

  /** Switch all traffic at once, optionally judging the new version while the previous one is kept. */
  public static allAtOnce(props: AllAtOnceStrategyProps = {}): DeploymentStrategy {
    const where = 'DeploymentStrategy.allAtOnce';
    requireObject(where, props);
    const analysis = props.analysis === undefined ? undefined : requireAnalysis(where, 'analysis', props.analysis);
    const keepFor = keep(where, props.keepPreviousVersionFor);
    if (analysis !== undefined && !analysis.isNone && toSeconds(keepFor) < toSeconds(analysis.timeToDetect)) {
      fail(where, 'keepPreviousVersionFor', `must be at least the analysis' time to detect a failure (${formatDuration(analysis.timeToDetect)})`,
        formatDuration(keepFor), `Set keepPreviousVersionFor to ${formatDuration(analysis.timeToDetect)} or more.`);
    }
    return new DeploymentStrategy(StrategyKind.ALL_AT_ONCE, [], analysis, keepFor, {});
  }

  /** The shape of the strategy. */
  public readonly kind: StrategyKind;
  /**
   * The traffic steps before 100%, linear steps expanded (empty for blue/green, rolling and all-at-once).
   */
  public readonly steps: TrafficStep[];
  /**
   * The checks that judge the new version: each step's analysis (canary, linear), the rolling
   * analysis, the post-promotion analysis (blue/green) or the post-switch analysis (all-at-once).
   */
  public readonly analysis?: Analysis;
  /** How long the previous version is kept after the new one takes all traffic (zero for rolling). */
  public readonly keepPreviousVersionFor: Duration;
  /** Percent added per step (linear only). */
  public readonly linearStepPercent?: number;
  /** Bake time of each step (linear only). */
  public readonly linearInterval?: Duration;
  /** When production traffic switches (blue/green only). */
  public readonly promotion?: Promotion;
  /** Checks on the preview route before promotion (blue/green only). */
  public readonly previewAnalysis?: Analysis;
  /** Surge allowance (rolling only). */
  public readonly maxSurge?: Capacity;
  /** Unavailability allowance (rolling only). */
  public readonly maxUnavailable?: Capacity;
  /** How long the checks watch the fully replaced version (rolling only). */
  public readonly rollingBakeTime?: Duration;
  /** The comparison with a fresh baseline before the first step (canary and linear only). */
  public readonly baseline?: BaselineComparison;
  /** How users are kept on the version they first got (canary and linear, when declared). */
  public readonly stickiness?: Stickiness;
  /** The header-only preview before the first step (canary and linear, when declared). */
  public readonly headerPreview?: HeaderPreview;
  /** The dark launch before the first step (canary and linear, when declared). */
  public readonly darkLaunch?: DarkLaunch;
  /** The trickle before the switch (blue/green, when declared). */
  public readonly warmUp?: WarmUp;

  private constructor(kind: StrategyKind, steps: TrafficStep[], analysis: Analysis | undefined, keepPreviousVersionFor: Duration,
    extra: {
      stepPercent?: number;
      interval?: Duration;
      promotion?: Promotion;
      previewAnalysis?: Analysis;
      maxSurge?: Capacity;
      maxUnavailable?: Capacity;
      bakeTime?: Duration;
      baseline?: BaselineComparison;
      stickiness?: Stickiness;
      headerPreview?: HeaderPreview;
      darkLaunch?: DarkLaunch;
      warmUp?: WarmUp;
    }) {
    this.kind = kind;
    this.steps = steps;
    this.analysis = analysis;
    this.keepPreviousVersionFor = keepPreviousVersionFor;
    this.linearStepPercent = extra.stepPercent;
    this.linearInterval = extra.interval;
    this.promotion = extra.promotion;
    this.previewAnalysis = extra.previewAnalysis;
    this.maxSurge = extra.maxSurge;
    this.maxUnavailable = extra.maxUnavailable;
    this.rollingBakeTime = extra.bakeTime;
    this.baseline = extra.baseline;
    this.stickiness = extra.stickiness;
    this.headerPreview = extra.headerPreview;
    this.darkLaunch = extra.darkLaunch;
    this.warmUp = extra.warmUp;
  }

  /** The strategy's own plan: what any target that renders it exactly will do. */
  public plan(): RolloutPlan {
    const judged = (a: Analysis | undefined): Partial<PlanPhaseSpec> =>
      a === undefined || a.isNone ? {} : { checks: a.checkNames, timeToDetect: a.timeToDetect };
    const notes: string[] = [];
    const phases: PlanPhaseSpec[] = [];
    switch (this.kind) {
      case StrategyKind.CANARY:
      case StrategyKind.LINEAR:
        phases.push(...this.beforeTrafficPhases());
        if (this.baseline !== undefined) phases.push(baselinePhase(this.baseline));
        this.steps.forEach((s, i) => phases.push({
          name: `Step ${i + 1}`, trafficPercent: s.weight, duration: s.bakeTime, manualGate: s.manualGate, ...judged(this.analysis),
        }));
        phases.push({ name: 'Full traffic, previous version kept', trafficPercent: 100, duration: this.keepPreviousVersionFor, ...this.judgedWithin(this.analysis, this.keepPreviousVersionFor) });
        break;
      case StrategyKind.BLUE_GREEN: {
        const preview = this.previewAnalysis;
        const previewTime = Math.max(toSeconds(this.promotion!.wait), preview && !preview.isNone ? toSeconds(preview.timeToDetect) : 0);
        phases.push({
          name: 'Preview (test route only)', trafficPercent: 0, duration: Duration.seconds(previewTime), manualGate: this.promotion!.isManual, ...judged(preview),
        });
        if (this.warmUp) phases.push(this.warmUpPhase());
        phases.push({ name: 'Promoted, previous version kept', trafficPercent: 100, duration: this.keepPreviousVersionFor, ...judged(this.analysis) });
        break;
      }
      case StrategyKind.ROLLING:
        phases.push({
          name: `Rolling replacement (max surge ${this.maxSurge}, max unavailable ${this.maxUnavailable}), then bake`,
          trafficPercent: 100,
          duration: this.rollingBakeTime!,
          ...judged(this.analysis),
        });
        notes.push('The time to replace the instances depends on their start-up time and is not included.');
        break;
      case StrategyKind.ALL_AT_ONCE:
        phases.push({ name: 'Full traffic, previous version kept', trafficPercent: 100, duration: this.keepPreviousVersionFor, ...judged(this.analysis) });
        break;
    }
    notes.push(...this.trafficControlNotes());
    for (const a of [this.analysis, this.previewAnalysis, this.baseline?.analysis]) {
      if (a?.isNone) notes.push(`No automated analysis: ${a.noneReason}.`);
      const tooLittle = a?.describeTooLittleData();
      if (tooLittle !== undefined && !notes.includes(tooLittle)) notes.push(tooLittle);
    }
    return RolloutPlan.fromPhases({ target: 'strategy', strategy: this.kind.toLowerCase().replace(/_/g, '-'), phases, notes });
  }

  /** The header-only preview and the dark launch: phases before the first traffic step, without users on the new version. */
  private beforeTrafficPhases(): PlanPhaseSpec[] {
    const out: PlanPhaseSpec[] = [];
    if (this.headerPreview) {
      out.push({
        name: `Header-only preview (${this.headerPreview.match.describe()})`,
        trafficPercent: 0,
        duration: this.headerPreview.duration,
        manualGate: this.headerPreview.manualGate,
        note: 'only requests that match reach the new version; no user traffic',
      });
    }
    if (this.darkLaunch) {
      out.push({
        name: 'Dark launch (mirrored requests)',
        trafficPercent: 0,
        duration: this.darkLaunch.duration,
        mirroredPercent: this.darkLaunch.percent,
        note: `${this.darkLaunch.describe()}: mirrored traffic reaches the new version, but no user sees its responses`,
      });
    }
    return out;
  }

  private warmUpPhase(): PlanPhaseSpec {
    const w = this.warmUp!;
    const a = this.analysis;
    return {
      name: 'Warm-up before the switch',
      trafficPercent: w.percent,
      duration: w.duration,
      ...(a === undefined || a.isNone ? {} : { checks: a.checkNames, timeToDetect: a.timeToDetect }),
    };
  }

  private trafficControlNotes(): string[] {
    const notes: string[] = [];
    if (this.stickiness) {
      notes.push(`Sticky canary: ${this.stickiness.describe()}.`);
    }
    if (this.darkLaunch) {
      notes.push('Dark launch: the old version still answers every request; the new version\'s answers to mirrored copies are discarded, so its failures reach no user but its side effects (writes, calls to other services) are real.');
    }
    return notes;
  }

  /** Checks of the final phase only count when that phase lasts long enough for them to detect a failure. */
  private judgedWithin(a: Analysis | undefined, window: Duration): Partial<PlanPhaseSpec> {
    if (a === undefined || a.isNone || toSeconds(window) < toSeconds(a.timeToDetect)) {
      return {};
    }
    return { checks: a.checkNames, timeToDetect: a.timeToDetect };
  }
}

function requireObject(where: string, props: unknown): void {
  if (props === null || typeof props !== 'object') {
    fail(where, 'props', 'must be an object', show(props), 'Pass the options object.');
  }
}

function requireAnalysis(where: string, field: string, analysis: unknown): Analysis {
  if (!(analysis instanceof Analysis)) {
    fail(where, field, 'is required and must be an Analysis', show(analysis),
      'Pass Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }), or Analysis.none("why") to roll out without checks on purpose.');
  }
  requireNoBaselineChecks(where, field, analysis);
  return analysis;
}

/** The baseline comparison of a canary or linear strategy, which must not send more traffic than the first step. */
function requireBaseline(where: string, baseline: unknown, steps: TrafficStep[]): BaselineComparison | undefined {
  if (baseline === undefined) return undefined;
  if (!(baseline instanceof BaselineComparison)) {
    fail(where, 'baseline', 'must be a BaselineComparison', show(baseline), 'Pass BaselineComparison.of({ analysis, duration }).');
  }
  if (baseline.trafficPercent > steps[0].weight) {
    fail(where, 'baseline.trafficPercent', `must be at most the first step's weight (${steps[0].weight}%): traffic to the new version never decreases during a rollout`,
      show(baseline.trafficPercent), `Send at most ${steps[0].weight}% to each version during the comparison, or raise the first step's weight.`);
  }
  return baseline;
}

/** The comparison's phase: the new version's instances receive trafficPercent, and so does the baseline. */
function baselinePhase(b: BaselineComparison): PlanPhaseSpec {
  const traffic = b.trafficPercent > 0
    ? `the baseline (previous version, started fresh) and the new version each receive ${b.trafficPercent}% of production traffic`
    : 'the baseline and the new version receive no production traffic';
  return {
    name: `Baseline comparison (${b.replicas} instance(s) of each version)`,
    trafficPercent: b.trafficPercent,
    duration: b.duration,
    checks: b.analysis.checkNames,
    timeToDetect: b.analysis.timeToDetect,
    note: `${traffic}; a failed comparison stops the rollout before its first step`,
  };
}

function requireBakes(where: string, steps: TrafficStep[], analysis: Analysis, field: (i: number) => string): void {
  if (analysis.isNone) {
    return;
  }
  const needed = toSeconds(analysis.timeToDetect);
  steps.forEach((s, i) => {
    if (toSeconds(s.bakeTime) < needed) {
      fail(where, field(i), `must be at least the analysis' time to detect a failure, initialDelay + interval × (failureLimit + 1) = ${formatDuration(analysis.timeToDetect)}`,
        formatDuration(s.bakeTime), `Bake for ${formatDuration(analysis.timeToDetect)} or more, or shorten the analysis interval or failure limit.`);
    }
  });
}

function trafficControl(where: string, props: TrafficControlProps):
{ stickiness?: Stickiness; headerPreview?: HeaderPreview; darkLaunch?: DarkLaunch } {
  const check = <T>(field: string, value: T | undefined, ok: (v: unknown) => boolean, type: string, fix: string): T | undefined => {
    if (value !== undefined && !ok(value)) fail(where, field, `must be a ${type}`, show(value), fix);
    return value;
  };
  return {
    stickiness: check('stickiness', props.stickiness, v => v instanceof Stickiness, 'Stickiness', 'Pass Stickiness.byRequest(RequestMatch.cookie(name, value)) or Stickiness.loadBalancer(duration).'),
    headerPreview: check('headerPreview', props.headerPreview, v => v instanceof HeaderPreview, 'HeaderPreview', 'Pass HeaderPreview.of({ match, duration }).'),
    darkLaunch: check('darkLaunch', props.darkLaunch, v => v instanceof DarkLaunch, 'DarkLaunch', 'Pass DarkLaunch.mirror({ percent, duration }).'),
  };
}

function keep(where: string, value: Duration | undefined): Duration {
  return value === undefined ? DEFAULT_KEEP : requireDuration(where, 'keepPreviousVersionFor', value, { allowZero: true });
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
