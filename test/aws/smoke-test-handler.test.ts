import * as http from 'http';
import { AddressInfo } from 'net';
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { check, Clock, readConfig, handler, runAll, SmokeConfig, SmokeRequest } from '../../src/aws/private/handlers/smoke-test';

let server: http.Server;
let base: string;
/** Requests seen by the server, as "METHOD path body". */
let seen: string[];
/** Answers of /flaky: 503 this many more times, then 200. */
let flakyFailures = 0;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', c => body += c);
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}${body ? ` ${body}` : ''}`);
      if (req.url === '/health') {
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-version': 'v2' }).end('{"status":"ok","version":"v2"}');
      } else if (req.url === '/slow') {
        setTimeout(() => res.writeHead(200).end('late'), 500);
      } else if (req.url === '/orders' && req.method === 'POST') {
        res.writeHead(201).end(`created ${body}`);
      } else if (req.url === '/host') {
        res.writeHead(req.headers.host === 'api.example.com' ? 200 : 404).end();
      } else if (req.url === '/flaky') {
        if (flakyFailures > 0) {
          flakyFailures--;
          res.writeHead(503).end('warming up');
        } else {
          res.writeHead(200).end('ready');
        }
      } else {
        res.writeHead(503).end('down');
      }
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  seen = [];
  flakyFailures = 0;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

const get = (path: string, more: Partial<SmokeRequest> = {}): SmokeRequest => ({ method: 'GET', path, expectStatus: 200, ...more });

/** A clock whose sleeps pass instantly and are recorded. */
function fakeClock(): Clock & { slept: number[] } {
  let t = 0;
  const slept: number[] = [];
  return {
    slept,
    now: () => t,
    sleep: async ms => {
      slept.push(ms);
      t += ms;
    },
  };
}

function configWith(requests: SmokeRequest[], more: Partial<SmokeConfig> = {}): SmokeConfig {
  return { baseUrl: base, requests, timeoutMs: 2000, retries: 0, retryIntervalMs: 1000, deadlineMs: 60000, ...more };
}

describe('check', () => {
  test('passes when the status is the expected one', async () => {
    await expect(check(base, get('/health'), 2000)).resolves.toEqual({ ok: true, detail: 'GET /health: answered 200' });
  });

  test('fails when the status differs', async () => {
    await expect(check(base, get('/broken'), 2000)).resolves.toEqual({ ok: false, detail: 'GET /broken: answered 503, expected 200' });
  });

  test('passes when an error status is what was expected', async () => {
    await expect(check(base, get('/broken', { expectStatus: 503 }), 2000)).resolves.toMatchObject({ ok: true });
  });

  test('fails when the answer takes longer than the timeout', async () => {
    await expect(check(base, get('/slow'), 50)).resolves.toEqual({ ok: false, detail: 'GET /slow: no answer within 50ms' });
  });

  test('fails when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise(resolve => closed.close(resolve));
    const result = await check(`http://127.0.0.1:${port}`, get('/'), 2000);
    expect(result.ok).toBe(false);
    expect(result.detail).toMatch(/^GET \/: request failed: connect ECONNREFUSED/);
  });

  test('a path that looks like another host stays on the test listener', async () => {
    await expect(check(base, get('//example.com/health'), 2000)).resolves.toEqual({ ok: false, detail: 'GET //example.com/health: answered 503, expected 200' });
    expect(seen).toEqual(['GET //example.com/health']);
  });

  test('fails when the base URL is not a URL', async () => {
    await expect(check('not a url', get('/'), 100)).resolves.toEqual({ ok: false, detail: 'GET /: invalid URL from BASE_URL "not a url"' });
  });

  test('checks the body for a text and a pattern', async () => {
    await expect(check(base, get('/health', { expectBodyContains: '"status":"ok"', expectBodyMatches: '"version":"v\\d+"' }), 2000)).resolves.toMatchObject({ ok: true });
    await expect(check(base, get('/health', { expectBodyContains: 'v3' }), 2000)).resolves.toEqual({
      ok: false, detail: 'GET /health: the body does not contain "v3" (body starts with "{\\"status\\":\\"ok\\",\\"version\\":\\"v2\\"}")',
    });
    await expect(check(base, get('/health', { expectBodyMatches: '^ok$' }), 2000)).resolves.toEqual({
      ok: false, detail: 'GET /health: the body does not match /^ok$/ (body starts with "{\\"status\\":\\"ok\\",\\"version\\":\\"v2\\"}")',
    });
  });

  test('checks response headers, names case-insensitive, values by containment', async () => {
    await expect(check(base, get('/health', { expectHeaders: { 'Content-Type': 'application/json', 'X-Version': '' } }), 2000)).resolves.toMatchObject({ ok: true });
    await expect(check(base, get('/health', { expectHeaders: { 'x-version': 'v3' } }), 2000)).resolves.toEqual({
      ok: false, detail: 'GET /health: header x-version is "v2", expected it to contain "v3"',
    });
    await expect(check(base, get('/health', { expectHeaders: { 'x-missing': '' } }), 2000)).resolves.toEqual({
      ok: false, detail: 'GET /health: header x-missing is missing',
    });
  });

  test('sends the method, headers and body', async () => {
    await expect(check(base, { method: 'POST', path: '/orders', body: '{"id":1}', headers: { 'content-type': 'application/json' }, expectStatus: 201, expectBodyContains: 'created {"id":1}' }, 2000))
      .resolves.toMatchObject({ ok: true });
    await expect(check(base, get('/host', { headers: { Host: 'api.example.com' } }), 2000)).resolves.toMatchObject({ ok: true });
    expect(seen).toEqual(['POST /orders {"id":1}', 'GET /host']);
  });
});

describe('runAll', () => {
  test('runs every request in order and passes when all pass', async () => {
    const result = await runAll(configWith([get('/health'), { method: 'POST', path: '/orders', body: 'x', expectStatus: 201 }]), fakeClock());
    expect(result).toEqual({ ok: true, detail: 'GET /health: answered 200; POST /orders: answered 201' });
    expect(seen).toEqual(['GET /health', 'POST /orders x']);
  });

  test('names the request that failed and stops there', async () => {
    const result = await runAll(configWith([get('/health'), get('/broken'), get('/health')]), fakeClock());
    expect(result).toEqual({ ok: false, detail: 'request 2 of 3 failed: GET /broken: answered 503, expected 200' });
    expect(seen).toEqual(['GET /health', 'GET /broken']);
  });

  test('retries a failed request, retryInterval apart, and passes when a retry passes', async () => {
    flakyFailures = 2;
    const clock = fakeClock();
    const result = await runAll(configWith([get('/flaky')], { retries: 3, retryIntervalMs: 1500 }), clock);
    expect(result).toEqual({ ok: true, detail: 'GET /flaky: answered 200' });
    expect(seen).toEqual(['GET /flaky', 'GET /flaky', 'GET /flaky']);
    expect(clock.slept).toEqual([1500, 1500]);
  });

  test('fails after the last retry with the last failure', async () => {
    flakyFailures = 5;
    const result = await runAll(configWith([get('/flaky')], { retries: 2 }), fakeClock());
    expect(result).toEqual({ ok: false, detail: 'request 1 of 1 failed: GET /flaky: answered 503, expected 200 (after 3 attempts)' });
    expect(seen).toHaveLength(3);
  });

  test('fails when the deadline passes during retries, with the last failure', async () => {
    flakyFailures = 100;
    const clock = fakeClock();
    const result = await runAll(configWith([get('/flaky')], { retries: 10, retryIntervalMs: 4000, deadlineMs: 10000 }), clock);
    expect(result).toEqual({ ok: false, detail: 'request 1 of 1 failed: GET /flaky: answered 503, expected 200; the deadline of 10000ms passed after 3 attempt(s)' });
    expect(clock.slept).toEqual([4000, 4000, 2000]);
  });

  test('fails when the deadline passes before a request is tried', async () => {
    flakyFailures = 100;
    const result = await runAll(configWith([get('/flaky'), get('/health')], { retries: 1, retryIntervalMs: 5000, deadlineMs: 5000 }), fakeClock());
    expect(result.ok).toBe(false);
    expect(result.detail).toBe('request 1 of 2 failed: GET /flaky: answered 503, expected 200; the deadline of 5000ms passed after 1 attempt(s)');
    expect(seen).toEqual(['GET /flaky']);
  });
});

describe('config', () => {
  test('reads the base URL, requests and timing from the environment', () => {
    expect(readConfig({ BASE_URL: 'http://x:9000', REQUESTS: '[{"method":"GET","path":"/h","expectStatus":204}]', TIMEOUT_MS: '1500', RETRIES: '2', RETRY_INTERVAL_MS: '700', DEADLINE_MS: '9000' }))
      .toEqual({ baseUrl: 'http://x:9000', requests: [{ method: 'GET', path: '/h', expectStatus: 204 }], timeoutMs: 1500, retries: 2, retryIntervalMs: 700, deadlineMs: 9000 });
  });

  test('fails when the requests are missing or a number is broken', () => {
    expect(() => readConfig({ BASE_URL: 'http://x' })).toThrow('REQUESTS must be a non-empty JSON array');
    expect(() => readConfig({ REQUESTS: '[{}]', RETRIES: 'many' })).toThrow('RETRIES must be a non-negative number, got "many"');
  });
});

describe('handler', () => {
  const codedeploy = mockClient(CodeDeployClient);
  const env = process.env;

  beforeEach(() => {
    codedeploy.reset();
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).resolves({ lifecycleEventHookExecutionId: 'hook-1' });
    process.env = { ...env, BASE_URL: base, TIMEOUT_MS: '2000', RETRIES: '0', RETRY_INTERVAL_MS: '10', DEADLINE_MS: '5000' };
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
  });

  afterEach(() => {
    process.env = env;
    jest.restoreAllMocks();
  });

  const requests = (...r: SmokeRequest[]) => JSON.stringify(r);

  test('as an ECS lifecycle hook, answers SUCCEEDED when every request passes, without calling CodeDeploy', async () => {
    process.env.REQUESTS = requests(get('/health'), get('/broken', { expectStatus: 503 }));
    const event = { executionDetails: { serviceArn: 'arn:aws:ecs:eu-west-1:123456789012:service/c/s' }, lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' };
    await expect(handler(event)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(codedeploy).not.toHaveReceivedAnyCommand();
  });

  test('as an ECS lifecycle hook, answers FAILED when a request fails', async () => {
    process.env.REQUESTS = requests(get('/broken'));
    await expect(handler({ lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' })).resolves.toEqual({ hookStatus: 'FAILED' });
  });

  test('as a CodeDeploy hook, reports Succeeded for this deployment and hook execution', async () => {
    process.env.REQUESTS = requests(get('/health'));
    await expect(handler({ DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'hook-1' })).resolves.toEqual({ status: 'Succeeded' });
    expect(codedeploy).toHaveReceivedCommandTimes(PutLifecycleEventHookExecutionStatusCommand, 1);
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, {
      deploymentId: 'd-123', lifecycleEventHookExecutionId: 'hook-1', status: 'Succeeded',
    });
  });

  test('as a CodeDeploy hook, reports Failed when a request fails', async () => {
    process.env.REQUESTS = requests(get('/broken'));
    await expect(handler({ DeploymentId: 'd-123', LifecycleEventHookExecutionId: 'hook-2' })).resolves.toEqual({ status: 'Failed' });
    expect(codedeploy).toHaveReceivedCommandWith(PutLifecycleEventHookExecutionStatusCommand, {
      deploymentId: 'd-123', lifecycleEventHookExecutionId: 'hook-2', status: 'Failed',
    });
  });

  test('reports Failed when its configuration is broken, instead of leaving the hook to time out', async () => {
    process.env.REQUESTS = 'not json';
    await expect(handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h' })).resolves.toEqual({ status: 'Failed' });
    expect(console.log).toHaveBeenCalledWith(expect.stringContaining('the smoke test is misconfigured'));
  });

  test('as a CodeDeploy hook, fails the invocation when the status cannot be reported, so CodeDeploy times the hook out', async () => {
    process.env.REQUESTS = requests(get('/health'));
    codedeploy.on(PutLifecycleEventHookExecutionStatusCommand).rejects(new Error('AccessDenied'));
    await expect(handler({ DeploymentId: 'd-1', LifecycleEventHookExecutionId: 'h' })).rejects.toThrow('AccessDenied');
  });

  test('logs which request failed and why', async () => {
    process.env.REQUESTS = requests(get('/health'), get('/broken'));
    await handler({});
    expect(console.log).toHaveBeenCalledWith(JSON.stringify({ smokeTest: 'failed', detail: 'request 2 of 2 failed: GET /broken: answered 503, expected 200' }));
  });
});
