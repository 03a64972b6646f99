/**
 * CodeDeploy migration hook (BeforeInstall of an ECS deployment, BeforeAllowTraffic of a Lambda
 * alias deployment): runs the release's migration steps, one ECS task per step and one step after
 * the other, before the replacement task set is created (ECS) or before any traffic shifts to the
 * new version (Lambda), and reports the outcome to CodeDeploy with
 * PutLifecycleEventHookExecutionStatus and the hook's execution id.
 *
 * CodeDeploy waits up to one hour for the report; a Lambda invocation runs at most 15 minutes. The
 * hook therefore polls the running task from inside one invocation, and before that invocation
 * would end it continues in a new asynchronous invocation of itself that carries the step, its task
 * and when it started (`migration` in the event). The function keeps no other state.
 *
 * - A task that stops with exit code 0 moves on to the next step; after the last one the hook
 *   reports Succeeded, or, when NEXT_HOOK names a function (the alias' smoke test, which shares
 *   CodeDeploy's one BeforeAllowTraffic slot), invokes it with the same event: that function
 *   reports.
 * - A task that stops with another exit code (or none: it never ran its container), a task ECS
 *   refuses to start, or a step that runs past its timeout (the task is stopped) reports Failed:
 *   CodeDeploy stops the deployment and rolls it back.
 * - A rollback deployment runs nothing: the version it returns to already runs on this schema.
 * - A deployment that ends while a step runs (someone stopped it) stops the step's task.
 *
 * Environment: CLUSTER (ARN), SUBNETS and SECURITY_GROUPS (JSON arrays), STEPS (JSON array of
 * { id, taskDefinition, timeoutMs }), POLL_SECONDS, and NEXT_HOOK (optional function ARN).
 * This file is bundled alone as the function's code; the AWS SDK comes with the Lambda Node.js runtime.
 */
import * as crypto from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodeDeployClient, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
// eslint-disable-next-line import/no-extraneous-dependencies
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
// eslint-disable-next-line import/no-extraneous-dependencies
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** One step: the task definition that runs it and how long it may run. */
export interface HookStep {
  readonly id: string;
  readonly taskDefinition: string;
  readonly timeoutMs: number;
}

/** The configuration read from the environment. */
export interface HookConfig {
  readonly cluster: string;
  readonly subnets: string[];
  readonly securityGroups: string[];
  readonly steps: HookStep[];
  readonly pollSeconds: number;
  /** The function invoked with the CodeDeploy event after the last step, instead of reporting Succeeded. */
  readonly nextHook?: string;
}

/** Where the hook is: carried from one invocation to the next. */
export interface MigrationState {
  /** Index of the step being run. */
  readonly step: number;
  /** ARN of its task. */
  readonly task: string;
  /** When the task was started (epoch milliseconds). */
  readonly startedAt: number;
}

/** The CodeDeploy hook event, and the same with the state when the hook continues itself. */
export interface HookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
  readonly migration?: MigrationState;
}

/** The parts of the Lambda context the hook reads. */
export interface HookContext {
  readonly invokedFunctionArn: string;
  getRemainingTimeInMillis(): number;
}

/** What the wait needs from the outside world (replaced in tests). */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** How the invocation ended. */
export interface HookResult {
  /**
   * Succeeded / Failed: reported to CodeDeploy; handedOver: NEXT_HOOK invoked, it reports;
   * continued: a new invocation goes on; ended: the deployment ended meanwhile (stopped), the task was stopped.
   */
  readonly outcome: 'Succeeded' | 'Failed' | 'handedOver' | 'continued' | 'ended';
  readonly detail: string;
}

/** The name of the container that runs the step in every migration task definition. */
export const CONTAINER_NAME = 'migration';
/** Time kept in each invocation for the last calls (report, stop or continuation). */
export const INVOCATION_MARGIN_MS = 30_000;

const realClock: Clock = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
};

const codedeploy = new CodeDeployClient({});
const ecs = new ECSClient({});
const lambda = new LambdaClient({});

function log(outcome: string, detail: string): void {
  console.log(JSON.stringify({ migrationHook: outcome, detail }));
}

async function report(event: HookEvent, status: 'Succeeded' | 'Failed', detail: string): Promise<HookResult> {
  await codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: event.DeploymentId,
    lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
    status,
  }));
  return { outcome: status, detail };
}

/** CodeDeploy's deployment statuses while a hook can still report. */
const ACTIVE = ['Created', 'Queued', 'InProgress', 'Baking', 'Ready'];

/** The deployment's status, or undefined when it cannot be read now. */
async function deploymentStatus(deploymentId: string): Promise<string | undefined> {
  try {
    return (await codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo?.status;
  } catch (e) {
    log('WARNING', `could not read deployment ${deploymentId}: ${(e as Error).message}`);
    return undefined;
  }
}

/** Whether the deployment is a rollback (CodeDeploy's automatic one, or CloudFormation's). */
async function isRollback(deploymentId: string): Promise<boolean> {
  const info = (await codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo;
  return info?.creator === 'codeDeployRollback' || info?.creator === 'CloudFormationRollback'
    || info?.rollbackInfo?.rollbackTriggeringDeploymentId !== undefined;
}

/** Starts step `index`; returns its task ARN, or why ECS did not start it. */
async function start(event: HookEvent, config: HookConfig, index: number): Promise<{ task?: string; failure?: string }> {
  const step = config.steps[index];
  // The same hook execution and step give the same token, so a repeated call never starts a second task.
  const clientToken = crypto.createHash('sha256').update(`${event.LifecycleEventHookExecutionId}/${step.id}`).digest('hex').slice(0, 64);
  let out;
  try {
    out = await ecs.send(new RunTaskCommand({
      cluster: config.cluster,
      taskDefinition: step.taskDefinition,
      launchType: 'FARGATE',
      count: 1,
      startedBy: 'codedeploy-migration-hook',
      group: `migration:${step.id}`,
      clientToken,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: config.subnets, securityGroups: config.securityGroups, assignPublicIp: 'DISABLED' },
      },
    }));
  } catch (e) {
    return { failure: `step ${step.id}: RunTask failed: ${(e as Error).message}` };
  }
  const task = out.tasks?.[0]?.taskArn;
  if (task === undefined) {
    const reasons = (out.failures ?? []).map(f => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
    return { failure: `step ${step.id}: ECS did not start the task: ${reasons || 'no task and no failure returned'}` };
  }
  log('STEP_STARTED', `step ${step.id} (${index + 1} of ${config.steps.length}) started as ${task}`);
  return { task };
}

/** The end of the steps: report Succeeded, or hand the event to the next hook. */
async function finish(event: HookEvent, config: HookConfig): Promise<HookResult> {
  const detail = `all ${config.steps.length} migration step(s) succeeded`;
  if (config.nextHook === undefined) {
    return report(event, 'Succeeded', detail);
  }
  try {
    await lambda.send(new InvokeCommand({
      FunctionName: config.nextHook,
      InvocationType: 'Event',
      Payload: new TextEncoder().encode(JSON.stringify({
        DeploymentId: event.DeploymentId, LifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      })),
    }));
  } catch (e) {
    return report(event, 'Failed', `${detail}, but the next hook ${config.nextHook} could not be invoked: ${(e as Error).message}`);
  }
  return { outcome: 'handedOver', detail: `${detail}; ${config.nextHook} runs next and reports` };
}

/** Runs the steps from where the event says, within this invocation's time, and reports or continues. */
export async function runMigrations(event: HookEvent, context: HookContext, config: HookConfig, clock: Clock = realClock): Promise<HookResult> {
  const invocationEnd = clock.now() + context.getRemainingTimeInMillis() - INVOCATION_MARGIN_MS;
  let state: MigrationState | undefined = event.migration;
  if (state === undefined) {
    let rollback = false;
    try {
      rollback = await isRollback(event.DeploymentId);
    } catch (e) {
      log('WARNING', `could not read deployment ${event.DeploymentId}, running the steps: ${(e as Error).message}`);
    }
    if (rollback) {
      // The version a rollback returns to already ran on this schema (expand added to it, contract
      // removed only what it does not use): nothing to migrate, nothing for a smoke test to judge.
      return report(event, 'Succeeded', 'a rollback deployment: the previous version runs on the schema as it is; no step run');
    }
    if (config.steps.length === 0) {
      return finish(event, config);
    }
    const started = await start(event, config, 0);
    if (started.failure !== undefined) return report(event, 'Failed', started.failure);
    state = { step: 0, task: started.task!, startedAt: clock.now() };
  }
  for (;;) {
    const step = config.steps[state.step];
    if (step === undefined || typeof state.task !== 'string' || !Number.isFinite(state.startedAt)) {
      return report(event, 'Failed', `unexpected migration state ${JSON.stringify(state)}`);
    }
    let task;
    try {
      const out = await ecs.send(new DescribeTasksCommand({ cluster: config.cluster, tasks: [state.task] }));
      task = out.tasks?.[0];
      if (task === undefined) {
        return await report(event, 'Failed', `step ${step.id}: task ${state.task} not found: ${(out.failures ?? []).map(f => f.reason).join('; ')}`);
      }
    } catch (e) {
      // A passing API error is not the migration's failure: look again at the next poll, within the timeout.
      log('WARNING', `step ${step.id}: could not read task ${state.task}: ${(e as Error).message}`);
      task = undefined;
    }
    if (task !== undefined && task.lastStatus === 'STOPPED') {
      const container = task.containers?.find(c => c.name === CONTAINER_NAME);
      const exitCode = container?.exitCode;
      if (exitCode !== 0) {
        const why = exitCode === undefined
          ? `stopped without running its container (${task.stoppedReason ?? 'no reason given'}${container?.reason ? `; ${container.reason}` : ''})`
          : `exited with code ${exitCode} (${task.stoppedReason ?? 'no reason given'})`;
        return report(event, 'Failed', `step ${step.id}: task ${state.task} ${why}; see the task's logs`);
      }
      log('STEP_SUCCEEDED', `step ${step.id} (${state.step + 1} of ${config.steps.length}) exited with code 0`);
      if (state.step + 1 >= config.steps.length) {
        return finish(event, config);
      }
      const started = await start(event, config, state.step + 1);
      if (started.failure !== undefined) return report(event, 'Failed', started.failure);
      state = { step: state.step + 1, task: started.task!, startedAt: clock.now() };
      continue;
    }
    // Someone stopped the deployment (or it failed otherwise): nobody waits for this step any more.
    const status = await deploymentStatus(event.DeploymentId);
    if (status !== undefined && !ACTIVE.includes(status)) {
      try {
        await ecs.send(new StopTaskCommand({ cluster: config.cluster, task: state.task, reason: `deployment ${event.DeploymentId} is ${status}` }));
      } catch (e) {
        log('WARNING', `step ${step.id}: could not stop task ${state.task}: ${(e as Error).message}`);
      }
      return { outcome: 'ended', detail: `deployment ${event.DeploymentId} is ${status}: step ${step.id} (task ${state.task}) stopped, nothing reported` };
    }
    if (clock.now() - state.startedAt > step.timeoutMs) {
      try {
        await ecs.send(new StopTaskCommand({ cluster: config.cluster, task: state.task, reason: `migration step ${step.id} ran past its timeout` }));
      } catch (e) {
        log('WARNING', `step ${step.id}: could not stop task ${state.task}: ${(e as Error).message}`);
      }
      return report(event, 'Failed', `step ${step.id}: task ${state.task} ran past its timeout of ${step.timeoutMs}ms and was stopped`);
    }
    const wait = config.pollSeconds * 1000;
    if (clock.now() + wait > invocationEnd) {
      await lambda.send(new InvokeCommand({
        FunctionName: context.invokedFunctionArn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({
          DeploymentId: event.DeploymentId, LifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, migration: state,
        })),
      }));
      return { outcome: 'continued', detail: `step ${step.id} (task ${state.task}) is watched on by a new invocation` };
    }
    await clock.sleep(wait);
  }
}

/** Reads the configuration from the environment. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): HookConfig {
  const parse = (name: string): unknown => {
    try {
      return JSON.parse(env[name] ?? '');
    } catch {
      throw new Error(`${name} must be JSON, got ${JSON.stringify(env[name])}`);
    }
  };
  const subnets = parse('SUBNETS');
  const securityGroups = parse('SECURITY_GROUPS');
  const steps = parse('STEPS');
  const pollSeconds = Number(env.POLL_SECONDS ?? '15');
  const isStrings = (v: unknown) => Array.isArray(v) && v.every(s => typeof s === 'string');
  const isStep = (s: any) => s !== null && typeof s === 'object' && typeof s.id === 'string' && typeof s.taskDefinition === 'string'
    && typeof s.timeoutMs === 'number' && s.timeoutMs > 0;
  if (!env.CLUSTER || !isStrings(subnets) || !isStrings(securityGroups) || !Array.isArray(steps) || !steps.every(isStep)
    || !Number.isInteger(pollSeconds) || pollSeconds <= 0) {
    throw new Error(`CLUSTER, SUBNETS, SECURITY_GROUPS, STEPS and POLL_SECONDS are not a valid configuration: ${JSON.stringify({
      CLUSTER: env.CLUSTER, SUBNETS: env.SUBNETS, SECURITY_GROUPS: env.SECURITY_GROUPS, STEPS: env.STEPS, POLL_SECONDS: env.POLL_SECONDS,
    })}`);
  }
  return {
    cluster: env.CLUSTER,
    subnets: subnets as string[],
    securityGroups: securityGroups as string[],
    steps: steps as HookStep[],
    pollSeconds,
    nextHook: env.NEXT_HOOK ? env.NEXT_HOOK : undefined,
  };
}

export async function handler(event: HookEvent, context: HookContext): Promise<HookResult> {
  let result: HookResult;
  try {
    result = await runMigrations(event, context, readConfig());
  } catch (e) {
    // A broken configuration or an unexpected error: fail the deployment rather than let the hook
    // time out after an hour, or let the new version start on a schema nobody migrated.
    result = { outcome: 'Failed', detail: `the migration hook failed: ${(e as Error).message}` };
    try {
      await report(event, 'Failed', result.detail);
    } catch (r) {
      result = { outcome: 'Failed', detail: `${result.detail}; reporting Failed failed too: ${(r as Error).message}` };
    }
  }
  log(result.outcome, result.detail);
  return result;
}
