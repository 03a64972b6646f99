/**
 * Invoke smoke-test hook (CodeDeploy BeforeAllowTraffic of a Lambda alias): invokes the version the
 * alias is about to shift to, before any traffic reaches it, retrying a failed invocation within an
 * overall deadline, checks the result, and reports Succeeded or Failed to CodeDeploy.
 *
 * It checks the version the stack deploys (TARGET_FUNCTION). It first reads the deployment: a
 * rollback deployment (back to the previous version) is not checked and reports Succeeded, so that a
 * rollback never fails on the version it replaces; a deployment to another version than the stack's
 * fails, because this hook would test the wrong version.
 *
 * Environment: TARGET_FUNCTION (the version's qualified ARN), PAYLOAD (JSON), EXPECT_RESULT (JSON,
 * optional), EXPECT_RESULT_CONTAINS (optional), TIMEOUT_MS, RETRIES, RETRY_INTERVAL_MS, DEADLINE_MS.
 * This file is bundled alone as the function's code; the AWS SDK comes with the Lambda Node.js runtime.
 */
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodeDeployClient, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } from '@aws-sdk/client-codedeploy';
// eslint-disable-next-line import/no-extraneous-dependencies
import { InvokeCommand, InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';

/** The outcome of one attempt, or of the whole test. */
export interface CheckResult {
  readonly ok: boolean;
  readonly detail: string;
}

/** The configuration read from the environment. */
export interface InvokeConfig {
  readonly functionArn: string;
  readonly payload: string;
  readonly expectResult?: unknown;
  readonly expectResultContains?: string;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly retryIntervalMs: number;
  readonly deadlineMs: number;
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

const lambda = new LambdaClient({});
const codedeploy = new CodeDeployClient({});

/**
 * Where `actual` differs from `expected`: objects are compared field by field (extra fields in
 * `actual` are fine), everything else must be equal. Undefined when it matches.
 */
export function difference(expected: unknown, actual: unknown, at = 'result'): string | undefined {
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) {
      return `${at} is ${JSON.stringify(actual)}, expected an object`;
    }
    for (const [key, value] of Object.entries(expected)) {
      if (!(key in (actual as object))) {
        return `${at}.${key} is missing`;
      }
      const d = difference(value, (actual as any)[key], `${at}.${key}`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return JSON.stringify(expected) === JSON.stringify(actual) ? undefined : `${at} is ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`;
}

/** Invokes the version once and checks what it returns. */
export async function invokeOnce(config: InvokeConfig, timeoutMs: number): Promise<CheckResult> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>(resolve => {
    timer = setTimeout(() => {
      controller.abort();
      resolve('timeout');
    }, timeoutMs);
  });
  let response: InvokeCommandOutput;
  try {
    const raced = await Promise.race([
      lambda.send(new InvokeCommand({
        FunctionName: config.functionArn,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(config.payload),
      }), { abortSignal: controller.signal }),
      timedOut,
    ]);
    if (raced === 'timeout') {
      return { ok: false, detail: `no result within ${timeoutMs}ms` };
    }
    response = raced;
  } catch (e) {
    const err = e as Error;
    return { ok: false, detail: `the invocation failed: ${err.name}: ${err.message}` };
  } finally {
    clearTimeout(timer);
  }
  const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
  if (response.FunctionError) {
    return { ok: false, detail: `the function returned an error (${response.FunctionError}): ${text.slice(0, 500)}` };
  }
  if (config.expectResultContains !== undefined && !text.includes(config.expectResultContains)) {
    return { ok: false, detail: `the result does not contain ${JSON.stringify(config.expectResultContains)}: ${text.slice(0, 500)}` };
  }
  if (config.expectResult !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return { ok: false, detail: `the result is not JSON: ${text.slice(0, 500)}` };
    }
    const d = difference(config.expectResult, parsed);
    if (d !== undefined) {
      return { ok: false, detail: d };
    }
  }
  return { ok: true, detail: `the new version answered ${text.slice(0, 200)}` };
}

/** Invokes until an attempt passes, `retries` are spent or the deadline passes. */
export async function run(config: InvokeConfig, clock: Clock = realClock): Promise<CheckResult> {
  const end = clock.now() + config.deadlineMs;
  let last: CheckResult | undefined;
  for (let attempt = 0; attempt <= config.retries; attempt++) {
    const left = end - clock.now();
    if (left <= 0) {
      return { ok: false, detail: `${last!.detail}; the deadline of ${config.deadlineMs}ms passed after ${attempt} attempt(s)` };
    }
    last = await invokeOnce(config, Math.min(config.timeoutMs, left));
    if (last.ok) return last;
    if (attempt < config.retries) {
      await clock.sleep(Math.max(0, Math.min(config.retryIntervalMs, end - clock.now())));
    }
  }
  return { ok: false, detail: `${last!.detail}${config.retries > 0 ? ` (after ${config.retries + 1} attempts)` : ''}` };
}

/** Reads the configuration from the environment. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): InvokeConfig {
  const functionArn = env.TARGET_FUNCTION;
  if (!functionArn) {
    throw new Error('TARGET_FUNCTION is not set');
  }
  const number = (name: string, fallback: number) => {
    const value = Number(env[name] ?? String(fallback));
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`${name} must be a non-negative number, got ${JSON.stringify(env[name])}`);
    }
    return value;
  };
  return {
    functionArn,
    payload: env.PAYLOAD ?? '{}',
    expectResult: env.EXPECT_RESULT === undefined ? undefined : JSON.parse(env.EXPECT_RESULT),
    expectResultContains: env.EXPECT_RESULT_CONTAINS,
    timeoutMs: number('TIMEOUT_MS', 10000),
    retries: number('RETRIES', 0),
    retryIntervalMs: number('RETRY_INTERVAL_MS', 5000),
    deadlineMs: number('DEADLINE_MS', 10000),
  };
}

/** What the hook needs to know about the deployment that runs it. */
export interface DeploymentFacts {
  /** A rollback deployment, back to the previous version. */
  readonly rollback: boolean;
  /** The version the deployment shifts the alias to, when its AppSpec says so. */
  readonly targetVersion?: string;
}

/** The version an AppSpec (JSON or YAML) shifts to. */
export function targetVersionOf(appSpec: string | undefined): string | undefined {
  if (appSpec === undefined) return undefined;
  try {
    const parsed = JSON.parse(appSpec);
    for (const resource of parsed.Resources ?? parsed.resources ?? []) {
      for (const value of Object.values(resource ?? {})) {
        const version = (value as any)?.Properties?.TargetVersion ?? (value as any)?.properties?.targetversion;
        if (version !== undefined) return String(version);
      }
    }
    return undefined;
  } catch {
    const match = /TargetVersion["']?\s*:\s*["']?([^"'\s,}]+)/i.exec(appSpec);
    return match?.[1];
  }
}

/** Reads the deployment: is it a rollback, and to which version does it shift? */
export async function deploymentFacts(deploymentId: string): Promise<DeploymentFacts> {
  const info = (await codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo;
  const rollback = info?.creator === 'codeDeployRollback' || info?.creator === 'CloudFormationRollback'
    || info?.rollbackInfo?.rollbackTriggeringDeploymentId !== undefined;
  const revision = info?.revision;
  const targetVersion = targetVersionOf(revision?.appSpecContent?.content ?? revision?.string?.content);
  return { rollback, targetVersion };
}

/** Checks the deployment, then the version. */
export async function smokeTest(deploymentId: string, c: InvokeConfig, clock: Clock = realClock): Promise<CheckResult> {
  const facts = await deploymentFacts(deploymentId);
  if (facts.rollback) {
    return { ok: true, detail: 'a rollback deployment, back to the previous version: not smoke-tested' };
  }
  const configured = c.functionArn.split(':').pop();
  if (facts.targetVersion !== undefined && facts.targetVersion !== configured) {
    return {
      ok: false,
      detail: `the deployment shifts the alias to version ${facts.targetVersion}, but this smoke test checks version ${configured}, the one the stack deploys; deploy new versions through the stack`,
    };
  }
  return run(c, clock);
}

export async function handler(event: { DeploymentId: string; LifecycleEventHookExecutionId: string }): Promise<unknown> {
  let result: CheckResult;
  let target = 'the new version';
  try {
    const c = readConfig();
    target = c.functionArn;
    result = await smokeTest(event.DeploymentId, c);
  } catch (e) {
    result = { ok: false, detail: `the smoke test could not run: ${(e as Error).message}` };
  }
  console.log(JSON.stringify({ smokeTest: result.ok ? 'passed' : 'failed', target, detail: result.detail }));
  const status = result.ok ? 'Succeeded' : 'Failed';
  await codedeploy.send(new PutLifecycleEventHookExecutionStatusCommand({
    deploymentId: event.DeploymentId,
    lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
    status,
  }));
  return { status };
}
