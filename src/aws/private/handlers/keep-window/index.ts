/**
 * Keep-window hook (CodeDeploy AfterAllowTraffic of a Lambda alias): keeps the deployment open for
 * `keepPreviousVersionFor` after the alias points to the new version, so that the deployment
 * group's rollback alarms keep judging the new version and an alarm (or a stopped deployment) still
 * returns the alias to the previous version. It then reports Succeeded.
 *
 * Every poll it reads the deployment (and stops when it is no longer in progress: CodeDeploy rolled
 * it back or it was stopped; a rollback deployment itself is not held) and the rollback alarms, and reports Failed as soon as one is in ALARM,
 * which rolls the alias back (auto-rollback on failure). A window longer than one invocation can run
 * continues in a new asynchronous invocation of this function that carries the end of the window.
 *
 * Environment: KEEP_MS, ALARM_NAMES (JSON array), POLL_MS.
 * This file is bundled alone as the function's code; the AWS SDK comes with the Lambda Node.js runtime.
 */
// eslint-disable-next-line import/no-extraneous-dependencies
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodeDeployClient, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
// eslint-disable-next-line import/no-extraneous-dependencies
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** The CodeDeploy hook event, and the same with the end of the window when the hook continues itself. */
export interface KeepEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
  /** End of the window (epoch milliseconds), set by the invocation that continues the wait. */
  readonly keepUntil?: number;
}

/** The parts of the Lambda context the hook reads. */
export interface KeepContext {
  readonly invokedFunctionArn: string;
  getRemainingTimeInMillis(): number;
}

/** What the wait needs from the outside world (replaced in tests). */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The configuration read from the environment. */
export interface KeepConfig {
  readonly keepMs: number;
  readonly alarmNames: string[];
  readonly pollMs: number;
}

/** How the invocation ended. */
export interface KeepResult {
  /** Succeeded / Failed: reported to CodeDeploy; continued: a new invocation waits on; ended: the deployment had already ended. */
  readonly outcome: 'Succeeded' | 'Failed' | 'continued' | 'ended';
  readonly detail: string;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
};

const cloudwatch = new CloudWatchClient({});
const codedeploy = new CodeDeployClient({});
const lambda = new LambdaClient({});

/** Time kept in each invocation for the last calls (alarms, report or continuation). */
export const INVOCATION_MARGIN_MS = 30_000;
const ACTIVE = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

/** Names of the alarms in ALARM among `names`. */
export async function firingAlarms(names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const firing: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloudwatch.send(new DescribeAlarmsCommand({
      AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], NextToken: nextToken,
    }));
    for (const alarm of [...(page.MetricAlarms ?? []), ...(page.CompositeAlarms ?? [])]) {
      if (alarm.StateValue === 'ALARM') firing.push(alarm.AlarmName ?? '(unnamed)');
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return firing.sort();
}

async function deployment(deploymentId: string): Promise<{ status?: string; rollback: boolean }> {
  const info = (await codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo;
  const rollback = info?.creator === 'codeDeployRollback' || info?.creator === 'CloudFormationRollback'
    || info?.rollbackInfo?.rollbackTriggeringDeploymentId !== undefined;
  return { status: info?.status, rollback };
}

async function report(event: KeepEvent, status: 'Succeeded' | 'Failed'): Promise<void> {
  await codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: event.DeploymentId,
    lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
    status,
  }));
}

/** Waits out the window (or this invocation's share of it) and reports or continues. */
export async function keepWindow(event: KeepEvent, context: KeepContext, config: KeepConfig, clock: Clock = realClock): Promise<KeepResult> {
  const keepUntil = event.keepUntil ?? clock.now() + config.keepMs;
  // Must end (report or continue) before Lambda stops this invocation.
  const invocationEnd = clock.now() + context.getRemainingTimeInMillis() - INVOCATION_MARGIN_MS;
  for (;;) {
    let facts: { status?: string; rollback: boolean } | undefined;
    try {
      facts = await deployment(event.DeploymentId);
    } catch (e) {
      console.log(JSON.stringify({ keepWindow: 'warning', detail: `could not read the deployment: ${(e as Error).message}` }));
    }
    if (facts?.status !== undefined && !ACTIVE.includes(facts.status)) {
      return { outcome: 'ended', detail: `the deployment is ${facts.status}; nothing left to keep` };
    }
    if (facts?.rollback) {
      // Back on the previous version: the alarms judged the version being rolled back.
      await report(event, 'Succeeded');
      return { outcome: 'Succeeded', detail: 'a rollback deployment, back to the previous version: nothing to keep' };
    }
    const windowOver = clock.now() >= keepUntil;
    let firing: string[];
    try {
      firing = await firingAlarms(config.alarmNames);
    } catch (e) {
      if (!windowOver) {
        console.log(JSON.stringify({ keepWindow: 'warning', detail: `could not read the alarms: ${(e as Error).message}` }));
        firing = [];
      } else {
        // The last look decides; without it the new version was not judged to the end.
        await report(event, 'Failed');
        return { outcome: 'Failed', detail: `could not read the rollback alarms at the end of the window: ${(e as Error).message}` };
      }
    }
    if (firing.length > 0) {
      await report(event, 'Failed');
      return { outcome: 'Failed', detail: `rollback alarm(s) in ALARM: ${firing.join(', ')}` };
    }
    if (windowOver) {
      await report(event, 'Succeeded');
      return { outcome: 'Succeeded', detail: `no rollback alarm fired during the ${config.keepMs}ms window` };
    }
    const wait = Math.min(config.pollMs, keepUntil - clock.now());
    if (clock.now() + wait > invocationEnd) {
      await lambda.send(new InvokeCommand({
        FunctionName: context.invokedFunctionArn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({
          DeploymentId: event.DeploymentId, LifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, keepUntil,
        })),
      }));
      return { outcome: 'continued', detail: `continues in a new invocation until ${new Date(keepUntil).toISOString()}` };
    }
    await clock.sleep(Math.max(0, wait));
  }
}

/** Reads the configuration from the environment. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): KeepConfig {
  const keepMs = Number(env.KEEP_MS);
  const pollMs = Number(env.POLL_MS ?? '60000');
  const alarmNames = JSON.parse(env.ALARM_NAMES ?? '[]');
  if (!Number.isFinite(keepMs) || keepMs <= 0 || !Number.isFinite(pollMs) || pollMs <= 0 || !Array.isArray(alarmNames)) {
    throw new Error(`KEEP_MS and POLL_MS must be positive numbers and ALARM_NAMES a JSON array, got ${JSON.stringify({ KEEP_MS: env.KEEP_MS, POLL_MS: env.POLL_MS, ALARM_NAMES: env.ALARM_NAMES })}`);
  }
  return { keepMs, alarmNames, pollMs };
}

export async function handler(event: KeepEvent, context: KeepContext): Promise<KeepResult> {
  let result: KeepResult;
  try {
    result = await keepWindow(event, context, readConfig());
  } catch (e) {
    // A broken configuration or an unexpected error: fail the deployment rather than let the
    // hook time out after an hour with the alias on a version nobody judged.
    await report(event, 'Failed');
    result = { outcome: 'Failed', detail: `the keep-window hook failed: ${(e as Error).message}` };
  }
  console.log(JSON.stringify({ keepWindow: result.outcome, detail: result.detail }));
  return result;
}
