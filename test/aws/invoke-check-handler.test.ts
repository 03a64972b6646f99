import { CodeDeployClient, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { Clock, readConfig, difference, handler, InvokeConfig, invokeOnce, run, targetVersionOf } from '../../src/aws/private/handlers/invoke-check';

const VERSION = 'arn:aws:lambda:eu-west-1:123456789012:function:orders:7';
const lambda = mockClient(LambdaClient);
const codedeploy = mockClient(CodeDeployClient);

/** The AppSpec CloudFormation gives CodeDeploy for an alias update. */
const appSpec = (target: string) => JSON.stringify({
  version: 0.0,
  Resources: [{ orders: { Type: 'AWS::Lambda::Function', Properties: { Name: 'orders', Alias: 'live', CurrentVersion: '6', TargetVersion: target } } }],
});
const deploymentTo = (target: string, more: object = {}) => ({
  deploymentInfo: { status: 'InProgress' as const, creator: 'CloudFormation' as const, revision: { revisionType: 'AppSpecContent' as const, appSpecContent: { content: appSpec(target) } }, ...more },
});

const answer = (value: unknown, functionError?: string) =>
  ({ StatusCode: 200, Payload: new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)) as any, FunctionError: functionError });

function configWith(more: Partial<InvokeConfig> = {}): InvokeConfig {
  return { functionArn: VERSION, payload: '{"ping":true}', timeoutMs: 2000, retries: 0, retryIntervalMs: 1000, deadlineMs: 60000, ...more };
}

function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async ms => { slept.push(ms); t += ms; } };
}

beforeEach(() => {
  lambda.reset();
  codedeploy.reset();
});

describe('difference', () => {
  test('objects match field by field, recursively, extra fields allowed', () => {
    expect(difference({ statusCode: 200, body: { ok: true } }, { statusCode: 200, body: { ok: true, extra: 1 }, headers: {} })).toBeUndefined();
    expect(difference({ statusCode: 200 }, { statusCode: 500 })).toBe('result.statusCode is 500, expected 200');
    expect(difference({ body: { ok: true } }, { body: { ok: false } })).toBe('result.body.ok is false, expected true');
    expect(difference({ body: {} }, {})).toBe('result.body is missing');
    expect(difference({ a: 1 }, [1])).toBe('result is [1], expected an object');
  });

  test('arrays and scalars must be equal', () => {
    expect(difference([1, 2], [1, 2])).toBeUndefined();
    expect(difference([1, 2], [1, 2, 3])).toBe('result is [1,2,3], expected [1,2]');
    expect(difference('pong', 'pong')).toBeUndefined();
  });
});

describe('invokeOnce', () => {
  test('invokes the version synchronously with the payload and passes on a matching result', async () => {
    lambda.on(InvokeCommand).resolves(answer({ statusCode: 200, body: 'pong' }));
    await expect(invokeOnce(configWith({ expectResult: { statusCode: 200 } }), 2000)).resolves.toEqual({ ok: true, detail: 'the new version answered {"statusCode":200,"body":"pong"}' });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 1);
    const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
    expect(input.FunctionName).toBe(VERSION);
    expect(input.InvocationType).toBe('RequestResponse');
    expect(new TextDecoder().decode(input.Payload as Uint8Array)).toBe('{"ping":true}');
  });

  test('fails when the function returns an error, with its message', async () => {
    lambda.on(InvokeCommand).resolves(answer({ errorType: 'TypeError', errorMessage: 'x is undefined' }, 'Unhandled'));
    await expect(invokeOnce(configWith(), 2000)).resolves.toEqual({
      ok: false, detail: 'the function returned an error (Unhandled): {"errorType":"TypeError","errorMessage":"x is undefined"}',
    });
  });

  test('fails when the result differs from expectResult, naming the field', async () => {
    lambda.on(InvokeCommand).resolves(answer({ statusCode: 500 }));
    await expect(invokeOnce(configWith({ expectResult: { statusCode: 200 } }), 2000)).resolves.toEqual({ ok: false, detail: 'result.statusCode is 500, expected 200' });
  });

  test('fails when the result does not contain expectResultContains', async () => {
    lambda.on(InvokeCommand).resolves(answer('"pang"'));
    await expect(invokeOnce(configWith({ expectResultContains: 'pong' }), 2000)).resolves.toEqual({ ok: false, detail: 'the result does not contain "pong": "pang"' });
  });

  test('fails when expectResult is set and the result is not JSON', async () => {
    lambda.on(InvokeCommand).resolves(answer('not json'));
    await expect(invokeOnce(configWith({ expectResult: 'x' }), 2000)).resolves.toEqual({ ok: false, detail: 'the result is not JSON: not json' });
  });

  test('fails when the invocation is refused', async () => {
    const denied = new Error('not authorized to perform: lambda:InvokeFunction');
    denied.name = 'AccessDeniedException';
    lambda.on(InvokeCommand).rejects(denied);
    await expect(invokeOnce(configWith(), 2000)).resolves.toEqual({ ok: false, detail: 'the invocation failed: AccessDeniedException: not authorized to perform: lambda:InvokeFunction' });
  });

  test('fails when no result comes within the timeout', async () => {
    lambda.on(InvokeCommand).callsFake(() => new Promise(() => undefined));
    await expect(invokeOnce(configWith(), 30)).resolves.toEqual({ ok: false, detail: 'no result within 30ms' });
  });
});

describe('run', () => {
  test('retries a failed invocation retryInterval apart and passes when a retry passes', async () => {
    lambda.on(InvokeCommand).resolvesOnce(answer({ ready: false })).resolvesOnce(answer({ ready: false })).resolves(answer({ ready: true }));
    const clock = fakeClock();
    await expect(run(configWith({ retries: 3, retryIntervalMs: 2500, expectResult: { ready: true } }), clock)).resolves.toMatchObject({ ok: true });
    expect(lambda).toHaveReceivedCommandTimes(InvokeCommand, 3);
    expect(clock.slept).toEqual([2500, 2500]);
  });

  test('fails with the last failure after the retries', async () => {
    lambda.on(InvokeCommand).resolves(answer({ ready: false }));
    await expect(run(configWith({ retries: 1, expectResult: { ready: true } }), fakeClock())).resolves.toEqual({ ok: false, detail: 'result.ready is false, expected true (after 2 attempts)' });
  });

  test('fails when the deadline passes', async () => {
    lambda.on(InvokeCommand).resolves(answer({ ready: false }));
    const clock = fakeClock();
    await expect(run(configWith({ retries: 10, retryIntervalMs: 3000, deadlineMs: 5000, expectResult: { ready: true } }), clock))
      .resolves.toEqual({ ok: false, detail: 'result.ready is false, expected true; the deadline of 5000ms passed after 2 attempt(s)' });
    expect(clock.slept).toEqual([3000, 2000]);
  });
});

describe('targetVersionOf', () => {
  test('reads TargetVersion from a JSON or YAML AppSpec', () => {
    expect(targetVersionOf(appSpec('7'))).toBe('7');
    expect(targetVersionOf('version: 0.0\nResources:\n  - orders:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: orders\n        Alias: live\n        CurrentVersion: "6"\n        TargetVersion: "7"\n')).toBe('7');
    expect(targetVersionOf(undefined)).toBeUndefined();
    expect(targetVersionOf('{"Resources":[]}')).toBeUndefined();
  });
});

describe('config', () => {
  test('reads the version, payload, expectations and timing', () => {
    expect(readConfig({ TARGET_FUNCTION: VERSION, PAYLOAD: '{"a":1}', EXPECT_RESULT: '{"ok":true}', EXPECT_RESULT_CONTAINS: 'ok', TIMEOUT_MS: '3000', RETRIES: '2', RETRY_INTERVAL_MS: '100', DEADLINE_MS: '9000' }))
      .toEqual({ functionArn: VERSION, payload: '{"a":1}', expectResult: { ok: true }, expectResultContains: 'ok', timeoutMs: 3000, retries: 2, retryIntervalMs: 100, deadlineMs: 9000 });
  });

  test('fails when the version is missing', () => {
    expect(() => readConfig({})).toThrow('TARGET_FUNCTION is not set');
  });
});

describe('handler', () => {
  const env = process.env;

  beforeEach(() => {
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: 'hook-1' });
    codedeploy.on(GetDeploymentCommand).resolves(deploymentTo('7'));
    process.env = { ...env, TARGET_FUNCTION: VERSION, PAYLOAD: '{}', EXPECT_RESULT: '{"ok":true}', TIMEOUT_MS: '2000', RETRIES: '0', RETRY_INTERVAL_MS: '10', DEADLINE_MS: '5000' };
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    process.env = env;
    jest.restoreAllMocks();
  });

  test('reports Succeeded when the new version answers as expected', async () => {
    lambda.on(InvokeCommand).resolves(answer({ ok: true }));
    await expect(handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'hook-1' })).resolves.toEqual({ status: 'Succeeded' });
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, { deploymentId: 'd-1', lifecycleEventHookExecutionId: 'hook-1', status: 'Succeeded' });
  });

  test('reports Failed and logs why when the new version answers otherwise', async () => {
    lambda.on(InvokeCommand).resolves(answer({ ok: false }));
    await expect(handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'hook-2' })).resolves.toEqual({ status: 'Failed' });
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, { deploymentId: 'd-1', lifecycleEventHookExecutionId: 'hook-2', status: 'Failed' });
    expect(console.log).toHaveBeenCalledWith(JSON.stringify({ smokeTest: 'failed', target: VERSION, detail: 'result.ok is false, expected true' }));
  });

  test('reads the deployment it runs in before invoking', async () => {
    lambda.on(InvokeCommand).resolves(answer({ ok: true }));
    await handler({ DeploymentId: 'd-9', LifecycleEventHookExecutionId: 'hook-1' });
    expect(codedeploy).toHaveReceivedCommandWith(GetDeploymentCommand, { deploymentId: 'd-9' });
  });

  test('a rollback deployment reports Succeeded without invoking the version it replaces', async () => {
    codedeploy.on(GetDeploymentCommand).resolves(deploymentTo('6', { creator: 'codeDeployRollback', rollbackInfo: { rollbackTriggeringDeploymentId: 'd-1' } }));
    await expect(handler({ DeploymentId: 'd-2', LifecycleEventHookExecutionId: 'hook-1' })).resolves.toEqual({ status: 'Succeeded' });
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(console.log).toHaveBeenCalledWith(JSON.stringify({ smokeTest: 'passed', target: VERSION, detail: 'a rollback deployment, back to the previous version: not smoke-tested' }));
  });

  test('fails when the deployment shifts to another version than the one it checks', async () => {
    codedeploy.on(GetDeploymentCommand).resolves(deploymentTo('9', { creator: 'user' }));
    await expect(handler({ DeploymentId: 'd-3', LifecycleEventHookExecutionId: 'hook-1' })).resolves.toEqual({ status: 'Failed' });
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
    expect(console.log).toHaveBeenCalledWith(JSON.stringify({
      smokeTest: 'failed',
      target: VERSION,
      detail: 'the deployment shifts the alias to version 9, but this smoke test checks version 7, the one the stack deploys; deploy new versions through the stack',
    }));
  });

  test('reports Failed when the deployment cannot be read', async () => {
    codedeploy.on(GetDeploymentCommand).rejects(new Error('AccessDenied'));
    await expect(handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h' })).resolves.toEqual({ status: 'Failed' });
    expect(console.log).toHaveBeenCalledWith(expect.stringContaining('the smoke test could not run: AccessDenied'));
  });

  test('reports Failed when it is misconfigured, without invoking anything', async () => {
    delete process.env.TARGET_FUNCTION;
    await expect(handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h' })).resolves.toEqual({ status: 'Failed' });
    expect(lambda).not.toHaveReceivedCommand(InvokeCommand);
  });

  test('fails the invocation when the status cannot be reported', async () => {
    lambda.on(InvokeCommand).resolves(answer({ ok: true }));
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new Error('AccessDenied'));
    await expect(handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h' })).rejects.toThrow('AccessDenied');
  });
});
