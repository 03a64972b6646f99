import { Duration, Fn, Names, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { ALARM_DELAY_ASSUMPTION, ALARM_INGESTION_DELAY, CLOUDWATCH_MAX_EVALUATION_SECONDS, CODEDEPLOY_MAX_ALARMS } from './limits';
import { fail, formatDuration, show } from '../../private/validate';
import { Analysis, TooLittleData } from '../../strategy/analysis';
import { Comparison, HealthCheck, HealthCheckKind } from '../../strategy/health-check';

/** Where the ALB metrics of a service come from: its load balancer and every target group a version may use. */
export interface AlbMetricSource {
  readonly loadBalancerFullName: string;
  readonly targetGroupFullNames: string[];
}

/** Where the metrics of the version a Lambda alias shifts to come from. */
export interface LambdaMetricSource {
  readonly functionName: string;
  readonly aliasName: string;
  readonly version: string;
}

/** The alarm's comparison for a check's failure condition (a function: reading aws-cloudwatch's enum when the module loads would load aws-cloudwatch for every user of the package). */
function operatorFor(c: Comparison): cloudwatch.ComparisonOperator {
  switch (c) {
    case Comparison.GREATER_THAN: return cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    case Comparison.GREATER_THAN_OR_EQUAL: return cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    case Comparison.LESS_THAN: return cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
    case Comparison.LESS_THAN_OR_EQUAL: return cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD;
  }
}

/** Which metrics the rollback alarms read. */
export enum AlarmSource {
  /** ALB metrics of every target group of an ECS service (blue and green). */
  ALB_TARGET_GROUPS = 'ALB_TARGET_GROUPS',
  /** Lambda metrics of the version an alias shifts to. */
  LAMBDA_VERSION = 'LAMBDA_VERSION',
}

/**
 * Refuses an analysis that CloudWatch alarms cannot measure exactly: a period that is not whole
 * minutes, an initial delay (alarms evaluate from the start of the deployment), a custom check
 * without a CloudWatch query, an evaluation window past one day, or a too-little-data behaviour
 * alarms cannot express.
 */
export function requireAwsAnalysis(where: string, field: string, analysis: Analysis, source: AlarmSource): void {
  if (analysis.isNone) {
    return;
  }
  if (analysis.tooLittleData === TooLittleData.INCONCLUSIVE) {
    fail(where, `${field}.tooLittleData`, 'cannot be INCONCLUSIVE on AWS: a CloudWatch alarm has no inconclusive state, and an AWS deployment cannot pause on one',
      'TooLittleData.INCONCLUSIVE', 'Choose TooLittleData.PASS (an unmeasured interval counts as passing) or TooLittleData.FAIL (it counts as a failed measurement and rolls back).');
  }
  if (analysis.tooLittleData === TooLittleData.FAIL && source === AlarmSource.ALB_TARGET_GROUPS) {
    const builtIn = analysis.checks.filter(c => c.kind !== HealthCheckKind.CUSTOM).map(c => c.name);
    if (builtIn.length > 0) {
      fail(where, `${field}.tooLittleData`, `cannot be FAIL for the built-in checks (${builtIn.join(', ')}) of an ECS service: their alarms judge the whole service, blue and green target groups, and the idle one never has ${analysis.minRequests} requests, so every deployment would roll back`,
        'TooLittleData.FAIL', 'Choose TooLittleData.PASS, or judge with HealthCheck.custom checks on metrics of your own, whose missing data FAIL treats as breaching.');
    }
  }
  const interval = analysis.interval.toSeconds();
  if (interval % 60 !== 0) {
    fail(where, `${field}.interval`, 'must be a whole number of minutes on AWS: it becomes the CloudWatch alarm period, and ALB and Lambda metrics are 1-minute metrics',
      formatDuration(analysis.interval), 'Use Duration.minutes(n).');
  }
  if (interval * (analysis.failureLimit + 1) > CLOUDWATCH_MAX_EVALUATION_SECONDS) {
    fail(where, `${field}.interval × (failureLimit + 1)`, 'must be at most one day: CloudWatch evaluates an alarm over at most one day',
      formatDuration(Duration.seconds(interval * (analysis.failureLimit + 1))), 'Shorten the interval or lower the failure limit.');
  }
  if (analysis.initialDelay.toSeconds() !== 0) {
    fail(where, `${field}.initialDelay`, 'must be zero on AWS: rollback alarms are evaluated from the start of the deployment and cannot wait',
      formatDuration(analysis.initialDelay), 'Remove initialDelay; raise failureLimit to tolerate a noisy start instead.');
  }
  analysis.checks.forEach((check, i) => {
    if (check.kind === HealthCheckKind.CUSTOM && check.cloudWatch === undefined && check.cloudWatchMetric === undefined) {
      fail(where, `${field}.checks[${i}] ("${check.name}")`, 'has no CloudWatch query, which AWS needs to build its rollback alarm', 'none',
        'Add cloudWatch: { namespace, metricName, dimensions, statistic } or cloudWatchMetric: <IMetric> to HealthCheck.custom.');
    }
    if (check.cloudWatchMetric !== undefined) {
      const period = metricPeriodSeconds(check.cloudWatchMetric);
      if (period !== interval) {
        fail(where, `${field}.checks[${i}] ("${check.name}").cloudWatchMetric`, `must have the analysis' interval (${formatDuration(analysis.interval)}) as its period: the alarm evaluates one measurement per interval`,
          period === undefined ? 'an unresolved period' : formatDuration(Duration.seconds(period)),
          `Pass the metric with { period: Duration.seconds(${interval}) } (metric.with({ period }) on a Metric or MathExpression).`);
      }
    }
  });
}

/** Worst-case time from a failure to the alarm: the analysis' time to detect plus the ingestion delay. */
export function awsTimeToDetect(analysis: Analysis): Duration {
  return Duration.seconds(analysis.timeToDetect.toSeconds() + ALARM_INGESTION_DELAY.toSeconds());
}

/** Refuses a bake shorter than the rollback alarms need to fire. */
export function requireBakeCoversAlarms(where: string, field: string, bake: Duration, analysis: Analysis | undefined): void {
  if (analysis === undefined || analysis.isNone) {
    return;
  }
  const needed = awsTimeToDetect(analysis);
  if (bake.toSeconds() < needed.toSeconds()) {
    fail(where, field, `must be at least the time the rollback alarms need to fire, interval × (failureLimit + 1) + 1 minute of ingestion delay = ${formatDuration(needed)} (${ALARM_DELAY_ASSUMPTION})`,
      formatDuration(bake), `Bake for ${formatDuration(needed)} or more, or shorten the analysis interval or failure limit.`);
  }
}

/** A deterministic alarm name prefix for a construct, unique within the account and region. */
export function defaultAlarmNamePrefix(scope: Construct): string {
  return Names.uniqueResourceName(scope, { maxLength: 160, separator: '-' });
}

/** Refuses a prefix that would make an alarm name CloudWatch rejects. */
export function requireAlarmNamePrefix(where: string, prefix: string): string {
  if (Token.isUnresolved(prefix) || typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 180 || !/^[A-Za-z0-9_.\-/]+$/.test(prefix)) {
    fail(where, 'alarmNamePrefix', 'must be 1-180 letters, digits or "_.-/" known at synth time', show(prefix), 'Pass a literal such as "checkout-api".');
  }
  return prefix;
}

/**
 * One alarm per health check. Alarms are given literal names (`<prefix>-<check>`) so that ECS
 * deployment alarms and CodeDeploy can reference them without a dependency on the alarm resources.
 */
export function createAlbAlarms(scope: Construct, analysis: Analysis, source: AlbMetricSource, prefix: string): cloudwatch.Alarm[] {
  // TargetResponseTime is in seconds; latency thresholds are kept in milliseconds.
  return analysis.checks.map(check => createAlarm(scope, analysis, check, prefix, albMetric(analysis, check, source),
    check.kind === HealthCheckKind.LATENCY ? check.threshold / 1000 : check.threshold));
}

/** One alarm per health check on the version a Lambda alias is shifting to. */
export function createLambdaAlarms(scope: Construct, analysis: Analysis, source: LambdaMetricSource, prefix: string): cloudwatch.Alarm[] {
  // Lambda Duration is in milliseconds, like latency thresholds.
  return analysis.checks.map(check => createAlarm(scope, analysis, check, prefix, lambdaMetric(analysis, check, source), check.threshold));
}

function createAlarm(scope: Construct, analysis: Analysis, check: HealthCheck, prefix: string,
  metric: cloudwatch.IMetric, threshold: number): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, `Alarm-${check.name}`, {
    alarmName: `${prefix}-${check.name}`,
    alarmDescription: `Rolls the deployment back: ${check.describe()}, measured every ${formatDuration(analysis.interval)}, alarm after ${analysis.failureLimit + 1} failed measurement(s).`,
    metric,
    threshold,
    comparisonOperator: operatorFor(check.failWhen),
    evaluationPeriods: analysis.failureLimit + 1,
    datapointsToAlarm: analysis.failureLimit + 1,
    treatMissingData: analysis.tooLittleData === TooLittleData.FAIL
      ? cloudwatch.TreatMissingData.BREACHING
      : cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}

function albMetric(analysis: Analysis, check: HealthCheck, source: AlbMetricSource): cloudwatch.IMetric {
  const period = analysis.interval;
  if (check.kind === HealthCheckKind.CUSTOM) {
    return customMetric(check, period);
  }
  const tg = (metricName: string, statistic: string, i: number) => new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    statistic,
    period,
    dimensionsMap: { LoadBalancer: source.loadBalancerFullName, TargetGroup: source.targetGroupFullNames[i] },
  });
  const usingMetrics: Record<string, cloudwatch.IMetric> = {};
  const perGroup: string[] = [];
  source.targetGroupFullNames.forEach((_, i) => {
    usingMetrics[`req${i}`] = tg('RequestCount', 'Sum', i);
    if (check.kind === HealthCheckKind.ERROR_RATE) {
      usingMetrics[`err${i}`] = tg('HTTPCode_Target_5XX_Count', 'Sum', i);
      perGroup.push(guardedRate(`err${i}`, `req${i}`, analysis.minRequests, analysis.tooLittleData));
    } else {
      usingMetrics[`lat${i}`] = tg('TargetResponseTime', `p${check.percentile}`, i);
      perGroup.push(guardedValue(`lat${i}`, `req${i}`, analysis.minRequests, analysis.tooLittleData, check.threshold / 1000));
    }
  });
  const what = check.kind === HealthCheckKind.ERROR_RATE
    ? `5xx % of requests (intervals with at least ${analysis.minRequests} requests)`
    : `p${check.percentile} response time (s) (intervals with at least ${analysis.minRequests} requests)`;
  return new cloudwatch.MathExpression({
    expression: perGroup.length === 1 ? perGroup[0] : `MAX([${perGroup.join(', ')}])`,
    usingMetrics,
    period,
    label: `${check.name}: ${what}, worst target group`,
  });
}

function lambdaMetric(analysis: Analysis, check: HealthCheck, source: LambdaMetricSource): cloudwatch.IMetric {
  const period = analysis.interval;
  if (check.kind === HealthCheckKind.CUSTOM) {
    return customMetric(check, period);
  }
  const dimensionsMap = { FunctionName: source.functionName, Resource: Fn.join(':', [source.functionName, source.aliasName]), ExecutedVersion: source.version };
  const fn = (metricName: string, statistic: string) => new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, statistic, period, dimensionsMap });
  if (check.kind === HealthCheckKind.ERROR_RATE) {
    return new cloudwatch.MathExpression({
      expression: guardedRate('err', 'inv', analysis.minRequests, analysis.tooLittleData),
      usingMetrics: { err: fn('Errors', 'Sum'), inv: fn('Invocations', 'Sum') },
      period,
      label: `${check.name}: errors % of invocations (intervals with at least ${analysis.minRequests} invocations)`,
    });
  }
  return new cloudwatch.MathExpression({
    expression: guardedValue('dur', 'inv', analysis.minRequests, analysis.tooLittleData, check.threshold),
    usingMetrics: { dur: fn('Duration', `p${check.percentile}`), inv: fn('Invocations', 'Sum') },
    period,
    label: `${check.name}: p${check.percentile} duration (ms) (intervals with at least ${analysis.minRequests} invocations)`,
  });
}

/** The period of a metric or metric-math expression in seconds, undefined when it is not known at synth time. */
export function metricPeriodSeconds(metric: cloudwatch.IMetric): number | undefined {
  const config = metric.toMetricConfig();
  const period = config.metricStat?.period.toSeconds() ?? config.mathExpression?.period;
  return period === undefined || Token.isUnresolved(period) ? undefined : period;
}

function customMetric(check: HealthCheck, period: Duration): cloudwatch.IMetric {
  if (check.cloudWatchMetric !== undefined) {
    return check.cloudWatchMetric;
  }
  const cw = check.cloudWatch!;
  return new cloudwatch.Metric({
    namespace: cw.namespace,
    metricName: cw.metricName,
    dimensionsMap: cw.dimensions,
    statistic: cw.statistic ?? 'Average',
    period,
  });
}

/**
 * `100 × errors / requests` in intervals with at least `minRequests` requests; below it, 0 (a passing
 * measurement) or, for TooLittleData.FAIL, 100 (above any threshold an error-rate check accepts).
 */
function guardedRate(errors: string, requests: string, minRequests: number, tooLittle: TooLittleData): string {
  const atLeast = Math.max(minRequests, 1);
  const below = tooLittle === TooLittleData.FAIL ? 100 : 0;
  return `IF(FILL(${requests}, 0) >= ${atLeast}, 100 * FILL(${errors}, 0) / FILL(${requests}, 0), ${below})`;
}

/**
 * A latency in intervals with at least `minRequests` requests; below it, 0 (a passing measurement)
 * or, for TooLittleData.FAIL, a value above the check's threshold (`threshold + 1`, in the metric's unit).
 */
function guardedValue(value: string, requests: string, minRequests: number, tooLittle: TooLittleData, threshold: number): string {
  const atLeast = Math.max(minRequests, 1);
  const below = tooLittle === TooLittleData.FAIL ? threshold + 1 : 0;
  return `IF(FILL(${requests}, 0) >= ${atLeast}, FILL(${value}, 0), ${below})`;
}

/** The alarms a CodeDeploy deployment group watches, and the composite alarm made for them if any. */
export interface CodeDeployAlarms {
  readonly alarms: cloudwatch.IAlarm[];
  readonly composite?: cloudwatch.CompositeAlarm;
}

/**
 * The rollback alarms as a CodeDeploy deployment group can take them: as they are up to its limit of
 * 10 alarms, or past it one composite alarm (`<prefix>-any`) that fires when any of them does.
 * `owner` names what the alarms guard in the composite alarm's description ("service", "alias").
 */
export function codeDeployAlarms(scope: Construct, alarms: cloudwatch.IAlarm[], prefix: string, owner: string): CodeDeployAlarms {
  if (alarms.length <= CODEDEPLOY_MAX_ALARMS) return { alarms };
  const composite = new cloudwatch.CompositeAlarm(scope, 'CompositeAlarm', {
    compositeAlarmName: `${prefix}-any`,
    alarmRule: cloudwatch.AlarmRule.anyOf(...alarms),
    alarmDescription: `Any rollback alarm of the ${owner} (CodeDeploy takes at most ${CODEDEPLOY_MAX_ALARMS} alarms).`,
  });
  return { alarms: [composite], composite };
}
