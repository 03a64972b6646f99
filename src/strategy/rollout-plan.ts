import { Duration } from 'aws-cdk-lib';
import { toSeconds } from '../private/duration';
import { fail, formatDuration, requireDuration, requireNumber, show } from '../private/validate';

/** One phase of a rollout, as declared to `RolloutPlan.fromPhases`. */
export interface PlanPhaseSpec {
  /** What happens in the phase, for example "Canary step 1". */
  readonly name: string;
  /** Percent of production traffic served by the new version during the phase. */
  readonly trafficPercent: number;
  /** How long the phase lasts (with a manual gate: before approval is requested). */
  readonly duration: Duration;
  /**
   * Names of the checks that judge the new version during the phase.
   * @default - no checks: a failure is not detected automatically
   */
  readonly checks?: string[];
  /**
   * Worst-case time from a failure to its detection by the checks.
   * @default - not detected automatically
   */
  readonly timeToDetect?: Duration;
  /**
   * Whether the phase ends by waiting for a manual approval.
   * @default false
   */
  readonly manualGate?: boolean;
  /**
   * A remark shown with the phase.
   * @default - none
   */
  readonly note?: string;
  /**
   * Percent of production requests copied to the new version, whose responses are discarded (a dark
   * launch): the new version serves them, but no user sees its answers.
   * @default - no requests mirrored
   */
  readonly mirroredPercent?: number;
}

/** One phase of a rollout plan, with the figures derived from the declaration. */
export interface PlanPhase {
  /** What happens in the phase. */
  readonly name: string;
  /** Percent of production traffic served by the new version. */
  readonly trafficPercent: number;
  /** When the phase starts, counted from the start of the rollout (approval waits not included). */
  readonly start: Duration;
  /** How long the phase lasts (approval waits not included). */
  readonly duration: Duration;
  /** Checks that judge the new version during the phase. */
  readonly checks: string[];
  /** Whether the phase ends by waiting for a manual approval. */
  readonly manualGate: boolean;
  /**
   * Worst-case time from a failure to its detection.
   * @default - not detected automatically during this phase
   */
  readonly timeToDetect?: Duration;
  /**
   * Worst-case exposure before detection, in percent-minutes: `trafficPercent × timeToDetect`
   * (100 percent-minutes is one minute of all production traffic).
   * @default - unbounded: nothing detects a failure during this phase
   */
  readonly exposureBeforeDetection?: number;
  /**
   * A remark shown with the phase.
   * @default - none
   */
  readonly note?: string;
  /**
   * Percent of production requests mirrored to the new version, responses discarded.
   * @default - no requests mirrored
   */
  readonly mirroredPercent?: number;
}

/** Options for `RolloutPlan.fromPhases`. */
export interface RolloutPlanProps {
  /** What executes the plan, for example "strategy", "ECS native" or "Argo Rollouts". */
  readonly target: string;
  /** The kind of strategy, for example "canary". */
  readonly strategy: string;
  /** The phases in order; the last one is at 100% and lasts as long as the previous version is kept. */
  readonly phases: PlanPhaseSpec[];
  /**
   * Notes on the plan as a whole.
   * @default - none
   */
  readonly notes?: string[];
}

/**
 * What a rollout will actually do: its phases, the time to full traffic, when the previous version
 * is released, how quickly a failure is detected at each step and how much traffic it reaches first.
 */
export class RolloutPlan {
  /** A plan from its phases; start times and exposure are derived. */
  public static fromPhases(props: RolloutPlanProps): RolloutPlan {
    const where = 'RolloutPlan.fromPhases';
    if (!Array.isArray(props.phases) || props.phases.length === 0) {
      fail(where, 'phases', 'must contain at least one phase', show(props.phases), 'Pass the phases of the rollout in order.');
    }
    let start = 0;
    let previous = 0;
    const phases: PlanPhase[] = props.phases.map((p, i) => {
      const traffic = requireNumber(where, `phases[${i}].trafficPercent`, p.trafficPercent, { min: 0, max: 100 },
        'Traffic is a percentage between 0 and 100.');
      if (traffic < previous) {
        fail(where, `phases[${i}].trafficPercent`, `must not be lower than the phase before (${previous})`, show(traffic),
          'Traffic to the new version never decreases during a rollout.');
      }
      previous = traffic;
      const duration = requireDuration(where, `phases[${i}].duration`, p.duration, { allowZero: true });
      const ttd = p.timeToDetect === undefined ? undefined : requireDuration(where, `phases[${i}].timeToDetect`, p.timeToDetect);
      const mirrored = p.mirroredPercent === undefined ? undefined
        : requireNumber(where, `phases[${i}].mirroredPercent`, p.mirroredPercent, { min: 0, max: 100, minExclusive: true }, 'Mirrored traffic is a percentage above 0 and at most 100.');
      const phase: PlanPhase = {
        name: p.name,
        trafficPercent: traffic,
        start: Duration.seconds(start),
        duration,
        checks: [...(p.checks ?? [])],
        manualGate: p.manualGate ?? false,
        timeToDetect: ttd,
        exposureBeforeDetection: ttd === undefined ? undefined : round2((traffic * toSeconds(ttd)) / 60),
        note: p.note,
        mirroredPercent: mirrored,
      };
      start += toSeconds(duration);
      return phase;
    });
    if (phases[phases.length - 1].trafficPercent !== 100) {
      fail(where, 'phases', 'must end at 100% traffic', `${phases[phases.length - 1].trafficPercent}%`, 'End the plan with the full-traffic phase.');
    }
    return new RolloutPlan(props.target, props.strategy, phases, [...(props.notes ?? [])]);
  }

  /** What executes the plan. */
  public readonly target: string;
  /** The kind of strategy. */
  public readonly strategy: string;
  /** The phases in order. */
  public readonly phases: PlanPhase[];
  /** Notes on the plan as a whole. */
  public readonly notes: string[];

  private constructor(target: string, strategy: string, phases: PlanPhase[], notes: string[]) {
    this.target = target;
    this.strategy = strategy;
    this.phases = phases;
    this.notes = notes;
  }

  /** Time from the start until the new version takes all traffic (approval waits not included). */
  public get timeToFullTraffic(): Duration {
    return this.phases.find(p => p.trafficPercent === 100)!.start;
  }

  /** Time from the start until the previous version is released (approval waits not included). */
  public get previousVersionReleasedAfter(): Duration {
    const last = this.phases[this.phases.length - 1];
    return Duration.seconds(toSeconds(last.start) + toSeconds(last.duration));
  }

  /** Whether the rollout waits for at least one manual approval. */
  public get waitsForApproval(): boolean {
    return this.phases.some(p => p.manualGate);
  }

  /**
   * The largest exposure before detection over the phases that serve production traffic, in
   * percent-minutes.
   * @returns undefined when some phase with production traffic detects nothing automatically
   */
  public get worstCaseExposure(): number | undefined {
    let worst = 0;
    for (const p of this.phases) {
      if (!servesUnjudged(p) && p.exposureBeforeDetection === undefined) {
        continue;
      }
      if (p.exposureBeforeDetection === undefined) {
        return undefined;
      }
      worst = Math.max(worst, p.exposureBeforeDetection);
    }
    return worst;
  }

  /** The plan as plain data (durations in seconds), stable for the same input. */
  public toJson(): any {
    return {
      target: this.target,
      strategy: this.strategy,
      phases: this.phases.map(p => ({
        name: p.name,
        trafficPercent: p.trafficPercent,
        startSeconds: toSeconds(p.start),
        durationSeconds: toSeconds(p.duration),
        checks: p.checks,
        manualGate: p.manualGate,
        ...(p.timeToDetect ? { timeToDetectSeconds: toSeconds(p.timeToDetect) } : {}),
        ...(p.exposureBeforeDetection !== undefined ? { exposureBeforeDetectionPercentMinutes: p.exposureBeforeDetection } : {}),
        ...(p.note ? { note: p.note } : {}),
        ...(p.mirroredPercent !== undefined ? { mirroredPercent: p.mirroredPercent } : {}),
      })),
      timeToFullTrafficSeconds: toSeconds(this.timeToFullTraffic),
      previousVersionReleasedAfterSeconds: toSeconds(this.previousVersionReleasedAfter),
      waitsForApproval: this.waitsForApproval,
      ...(this.worstCaseExposure !== undefined ? { worstCaseExposurePercentMinutes: this.worstCaseExposure } : {}),
      notes: this.notes,
    };
  }

  /** A readable table of the phases and a summary, in GitHub-flavoured Markdown. */
  public toMarkdown(): string {
    const approval = (p: PlanPhase) => (p.manualGate ? ' + approval' : '');
    const lines = [
      `### Rollout plan: ${this.strategy} (${this.target})`,
      '',
      '| # | phase | traffic | starts at | lasts | checks | worst-case detection | exposure before detection |',
      '|---|---|---|---|---|---|---|---|',
      ...this.phases.map((p, i) => `| ${i + 1} | ${escapeCell(p.name)}${p.note ? ` (${escapeCell(p.note)})` : ''} | ${p.trafficPercent}% | ${formatDuration(p.start)} | ${formatDuration(p.duration)}${approval(p)} | ${p.checks.length ? p.checks.join(', ') : '-'} | ${p.timeToDetect ? formatDuration(p.timeToDetect) : 'not detected'} | ${exposureCell(p)} |`),
      '',
      `- Time to 100% traffic: ${formatDuration(this.timeToFullTraffic)}${this.waitsForApproval ? ' plus the time to approve each manual gate' : ''}`,
      `- Previous version released: ${formatDuration(this.previousVersionReleasedAfter)} after the start${this.waitsForApproval ? ' plus approval time' : ''}`,
      `- Worst-case exposure before detection: ${this.worstCaseExposure === undefined ? 'unbounded (a phase serving production traffic has no automated check)' : formatExposure(this.worstCaseExposure)}`,
      ...this.notes.map(n => `- Note: ${n}`),
      '',
    ];
    return lines.join('\n');
  }

  /**
   * Traffic to the new version over time, as a Mermaid `xychart-beta` line chart (GitHub renders it).
   * Time is sampled evenly, so the chart is proportional to time; approval waits are not drawn.
   */
  public toMermaid(): string {
    const total = toSeconds(this.previousVersionReleasedAfter);
    const boundaries = this.phases.map(p => toSeconds(p.start)).concat([total]);
    // The step is the largest whole-minute (or whole-second) divisor of every boundary, coarsened to at most 60 samples.
    const unit = boundaries.every(b => b % 60 === 0) ? 60 : 1;
    let step = boundaries.reduce((g, b) => gcd(g, b / unit), 0) * unit || unit;
    while (total / step > 60) {
      step *= 2;
    }
    const xs: number[] = [];
    for (let t = 0; t <= total; t += step) {
      xs.push(t);
    }
    if (xs[xs.length - 1] !== total) {
      xs.push(total);
    }
    const trafficAt = (t: number) => {
      let value = 0;
      for (const p of this.phases) {
        if (toSeconds(p.start) <= t) value = p.trafficPercent;
      }
      return value;
    };
    const label = (t: number) => (unit === 60 ? `${t / 60}` : `${t}`);
    return [
      'xychart-beta',
      `  title "${this.strategy} (${this.target}): traffic to the new version"`,
      `  x-axis "${unit === 60 ? 'minutes' : 'seconds'} since the rollout started" [${xs.map(label).map(s => `"${s}"`).join(', ')}]`,
      '  y-axis "traffic %" 0 --> 100',
      `  line [${xs.map(trafficAt).join(', ')}]`,
      '',
    ].join('\n');
  }
}

/**
 * Whether a phase without automated detection exposes production traffic to an undetected failure:
 * it serves production traffic and lasts (a phase of no length that does not wait for approval ends
 * as it starts). The summary and the rows both use it, so they always agree.
 */
function servesUnjudged(p: PlanPhase): boolean {
  return p.trafficPercent > 0 && (toSeconds(p.duration) > 0 || p.manualGate);
}

function exposureCell(p: PlanPhase): string {
  if (p.exposureBeforeDetection !== undefined) return formatExposure(p.exposureBeforeDetection);
  if (p.trafficPercent === 0 && p.mirroredPercent !== undefined) {
    return `no user traffic (${p.mirroredPercent}% of requests mirrored to the new version, responses discarded)`;
  }
  if (p.trafficPercent === 0) return 'no production traffic';
  return servesUnjudged(p) ? 'unbounded' : 'none (the phase ends as it starts)';
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function formatExposure(percentMinutes: number): string {
  const fullTrafficSeconds = round2((percentMinutes / 100) * 60);
  return `${percentMinutes} %·min (= ${fullTrafficSeconds}s of all traffic)`;
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}
