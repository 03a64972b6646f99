import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { CodeDeployClient, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Clock, readConfig, firingAlarms, handler, INVOCATION_MARGIN_MS, KeepConfig, KeepContext, keepWindow } from '../../src/aws/private/handlers/keep-window';

const cloudwatch = mockClient(CloudWatchClient);
const codedeploy = mockClient(CodeDeployClient);
const lambda = mockClient(LambdaClient);
const SELF = 'arn:aws:lambda:eu-west-1:123456789012:function:keep-window';
const EVENT = { DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'hook-1' };
const MINUTE = 60_000;

/** A clock whose sleeps pass instantly; `start` is the epoch time at the first call. */
function fakeClock(start = 1_000_000): Clock & { slept: number[]; t: () => number } {
  let t = start;
  const slept: number[] = [];
  return { slept, t: () => t, now: () => t, sleep: async ms => { slept.push(ms); t += ms; } };
}

/** A Lambda context with `remaining` milliseconds left at the start, counted on `clock`. */
function contextOn(clock: Clock, remaining: number): KeepContext {
  const end = clock.now() + remaining;
  return { invokedFunctionArn: SELF, getRemainingTimeInMillis: () => end - clock.now() };
}

const alarm = (name: string, state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA') => ({ AlarmName: name, StateValue: state as any });
const cfg = (more: Partial<KeepConfig> = {}): KeepConfig => ({ keepMs: 5 * MINUTE, alarmNames: ['fn-error-rate', 'fn-latency-p99'], pollMs: 30_000, ...more });

beforeEach(() => {
  cloudwatch.reset();
  codedeploy.reset();
  lambda.reset();
  codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'InProgress' } });
  codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: 'hook-1' });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('fn-error-rate', 'OK'), alarm('fn-latency-p99', 'INSUFFICIENT_DATA')] });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('firingAlarms', () => {
  test('asks for the metric and composite alarms by name and returns those in ALARM', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('a', 'OK'), alarm('b', 'ALARM')], CompositeAlarms: [alarm('any', 'ALARM')] });
    await expect(firingAlarms(['a', 'b', 'any'])).resolves.toEqual(['any', 'b']);
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['a', 'b', 'any'], AlarmTypes: ['MetricAlarm', 'CompositeAlarm'] });
  });

  test('asks nothing when there are no alarms', async () => {
    await expect(firingAlarms([])).resolves.toEqual([]);
    expect(cloudwatch).not.toHaveReceivedAnyCommand();
  });
});

describe('keepWindow', () => {
  test('keeps the deployment open for the window, polling, then reports Succeeded', async () => {
    const clock = fakeClock();
    const result = await keepWindow(EVENT, contextOn(clock, 15 * MINUTE), cfg(), clock);
    expect(result).toEqual({ outcome: 'Succeeded', detail: 'no rollback alarm fired during the 300000ms window' });
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(5 * MINUTE);
    expect(clock.slept.every(ms => ms <= 30_000)).toBe(true);
    expect(cloudwatch).toHaveReceivedCommandTimes(DescribeAlarmsCommand, 11);
    expect(codedeploy).toHaveReceivedCommandTimes(PutLifecycleEventHookExecutionStatusCommand, 1);
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, { deploymentId: 'd-1', lifecycleEventHookExecutionId: 'hook-1', status: 'Succeeded' });
    expect(codedeploy).toHaveReceivedCommandWith(GetDeploymentCommand, { deploymentId: 'd-1' });
  });

  test('reports Failed as soon as a rollback alarm is in ALARM, naming it', async () => {
    cloudwatch.on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [alarm('fn-error-rate', 'OK')] })
      .resolves({ MetricAlarms: [alarm('fn-error-rate', 'ALARM'), alarm('fn-latency-p99', 'OK')] });
    const clock = fakeClock();
    const result = await keepWindow(EVENT, contextOn(clock, 15 * MINUTE), cfg(), clock);
    expect(result).toEqual({ outcome: 'Failed', detail: 'rollback alarm(s) in ALARM: fn-error-rate' });
    expect(clock.slept).toEqual([30_000]);
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, { status: 'Failed' });
    expect(codedeploy).not.toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, { status: 'Succeeded' });
  });

  test('stops without reporting when the deployment has ended (CodeDeploy rolled it back on an alarm, or it was stopped)', async () => {
    codedeploy.on(GetDeploymentCommand).resolvesOnce({ deploymentInfo: { status: 'InProgress' } }).resolves({ deploymentInfo: { status: 'Stopped' } });
    const clock = fakeClock();
    await expect(keepWindow(EVENT, contextOn(clock, 15 * MINUTE), cfg(), clock)).resolves.toEqual({ outcome: 'ended', detail: 'the deployment is Stopped; nothing left to keep' });
    expect(codedeploy).not.toHaveReceivedCommand(PutLifecycleEventHookExecutionStatusCommand);
  });

  test('continues a window longer than its invocation in a new asynchronous invocation that carries the end', async () => {
    const clock = fakeClock(1_000_000);
    const result = await keepWindow(EVENT, contextOn(clock, 15 * MINUTE), cfg({ keepMs: 40 * MINUTE }), clock);
    expect(result.outcome).toBe('continued');
    expect(codedeploy).not.toHaveReceivedCommand(PutLifecycleEventHookExecutionStatusCommand);
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(input.FunctionName).toBe(SELF);
    expect(input.InvocationType).toBe('Event');
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({ ...EVENT, keepUntil: 1_000_000 + 40 * MINUTE });
    // It waited as long as the invocation allowed, keeping the margin for the continuation.
    expect(clock.t() - 1_000_000).toBeLessThanOrEqual(15 * MINUTE - INVOCATION_MARGIN_MS);
    expect(clock.t() - 1_000_000).toBeGreaterThan(15 * MINUTE - INVOCATION_MARGIN_MS - 30_000);
  });

  test('a rollback deployment is not held: it reports Succeeded at once', async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'InProgress', creator: 'codeDeployRollback', rollbackInfo: { rollbackTriggeringDeploymentId: 'd-0' } } });
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('fn-error-rate', 'ALARM')] });
    const clock = fakeClock();
    await expect(keepWindow(EVENT, contextOn(clock, 15 * MINUTE), cfg(), clock))
      .resolves.toEqual({ outcome: 'Succeeded', detail: 'a rollback deployment, back to the previous version: nothing to keep' });
    expect(clock.slept).toEqual([]);
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, { status: 'Succeeded' });
  });

  test('a continuation waits until the carried end of the window, then reports Succeeded', async () => {
    const clock = fakeClock(1_000_000);
    const continued = { ...EVENT, keepUntil: 1_000_000 + 2 * MINUTE };
    const result = await keepWindow(continued, contextOn(clock, 15 * MINUTE), cfg({ keepMs: 40 * MINUTE }), clock);
    expect(result.outcome).toBe('Succeeded');
    expect(clock.t()).toBe(1_000_000 + 2 * MINUTE);
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
  });

  test('a failing poll is logged and the wait goes on', async () => {
    cloudwatch.on(DescribeAlarmsCommand).rejectsOnce(new Error('Throttling')).resolves({ MetricAlarms: [alarm('fn-error-rate', 'OK')] });
    codedeploy.on(GetDeploymentCommand).rejectsOnce(new Error('Throttling')).resolves({ deploymentInfo: { status: 'InProgress' } });
    const clock = fakeClock();
    await expect(keepWindow(EVENT, contextOn(clock, 15 * MINUTE), cfg({ keepMs: MINUTE }), clock)).resolves.toMatchObject({ outcome: 'Succeeded' });
    expect(console.log).toHaveBeenCalledWith(JSON.stringify({ keepWindow: 'warning', detail: 'could not read the alarms: Throttling' }));
    expect(console.log).toHaveBeenCalledWith(JSON.stringify({ keepWindow: 'warning', detail: 'could not read the deployment: Throttling' }));
  });

  test('reports Failed when the alarms cannot be read at the end of the window', async () => {
    cloudwatch.on(DescribeAlarmsCommand).rejects(new Error('AccessDenied'));
    const clock = fakeClock();
    await expect(keepWindow(EVENT, contextOn(clock, 15 * MINUTE), cfg({ keepMs: MINUTE }), clock))
      .resolves.toEqual({ outcome: 'Failed', detail: 'could not read the rollback alarms at the end of the window: AccessDenied' });
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, { status: 'Failed' });
  });

  test('without alarms it only holds the window (a stopped deployment still rolls back)', async () => {
    const clock = fakeClock();
    await expect(keepWindow(EVENT, contextOn(clock, 15 * MINUTE), cfg({ alarmNames: [], keepMs: MINUTE }), clock)).resolves.toMatchObject({ outcome: 'Succeeded' });
    expect(cloudwatch).not.toHaveReceivedAnyCommand();
  });
});

describe('config and handler', () => {
  const env = process.env;
  afterEach(() => {
    process.env = env;
  });

  test('reads the window, the alarm names and the poll period', () => {
    expect(readConfig({ KEEP_MS: '300000', ALARM_NAMES: '["a","b"]', POLL_MS: '30000' })).toEqual({ keepMs: 300000, alarmNames: ['a', 'b'], pollMs: 30000 });
  });

  test('fails when the window is missing', () => {
    expect(() => readConfig({ ALARM_NAMES: '[]' })).toThrow(/KEEP_MS and POLL_MS must be positive numbers and ALARM_NAMES a JSON array, got/);
  });

  test('the handler reports Failed when it is misconfigured rather than letting the hook time out', async () => {
    process.env = { ...env, ALARM_NAMES: '[]' };
    const clock = fakeClock();
    await expect(handler(EVENT, contextOn(clock, MINUTE))).resolves.toMatchObject({ outcome: 'Failed' });
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, { deploymentId: 'd-1', lifecycleEventHookExecutionId: 'hook-1', status: 'Failed' });
  });
});
