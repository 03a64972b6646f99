import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { AlarmSource, AlbMetricSource, createAlbAlarms, createLambdaAlarms, LambdaMetricSource } from './alarms';
import { Analysis } from '../../strategy/analysis';

/** Where a flag change's health checks are measured. */
export type FlagMetricSource =
  | { readonly kind: 'alb'; readonly alb: AlbMetricSource }
  | { readonly kind: 'lambda'; readonly lambda: LambdaMetricSource }
  | { readonly kind: 'custom' };

/** The alarm-source rules `requireAwsAnalysis` applies for a flag metric source. */
export function alarmSourceOf(source: FlagMetricSource): AlarmSource {
  return source.kind === 'alb' ? AlarmSource.ALB_TARGET_GROUPS : AlarmSource.LAMBDA_VERSION;
}

/**
 * One CloudWatch alarm per health check, for AppConfig monitors: the same alarms the code rollouts use
 * (missing data per the analysis' `tooLittleData`: PASS is not breaching, so a quiet interval does not
 * leave a monitor in INSUFFICIENT_DATA, on which AppConfig also rolls back).
 */
export function createFlagAlarms(scope: Construct, analysis: Analysis, source: FlagMetricSource, prefix: string): cloudwatch.Alarm[] {
  switch (source.kind) {
    case 'alb': return createAlbAlarms(scope, analysis, source.alb, prefix);
    case 'lambda': return createLambdaAlarms(scope, analysis, source.lambda, prefix);
    // Only HealthCheck.custom checks (the construct checks it): each alarm reads its own query, never the source.
    default: return createLambdaAlarms(scope, analysis, { functionName: '', aliasName: '', version: '' }, prefix);
  }
}
