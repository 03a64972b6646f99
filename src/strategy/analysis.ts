import { Duration } from 'aws-cdk-lib';
import { HealthCheck } from './health-check';
import { toSeconds } from '../private/duration';
import { fail, formatDuration, requireDuration, requireNumber, show } from '../private/validate';

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
   * Error-rate checks only count an interval in which at least this many requests reached the new
   * version; at small canary weights an interval with two requests and one error is not 50% errors.
   * @default 10
   */
  readonly minRequests?: number;
  /**
   * Time to wait after traffic reaches the new version before the first measurement.
   * @default Duration.seconds(0)
   */
  readonly initialDelay?: Duration;
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
    return new Analysis([...props.checks], interval, failureLimit, minRequests, initialDelay, undefined);
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
    return new Analysis([], Duration.minutes(1), 0, 0, Duration.seconds(0), reason.trim());
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
  /** Why there is no analysis, for `Analysis.none`. */
  public readonly noneReason?: string;

  private constructor(checks: HealthCheck[], interval: Duration, failureLimit: number, minRequests: number,
    initialDelay: Duration, noneReason: string | undefined) {
    this.checks = checks;
    this.interval = interval;
    this.failureLimit = failureLimit;
    this.minRequests = minRequests;
    this.initialDelay = initialDelay;
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
}
