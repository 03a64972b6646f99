import * as http from 'http';
import { AddressInfo } from 'net';
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { check, config, handler } from '../../src/aws/private/handlers/smoke-test';

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/health') {
      res.writeHead(200).end('ok');
    } else if (req.url === '/slow') {
      setTimeout(() => res.writeHead(200).end('late'), 500);
    } else {
      res.writeHead(503).end('down');
    }
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

describe('check', () => {
  test('passes when the status is the expected one', async () => {
    await expect(check(`${base}/health`, 200, 2000)).resolves.toEqual({ ok: true, detail: `GET ${base}/health answered 200` });
  });

  test('fails when the status differs', async () => {
    await expect(check(`${base}/broken`, 200, 2000)).resolves.toEqual({ ok: false, detail: `GET ${base}/broken answered 503, expected 200` });
  });

  test('passes when an error status is what was expected', async () => {
    await expect(check(`${base}/broken`, 503, 2000)).resolves.toMatchObject({ ok: true });
  });

  test('fails when the answer takes longer than the timeout', async () => {
    await expect(check(`${base}/slow`, 200, 50)).resolves.toEqual({ ok: false, detail: `GET ${base}/slow did not answer within 50ms` });
  });

  test('fails when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise(resolve => closed.close(resolve));
    const result = await check(`http://127.0.0.1:${port}/`, 200, 2000);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/failed: connect ECONNREFUSED/);
  });

  test('fails when the URL is not a URL', async () => {
    await expect(check('not a url', 200, 100)).resolves.toEqual({ ok: false, detail: 'invalid TARGET_URL "not a url"' });
  });
});

describe('config', () => {
  test('reads the URL, status and timeout from the environment', () => {
    expect(config({ TARGET_URL: 'http://x:9000/h', EXPECT_STATUS: '204', TIMEOUT_MS: '1500' })).toEqual({ url: 'http://x:9000/h', expectStatus: 204, timeoutMs: 1500 });
  });

  test('defaults to 200 within 10 seconds', () => {
    expect(config({ TARGET_URL: 'http://x/' })).toEqual({ url: 'http://x/', expectStatus: 200, timeoutMs: 10000 });
  });
});

describe('handler', () => {
  const codedeploy = mockClient(CodeDeployClient);
  const env = process.env;

  beforeEach(() => {
    codedeploy.reset();
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: 'hook-1' });
    process.env = { ...env, EXPECT_STATUS: '200', TIMEOUT_MS: '2000' };
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    process.env = env;
    jest.restoreAllMocks();
  });

  test('as an ECS lifecycle hook, answers SUCCEEDED when the check passes, without calling CodeDeploy', async () => {
    process.env.TARGET_URL = `${base}/health`;
    const event = { executionDetails: { serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/c/s' }, lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' };
    await expect(handler(event)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(codedeploy).not.toHaveReceivedAnyCommand();
  });

  test('as an ECS lifecycle hook, answers FAILED when the check fails', async () => {
    process.env.TARGET_URL = `${base}/broken`;
    await expect(handler({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' })).resolves.toEqual({ hookStatus: 'FAILED' });
  });

  test('as a CodeDeploy hook, reports Succeeded for this deployment and hook execution', async () => {
    process.env.TARGET_URL = `${base}/health`;
    await expect(handler({ DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'hook-1' })).resolves.toEqual({ status: 'Succeeded' });
    expect(codedeploy).toHaveReceivedCommandTimes(PutLifecycleEventHookExecutionStatusCommand, 1);
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, {
      deploymentId: 'd-123', lifecycleEventHookExecutionId: 'hook-1', status: 'Succeeded',
    });
  });

  test('as a CodeDeploy hook, reports Failed when the check fails', async () => {
    process.env.TARGET_URL = `${base}/broken`;
    await expect(handler({ DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'hook-2' })).resolves.toEqual({ status: 'Failed' });
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, {
      deploymentId: 'd-123', lifecycleEventHookExecutionId: 'hook-2', status: 'Failed',
    });
  });

  test('as a CodeDeploy hook, fails the invocation when the status cannot be reported, so CodeDeploy times the hook out', async () => {
    process.env.TARGET_URL = `${base}/health`;
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new Error('AccessDenied'));
    await expect(handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h' })).rejects.toThrow('AccessDenied');
  });

  test('logs the outcome', async () => {
    process.env.TARGET_URL = `${base}/broken`;
    await handler({});
    expect(console.log).toHaveBeenCalledWith(JSON.stringify({ smokeTest: 'failed', detail: `GET ${base}/broken answered 503, expected 200` }));
  });
});
