import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlbMetricSource, createAlbAlarms } from './alarms';
import { formatDuration } from '../../private/validate';
import { Analysis } from '../../strategy/analysis';
import { Comparison, HealthCheck, HealthCheckKind } from '../../strategy/health-check';

/** Where a flag change's health checks are measured. */
export type FlagMetricSource =
  | { readonly kind: 'alb'; readonly alb: AlbMetricSource }
  | { readonly kind: 'lambda'; readonly functionName: string; readonly aliasName: string }
  | { readonly kind: 'custom' };

/**
 * One CloudWatch alarm per health check, for AppConfig monitors. Missing data is not breaching: an
 * AppConfig deployment rolls back on INSUFFICIENT_DATA too, so an interval without traffic must not
 * leave the alarm there (error rates only count intervals with `minRequests`).
 */
export function createFlagAlarms(scope: Construct, analysis: Analysis, source: FlagMetricSource, prefix: string): cloudwatch.Alarm[] {
  if (source.kind === 'alb') {
    return createAlbAlarms(scope, analysis, source.alb, prefix);
  }
  return analysis.checks.map(check => new cloudwatch.Alarm(scope, `Alarm-${check.name}`, {
    alarmName: `${prefix}-${check.name}`,
    alarmDescription: `Rolls the flag deployment back: ${check.describe()}, measured every ${formatDuration(analysis.interval)}, alarm after ${analysis.failureLimit + 1} failed measurement(s).`,
    metric: source.kind === 'lambda' ? lambdaMetric(analysis, check, source.functionName, source.aliasName) : customMetric(check, analysis.interval),
    threshold: check.threshold,
    comparisonOperator: operatorFor(check.failWhen),
    evaluationPeriods: analysis.failureLimit + 1,
    datapointsToAlarm: analysis.failureLimit + 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  }));
}

function operatorFor(c: Comparison): cloudwatch.ComparisonOperator {
  switch (c) {
    case Comparison.GREATER_THAN: return cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD;
    case Comparison.GREATER_THAN_OR_EQUAL: return cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    case Comparison.LESS_THAN: return cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD;
    case Comparison.LESS_THAN_OR_EQUAL: return cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD;
  }
}

/** The alias as a whole (every version it serves): a flag change is judged on the running code. */
function lambdaMetric(analysis: Analysis, check: HealthCheck, functionName: string, aliasName: string): cloudwatch.IMetric {
  const period = analysis.interval;
  if (check.kind === HealthCheckKind.CUSTOM) return customMetric(check, period);
  const dimensionsMap = { FunctionName: functionName, Resource: `${functionName}:${aliasName}` };
  const fn = (metricName: string, statistic: string) => new cloudwatch.Metric({ namespace: 'AWS/Lambda', metricName, statistic, period, dimensionsMap });
  if (check.kind === HealthCheckKind.ERROR_RATE) {
    const atLeast = Math.max(analysis.minRequests, 1);
    return new cloudwatch.MathExpression({
      expression: `IF(FILL(inv, 0) >= ${atLeast}, 100 * FILL(err, 0) / FILL(inv, 0), 0)`,
      usingMetrics: { err: fn('Errors', 'Sum'), inv: fn('Invocations', 'Sum') },
      period,
      label: `${check.name}: errors % of invocations (intervals with at least ${analysis.minRequests} invocations)`,
    });
  }
  return fn('Duration', `p${check.percentile}`);
}

function customMetric(check: HealthCheck, period: Duration): cloudwatch.IMetric {
  const cw = check.cloudWatch!;
  return new cloudwatch.Metric({ namespace: cw.namespace, metricName: cw.metricName, dimensionsMap: cw.dimensions, statistic: cw.statistic ?? 'Average', period });
}
