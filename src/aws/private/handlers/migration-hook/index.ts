/**
 * Migration hook (Amazon ECS lifecycle hook at PRE_SCALE_UP): runs the release's migration steps,
 * one ECS task per step and one step after the other, before any task of the new service revision
 * starts. ECS calls the hook again while it answers IN_PROGRESS; the step being run, its task and
 * when it started travel in `hookDetails` from one call to the next, so the function keeps no state.
 *
 * - A task that stops with exit code 0 moves on to the next step; after the last one the hook
 *   answers SUCCEEDED and ECS starts the new revision.
 * - A task that stops with another exit code (or none: it never ran its container), a task ECS
 *   refuses to start, or a step that runs past its timeout (the task is stopped) answers FAILED:
 *   ECS rolls the deployment back and the new revision never starts.
 *
 * Environment: CLUSTER (ARN), SUBNETS and SECURITY_GROUPS (JSON arrays), STEPS (JSON array of
 * { id, taskDefinition, timeoutMs }), POLL_SECONDS. This file is bundled alone as the function's
 * code; the AWS SDK comes with the Lambda Node.js runtime.
 */
import * as crypto from 'crypto';
// eslint-disable-next-line import/no-extraneous-dependencies
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';

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
}

/** The state carried between calls in `hookDetails`. */
export interface HookState {
  /** Index of the step being run, as a string. */
  readonly migrationStep?: string;
  /** ARN of its task. */
  readonly migrationTask?: string;
  /** When the task was started (epoch milliseconds), as a string. */
  readonly migrationStartedAt?: string;
}

/**
 * The parts of the ECS lifecycle hook payload the hook reads. The ECS guide lists the deployment
 * facts at the top level; calls ECS makes carry them in `executionDetails`, with the service
 * deployment's ARN as `resourceArn`: both shapes are read.
 */
export interface HookEvent {
  readonly serviceArn?: string;
  readonly targetServiceRevisionArn?: string;
  readonly executionDetails?: { readonly serviceArn?: string; readonly targetServiceRevisionArn?: string };
  /** The service deployment's ARN. */
  readonly resourceArn?: string;
  readonly hookDetails?: HookState | string;
}

/**
 * What identifies this deployment in the call: the service deployment, else the revision it deploys.
 * Never the service alone, which every deployment of the service shares.
 */
export function deploymentIdentity(event: HookEvent): string | undefined {
  return event.resourceArn ?? event.executionDetails?.targetServiceRevisionArn ?? event.targetServiceRevisionArn;
}

/** The answer to ECS. */
export interface HookResponse {
  readonly hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  readonly callBackDelay?: number;
  readonly hookDetails?: HookState;
}

/** The name of the container that runs the step in every migration task definition. */
export const CONTAINER_NAME = 'migration';

const ecs = new ECSClient({});

function log(outcome: string, detail: string): void {
  console.log(JSON.stringify({ migrationHook: outcome, detail }));
}

function failed(detail: string): HookResponse {
  log('FAILED', detail);
  return { hookStatus: 'FAILED' };
}

/** Starts step `index` and answers IN_PROGRESS with its task in `hookDetails`. */
async function start(event: HookEvent, config: HookConfig, index: number, now: number): Promise<HookResponse> {
  const step = config.steps[index];
  // The same deployment and step give the same token, so a repeated call never starts a second task.
  // Without a deployment in the call there is no token: a token shared by every deployment would
  // give a later deployment the task an earlier one started.
  const identity = deploymentIdentity(event);
  const clientToken = identity === undefined ? undefined : crypto.createHash('sha256').update(`${identity}/${step.id}`).digest('hex').slice(0, 64);
  if (identity === undefined) log('warning', `step ${step.id}: the call names no deployment, so RunTask is not idempotent for it`);
  let out;
  try {
    out = await ecs.send(new RunTaskCommand({
      cluster: config.cluster,
      taskDefinition: step.taskDefinition,
      launchType: 'FARGATE',
      count: 1,
      startedBy: 'migration-hook',
      group: `migration:${step.id}`,
      clientToken,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: config.subnets, securityGroups: config.securityGroups, assignPublicIp: 'DISABLED' },
      },
    }));
  } catch (e) {
    return failed(`step ${step.id}: RunTask failed: ${(e as Error).message}`);
  }
  const task = out.tasks?.[0]?.taskArn;
  if (task === undefined) {
    const reasons = (out.failures ?? []).map(f => `${f.reason ?? 'unknown'}${f.detail ? ` (${f.detail})` : ''}`).join('; ');
    return failed(`step ${step.id}: ECS did not start the task: ${reasons || 'no task and no failure returned'}`);
  }
  log('IN_PROGRESS', `step ${step.id} (${index + 1} of ${config.steps.length}) started as ${task}`);
  return {
    hookStatus: 'IN_PROGRESS',
    callBackDelay: config.pollSeconds,
    hookDetails: { migrationStep: String(index), migrationTask: task, migrationStartedAt: String(now) },
  };
}

/** The state in `hookDetails`: an object, or the same as a JSON string (as the CloudFormation property is written). */
export function readState(details: unknown): HookState {
  if (details === undefined || details === null || details === '') return {};
  if (typeof details === 'string') {
    try {
      return readState(JSON.parse(details));
    } catch {
      return { migrationStep: 'unreadable', migrationTask: details };
    }
  }
  return typeof details === 'object' ? details as HookState : { migrationStep: 'unreadable', migrationTask: String(details) };
}

/** One call of the hook: start the first step, or look at the running one. */
export async function runHook(event: HookEvent, config: HookConfig, now: number = Date.now()): Promise<HookResponse> {
  const state = readState(event.hookDetails);
  if (state.migrationTask === undefined) {
    if (config.steps.length === 0) {
      log('SUCCEEDED', 'no migration step to run');
      return { hookStatus: 'SUCCEEDED' };
    }
    return start(event, config, 0, now);
  }
  const index = Number(state.migrationStep);
  const startedAt = Number(state.migrationStartedAt);
  const step = config.steps[index];
  if (!Number.isInteger(index) || step === undefined || !Number.isFinite(startedAt)) {
    return failed(`unexpected hookDetails ${JSON.stringify(state)}`);
  }
  let task;
  try {
    const out = await ecs.send(new DescribeTasksCommand({ cluster: config.cluster, tasks: [state.migrationTask] }));
    task = out.tasks?.[0];
    if (task === undefined) {
      return failed(`step ${step.id}: task ${state.migrationTask} not found: ${(out.failures ?? []).map(f => f.reason).join('; ')}`);
    }
  } catch (e) {
    // A passing API error is not the migration's failure: look again at the next call, within the timeout.
    log('IN_PROGRESS', `step ${step.id}: could not read task ${state.migrationTask}: ${(e as Error).message}`);
    task = undefined;
  }
  if (task !== undefined && task.lastStatus === 'STOPPED') {
    const container = task.containers?.find(c => c.name === CONTAINER_NAME);
    const exitCode = container?.exitCode;
    if (exitCode !== 0) {
      const why = exitCode === undefined
        ? `stopped without running its container (${task.stoppedReason ?? 'no reason given'}${container?.reason ? `; ${container.reason}` : ''})`
        : `exited with code ${exitCode} (${task.stoppedReason ?? 'no reason given'})`;
      return failed(`step ${step.id}: task ${state.migrationTask} ${why}; see the task's logs`);
    }
    log('STEP_SUCCEEDED', `step ${step.id} (${index + 1} of ${config.steps.length}) exited with code 0`);
    if (index + 1 < config.steps.length) {
      return start(event, config, index + 1, now);
    }
    log('SUCCEEDED', `all ${config.steps.length} migration step(s) succeeded`);
    return { hookStatus: 'SUCCEEDED' };
  }
  if (now - startedAt > step.timeoutMs) {
    try {
      await ecs.send(new StopTaskCommand({ cluster: config.cluster, task: state.migrationTask, reason: `migration step ${step.id} ran past its timeout` }));
    } catch (e) {
      log('WARNING', `step ${step.id}: could not stop task ${state.migrationTask}: ${(e as Error).message}`);
    }
    return failed(`step ${step.id}: task ${state.migrationTask} ran past its timeout of ${step.timeoutMs}ms and was stopped`);
  }
  return { hookStatus: 'IN_PROGRESS', callBackDelay: config.pollSeconds, hookDetails: state };
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
  const pollSeconds = Number(env.POLL_SECONDS ?? '30');
  const isStrings = (v: unknown) => Array.isArray(v) && v.every(s => typeof s === 'string');
  const isStep = (s: any) => s !== null && typeof s === 'object' && typeof s.id === 'string' && typeof s.taskDefinition === 'string'
    && typeof s.timeoutMs === 'number' && s.timeoutMs > 0;
  if (!env.CLUSTER || !isStrings(subnets) || !isStrings(securityGroups) || !Array.isArray(steps) || !steps.every(isStep)
    || !Number.isInteger(pollSeconds) || pollSeconds <= 0) {
    throw new Error(`CLUSTER, SUBNETS, SECURITY_GROUPS, STEPS and POLL_SECONDS are not a valid configuration: ${JSON.stringify({
      CLUSTER: env.CLUSTER, SUBNETS: env.SUBNETS, SECURITY_GROUPS: env.SECURITY_GROUPS, STEPS: env.STEPS, POLL_SECONDS: env.POLL_SECONDS,
    })}`);
  }
  return { cluster: env.CLUSTER, subnets: subnets as string[], securityGroups: securityGroups as string[], steps: steps as HookStep[], pollSeconds };
}

export async function handler(event: HookEvent): Promise<HookResponse> {
  try {
    return await runHook(event, readConfig());
  } catch (e) {
    // A broken configuration or an unexpected error: the new revision must not start on a schema
    // nobody migrated.
    return failed(`the migration hook failed: ${(e as Error).message}`);
  }
}
