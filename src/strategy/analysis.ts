import { Duration } from 'aws-cdk-lib';
import { HealthCheck } from './health-check';
import { toSeconds } from '../private/duration';
import { fail, formatDuration, requireDuration, requireNumber, show } from '../private/validate';

/**
 * What a measurement counts as when there is too little data to judge: fewer than the analysis'
 * `minRequests` requests reached the new version in the interval, or the query returned nothing.
 *
 * One declared behaviour for every target; a target that cannot express it refuses it.
 */
export enum TooLittleData {
  /**
   * The measurement counts as passing. A quiet canary is not rolled back, and an unmeasured one is
   * promoted when its steps end. Every target expresses it: CloudWatch alarms treat the interval as not
   * breaching; Argo Rollouts' success condition accepts an empty or too-small measurement.
   */
  PASS = 'PASS',
  /**
   * The measurement counts as a failure (it uses up `failureLimit` like a failed check). A canary that
   * cannot be measured is rolled back. CloudWatch alarms treat the interval as breaching; Argo Rollouts'
   * failure condition matches an empty or too-small measurement. Refused where an alarm would also judge
   * an idle target group (ECS: the alarms watch both target groups).
   */
  FAIL = 'FAIL',
  /**
   * The measurement counts neither way; after `failureLimit + 1` such measurements the analysis is
   * Inconclusive and Argo Rollouts pauses the rollout for a person to decide. Argo Rollouts only: a
   * CloudWatch alarm has no inconclusive state and an AWS deployment cannot pause on one.
   */
  INCONCLUSIVE = 'INCONCLUSIVE',
}

/** Options for `Analysis.of`. */
export interface AnalysisProps {
  /** The checks that judge the new version; at least one. */
  readonly checks: HealthCheck[];
  /**
   * How often each check is measured (the CloudWatch alarm period, the Argo metric interval).
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * How many failed measurements are tolerated: the check fails the deployment on measurement
   * number `failureLimit + 1` (CloudWatch datapoints to alarm, Argo `failureLimit`).
   * @default 1
   */
  readonly failureLimit?: number;
  /**
   * The built-in checks (error rate, latency) only judge an interval in which at least this many
   * requests reached the version they measure; at small canary weights an interval with two requests
   * and one error is not 50% errors. What an interval below it counts as is `tooLittleData`.
   * @default 10
   */
  readonly minRequests?: number;
  /**
   * Time to wait after traffic reaches the new version before the first measurement.
   * @default Duration.seconds(0)
   */
  readonly initialDelay?: Duration;
  /**
   * What an interval with fewer than `minRequests` requests, or a query that returns no data, counts as.
   * @default TooLittleData.PASS
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/#inconclusive-runs
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html#alarms-and-missing-data
   */
  readonly tooLittleData?: TooLittleData;
}

/**
 * What "healthy" means for a new version: a set of health checks, how often they are measured
 * and how many failures are tolerated.
 */
export class Analysis {
  /** An analysis made of the given checks. */
  public static of(props: AnalysisProps): Analysis {
    const where = 'Analysis.of';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { checks: [...] }.');
    }
    if (!Array.isArray(props.checks) || props.checks.length === 0) {
      fail(where, 'checks', 'must contain at least one HealthCheck', show(props.checks),
        'Add a check such as HealthCheck.errorRate({ maxPercent: 1 }), or use Analysis.none("why") to opt out explicitly.');
    }
    const seen = new Set<string>();
    props.checks.forEach((check, i) => {
      if (!(check instanceof HealthCheck)) {
        fail(where, `checks[${i}]`, 'must be a HealthCheck', show(check), 'Build checks with HealthCheck.errorRate, .latency or .custom.');
      }
      if (seen.has(check.name)) {
        fail(where, `checks[${i}].name`, 'must be unique within an analysis', show(check.name), 'Give each check its own name.');
      }
      seen.add(check.name);
    });
    const interval = requireDuration(where, 'interval', props.interval ?? Duration.minutes(1));
    const failureLimit = requireNumber(where, 'failureLimit', props.failureLimit ?? 1, { min: 0, max: 100, integer: true },
      'Pass the number of failed measurements to tolerate, for example 1.');
    const minRequests = requireNumber(where, 'minRequests', props.minRequests ?? 10, { min: 0, max: 1_000_000_000, integer: true },
      'Pass the minimum number of requests per interval, for example 10.');
    const initialDelay = requireDuration(where, 'initialDelay', props.initialDelay ?? Duration.seconds(0), { allowZero: true });
    const tooLittleData = props.tooLittleData ?? TooLittleData.PASS;
    if (!Object.values(TooLittleData).includes(tooLittleData)) {
      fail(where, 'tooLittleData', 'must be a TooLittleData value', show(tooLittleData),
        'Pass TooLittleData.PASS, TooLittleData.FAIL or TooLittleData.INCONCLUSIVE.');
    }
    return new Analysis([...props.checks], interval, failureLimit, minRequests, initialDelay, tooLittleData, undefined);
  }

  /**
   * No automated analysis, on purpose. The reason is recorded in the rollout plan; a canary, linear or
   * rolling strategy without checks can only be declared this way.
   */
  public static none(reason: string): Analysis {
    if (typeof reason !== 'string' || reason.trim().length < 3) {
      fail('Analysis.none', 'reason', 'must say why the rollout runs without checks', show(reason),
        'Pass a reason such as "batch worker without traffic metrics".');
    }
    return new Analysis([], Duration.minutes(1), 0, 0, Duration.seconds(0), TooLittleData.PASS, reason.trim());
  }

  /** The checks (empty for `Analysis.none`). */
  public readonly checks: HealthCheck[];
  /** How often each check is measured. */
  public readonly interval: Duration;
  /** Failed measurements tolerated before the deployment fails. */
  public readonly failureLimit: number;
  /** Minimum requests per interval for an error-rate measurement to count. */
  public readonly minRequests: number;
  /** Wait before the first measurement. */
  public readonly initialDelay: Duration;
  /** What an interval with too little data counts as. */
  public readonly tooLittleData: TooLittleData;
  /** Why there is no analysis, for `Analysis.none`. */
  public readonly noneReason?: string;

  private constructor(checks: HealthCheck[], interval: Duration, failureLimit: number, minRequests: number,
    initialDelay: Duration, tooLittleData: TooLittleData, noneReason: string | undefined) {
    this.checks = checks;
    this.interval = interval;
    this.failureLimit = failureLimit;
    this.minRequests = minRequests;
    this.initialDelay = initialDelay;
    this.tooLittleData = tooLittleData;
    this.noneReason = noneReason;
  }

  /** True for `Analysis.none`: nothing is measured and nothing rolls back automatically. */
  public get isNone(): boolean {
    return this.checks.length === 0;
  }

  /**
   * Worst-case time from a failure to its detection: `initialDelay + interval × (failureLimit + 1)`.
   * Zero for `Analysis.none` (nothing is ever detected; see `isNone`).
   */
  public get timeToDetect(): Duration {
    if (this.isNone) {
      return Duration.seconds(0);
    }
    return Duration.seconds(toSeconds(this.initialDelay) + toSeconds(this.interval) * (this.failureLimit + 1));
  }

  /** The names of the checks. */
  public get checkNames(): string[] {
    return this.checks.map(c => c.name);
  }

  /** A one-line description for plans and messages. */
  public describe(): string {
    if (this.isNone) {
      return `no analysis (${this.noneReason})`;
    }
    return `${this.checkNames.join(', ')} every ${formatDuration(this.interval)}, failure after ${this.failureLimit + 1} failed measurement(s)`;
  }

  /**
   * What a measurement with too little data counts as, in one sentence for plans, for example
   * "An interval with fewer than 10 requests, or with no data, counts as passing."
   * Undefined for `Analysis.none`.
   */
  public describeTooLittleData(): string | undefined {
    if (this.isNone) {
      return undefined;
    }
    const low = this.minRequests > 0 ? `with fewer than ${this.minRequests} requests, or with no data,` : 'with no data';
    switch (this.tooLittleData) {
      case TooLittleData.PASS:
        return `A measurement ${low} counts as passing (TooLittleData.PASS): an unmeasured version is not rolled back.`;
      case TooLittleData.FAIL:
        return `A measurement ${low} counts as a failed measurement (TooLittleData.FAIL): an unmeasured version is rolled back.`;
      default:
        return `A measurement ${low} is inconclusive (TooLittleData.INCONCLUSIVE): past the tolerated number of them the rollout pauses for a person to decide.`;
    }
  }
}
