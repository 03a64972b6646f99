import { Duration } from 'aws-cdk-lib';
// Types only: a Kubernetes app that never passes a CloudWatch metric does not load aws-cloudwatch.
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { DatadogFormula } from './datadog-formula';
import { toMillis } from '../private/duration';
import { fail, requireDuration, requireName, requireNumber, show } from '../private/validate';

/** What a health check measures; each target maps every kind to its own query. */
export enum HealthCheckKind {
  /** Share of requests answered with a server error (HTTP 5xx, or function errors for Lambda). */
  ERROR_RATE = 'ERROR_RATE',
  /** A percentile of the response time. */
  LATENCY = 'LATENCY',
  /** A user-supplied query per platform, with its own threshold. */
  CUSTOM = 'CUSTOM',
}

/** How a measurement compares with a check's threshold when the check fails. */
export enum Comparison {
  /** The check fails when the measurement is greater than the threshold. */
  GREATER_THAN = 'GREATER_THAN',
  /** The check fails when the measurement is greater than or equal to the threshold. */
  GREATER_THAN_OR_EQUAL = 'GREATER_THAN_OR_EQUAL',
  /** The check fails when the measurement is less than the threshold. */
  LESS_THAN = 'LESS_THAN',
  /** The check fails when the measurement is less than or equal to the threshold. */
  LESS_THAN_OR_EQUAL = 'LESS_THAN_OR_EQUAL',
}

/** Options for `HealthCheck.errorRate`. */
export interface ErrorRateCheckProps {
  /**
   * The highest acceptable share of failed requests, in percent (0 means any error fails the check).
   */
  readonly maxPercent: number;
  /**
   * Also fail when the new version's error share exceeds this many times the baseline's, measured over
   * the same interval (1.5: at most 50% more errors than the baseline). Judged beside `maxPercent`,
   * which still applies. Only in the analysis of a `BaselineComparison`, which starts a baseline of the
   * previous version beside the new one; a baseline without errors makes any error of the new version fail.
   * @default - no comparison with a baseline
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
   */
  readonly maxRatioToBaseline?: number;
  /**
   * Name of the check, used in alarm names, Argo metric names and the rollout plan.
   * @default "error-rate"
   */
  readonly name?: string;
}

/** Options for `HealthCheck.latency`. */
export interface LatencyCheckProps {
  /** The percentile to judge, greater than 0 and less than 100 (for example 99 or 99.9). */
  readonly percentile: number;
  /** The highest acceptable response time at that percentile. */
  readonly max: Duration;
  /**
   * Also fail when the new version's response time at `percentile` exceeds this many times the
   * baseline's, measured over the same interval (1.5: at most 50% slower). Judged beside `max`, which
   * still applies. Only in the analysis of a `BaselineComparison`.
   * @default - no comparison with a baseline
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
   */
  readonly maxRatioToBaseline?: number;
  /**
   * Name of the check.
   * @default "latency-p<percentile>" with "." replaced by "-" (for example "latency-p99-9")
   */
  readonly name?: string;
}

/** A CloudWatch metric, described without reference to any construct. */
export interface CloudWatchMetricQuery {
  /** Namespace of the metric, for example "MyApp". */
  readonly namespace: string;
  /** Name of the metric, for example "CheckoutFailures". */
  readonly metricName: string;
  /**
   * Dimensions of the metric.
   * @default - no dimensions
   */
  readonly dimensions?: { [name: string]: string };
  /**
   * Statistic over each measurement interval: "Average", "Sum", "Minimum", "Maximum",
   * "SampleCount" or a percentile such as "p99".
   * @default "Average"
   */
  readonly statistic?: string;
}

/** Options for `HealthCheck.custom`. Supply the query for every platform the strategy is rendered to. */
export interface CustomCheckProps {
  /** Name of the check (1-63 lower-case letters, digits or "-"). */
  readonly name: string;
  /** The threshold the measurement is compared with. */
  readonly threshold: number;
  /** The check fails when `measurement <failWhen> threshold`. */
  readonly failWhen: Comparison;
  /**
   * The CloudWatch metric to judge (used by the AWS targets and Argo's CloudWatch provider).
   * @default - the check cannot be rendered where a CloudWatch query is needed
   */
  readonly cloudWatch?: CloudWatchMetricQuery;
  /**
   * A CloudWatch metric or metric-math expression you already have (`fn.metricErrors()`, a
   * `MathExpression`, ...), instead of `cloudWatch`. Its period must equal the analysis' interval.
   * Used by the AWS targets and Argo's CloudWatch provider (which needs concrete dimension values).
   * @default - the check uses `cloudWatch`, or cannot be rendered where a CloudWatch query is needed
   */
  readonly cloudWatchMetric?: cloudwatch.IMetric;
  /**
   * A PromQL query returning one number (used by Argo's Prometheus provider).
   * @default - the check cannot be rendered where a Prometheus query is needed
   */
  readonly prometheus?: string;
  /**
   * A Datadog metric query returning one number (used by Argo's Datadog provider).
   * @default - the check cannot be rendered where a Datadog query is needed
   */
  readonly datadog?: string;
  /**
   * A Datadog measurement computed by a formula over several queries (Datadog's v2 query API), instead
   * of `datadog`; used by Argo's Datadog provider.
   * @default - the check uses `datadog`, or cannot be rendered where a Datadog query is needed
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/datadog/
   */
  readonly datadogFormula?: DatadogFormula;
  /**
   * The name of a Kayenta canary configuration whose score (0 to 100) is the measurement (used by
   * Argo's Kayenta provider, in the analysis of a `BaselineComparison`). Kayenta compares the new
   * version with the baseline metric by metric; the check's `threshold` is the passing score and
   * `failWhen` must be `Comparison.LESS_THAN`.
   * @default - the check cannot be rendered where a Kayenta judgement is needed
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/kayenta/
   */
  readonly kayenta?: string;
  /**
   * Also fail when the new version's measurement exceeds this many times the baseline's, measured with
   * the same query over the same interval (for a check whose measurement is worse when higher:
   * `failWhen` GREATER_THAN or GREATER_THAN_OR_EQUAL). Judged beside `threshold`, which still applies.
   * Only in the analysis of a `BaselineComparison`; the query selects one version (on Argo Rollouts with
   * `{{args.pod-template-hash}}` or `{{args.service}}`).
   * @default - no comparison with a baseline
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
   */
  readonly maxRatioToBaseline?: number;
}

/** Symbols of each comparison, for messages and queries. */
const COMPARISON_SYMBOL: Record<Comparison, string> = {
  [Comparison.GREATER_THAN]: '>',
  [Comparison.GREATER_THAN_OR_EQUAL]: '>=',
  [Comparison.LESS_THAN]: '<',
  [Comparison.LESS_THAN_OR_EQUAL]: '<=',
};

const STATISTIC = /^(Average|Sum|Minimum|Maximum|SampleCount|p\d{1,2}(\.\d{1,2})?)$/;

/**
 * One thing that "healthy" means for a new version. Targets turn each check into
 * CloudWatch alarms (AWS) or AnalysisTemplate metrics (Argo Rollouts).
 */
export class HealthCheck {
  /**
   * The new version's share of failed requests must stay at or below `maxPercent`.
   * Requests are counted only when at least the analysis' `minRequests` arrived in an interval.
   */
  public static errorRate(props: ErrorRateCheckProps): HealthCheck {
    const where = 'HealthCheck.errorRate';
    requireProps(where, props);
    const maxPercent = requireNumber(where, 'maxPercent', props.maxPercent, { min: 0, max: 100, maxExclusive: true },
      'Pass the highest acceptable error share in percent, for example 1 for 1%.');
    const name = requireName(where, 'name', props.name ?? 'error-rate');
    const maxRatioToBaseline = requireRatio(where, props.maxRatioToBaseline);
    return new HealthCheck(HealthCheckKind.ERROR_RATE, name, maxPercent, Comparison.GREATER_THAN, { maxRatioToBaseline });
  }

  /** The new version's response time at `percentile` must stay at or below `max`. */
  public static latency(props: LatencyCheckProps): HealthCheck {
    const where = 'HealthCheck.latency';
    requireProps(where, props);
    const percentile = requireNumber(where, 'percentile', props.percentile, { min: 0, max: 100, minExclusive: true, maxExclusive: true },
      'Pass a percentile such as 99 or 99.9.');
    if (Math.round(percentile * 100) !== percentile * 100) {
      fail(where, 'percentile', 'must have at most two decimal places', show(percentile), 'Pass a percentile such as 99 or 99.9.');
    }
    const max = requireDuration(where, 'max', props.max, { allowFractionalSeconds: true });
    const name = requireName(where, 'name', props.name ?? `latency-p${String(percentile).replace('.', '-')}`);
    const maxRatioToBaseline = requireRatio(where, props.maxRatioToBaseline);
    return new HealthCheck(HealthCheckKind.LATENCY, name, toMillis(max), Comparison.GREATER_THAN, { percentile, max, maxRatioToBaseline });
  }

  /** A check with its own query on each platform, threshold and comparison. */
  public static custom(props: CustomCheckProps): HealthCheck {
    const where = 'HealthCheck.custom';
    requireProps(where, props);
    const name = requireName(where, 'name', props.name);
    const threshold = requireNumber(where, 'threshold', props.threshold, { min: -Number.MAX_VALUE, max: Number.MAX_VALUE },
      'Pass the number the measurement is compared with.');
    if (!Object.values(Comparison).includes(props.failWhen)) {
      fail(where, 'failWhen', 'must be a Comparison', show(props.failWhen), 'Pass for example Comparison.GREATER_THAN.');
    }
    if (props.cloudWatch === undefined && props.cloudWatchMetric === undefined && props.prometheus === undefined && props.datadog === undefined
      && props.datadogFormula === undefined && props.kayenta === undefined) {
      fail(where, 'cloudWatch/cloudWatchMetric/prometheus/datadog/datadogFormula/kayenta', 'must include at least one query', 'none', 'Add the query for each platform the strategy is rendered to.');
    }
    if (props.kayenta !== undefined) {
      requireText(where, 'kayenta', props.kayenta);
      if (props.failWhen !== Comparison.LESS_THAN) {
        fail(where, 'failWhen', 'must be Comparison.LESS_THAN with kayenta: a Kayenta score passes at or above the threshold', show(props.failWhen),
          'Pass failWhen: Comparison.LESS_THAN and the passing score as threshold, for example 95.');
      }
      if (!Number.isInteger(threshold) || threshold < 1 || threshold > 100) {
        fail(where, 'threshold', 'must be a whole passing score between 1 and 100 with kayenta', show(threshold), 'Pass the passing score, for example 95.');
      }
    }
    if (props.cloudWatchMetric !== undefined) {
      const m = props.cloudWatchMetric as unknown;
      if (m === null || typeof m !== 'object' || typeof (m as cloudwatch.IMetric).toMetricConfig !== 'function') {
        fail(where, 'cloudWatchMetric', 'must be a CloudWatch IMetric (a Metric or MathExpression)', show(m),
          'Pass a metric such as fn.metricErrors() or new cloudwatch.MathExpression({...}), or describe it with cloudWatch: { namespace, metricName }.');
      }
      if (props.cloudWatch !== undefined) {
        fail(where, 'cloudWatchMetric', 'cannot be combined with cloudWatch: the check has one CloudWatch query', 'both',
          'Keep one of cloudWatch and cloudWatchMetric.');
      }
    }
    if (props.cloudWatch !== undefined) {
      const cw = props.cloudWatch;
      requireText(where, 'cloudWatch.namespace', cw.namespace);
      requireText(where, 'cloudWatch.metricName', cw.metricName);
      if (cw.statistic !== undefined && !STATISTIC.test(cw.statistic)) {
        fail(where, 'cloudWatch.statistic', 'must be Average, Sum, Minimum, Maximum, SampleCount or a percentile like p99', show(cw.statistic),
          'Pass one of those statistics.');
      }
      for (const [k, v] of Object.entries(cw.dimensions ?? {})) {
        requireText(where, `cloudWatch.dimensions.${k}`, v);
      }
    }
    if (props.prometheus !== undefined) requireText(where, 'prometheus', props.prometheus);
    if (props.datadog !== undefined) requireText(where, 'datadog', props.datadog);
    if (props.datadogFormula !== undefined) {
      if (!(props.datadogFormula instanceof DatadogFormula)) {
        fail(where, 'datadogFormula', 'must be a DatadogFormula', show(props.datadogFormula), 'Pass DatadogFormula.of({ queries, formula }).');
      }
      if (props.datadog !== undefined) {
        fail(where, 'datadogFormula', 'cannot be combined with datadog: the check has one Datadog measurement (Argo Rollouts refuses a query beside queries)', 'both',
          'Keep one of datadog and datadogFormula.');
      }
    }
    const maxRatioToBaseline = requireRatio(where, props.maxRatioToBaseline);
    if (maxRatioToBaseline !== undefined && props.failWhen !== Comparison.GREATER_THAN && props.failWhen !== Comparison.GREATER_THAN_OR_EQUAL) {
      fail(where, 'maxRatioToBaseline', 'only applies to a measurement that is worse when higher (failWhen GREATER_THAN or GREATER_THAN_OR_EQUAL)', show(props.failWhen),
        'Remove maxRatioToBaseline, or measure something that grows when the new version is worse.');
    }
    return new HealthCheck(HealthCheckKind.CUSTOM, name, threshold, props.failWhen, {
      maxRatioToBaseline,
      cloudWatch: props.cloudWatch === undefined ? undefined : {
        namespace: props.cloudWatch.namespace,
        metricName: props.cloudWatch.metricName,
        dimensions: { ...(props.cloudWatch.dimensions ?? {}) },
        statistic: props.cloudWatch.statistic ?? 'Average',
      },
      cloudWatchMetric: props.cloudWatchMetric,
      prometheus: props.prometheus,
      datadog: props.datadog,
      datadogFormula: props.datadogFormula,
      kayenta: props.kayenta,
    });
  }

  /** What the check measures. */
  public readonly kind: HealthCheckKind;
  /** Name of the check. */
  public readonly name: string;
  /**
   * The threshold: the maximum error percentage for ERROR_RATE, the maximum latency in
   * milliseconds for LATENCY, the user's threshold for CUSTOM.
   */
  public readonly threshold: number;
  /** The check fails when `measurement <failWhen> threshold`. */
  public readonly failWhen: Comparison;
  /** The percentile judged by a LATENCY check. */
  public readonly percentile?: number;
  /** The maximum response time of a LATENCY check. */
  public readonly maxLatency?: Duration;
  /** The CloudWatch metric of a CUSTOM check, as a description. */
  public readonly cloudWatch?: CloudWatchMetricQuery;
  /** The CloudWatch metric of a CUSTOM check, as a metric object. */
  public readonly cloudWatchMetric?: cloudwatch.IMetric;
  /** The PromQL query of a CUSTOM check. */
  public readonly prometheus?: string;
  /** The Datadog query of a CUSTOM check. */
  public readonly datadog?: string;
  /** The Datadog formula of a CUSTOM check. */
  public readonly datadogFormula?: DatadogFormula;
  /** The Kayenta canary configuration of a CUSTOM check. */
  public readonly kayenta?: string;
  /**
   * The highest acceptable ratio of the new version's measurement to the baseline's (checks in a
   * `BaselineComparison`).
   */
  public readonly maxRatioToBaseline?: number;

  private constructor(
    kind: HealthCheckKind, name: string, threshold: number, failWhen: Comparison,
    extra: {
      percentile?: number;
      max?: Duration;
      cloudWatch?: CloudWatchMetricQuery;
      cloudWatchMetric?: cloudwatch.IMetric;
      prometheus?: string;
      datadog?: string;
      datadogFormula?: DatadogFormula;
      kayenta?: string;
      maxRatioToBaseline?: number;
    },
  ) {
    this.kind = kind;
    this.name = name;
    this.threshold = threshold;
    this.failWhen = failWhen;
    this.percentile = extra.percentile;
    this.maxLatency = extra.max;
    this.cloudWatch = extra.cloudWatch;
    this.cloudWatchMetric = extra.cloudWatchMetric;
    this.prometheus = extra.prometheus;
    this.datadog = extra.datadog;
    this.datadogFormula = extra.datadogFormula;
    this.kayenta = extra.kayenta;
    this.maxRatioToBaseline = extra.maxRatioToBaseline;
  }

  /** Whether the check compares the new version with a baseline (a ratio bound, or a Kayenta judgement). */
  public get comparesWithBaseline(): boolean {
    return this.maxRatioToBaseline !== undefined || this.kayenta !== undefined;
  }

  /** A one-line description for plans and docs, for example "error-rate: 5xx > 1%". */
  public describe(): string {
    switch (this.kind) {
      case HealthCheckKind.ERROR_RATE:
        return `${this.name}: fails when errors > ${this.threshold}% of requests${this.ratioText()}`;
      case HealthCheckKind.LATENCY:
        return `${this.name}: fails when p${this.percentile} latency > ${this.threshold}ms${this.ratioText()}`;
      default:
        return this.kayenta !== undefined
          ? `${this.name}: fails when the Kayenta score of ${this.kayenta} < ${this.threshold}`
          : `${this.name}: fails when measurement ${COMPARISON_SYMBOL[this.failWhen]} ${this.threshold}${this.ratioText()}`;
    }
  }

  private ratioText(): string {
    return this.maxRatioToBaseline === undefined ? '' : ` or > ${this.maxRatioToBaseline}× the baseline's`;
  }
}

function requireRatio(where: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  return requireNumber(where, 'maxRatioToBaseline', value, { min: 1, max: 100 },
    'Pass how many times the baseline\'s measurement the new version may reach, for example 1.5 for at most 50% more.');
}


function requireProps(where: string, props: unknown): void {
  if (props === null || typeof props !== 'object') {
    fail(where, 'props', 'must be an object', show(props), 'Pass the options object.');
  }
}

function requireText(where: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim().length === 0) {
    fail(where, field, 'must be a non-empty string', show(value), `Set ${field}.`);
  }
}
