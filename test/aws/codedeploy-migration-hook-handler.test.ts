import { CodeDeployClient, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import {
  Clock, handler, HookConfig, HookContext, INVOCATION_MARGIN_MS, readConfig, runMigrations,
} from '../../src/aws/private/handlers/codedeploy-migration-hook';

const codedeploy = mockClient(CodeDeployClient);
const ecs = mockClient(ECSClient);
const lambda = mockClient(LambdaClient);
const SELF = 'arn:aws:lambda:eu-west-1:123456789012:function:migration-hook';
const SMOKE = 'arn:aws:lambda:eu-west-1:123456789012:function:smoke-test';
const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop';
const EVENT = { DeploymentId: 'd-ABC', LifecycleEventHookExecutionId: 'hook-exec-1' };
const MINUTE = 60_000;
const task1 = 'arn:aws:ecs:eu-west-1:123456789012:task/shop/t1';
const task2 = 'arn:aws:ecs:eu-west-1:123456789012:task/shop/t2';
const config: HookConfig = {
  cluster: CLUSTER,
  subnets: ['subnet-a', 'subnet-b'],
  securityGroups: ['sg-1'],
  steps: [
    { id: 'add-col', taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/add:1', timeoutMs: 20 * MINUTE },
    { id: 'drop-old', taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/drop:1', timeoutMs: 20 * MINUTE },
  ],
  pollSeconds: 15,
};

/** A clock whose sleeps pass instantly. */
function fakeClock(start = 1_000_000): Clock & { slept: number[] } {
  let t = start;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async ms => { slept.push(ms); t += ms; } };
}

function contextOn(clock: Clock, remaining = 15 * MINUTE): HookContext {
  const end = clock.now() + remaining;
  return { invokedFunctionArn: SELF, getRemainingTimeInMillis: () => end - clock.now() };
}

const running = (arn: string) => ({ tasks: [{ taskArn: arn, lastStatus: 'RUNNING', containers: [{ name: 'migration' }] }] });
const stopped = (arn: string, exitCode: number | undefined, stoppedReason = 'Essential container in task exited') =>
  ({ tasks: [{ taskArn: arn, lastStatus: 'STOPPED', stoppedReason, containers: [{ name: 'migration', exitCode }] }] });

function reported(): string[] {
  return codedeploy.commandCalls(PutLifecycleEventHookExecutionStatusCommand).map(c => {
    const i = c.args[0].input;
    return `${i.deploymentId}/${i.lifecycleEventHookExecutionId}: ${i.status}`;
  });
}

beforeEach(() => {
  codedeploy.reset();
  ecs.reset();
  lambda.reset();
  codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'InProgress', creator: 'user' } });
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: 'hook-exec-1' });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

test('runs the steps in order, one task each in the given network, then reports Succeeded with the hook execution id', async () => {
  const clock = fakeClock();
  ecs.on(RunTaskCommand).resolvesOnce({ tasks: [{ taskArn: task1 }] }).resolvesOnce({ tasks: [{ taskArn: task2 }] });
  ecs.on(DescribeTasksCommand, { tasks: [task1] }).resolvesOnce(running(task1)).resolves(stopped(task1, 0));
  ecs.on(DescribeTasksCommand, { tasks: [task2] }).resolves(stopped(task2, 0));
  const result = await runMigrations(EVENT, contextOn(clock), config, clock);
  expect(result).toEqual({ outcome: 'Succeeded', detail: 'all 2 migration step(s) succeeded' });
  expect(reported()).toEqual(['d-ABC/hook-exec-1: Succeeded']);
  const runs = ecs.commandCalls(RunTaskCommand).map(c => c.args[0].input);
  expect(runs.map(r => r.taskDefinition)).toEqual(config.steps.map(s => s.taskDefinition));
  expect(runs[0]).toMatchObject({
    cluster: CLUSTER,
    launchType: 'FARGATE',
    count: 1,
    startedBy: 'codedeploy-migration-hook',
    group: 'migration:add-col',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
  });
  expect(runs[0].clientToken).toMatch(/^[0-9a-f]{64}$/);
  expect(runs[1].clientToken).not.toBe(runs[0].clientToken);
  // One poll while the first task ran.
  expect(clock.slept).toEqual([15_000]);
});

test('fails when a step exits non-zero: reports Failed and starts no further step', async () => {
  const clock = fakeClock();
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task1 }] });
  ecs.on(DescribeTasksCommand).resolves(stopped(task1, 3));
  const result = await runMigrations(EVENT, contextOn(clock), config, clock);
  expect(result).toEqual({ outcome: 'Failed', detail: `step add-col: task ${task1} exited with code 3 (Essential container in task exited); see the task's logs` });
  expect(reported()).toEqual(['d-ABC/hook-exec-1: Failed']);
  expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
});

test('fails when the task stopped without running its container', async () => {
  const clock = fakeClock();
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task1 }] });
  ecs.on(DescribeTasksCommand).resolves(stopped(task1, undefined, 'CannotPullContainerError: pull access denied'));
  const result = await runMigrations(EVENT, contextOn(clock), config, clock);
  expect(result.detail).toBe(`step add-col: task ${task1} stopped without running its container (CannotPullContainerError: pull access denied); see the task's logs`);
  expect(reported()).toEqual(['d-ABC/hook-exec-1: Failed']);
});

test('fails when ECS does not start the task, or RunTask is refused', async () => {
  ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free addresses' }] });
  let clock = fakeClock();
  expect(await runMigrations(EVENT, contextOn(clock), config, clock))
    .toEqual({ outcome: 'Failed', detail: 'step add-col: ECS did not start the task: RESOURCE:ENI (no free addresses)' });
  ecs.on(RunTaskCommand).rejects(new Error('AccessDeniedException: not authorized'));
  clock = fakeClock();
  expect(await runMigrations(EVENT, contextOn(clock), config, clock))
    .toEqual({ outcome: 'Failed', detail: 'step add-col: RunTask failed: AccessDeniedException: not authorized' });
  expect(reported()).toEqual(['d-ABC/hook-exec-1: Failed', 'd-ABC/hook-exec-1: Failed']);
});

test('fails when a step runs past its timeout: stops the task and reports Failed', async () => {
  const clock = fakeClock();
  const short = { ...config, steps: [{ ...config.steps[0], timeoutMs: MINUTE }] };
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task1 }] });
  ecs.on(DescribeTasksCommand).resolves(running(task1));
  ecs.on(StopTaskCommand).resolves({});
  const result = await runMigrations(EVENT, contextOn(clock), short, clock);
  expect(result).toEqual({ outcome: 'Failed', detail: `step add-col: task ${task1} ran past its timeout of 60000ms and was stopped` });
  expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER, task: task1, reason: 'migration step add-col ran past its timeout' });
  expect(reported()).toEqual(['d-ABC/hook-exec-1: Failed']);
  expect(clock.slept).toEqual([15_000, 15_000, 15_000, 15_000, 15_000]);
});

test('continues in a new asynchronous invocation before this one ends, carrying the step, task and start', async () => {
  const clock = fakeClock(5_000);
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task1 }] });
  ecs.on(DescribeTasksCommand).resolves(running(task1));
  const result = await runMigrations(EVENT, contextOn(clock, 2 * MINUTE), config, clock);
  expect(result).toEqual({ outcome: 'continued', detail: `step add-col (task ${task1}) is watched on by a new invocation` });
  expect(reported()).toEqual([]);
  const invoke = lambda.commandCalls(InvokeCommand)[0].args[0].input;
  expect(invoke.FunctionName).toBe(SELF);
  expect(invoke.InvocationType).toBe('Event');
  expect(JSON.parse(new TextDecoder().decode(invoke.Payload as Uint8Array)))
    .toEqual({ ...EVENT, migration: { step: 0, task: task1, startedAt: 5_000 } });
  // It stopped polling with the margin left: 2 minutes minus 30 s leave 6 polls of 15 s.
  expect(clock.slept.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(2 * MINUTE - INVOCATION_MARGIN_MS);
  expect(clock.slept).toHaveLength(6);
});

test('a continued invocation picks up the running step, keeps its start time for the timeout, and moves on', async () => {
  const clock = fakeClock(10 * MINUTE);
  ecs.on(DescribeTasksCommand, { tasks: [task1] }).resolves(stopped(task1, 0));
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task2 }] });
  ecs.on(DescribeTasksCommand, { tasks: [task2] }).resolves(stopped(task2, 0));
  const result = await runMigrations({ ...EVENT, migration: { step: 0, task: task1, startedAt: 1_000 } }, contextOn(clock), config, clock);
  expect(result.outcome).toBe('Succeeded');
  expect(codedeploy).not.toHaveReceivedCommand(GetDeploymentCommand);
  expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  expect(ecs).toHaveReceivedCommandWith(RunTaskCommand, { group: 'migration:drop-old' });

  ecs.reset();
  ecs.on(DescribeTasksCommand).resolves(running(task1));
  ecs.on(StopTaskCommand).resolves({});
  const lateClock = fakeClock(21 * MINUTE);
  const late = await runMigrations({ ...EVENT, migration: { step: 0, task: task1, startedAt: 1_000 } }, contextOn(lateClock), config, lateClock);
  expect(late.outcome).toBe('Failed');
  expect(ecs).toHaveReceivedCommand(StopTaskCommand);
});

test('hands the event to the next hook after the last step instead of reporting', async () => {
  const clock = fakeClock();
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task1 }] });
  ecs.on(DescribeTasksCommand).resolves(stopped(task1, 0));
  const one = { ...config, steps: [config.steps[0]], nextHook: SMOKE };
  const result = await runMigrations(EVENT, contextOn(clock), one, clock);
  expect(result).toEqual({ outcome: 'handedOver', detail: `all 1 migration step(s) succeeded; ${SMOKE} runs next and reports` });
  expect(reported()).toEqual([]);
  const invoke = lambda.commandCalls(InvokeCommand)[0].args[0].input;
  expect(invoke).toMatchObject({ FunctionName: SMOKE, InvocationType: 'Event' });
  expect(JSON.parse(new TextDecoder().decode(invoke.Payload as Uint8Array))).toEqual(EVENT);
});

test('fails when the next hook cannot be invoked', async () => {
  const clock = fakeClock();
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task1 }] });
  ecs.on(DescribeTasksCommand).resolves(stopped(task1, 0));
  lambda.on(InvokeCommand).rejects(new Error('ResourceNotFoundException'));
  const result = await runMigrations(EVENT, contextOn(clock), { ...config, steps: [config.steps[0]], nextHook: SMOKE }, clock);
  expect(result).toEqual({ outcome: 'Failed', detail: `all 1 migration step(s) succeeded, but the next hook ${SMOKE} could not be invoked: ResourceNotFoundException` });
  expect(reported()).toEqual(['d-ABC/hook-exec-1: Failed']);
});

test('a rollback deployment runs no step and reports Succeeded', async () => {
  codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'InProgress', creator: 'codeDeployRollback', rollbackInfo: { rollbackTriggeringDeploymentId: 'd-OLD' } } });
  const clock = fakeClock();
  const result = await runMigrations(EVENT, contextOn(clock), { ...config, nextHook: SMOKE }, clock);
  expect(result).toEqual({ outcome: 'Succeeded', detail: 'a rollback deployment: the previous version runs on the schema as it is; no step run' });
  expect(ecs).not.toHaveReceivedAnyCommand();
  expect(lambda).not.toHaveReceivedAnyCommand();
  expect(reported()).toEqual(['d-ABC/hook-exec-1: Succeeded']);
});

test('a passing DescribeTasks or GetDeployment error does not fail the step', async () => {
  const clock = fakeClock();
  codedeploy.on(GetDeploymentCommand).rejects(new Error('ThrottlingException'));
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task1 }] });
  ecs.on(DescribeTasksCommand).rejectsOnce(new Error('ThrottlingException')).resolves(stopped(task1, 0));
  const result = await runMigrations(EVENT, contextOn(clock), { ...config, steps: [config.steps[0]] }, clock);
  expect(result.outcome).toBe('Succeeded');
  expect(clock.slept).toEqual([15_000]);
});

test('a deployment stopped while a step runs stops the step\'s task and reports nothing', async () => {
  const clock = fakeClock();
  ecs.on(DescribeTasksCommand).resolves(running(task1));
  ecs.on(StopTaskCommand).resolves({});
  codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'Stopped' } });
  const result = await runMigrations({ ...EVENT, migration: { step: 0, task: task1, startedAt: 1 } }, contextOn(clock), config, clock);
  expect(result).toEqual({ outcome: 'ended', detail: `deployment d-ABC is Stopped: step add-col (task ${task1}) stopped, nothing reported` });
  expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER, task: task1, reason: 'deployment d-ABC is Stopped' });
  expect(reported()).toEqual([]);
});

test('fails on a state it did not write', async () => {
  const clock = fakeClock();
  const result = await runMigrations({ ...EVENT, migration: { step: 7, task: task1, startedAt: 1 } }, contextOn(clock), config, clock);
  expect(result).toEqual({ outcome: 'Failed', detail: `unexpected migration state ${JSON.stringify({ step: 7, task: task1, startedAt: 1 })}` });
  expect(reported()).toEqual(['d-ABC/hook-exec-1: Failed']);
});

test('readConfig reads the environment the construct sets, NEXT_HOOK included', () => {
  expect(readConfig({
    CLUSTER,
    SUBNETS: '["subnet-a"]',
    SECURITY_GROUPS: '["sg-1"]',
    POLL_SECONDS: '10',
    STEPS: JSON.stringify([{ id: 'a', taskDefinition: 'td', timeoutMs: 5 }]),
    NEXT_HOOK: SMOKE,
  })).toEqual({ cluster: CLUSTER, subnets: ['subnet-a'], securityGroups: ['sg-1'], steps: [{ id: 'a', taskDefinition: 'td', timeoutMs: 5 }], pollSeconds: 10, nextHook: SMOKE });
});

test('fails when readConfig gets a broken environment', () => {
  expect(() => readConfig({ CLUSTER, SUBNETS: 'nope', SECURITY_GROUPS: '[]', STEPS: '[]' })).toThrow('SUBNETS must be JSON, got "nope"');
  expect(() => readConfig({ CLUSTER, SUBNETS: '[]', SECURITY_GROUPS: '[]', STEPS: '[{"id":"a"}]' }))
    .toThrow(/^CLUSTER, SUBNETS, SECURITY_GROUPS, STEPS and POLL_SECONDS are not a valid configuration/);
});

test('fails when the handler has no configuration: reports Failed rather than letting the hook time out', async () => {
  const result = await handler(EVENT, contextOn(fakeClock()));
  expect(result).toEqual({ outcome: 'Failed', detail: 'the migration hook failed: SUBNETS must be JSON, got undefined' });
  expect(reported()).toEqual(['d-ABC/hook-exec-1: Failed']);
  expect(console.log).toHaveBeenCalledWith(JSON.stringify({ migrationHook: 'Failed', detail: 'the migration hook failed: SUBNETS must be JSON, got undefined' }));
});
