import { DescribeTasksCommand, ECSClient, RunTaskCommand, StopTaskCommand } from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { deploymentIdentity, handler, HookConfig, readConfig, readState, runHook } from '../../src/aws/private/handlers/migration-hook';

const ecs = mockClient(ECSClient);
const CLUSTER = 'arn:aws:ecs:eu-west-1:123456789012:cluster/shop';
const config: HookConfig = {
  cluster: CLUSTER,
  subnets: ['subnet-a', 'subnet-b'],
  securityGroups: ['sg-1'],
  steps: [
    { id: 'add-col', taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/add:1', timeoutMs: 60_000 },
    { id: 'drop-old', taskDefinition: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/drop:1', timeoutMs: 60_000 },
  ],
  pollSeconds: 30,
};
const event = { serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/shop/api', targetServiceRevisionArn: 'arn:aws:ecs:eu-west-1:123456789012:service-revision/shop/api/42' };
const task1 = 'arn:aws:ecs:eu-west-1:123456789012:task/shop/t1';
const task2 = 'arn:aws:ecs:eu-west-1:123456789012:task/shop/t2';

function stopped(exitCode: number | undefined, stoppedReason = 'Essential container in task exited') {
  return { tasks: [{ taskArn: task1, lastStatus: 'STOPPED', stoppedReason, containers: [{ name: 'migration', exitCode }] }] };
}

beforeEach(() => {
  ecs.reset();
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

test('the first call starts the first step in the service network and answers IN_PROGRESS with its task in hookDetails', async () => {
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task1 }] });
  const res = await runHook(event, config, 1_000);
  expect(res).toEqual({
    hookStatus: 'IN_PROGRESS',
    callBackDelay: 30,
    hookDetails: { migrationStep: '0', migrationTask: task1, migrationStartedAt: '1000' },
  });
  expect(ecs).toHaveReceivedCommandTimes(RunTaskCommand, 1);
  const input = ecs.commandCalls(RunTaskCommand)[0].args[0].input;
  expect(input).toMatchObject({
    cluster: CLUSTER,
    taskDefinition: config.steps[0].taskDefinition,
    launchType: 'FARGATE',
    count: 1,
    group: 'migration:add-col',
    networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-a', 'subnet-b'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' } },
  });
  // The same deployment and step always give the same idempotency token.
  expect(input.clientToken).toMatch(/^[0-9a-f]{64}$/);
  await runHook(event, config, 2_000);
  expect(ecs.commandCalls(RunTaskCommand)[1].args[0].input.clientToken).toBe(input.clientToken);
});

test('the idempotency token names the deployment, in either shape of the call, and never the service alone', async () => {
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task1 }] });
  const service = 'arn:aws:ecs:eu-west-1:123456789012:service/shop/api';
  const deployment1 = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/shop/api/d1';
  const deployment2 = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/shop/api/d2';
  const revision = (n: number) => `arn:aws:ecs:eu-west-1:123456789012:service-revision/shop/api/${n}`;
  const tokens: Array<string | undefined> = [];
  for (const call of [
    { resourceArn: deployment1, executionDetails: { serviceArn: service, targetServiceRevisionArn: revision(1) } },
    { resourceArn: deployment2, executionDetails: { serviceArn: service, targetServiceRevisionArn: revision(2) } },
    { executionDetails: { serviceArn: service, targetServiceRevisionArn: revision(3) } },
    { serviceArn: service, targetServiceRevisionArn: revision(4) },
    { serviceArn: service },
  ]) {
    ecs.resetHistory();
    await runHook(call, config, 1_000);
    tokens.push(ecs.commandCalls(RunTaskCommand)[0].args[0].input.clientToken);
  }
  expect(tokens.slice(0, 4).every(t => /^[0-9a-f]{64}$/.test(t!))).toBe(true);
  expect(new Set(tokens.slice(0, 4)).size).toBe(4);
  // Only the service: no token rather than one every deployment of the service would share.
  expect(tokens[4]).toBeUndefined();
  expect(deploymentIdentity({ resourceArn: deployment1, targetServiceRevisionArn: revision(1) })).toBe(deployment1);
  expect(deploymentIdentity({ serviceArn: service })).toBeUndefined();
});

test('a running task keeps the hook IN_PROGRESS with the same hookDetails', async () => {
  ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: task1, lastStatus: 'RUNNING', containers: [{ name: 'migration' }] }] });
  const details = { migrationStep: '0', migrationTask: task1, migrationStartedAt: '1000' };
  const res = await runHook({ ...event, hookDetails: details }, config, 31_000);
  expect(res).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: details });
  expect(ecs).toHaveReceivedCommandWith(DescribeTasksCommand, { cluster: CLUSTER, tasks: [task1] });
  expect(ecs).not.toHaveReceivedCommand(RunTaskCommand);
});

test('exit code 0 starts the next step; exit code 0 of the last step answers SUCCEEDED', async () => {
  ecs.on(DescribeTasksCommand).resolves(stopped(0));
  ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: task2 }] });
  const next = await runHook({ ...event, hookDetails: { migrationStep: '0', migrationTask: task1, migrationStartedAt: '1000' } }, config, 40_000);
  expect(next).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: { migrationStep: '1', migrationTask: task2, migrationStartedAt: '40000' } });
  expect(ecs).toHaveReceivedCommandWith(RunTaskCommand, { taskDefinition: config.steps[1].taskDefinition, group: 'migration:drop-old' });

  const done = await runHook({ ...event, hookDetails: { migrationStep: '1', migrationTask: task2, migrationStartedAt: '40000' } }, config, 70_000);
  expect(done).toEqual({ hookStatus: 'SUCCEEDED' });
});

test('fails when the task exits non-zero, and says so in the log', async () => {
  ecs.on(DescribeTasksCommand).resolves(stopped(3));
  const res = await runHook({ ...event, hookDetails: { migrationStep: '0', migrationTask: task1, migrationStartedAt: '1000' } }, config, 40_000);
  expect(res).toEqual({ hookStatus: 'FAILED' });
  expect(console.log).toHaveBeenCalledWith(JSON.stringify({
    migrationHook: 'FAILED',
    detail: `step add-col: task ${task1} exited with code 3 (Essential container in task exited); see the task's logs`,
  }));
  expect(ecs).not.toHaveReceivedCommand(RunTaskCommand);
});

test('fails when the task stopped without running its container', async () => {
  ecs.on(DescribeTasksCommand).resolves(stopped(undefined, 'CannotPullContainerError: pull access denied'));
  const res = await runHook({ ...event, hookDetails: { migrationStep: '0', migrationTask: task1, migrationStartedAt: '1000' } }, config, 40_000);
  expect(res).toEqual({ hookStatus: 'FAILED' });
  expect(console.log).toHaveBeenCalledWith(JSON.stringify({
    migrationHook: 'FAILED',
    detail: `step add-col: task ${task1} stopped without running its container (CannotPullContainerError: pull access denied); see the task's logs`,
  }));
});

test('fails when ECS does not start the task', async () => {
  ecs.on(RunTaskCommand).resolves({ tasks: [], failures: [{ reason: 'RESOURCE:ENI', detail: 'no free addresses' }] });
  const res = await runHook(event, config, 1_000);
  expect(res).toEqual({ hookStatus: 'FAILED' });
  expect(console.log).toHaveBeenCalledWith(JSON.stringify({ migrationHook: 'FAILED', detail: 'step add-col: ECS did not start the task: RESOURCE:ENI (no free addresses)' }));
});

test('fails when RunTask is refused', async () => {
  ecs.on(RunTaskCommand).rejects(new Error('AccessDeniedException: not authorized'));
  expect(await runHook(event, config, 1_000)).toEqual({ hookStatus: 'FAILED' });
  expect(console.log).toHaveBeenCalledWith(JSON.stringify({ migrationHook: 'FAILED', detail: 'step add-col: RunTask failed: AccessDeniedException: not authorized' }));
});

test('fails when a step runs past its timeout, and stops its task', async () => {
  ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: task1, lastStatus: 'RUNNING', containers: [{ name: 'migration' }] }] });
  ecs.on(StopTaskCommand).resolves({});
  const res = await runHook({ ...event, hookDetails: { migrationStep: '0', migrationTask: task1, migrationStartedAt: '1000' } }, config, 61_001);
  expect(res).toEqual({ hookStatus: 'FAILED' });
  expect(ecs).toHaveReceivedCommandWith(StopTaskCommand, { cluster: CLUSTER, task: task1, reason: 'migration step add-col ran past its timeout' });
});

test('a passing DescribeTasks error keeps polling within the timeout', async () => {
  ecs.on(DescribeTasksCommand).rejects(new Error('ThrottlingException'));
  const details = { migrationStep: '0', migrationTask: task1, migrationStartedAt: '1000' };
  expect(await runHook({ ...event, hookDetails: details }, config, 5_000)).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: details });
});

test('fails on hookDetails it did not write', async () => {
  const res = await runHook({ ...event, hookDetails: { migrationStep: '7', migrationTask: task1, migrationStartedAt: '1000' } }, config, 5_000);
  expect(res).toEqual({ hookStatus: 'FAILED' });
  expect(console.log).toHaveBeenCalledWith(JSON.stringify({
    migrationHook: 'FAILED', detail: `unexpected hookDetails ${JSON.stringify({ migrationStep: '7', migrationTask: task1, migrationStartedAt: '1000' })}`,
  }));
});

test('readConfig reads the environment the construct sets', () => {
  expect(readConfig({
    CLUSTER,
    SUBNETS: '["subnet-a"]',
    SECURITY_GROUPS: '["sg-1"]',
    POLL_SECONDS: '15',
    STEPS: JSON.stringify([{ id: 'a', taskDefinition: 'td', timeoutMs: 5 }]),
  })).toEqual({ cluster: CLUSTER, subnets: ['subnet-a'], securityGroups: ['sg-1'], steps: [{ id: 'a', taskDefinition: 'td', timeoutMs: 5 }], pollSeconds: 15 });
});

test('fails when readConfig gets a broken environment', () => {
  expect(() => readConfig({ CLUSTER, SUBNETS: 'nope', SECURITY_GROUPS: '[]', STEPS: '[]' })).toThrow('SUBNETS must be JSON, got "nope"');
  expect(() => readConfig({ CLUSTER, SUBNETS: '[]', SECURITY_GROUPS: '[]', STEPS: '[{"id":"a"}]' }))
    .toThrow(/^CLUSTER, SUBNETS, SECURITY_GROUPS, STEPS and POLL_SECONDS are not a valid configuration/);
});

test('fails when the handler has no configuration, rather than letting the new revision start', async () => {
  expect(await handler(event)).toEqual({ hookStatus: 'FAILED' });
  expect(console.log).toHaveBeenCalledWith(JSON.stringify({ migrationHook: 'FAILED', detail: 'the migration hook failed: SUBNETS must be JSON, got undefined' }));
});

test('hookDetails given back as a JSON string are read the same', async () => {
  ecs.on(DescribeTasksCommand).resolves({ tasks: [{ taskArn: task1, lastStatus: 'RUNNING', containers: [{ name: 'migration' }] }] });
  const details = { migrationStep: '0', migrationTask: task1, migrationStartedAt: '1000' };
  expect(await runHook({ ...event, hookDetails: JSON.stringify(details) }, config, 5_000)).toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: 30, hookDetails: details });
  expect(readState(undefined)).toEqual({});
  expect(readState('')).toEqual({});
  expect(readState('not json')).toEqual({ migrationStep: 'unreadable', migrationTask: 'not json' });
});
