/**
 * HTTP smoke-test hook: sends the declared requests to the new version through the test listener,
 * in order, retrying a failed request, within an overall deadline, and reports the result to the
 * engine that runs the deployment.
 *
 * - Amazon ECS lifecycle hook: returns `{ hookStatus: 'SUCCEEDED' | 'FAILED' }`.
 * - CodeDeploy AfterAllowTestTraffic hook: calls PutLifecycleEventHookExecutionStatus.
 *
 * Environment: BASE_URL (http://host:port), REQUESTS (JSON), TIMEOUT_MS, RETRIES, RETRY_INTERVAL_MS,
 * DEADLINE_MS. This file is bundled alone as the function's code; the AWS SDK comes with the Lambda
 * Node.js runtime.
 */
import * as http from 'http';
import * as https from 'https';
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';

/** One request and what its answer must be. */
export interface SmokeRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: { [name: string]: string };
  readonly body?: string;
  readonly expectStatus: number;
  readonly expectBodyContains?: string;
  readonly expectBodyMatches?: string;
  readonly expectHeaders?: { [name: string]: string };
}

/** The outcome of one attempt, or of the whole test. */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** The configuration read from the environment. */
export interface SmokeConfig {
  readonly baseUrl: string;
  readonly requests: SmokeRequest[];
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryIntervalMs: number;
  readonly deadlineMs: number;
}

/** The CodeDeploy hook event. */
export interface CodeDeployHookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

/** What the retry loop needs from the outside world (replaced in tests). */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const realClock: Clock = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
};

const codedeploy = new CodeDeployClient({});
/** Bodies are read up to this size; a larger body is checked on its first part only. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Sends one request and checks the answer; any error or timeout is a failure. */
export function check(baseUrl: string, request: SmokeRequest, timeoutMs: number): Promise<CheckResult> {
  const label = `${request.method} ${request.path}`;
  return new Promise(resolve => {
    let settled = false;
    const done = (result: CheckResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    let url: URL;
    try {
      // Appended, not resolved: a path such as "//other-host/x" stays on the test listener.
      url = new URL(`${baseUrl}${request.path}`);
    } catch (e) {
      done({ ok: false, detail: `${label}: invalid URL from BASE_URL ${JSON.stringify(baseUrl)}` });
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, { method: request.method, headers: request.headers, timeout: timeoutMs }, res => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        if (size < MAX_BODY_BYTES) {
          chunks.push(chunk);
          size += chunk.length;
        }
      });
      res.on('error', err => done({ ok: false, detail: `${label}: the answer broke off: ${err.message}` }));
      res.on('end', () => done(judge(label, request, res.statusCode ?? 0, res.headers, Buffer.concat(chunks).toString('utf-8'))));
    });
    req.on('timeout', () => {
      req.destroy();
      done({ ok: false, detail: `${label}: no answer within ${timeoutMs}ms` });
    });
    req.on('error', err => done({ ok: false, detail: `${label}: request failed: ${err.message}` }));
    req.end(request.body);
  });
}

/** Compares an answer with what the request expects; the first difference is the detail. */
export function judge(label: string, request: SmokeRequest, status: number, headers: http.IncomingHttpHeaders, body: string): CheckResult {
  if (status !== request.expectStatus) {
    return { ok: false, detail: `${label}: answered ${status}, expected ${request.expectStatus}` };
  }
  if (request.expectBodyContains !== undefined && !body.includes(request.expectBodyContains)) {
    return { ok: false, detail: `${label}: the body does not contain ${JSON.stringify(request.expectBodyContains)} (body starts with ${JSON.stringify(body.slice(0, 200))})` };
  }
  if (request.expectBodyMatches !== undefined && !new RegExp(request.expectBodyMatches).test(body)) {
    return { ok: false, detail: `${label}: the body does not match /${request.expectBodyMatches}/ (body starts with ${JSON.stringify(body.slice(0, 200))})` };
  }
  for (const [name, text] of Object.entries(request.expectHeaders ?? {})) {
    const raw = headers[name.toLowerCase()];
    if (raw === undefined) {
      return { ok: false, detail: `${label}: header ${name} is missing` };
    }
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (!value.includes(text)) {
      return { ok: false, detail: `${label}: header ${name} is ${JSON.stringify(value)}, expected it to contain ${JSON.stringify(text)}` };
    }
  }
  return { ok: true, detail: `${label}: answered ${status}` };
}

/**
 * Runs the requests in order. A failed request is retried `retries` times, `retryIntervalMs` apart;
 * the test fails at the first request still failing, or when the deadline passes, with the reason.
 */
export async function runAll(config: SmokeConfig, clock: Clock = realClock): Promise<CheckResult> {
  const end = clock.now() + config.deadlineMs;
  const passed: string[] = [];
  for (let i = 0; i < config.requests.length; i++) {
    const request = config.requests[i];
    const which = `request ${i + 1} of ${config.requests.length}`;
    let last: CheckResult | undefined;
    for (let attempt = 0; attempt <= config.retries; attempt++) {
      const left = end - clock.now();
      if (left <= 0) {
        return {
          ok: false,
          detail: last
            ? `${which} failed: ${last.detail}; the deadline of ${config.deadlineMs}ms passed after ${attempt} attempt(s)`
            : `${which} (${request.method} ${request.path}) was not tried: the deadline of ${config.deadlineMs}ms passed`,
        };
      }
      last = await check(config.baseUrl, request, Math.min(config.timeoutMs, left));
      if (last.ok) break;
      if (attempt < config.retries) {
        await clock.sleep(Math.max(0, Math.min(config.retryIntervalMs, end - clock.now())));
      }
    }
    if (!last!.ok) {
      return { ok: false, detail: `${which} failed: ${last!.detail}${config.retries > 0 ? ` (after ${config.retries + 1} attempts)` : ''}` };
    }
    passed.push(last!.detail);
  }
  return { ok: true, detail: passed.join('; ') };
}

function isCodeDeployEvent(event: unknown): event is CodeDeployHookEvent {
  return typeof event === 'object' && event !== null
    && typeof (event as any).DeploymentId === 'string'
    && typeof (event as any).LifecycleEventHookExecutionId === 'string';
}

/** Reads the configuration from the environment; a broken one is reported as the test's failure. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): SmokeConfig {
  const requests = JSON.parse(env.REQUESTS ?? '[]');
  if (!Array.isArray(requests) || requests.length === 0) {
    throw new Error('REQUESTS must be a non-empty JSON array');
  }
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? String(fallback));
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(env[name])}`);
    }
    return value;
  };
  return {
    baseUrl: env.BASE_URL ?? '',
    requests,
    timeoutMs: number('TIMEOUT_MS', 10000),
    retries: number('RETRIES', 0),
    retryIntervalMs: number('RETRY_INTERVAL_MS', 5000),
    deadlineMs: number('DEADLINE_MS', 10000),
  };
}

export async function handler(event: unknown): Promise<unknown> {
  let result: CheckResult;
  try {
    result = await runAll(readConfig());
  } catch (e) {
    result = { ok: false, detail: `the smoke test is misconfigured: ${(e as Error).message}` };
  }
  console.log(JSON.stringify({ smokeTest: result.ok ? 'passed' : 'failed', detail: result.detail }));
  if (isCodeDeployEvent(event)) {
    const status = result.ok ? 'Succeeded' : 'Failed';
    await codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status,
    }));
    return { status };
  }
  return { hookStatus: result.ok ? 'SUCCEEDED' : 'FAILED' };
}
