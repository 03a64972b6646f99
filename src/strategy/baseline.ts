import { Duration } from 'aws-cdk-lib';
import { Analysis } from './analysis';
import { HealthCheckKind } from './health-check';
import { toSeconds } from '../private/duration';
import { fail, formatDuration, requireDuration, requireNumber, show } from '../private/validate';

/** Options for `BaselineComparison.of`. */
export interface BaselineComparisonProps {
  /**
   * The checks that compare the new version with the baseline: checks with `maxRatioToBaseline`,
   * custom checks with a Kayenta configuration, and absolute checks judged on the new version's
   * comparison instances. At least one check must compare with the baseline.
   */
  readonly analysis: Analysis;
  /**
   * How long the baseline and the new version run side by side, counted from the moment both are
   * ready. At least the analysis' time to detect a failure.
   */
  readonly duration: Duration;
  /**
   * Instances (pods) of each of the two versions; the baseline and the new version always have the
   * same number, so that neither is judged on a different load per instance.
   * @default 1
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
   */
  readonly replicas?: number;
  /**
   * Percent of production traffic sent to each of the two during the comparison (the baseline gets as
   * much as the new version; the stable version keeps the rest). Whole percents, 0 to 49. With 0 no
   * production request reaches them, so the checks can only be custom ones fed by your own load.
   * @default 0
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/#weighted-experiment-step-with-traffic-routing
   */
  readonly trafficPercent?: number;
}

/**
 * Judging the new version against a baseline: before the first canary step, a fresh baseline of the
 * previous version and the new version start side by side (same size, same time, so that neither has
 * warmer caches or an older heap than the other), receive the same share of traffic and are compared
 * by the analysis. A failed comparison stops the rollout before its first step.
 *
 * Checks relative to the baseline (`HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 })`)
 * are only accepted here. Rendered by Argo Rollouts as an `experiment` step; refused by the AWS
 * targets, which cannot run a baseline beside the new version.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
 */
export class BaselineComparison {
  /** A comparison of the new version with a fresh baseline of the previous one. */
  public static of(props: BaselineComparisonProps): BaselineComparison {
    const where = 'BaselineComparison.of';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { analysis, duration }.');
    }
    if (!(props.analysis instanceof Analysis)) {
      fail(where, 'analysis', 'is required and must be an Analysis', show(props.analysis),
        'Pass Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 })] }).');
    }
    const analysis = props.analysis;
    if (analysis.isNone) {
      fail(where, 'analysis', 'must have checks: a comparison without checks judges nothing', show(analysis.describe()),
        'Pass Analysis.of({ checks: [...] }), or remove the baseline comparison.');
    }
    if (!analysis.checks.some(c => c.comparesWithBaseline)) {
      fail(where, 'analysis.checks', 'must include a check that compares with the baseline', show(analysis.checkNames),
        'Add maxRatioToBaseline to a check, or give a custom check a Kayenta configuration; absolute checks belong in the strategy\'s analysis.');
    }
    const duration = requireDuration(where, 'duration', props.duration);
    if (toSeconds(duration) < toSeconds(analysis.timeToDetect)) {
      fail(where, 'duration', `must be at least the analysis' time to detect a failure, initialDelay + interval × (failureLimit + 1) = ${formatDuration(analysis.timeToDetect)}`,
        formatDuration(duration), `Run the comparison for ${formatDuration(analysis.timeToDetect)} or more.`);
    }
    const replicas = requireNumber(where, 'replicas', props.replicas ?? 1, { min: 1, max: 1000, integer: true },
      'Pass the number of instances of each version, for example 2.');
    const trafficPercent = requireNumber(where, 'trafficPercent', props.trafficPercent ?? 0, { min: 0, max: 49, integer: true },
      'Pass a whole percent of traffic for each of the two versions, for example 5 (10% in all), or 0 for none.');
    const builtIn = analysis.checks.filter(c => c.kind !== HealthCheckKind.CUSTOM);
    if (trafficPercent === 0 && builtIn.length > 0) {
      fail(where, 'trafficPercent', `must be above 0 for the request-based checks (${builtIn.map(c => c.name).join(', ')}): without production traffic no request reaches the baseline or the new version`,
        '0', 'Send each a share of traffic, for example trafficPercent: 5, or judge them with custom checks fed by your own load.');
    }
    return new BaselineComparison(analysis, duration, replicas, trafficPercent);
  }

  /** The checks judged during the comparison. */
  public readonly analysis: Analysis;
  /** How long the two versions run side by side. */
  public readonly duration: Duration;
  /** Instances of each version. */
  public readonly replicas: number;
  /** Percent of production traffic sent to each of the two. */
  public readonly trafficPercent: number;

  private constructor(analysis: Analysis, duration: Duration, replicas: number, trafficPercent: number) {
    this.analysis = analysis;
    this.duration = duration;
    this.replicas = replicas;
    this.trafficPercent = trafficPercent;
  }

  /** A one-line description for plans and messages. */
  public describe(): string {
    const traffic = this.trafficPercent > 0 ? `${this.trafficPercent}% of traffic each` : 'no production traffic';
    return `baseline (previous version, started fresh) and new version, ${this.replicas} instance(s) each, ${traffic}, for ${formatDuration(this.duration)}`;
  }
}
