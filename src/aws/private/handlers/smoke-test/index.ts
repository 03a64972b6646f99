/**
 * Smoke-test hook: requests the new version through the test listener and reports the result to
 * the engine that runs the deployment.
 *
 * - Amazon ECS lifecycle hook: returns `{ hookStatus: 'SUCCEEDED' | 'FAILED' }`.
 * - CodeDeploy AfterAllowTestTraffic hook: calls PutLifecycleEventHookExecutionStatus.
 *
 * Environment: TARGET_URL, EXPECT_STATUS, TIMEOUT_MS.
 * This file is bundled alone as the function's code; the AWS SDK comes with the Lambda Node.js runtime.
 */
import * as http from 'http';
import * as https from 'https';
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';

/** The outcome of one smoke test. */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** The CodeDeploy hook event. */
export interface CodeDeployHookEvent {
  readonly DeploymentId: string;
  readonly LifecycleEventHookExecutionId: string;
}

const codedeploy = new CodeDeployClient({});

/** GET `url` and compare the status with `expectStatus`; any error or timeout is a failure. */
export function check(url: string, expectStatus: number, timeoutMs: number): Promise<CheckResult> {
  return new Promise(resolve => {
    let settled = false;
    const done = (result: CheckResult) => {
      if (!settled) {
        settled = true;
        resolve(result);
      }
    };
    let client: typeof http | typeof https;
    try {
      client = new URL(url).protocol === 'https:' ? https : http;
    } catch (e) {
      done({ ok: false, detail: `invalid TARGET_URL ${JSON.stringify(url)}` });
      return;
    }
    const req = client.get(url, { timeout: timeoutMs }, res => {
      res.resume();
      const status = res.statusCode ?? 0;
      done(status === expectStatus
        ? { ok: true, detail: `GET ${url} answered ${status}` }
        : { ok: false, detail: `GET ${url} answered ${status}, expected ${expectStatus}` });
    });
    req.on('timeout', () => {
      req.destroy();
      done({ ok: false, detail: `GET ${url} did not answer within ${timeoutMs}ms` });
    });
    req.on('error', err => done({ ok: false, detail: `GET ${url} failed: ${err.message}` }));
  });
}

function isCodeDeployEvent(event: unknown): event is CodeDeployHookEvent {
  return typeof event === 'object' && event !== null
    && typeof (event as any).DeploymentId === 'string'
    && typeof (event as any).LifecycleEventHookExecutionId === 'string';
}

/** Reads the configuration from the environment. */
export function config(env: NodeJS.ProcessEnv = process.env): { url: string; expectStatus: number; timeoutMs: number } {
  const url = env.TARGET_URL ?? '';
  const expectStatus = Number(env.EXPECT_STATUS ?? '200');
  const timeoutMs = Number(env.TIMEOUT_MS ?? '10000');
  return { url, expectStatus, timeoutMs };
}

export async function handler(event: unknown): Promise<unknown> {
  const { url, expectStatus, timeoutMs } = config();
  const result = await check(url, expectStatus, timeoutMs);
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
