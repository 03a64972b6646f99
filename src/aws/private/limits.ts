import { Duration } from 'aws-cdk-lib';

/**
 * Time between the end of a CloudWatch period and the moment its datapoint can move an alarm: ALB and
 * Lambda metrics are published per minute, and we assume they are ingested within one more minute.
 */
export const ALARM_INGESTION_DELAY = Duration.minutes(1);

/** The assumption, as shown in messages and plans. */
export const ALARM_DELAY_ASSUMPTION = 'CloudWatch ALB and Lambda metrics are 1-minute metrics, and this library assumes 1 minute of ingestion delay before a datapoint can move an alarm';

/** ECS native: bake times (bakeTimeInMinutes, canary and linear step bake) are 0 to 1440 minutes. */
export const ECS_MAX_BAKE_MINUTES = 1440;
/**
 * ECS native through CloudFormation: a canary or linear deployment whose bakes add up to more than
 * 33 hours is rejected (CloudFormation operations time out after 36 hours).
 */
export const ECS_MAX_CLOUDFORMATION_DEPLOYMENT_MINUTES = 33 * 60;
/** ECS native: the linear step percent is 3.0 to 100.0, in multiples of 0.1. */
export const ECS_MIN_LINEAR_PERCENT = 3;
/** CodeDeploy: termination wait and approval wait are at most 2 days. */
export const CODEDEPLOY_MAX_WAIT_MINUTES = 2880;
/** CodeDeploy: a deployment group takes at most 10 alarms. */
export const CODEDEPLOY_MAX_ALARMS = 10;
/** CloudWatch: evaluationPeriods × period is at most one day for periods of a minute or more. */
export const CLOUDWATCH_MAX_EVALUATION_SECONDS = 86400;
/** CodeDeploy: a Lambda or ECS deployment fails unless a hook function reports its status within one hour. */
export const CODEDEPLOY_HOOK_REPORT_MINUTES = 60;
/**
 * Lambda alias: the longest keep window the AfterAllowTraffic hook holds, leaving 5 of the 60 minutes
 * for the last alarm check, the report, and the delays between the hook's own invocations.
 */
export const LAMBDA_MAX_KEEP_MINUTES = 55;
/** Lambda: a function runs for at most 15 minutes. */
export const LAMBDA_MAX_TIMEOUT_MINUTES = 15;
