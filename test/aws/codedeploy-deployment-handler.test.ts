import { CodeDeployClient, CreateDeploymentCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DeploymentEvent, handle, INVOCATION_MARGIN_MS, Outside, readConfig, run } from '../../src/aws/private/handlers/codedeploy-deployment';

const codedeploy = mockClient(CodeDeployClient);
const ecs = mockClient(ECSClient);
const lambda = mockClient(LambdaClient);
const SELF = 'arn:aws:lambda:eu-west-1:123456789012:function:deployer';
const OLD = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:1';
const NEW = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/api:2';
const MINUTE = 60_000;
const CONFIG = { pollMs: 15_000, maxWaitMs: 60 * MINUTE };

const deployEvent = (more: Partial<DeploymentEvent> = {}): DeploymentEvent => ({
  RequestType: 'Update',
  ResponseURL: 'https://cfn-response.example/abc',
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Test/1',
  RequestId: 'req-1',
  LogicalResourceId: 'ApiDeployment',
  PhysicalResourceId: 'app/group',
  ResourceProperties: { TaskDefinition: NEW, ApplicationName: 'app', DeploymentGroupName: 'group', Cluster: 'c', Service: 'svc-arn', AppSpec: '{"version":0.0}' },
  ...more,
});

/** A clock whose sleeps pass instantly, and the responses sent to CloudFormation. */
function outside(): Outside & { sent: any[]; t: () => number } {
  let t = 1_000_000;
  const sent: any[] = [];
  return {
    sent, t: () => t, now: () => t, sleep: async ms => { t += ms; }, respond: async (url, body) => { sent.push({ url, ...JSON.parse(body) }); },
  };
}
const context = (o: Outside, remaining = 15 * MINUTE) => {
  const end = o.now() + remaining;
  return { invokedFunctionArn: SELF, getRemainingTimeInMillis: () => end - o.now() };
};

beforeEach(() => {
  codedeploy.reset();
  ecs.reset();
  lambda.reset();
  ecs.on(DescribeServicesCommand).resolves({ services: [{ taskSets: [{ status: 'PRIMARY', taskDefinition: OLD }, { status: 'ACTIVE', taskDefinition: 'x' }] }] });
  codedeploy.on(CreateDeploymentCommand).resolves({ deploymentId: 'd-1' });
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
});

afterEach(() => jest.restoreAllMocks());

describe('deploy mode', () => {
  test('deploys a new revision with the AppSpec, waits, and answers SUCCESS when the deployment succeeded', async () => {
    codedeploy.on(GetDeploymentCommand).resolvesOnce({ deploymentInfo: { status: 'InProgress' } }).resolves({ deploymentInfo: { status: 'Succeeded' } });
    const o = outside();
    const result = await handle(deployEvent(), context(o), CONFIG, o);
    expect(result.outcome).toBe('SUCCESS');
    expect(ecs).toHaveReceivedCommandWith(DescribeServicesCommand, { cluster: 'c', services: ['svc-arn'] });
    expect(codedeploy).toHaveReceivedCommandWith(CreateDeploymentCommand, {
      applicationName: 'app',
      deploymentGroupName: 'group',
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: '{"version":0.0}' } },
    });
    expect(codedeploy).toHaveReceivedCommandTimes(GetDeploymentCommand, 2);
    expect(o.sent).toEqual([expect.objectContaining({
      url: 'https://cfn-response.example/abc',
      Status: 'SUCCESS',
      PhysicalResourceId: 'app/group',
      RequestId: 'req-1',
      LogicalResourceId: 'ApiDeployment',
      Data: { DeploymentId: 'd-1' },
      Reason: 'CodeDeploy deployment d-1 succeeded',
    })]);
  });

  test('answers FAILED with CodeDeploy\'s error when the deployment fails, so that the stack rolls back', async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'Failed', errorInformation: { code: 'ALARM_ACTIVE', message: 'api-error-rate in ALARM' } } });
    const o = outside();
    const result = await handle(deployEvent(), context(o), CONFIG, o);
    expect(result.outcome).toBe('FAILED');
    expect(o.sent[0]).toMatchObject({ Status: 'FAILED', Reason: 'CodeDeploy deployment d-1 Failed (ALARM_ACTIVE: api-error-rate in ALARM); CodeDeploy rolled the service back' });
  });

  test('a stopped deployment fails the resource too', async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'Stopped' } });
    const o = outside();
    await handle(deployEvent(), context(o), CONFIG, o);
    expect(o.sent[0]).toMatchObject({ Status: 'FAILED', Reason: 'CodeDeploy deployment d-1 Stopped (no error information); CodeDeploy rolled the service back' });
  });

  test('does not deploy when the service already runs the revision (stack creation, or a rollback CodeDeploy already made)', async () => {
    ecs.on(DescribeServicesCommand).resolves({ services: [{ taskSets: [{ status: 'PRIMARY', taskDefinition: NEW }] }] });
    const o = outside();
    const result = await handle(deployEvent({ RequestType: 'Create', PhysicalResourceId: undefined }), context(o), CONFIG, o);
    expect(result.outcome).toBe('SUCCESS');
    expect(codedeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
    expect(o.sent[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app/group', Reason: `the service already runs ${NEW}` });
  });

  test('continues the wait in a new invocation before this one ends, carrying the deployment and when the wait started', async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'InProgress' } });
    const o = outside();
    const start = o.now();
    const result = await handle(deployEvent(), context(o, 2 * MINUTE), CONFIG, o);
    expect(result.outcome).toBe('continued');
    expect(o.sent).toEqual([]);
    expect(o.t() - start).toBeLessThanOrEqual(2 * MINUTE - INVOCATION_MARGIN_MS);
    const payload = JSON.parse(new TextDecoder().decode(lambda.commandCalls(InvokeCommand)[0].args[0].input.Payload as Uint8Array));
    expect(payload).toMatchObject({ DeploymentId: 'd-1', WaitStartedAt: start, RequestId: 'req-1' });
    expect(lambda).toHaveReceivedCommandWith(InvokeCommand, { FunctionName: SELF, InvocationType: 'Event' });
  });

  test('a continued invocation polls the same deployment without creating another', async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'Succeeded' } });
    const o = outside();
    await handle(deployEvent({ DeploymentId: 'd-7', WaitStartedAt: o.now() - 10 * MINUTE }), context(o), CONFIG, o);
    expect(codedeploy).not.toHaveReceivedCommand(CreateDeploymentCommand);
    expect(ecs).not.toHaveReceivedCommand(DescribeServicesCommand);
    expect(codedeploy).toHaveReceivedCommandWith(GetDeploymentCommand, { deploymentId: 'd-7' });
    expect(o.sent[0]).toMatchObject({ Status: 'SUCCESS', Data: { DeploymentId: 'd-7' } });
  });

  test('gives up with FAILED once the wait exceeds what CloudFormation waits for', async () => {
    codedeploy.on(GetDeploymentCommand).resolves({ deploymentInfo: { status: 'Ready' } });
    const o = outside();
    await handle(deployEvent({ DeploymentId: 'd-7', WaitStartedAt: o.now() - 61 * MINUTE }), context(o), CONFIG, o);
    expect(o.sent[0].Status).toBe('FAILED');
    expect(o.sent[0].Reason).toMatch(/^CodeDeploy deployment d-7 is still Ready after 60 minutes, longer than CloudFormation waits/);
  });

  test('deleting the resource changes nothing', async () => {
    const o = outside();
    await handle(deployEvent({ RequestType: 'Delete' }), context(o), CONFIG, o);
    expect(codedeploy).not.toHaveReceivedAnyCommand();
    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(o.sent[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'app/group' });
  });
});

describe('run (the handler with its outside world)', () => {
  test('answers FAILED with the error rather than leaving CloudFormation waiting', async () => {
    ecs.on(DescribeServicesCommand).rejects(new Error('AccessDenied: ecs:DescribeServices'));
    const o = outside();
    const result = await run(deployEvent(), context(o), o);
    expect(result.outcome).toBe('FAILED');
    expect(o.sent[0]).toMatchObject({ Status: 'FAILED', Reason: 'AccessDenied: ecs:DescribeServices', PhysicalResourceId: 'app/group' });
  });

  test('readConfig refuses a broken environment', () => {
    expect(readConfig({ POLL_MS: '5000', MAX_WAIT_MS: '60000' })).toEqual({ pollMs: 5000, maxWaitMs: 60000 });
    expect(() => readConfig({ POLL_MS: 'soon' })).toThrow('POLL_MS and MAX_WAIT_MS must be positive numbers, got {"POLL_MS":"soon"}');
  });
});
