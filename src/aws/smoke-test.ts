import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { toMillis } from '../private/duration';
import { describeValue, isFunction } from './private/inputs';
import { fail, formatDuration, requireDuration, requireNumber, show } from '../private/validate';

/** What a smoke test does. */
export enum SmokeTestKind {
  /** HTTP requests on the test listener of a `ProgressiveFargateService` (`SmokeTest.http`). */
  HTTP = 'HTTP',
  /** An invocation of the version a `ProgressiveLambdaAlias` shifts to (`SmokeTest.invoke`). */
  INVOKE = 'INVOKE',
  /** Your own function (`SmokeTest.lambda`). */
  LAMBDA = 'LAMBDA',
}

/** One request of an HTTP smoke test and what its answer must be. */
export interface SmokeTestRequest {
  /**
   * Path requested on the test listener, starting with "/" (a query string is allowed).
   * @default "/"
   */
  readonly path?: string;
  /**
   * HTTP method: GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS.
   * @default "GET"
   */
  readonly method?: string;
  /**
   * Request headers, for example `{ Host: 'api.example.com' }` to reach a host-header listener rule.
   * @default - no extra headers
   */
  readonly headers?: { [name: string]: string };
  /**
   * Request body (POST, PUT, PATCH or DELETE only).
   * @default - no body
   */
  readonly body?: string;
  /**
   * HTTP status the answer must have.
   * @default 200
   */
  readonly expectStatus?: number;
  /**
   * Text the response body must contain.
   * @default - the body is not checked for a text
   */
  readonly expectBodyContains?: string;
  /**
   * A regular expression (JavaScript syntax) the response body must match.
   * @default - the body is not checked against a pattern
   */
  readonly expectBodyMatches?: string;
  /**
   * Response headers that must be present, each containing the given text (names are
   * case-insensitive; an empty text only requires the header).
   * @default - headers are not checked
   */
  readonly expectHeaders?: { [name: string]: string };
}

/** How long a smoke test may take and how it retries. */
export interface SmokeTestTimingProps {
  /**
   * How long one attempt (a request, an invocation) may take before it counts as failed
   * (1 second to 5 minutes).
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * How many times a failed attempt is repeated before the smoke test fails (0 to 100).
   * @default 0
   */
  readonly retries?: number;
  /**
   * Wait between a failed attempt and its retry. Only with `retries`.
   * @default Duration.seconds(5)
   */
  readonly retryInterval?: Duration;
  /**
   * Overall time limit of the smoke test: when it passes, the test fails with the last failure
   * it saw. At least `timeout`, at most 14 minutes (the hook function runs for at most 15).
   * @default - the worst case of every attempt and retry: attempts × (retries + 1) × timeout + attempts × retries × retryInterval
   */
  readonly deadline?: Duration;
}

/** Options for `SmokeTest.http`. */
export interface HttpSmokeTestProps extends SmokeTestTimingProps {
  /**
   * Path of a single GET request, starting with "/". Use `requests` for several requests or
   * other checks.
   * @default "/" (when `requests` is not set)
   */
  readonly path?: string;
  /**
   * HTTP status of the single request. Use `requests` for several requests.
   * @default 200 (when `requests` is not set)
   */
  readonly expectStatus?: number;
  /**
   * The requests, run in order; each must pass (after its retries) for the next to run. At most 20.
   * @default - one GET of `path` expecting `expectStatus`
   */
  readonly requests?: SmokeTestRequest[];
}

/**
 * Options for `SmokeTest.invoke`.
 * @see https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export interface InvokeSmokeTestProps extends SmokeTestTimingProps {
  /**
   * The event the new version is invoked with: any JSON value.
   * @default {}
   */
  readonly payload?: any;
  /**
   * The result must contain these fields with these values (objects are compared field by field,
   * recursively; other values, arrays included, must be equal). The result must be JSON.
   * @default - the result is not compared with a value
   */
  readonly expectResult?: any;
  /**
   * The result, as returned by Lambda (JSON text), must contain this text.
   * @default - the result is not checked for a text
   */
  readonly expectResultContains?: string;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const WITH_BODY = ['POST', 'PUT', 'PATCH', 'DELETE'];
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MAX_REQUESTS = 20;
const TIMING_KEYS = ['timeout', 'retries', 'retryInterval', 'deadline'];
const REQUEST_KEYS = ['path', 'method', 'headers', 'body', 'expectStatus', 'expectBodyContains', 'expectBodyMatches', 'expectHeaders'];
/** The hook function's timeout is the deadline plus this, for reporting the result. */
const REPORT_MARGIN_SECONDS = 30;
const MAX_DEADLINE = Duration.minutes(14);
const MAX_ATTEMPT_TIMEOUT_SECONDS = 300;
/** Lambda environment variables may take 4 KB in all; the checks get most of it. */
const MAX_SPEC_CHARS = 3000;

/** A request with its defaults applied. */
interface NormalizedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers?: { [name: string]: string };
  readonly body?: string;
  readonly expectStatus: number;
  readonly expectBodyContains?: string;
  readonly expectBodyMatches?: string;
  readonly expectHeaders?: { [name: string]: string };
}

interface Timing {
  readonly timeout: Duration;
  readonly retries: number;
  readonly retryInterval: Duration;
  readonly deadline: Duration;
}

interface SmokeTestState {
  readonly kind: SmokeTestKind;
  readonly requests?: NormalizedRequest[];
  readonly timing?: Timing;
  readonly payload?: any;
  readonly expectResult?: any;
  readonly expectResultContains?: string;
  readonly fn?: lambda.IFunction;
  readonly deadline?: Duration;
}

/**
 * A check of the new version before production traffic reaches it; a failure stops the deployment
 * and rolls it back.
 *
 * - `SmokeTest.http`: HTTP requests on the test listener of a `ProgressiveFargateService`, by a
 *   function the construct creates (an ECS lifecycle hook at POST_TEST_TRAFFIC_SHIFT, or the
 *   CodeDeploy AfterAllowTestTraffic hook).
 * - `SmokeTest.invoke`: an invocation of the version a `ProgressiveLambdaAlias` shifts to, by a
 *   function the construct creates (the CodeDeploy BeforeAllowTraffic hook).
 * - `SmokeTest.lambda`: your own function as that hook.
 *
 * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html
 */
export class SmokeTest {
  /**
   * HTTP requests on the test listener: a function created in the VPC sends them in order and fails
   * the deployment unless each answer has the expected status (and body and headers, when asked)
   * within `timeout`, retrying a failed request `retries` times, all within `deadline`. The failure
   * names the request and the reason.
   */
  public static http(props: HttpSmokeTestProps = {}): SmokeTest {
    const where = 'SmokeTest.http';
    requireProps(where, props, 'Pass { path, expectStatus } or { requests: [...] }.', ['path', 'expectStatus', 'requests', ...TIMING_KEYS]);
    let requests: NormalizedRequest[];
    if (props.requests !== undefined) {
      for (const field of ['path', 'expectStatus'] as const) {
        if (props[field] !== undefined) {
          fail(where, field, 'cannot be set together with requests', show(props[field]),
            `Put ${field} in the request it belongs to: requests: [{ ${field}: ${show(props[field])} }].`);
        }
      }
      requests = requireRequests(where, props.requests);
    } else {
      requests = [normalizeRequest(where, '', { path: props.path, expectStatus: props.expectStatus })];
    }
    const timing = requireTiming(where, props, requests.length);
    requireSpecSize(where, 'requests', JSON.stringify(requests));
    return new SmokeTest({ kind: SmokeTestKind.HTTP, requests, timing, deadline: timing.deadline });
  }

  /**
   * An invocation of the version a `ProgressiveLambdaAlias` shifts to, before any traffic reaches
   * it (the CodeDeploy BeforeAllowTraffic hook). A function created by the construct invokes the
   * version with `payload` and fails the deployment when the invocation fails, the function returns
   * an error, or the result does not match `expectResult` / `expectResultContains`. Only for
   * `ProgressiveLambdaAlias`.
   */
  public static invoke(props: InvokeSmokeTestProps = {}): SmokeTest {
    const where = 'SmokeTest.invoke';
    requireProps(where, props, 'Pass { payload, expectResult }.', ['payload', 'expectResult', 'expectResultContains', ...TIMING_KEYS]);
    const payload = props.payload === undefined ? {} : requireJson(where, 'payload', props.payload);
    const expectResult = props.expectResult === undefined ? undefined : requireJson(where, 'expectResult', props.expectResult);
    const expectResultContains = props.expectResultContains === undefined ? undefined
      : requireText(where, 'expectResultContains', props.expectResultContains, false);
    const timing = requireTiming(where, props, 1);
    requireSpecSize(where, 'payload and expectResult', JSON.stringify([payload, expectResult, expectResultContains]));
    return new SmokeTest({ kind: SmokeTestKind.INVOKE, timing, payload, expectResult, expectResultContains, deadline: timing.deadline });
  }

  /**
   * Your own function. With the ECS native engine it is an ECS lifecycle hook and must return
   * `{ hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS' }`; with CodeDeploy (ECS, or the
   * BeforeAllowTraffic hook of a `ProgressiveLambdaAlias`) it receives `DeploymentId` and
   * `LifecycleEventHookExecutionId` and must call `PutLifecycleEventHookExecutionStatus` (the
   * construct grants it the permission when the function's role is known).
   */
  public static lambda(fn: lambda.IFunction): SmokeTest {
    if (!isFunction(fn)) {
      fail('SmokeTest.lambda', 'fn', 'must be a Lambda function', describeValue(fn), 'Pass a lambda.IFunction.');
    }
    const timeout = fn instanceof lambda.Function ? (fn.timeout ?? Duration.seconds(3)) : undefined;
    return new SmokeTest({ kind: SmokeTestKind.LAMBDA, fn, deadline: timeout });
  }

  /** What the smoke test does. */
  public readonly kind: SmokeTestKind;
  /** Path of the first request (`SmokeTest.http`). */
  public readonly path?: string;
  /** Status the first request must answer with (`SmokeTest.http`). */
  public readonly expectStatus?: number;
  /** The requests, with their defaults applied (`SmokeTest.http`). */
  public readonly requests?: SmokeTestRequest[];
  /** Time limit of one attempt (`SmokeTest.http`, `SmokeTest.invoke`). */
  public readonly timeout?: Duration;
  /** Retries of a failed attempt (`SmokeTest.http`, `SmokeTest.invoke`). */
  public readonly retries?: number;
  /** Wait before a retry (`SmokeTest.http`, `SmokeTest.invoke`). */
  public readonly retryInterval?: Duration;
  /**
   * The longest the smoke test can run: its deadline, or your function's timeout with
   * `SmokeTest.lambda` when the construct knows it. Plans show it as the phase's duration.
   */
  public readonly deadline?: Duration;
  /** The event of the invocation (`SmokeTest.invoke`). */
  public readonly payload?: any;
  /** Fields the result must contain (`SmokeTest.invoke`). */
  public readonly expectResult?: any;
  /** Text the result must contain (`SmokeTest.invoke`). */
  public readonly expectResultContains?: string;
  /** The user's function (`SmokeTest.lambda`). */
  public readonly function?: lambda.IFunction;

  private readonly normalized?: NormalizedRequest[];

  private constructor(state: SmokeTestState) {
    this.kind = state.kind;
    this.normalized = state.requests;
    this.requests = state.requests?.map(r => ({ ...r }));
    this.path = state.requests?.[0].path;
    this.expectStatus = state.requests?.[0].expectStatus;
    this.timeout = state.timing?.timeout;
    this.retries = state.timing?.retries;
    this.retryInterval = state.timing?.retryInterval;
    this.deadline = state.deadline;
    this.payload = state.payload;
    this.expectResult = state.expectResult;
    this.expectResultContains = state.expectResultContains;
    this.function = state.fn;
  }

  /** A one-line description for plans. */
  public describe(): string {
    switch (this.kind) {
      case SmokeTestKind.LAMBDA:
        return this.deadline === undefined
          ? 'smoke test: your Lambda function (imported: its duration is not known here)'
          : `smoke test: your Lambda function, at most its timeout of ${formatDuration(this.deadline)}`;
      case SmokeTestKind.INVOKE:
        return `smoke test: invoke the new version${this.expectResult !== undefined || this.expectResultContains !== undefined ? ' and check its result' : ''}${this.timingText()}`;
      case SmokeTestKind.HTTP:
      default: {
        const requests = this.normalized!.map(r => `${r.method} ${r.path} expects ${r.expectStatus}${r.expectBodyContains !== undefined || r.expectBodyMatches !== undefined ? ' and a body match' : ''}${r.expectHeaders ? ' and headers' : ''}`);
        return `smoke test: ${requests.join(', ')} on the test listener${this.timingText()}`;
      }
    }
  }

  /**
   * The description, with the HTTP requests sent `route` instead of on the test listener (a header-only
   * preview sends them to the production listener with the header).
   * @internal
   */
  public _describeVia(route: string): string {
    const text = this.describe();
    return this.kind === SmokeTestKind.HTTP ? text.replace(' on the test listener', ` ${route}`) : text;
  }

  /**
   * Refuses a smoke test the target cannot run. `target` names the construct.
   * @internal
   */
  public _requireKind(where: string, kinds: SmokeTestKind[], fix: string): void {
    if (!kinds.includes(this.kind)) {
      fail(where, 'smokeTest', `cannot be ${factoryName(this.kind)} here`, this.describe(), fix);
    }
  }

  /**
   * Environment of the HTTP smoke-test function; `baseUrl` is `http://host:port` of the listener it
   * reaches, `extraHeaders` are added to every request (the header of a header-only preview).
   * @internal
   */
  public _httpEnvironment(baseUrl: string, extraHeaders?: { [name: string]: string }): { [key: string]: string } {
    return {
      BASE_URL: baseUrl,
      REQUESTS: this.requestsJson(extraHeaders),
      ...this.timingEnvironment(),
    };
  }

  /**
   * Refuses HTTP requests that, with `extraHeaders` added to each, no longer fit in the hook function's
   * environment.
   * @internal
   */
  public _requireFitsWith(where: string, extraHeaders: { [name: string]: string }): void {
    requireSpecSize(where, 'smokeTest.requests (with the header-only preview\'s header added to each)', this.requestsJson(extraHeaders));
  }

  private requestsJson(extraHeaders?: { [name: string]: string }): string {
    const requests = extraHeaders === undefined ? this.normalized : this.normalized!.map(r => ({ ...r, headers: { ...r.headers, ...extraHeaders } }));
    return JSON.stringify(requests);
  }

  /**
   * Environment of the invoke smoke-test function; `functionArn` is the qualified ARN of the version.
   * @internal
   */
  public _invokeEnvironment(functionArn: string): { [key: string]: string } {
    return {
      TARGET_FUNCTION: functionArn,
      PAYLOAD: JSON.stringify(this.payload),
      ...(this.expectResult !== undefined ? { EXPECT_RESULT: JSON.stringify(this.expectResult) } : {}),
      ...(this.expectResultContains !== undefined ? { EXPECT_RESULT_CONTAINS: this.expectResultContains } : {}),
      ...this.timingEnvironment(),
    };
  }

  /**
   * Timeout of the function created for an HTTP or invoke smoke test: the deadline plus time to report.
   * @internal
   */
  public _functionTimeout(): Duration {
    return Duration.seconds(toMillis(this.deadline!) / 1000 + REPORT_MARGIN_SECONDS);
  }

  private timingEnvironment(): { [key: string]: string } {
    return {
      TIMEOUT_MS: String(toMillis(this.timeout!)),
      RETRIES: String(this.retries),
      RETRY_INTERVAL_MS: String(toMillis(this.retryInterval!)),
      DEADLINE_MS: String(toMillis(this.deadline!)),
    };
  }

  private timingText(): string {
    const attempts = this.normalized?.length ?? 1;
    const timeout = formatDuration(this.timeout!);
    const total = `at most ${formatDuration(this.deadline!)} in all`;
    if (this.retries === 0) {
      const simple = toMillis(this.deadline!) === toMillis(this.timeout!);
      return attempts > 1 ? `, each within ${timeout}, ${total}` : ` within ${timeout}${simple ? '' : `, ${total}`}`;
    }
    return ` within ${timeout} per attempt, ${this.retries} ${this.retries === 1 ? 'retry' : 'retries'} ${formatDuration(this.retryInterval!)} apart, ${total}`;
  }

}

function factoryName(kind: SmokeTestKind): string {
  switch (kind) {
    case SmokeTestKind.HTTP: return 'SmokeTest.http';
    case SmokeTestKind.INVOKE: return 'SmokeTest.invoke';
    case SmokeTestKind.LAMBDA: default: return 'SmokeTest.lambda';
  }
}

function requireProps(where: string, props: unknown, fix: string, known: string[]): void {
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    fail(where, 'props', 'must be an object', describeValue(props), fix);
  }
  requireKnownKeys(where, '', props, known);
}

/** Refuses a property nobody reads (a typo such as `expectedStatus` would otherwise be ignored). */
function requireKnownKeys(where: string, prefix: string, value: object, known: string[]): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key) && (value as any)[key] !== undefined) {
      fail(where, `${prefix}${key}`, 'is not a property of this declaration', show((value as any)[key]), `Use one of: ${known.join(', ')}.`);
    }
  }
}

function requireText(where: string, field: string, value: unknown, allowEmpty: boolean): string {
  if (typeof value !== 'string') {
    fail(where, field, 'must be a string', describeValue(value), `Pass ${field} as text.`);
  }
  if (Token.isUnresolved(value)) {
    fail(where, field, 'must be known at synth time', 'an unresolved token', `Pass ${field} as a literal.`);
  }
  if (!allowEmpty && value.length === 0) {
    fail(where, field, 'must not be empty', '""', `Pass a text to look for, or leave ${field} unset.`);
  }
  return value;
}

function requireHeaders(where: string, field: string, value: unknown): { [name: string]: string } {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(where, field, 'must be an object of header names and texts', describeValue(value), `Pass ${field} as { 'content-type': 'application/json' }.`);
  }
  const out: { [name: string]: string } = {};
  for (const [name, text] of Object.entries(value as object)) {
    if (!HEADER_NAME.test(name)) {
      fail(where, `${field} name`, 'must be an HTTP header name (letters, digits and !#$%&\'*+.^_`|~-)', show(name), 'Use a header name such as "content-type".');
    }
    const checked = requireText(where, `${field}["${name}"]`, text, true);
    if (/[\r\n]/.test(checked)) {
      fail(where, `${field}["${name}"]`, 'must not contain line breaks', show(checked), 'Remove the line breaks.');
    }
    out[name] = checked;
  }
  if (Object.keys(out).length === 0) {
    fail(where, field, 'must name at least one header', '{}', `Add a header, or leave ${field} unset.`);
  }
  return out;
}

function requireRequests(where: string, value: unknown): NormalizedRequest[] {
  if (!Array.isArray(value)) {
    fail(where, 'requests', 'must be an array of requests', describeValue(value), 'Pass requests: [{ path: "/health" }].');
  }
  if (value.length === 0 || value.length > MAX_REQUESTS) {
    fail(where, 'requests', `must contain 1 to ${MAX_REQUESTS} requests`, `${value.length} requests`, 'Pass at least one request, and split a longer test across your own function (SmokeTest.lambda).');
  }
  const out: NormalizedRequest[] = [];
  for (let i = 0; i < value.length; i++) {
    if (!(i in value) || value[i] === undefined || value[i] === null) {
      fail(where, `requests[${i}]`, 'must be a request', i in value ? show(value[i]) : 'an empty slot', 'Remove the hole from the array, or fill it with a request.');
    }
    out.push(normalizeRequest(where, `requests[${i}].`, value[i]));
  }
  return out;
}

function normalizeRequest(where: string, prefix: string, r: unknown): NormalizedRequest {
  if (typeof r !== 'object' || r === null || Array.isArray(r)) {
    fail(where, prefix.slice(0, -1) || 'request', 'must be a request object', describeValue(r), 'Pass { path, expectStatus }.');
  }
  const req = r as SmokeTestRequest;
  requireKnownKeys(where, prefix, req, REQUEST_KEYS);
  const path = requireText(where, `${prefix}path`, req.path ?? '/', false);
  if (!path.startsWith('/') || /\s/.test(path)) {
    fail(where, `${prefix}path`, 'must start with "/" and contain no spaces', show(path), 'Pass a path such as "/health".');
  }
  if (path.length > 2048) {
    fail(where, `${prefix}path`, 'must be at most 2048 characters', `${path.length} characters`, 'Pass a shorter path.');
  }
  const method = requireText(where, `${prefix}method`, req.method ?? 'GET', false);
  if (!METHODS.includes(method)) {
    fail(where, `${prefix}method`, `must be one of ${METHODS.join(', ')}`, show(method), 'Pass the method in upper case, for example "GET".');
  }
  const expectStatus = requireNumber(where, `${prefix}expectStatus`, req.expectStatus ?? 200, { min: 100, max: 599, integer: true },
    'Pass an HTTP status code such as 200.');
  const headers = req.headers === undefined ? undefined : requireHeaders(where, `${prefix}headers`, req.headers);
  const body = req.body === undefined ? undefined : requireText(where, `${prefix}body`, req.body, true);
  if (body !== undefined && !WITH_BODY.includes(method)) {
    fail(where, `${prefix}body`, `cannot be sent with ${method}`, show(body), `Use ${WITH_BODY.join(', ')} to send a body, or remove body.`);
  }
  const expectBodyContains = req.expectBodyContains === undefined ? undefined : requireText(where, `${prefix}expectBodyContains`, req.expectBodyContains, false);
  let expectBodyMatches: string | undefined;
  if (req.expectBodyMatches !== undefined) {
    expectBodyMatches = requireText(where, `${prefix}expectBodyMatches`, req.expectBodyMatches, false);
    try {
      new RegExp(expectBodyMatches);
    } catch (e) {
      fail(where, `${prefix}expectBodyMatches`, `must be a valid regular expression (${(e as Error).message})`, show(expectBodyMatches), 'Fix the pattern, or use expectBodyContains for a plain text.');
    }
  }
  if (method === 'HEAD' && (expectBodyContains !== undefined || expectBodyMatches !== undefined)) {
    fail(where, `${prefix}method`, 'cannot be HEAD when the body is checked: a HEAD answer has no body', show(method), 'Use GET, or remove expectBodyContains and expectBodyMatches.');
  }
  const expectHeaders = req.expectHeaders === undefined ? undefined : requireHeaders(where, `${prefix}expectHeaders`, req.expectHeaders);
  return {
    method,
    path,
    ...(headers ? { headers } : {}),
    ...(body !== undefined ? { body } : {}),
    expectStatus,
    ...(expectBodyContains !== undefined ? { expectBodyContains } : {}),
    ...(expectBodyMatches !== undefined ? { expectBodyMatches } : {}),
    ...(expectHeaders ? { expectHeaders } : {}),
  };
}

function requireTiming(where: string, props: SmokeTestTimingProps, attempts: number): Timing {
  const timeout = requireDuration(where, 'timeout', props.timeout ?? Duration.seconds(10));
  if (toMillis(timeout) > MAX_ATTEMPT_TIMEOUT_SECONDS * 1000) {
    fail(where, 'timeout', 'must be at most 5 minutes', formatDuration(timeout), 'Pass a shorter timeout; use retries and deadline for a version that needs time to become ready.');
  }
  const retries = requireNumber(where, 'retries', props.retries ?? 0, { min: 0, max: 100, integer: true }, 'Pass a whole number of retries, for example 3.');
  if (props.retryInterval !== undefined && retries === 0) {
    fail(where, 'retryInterval', 'is only used with retries', formatDuration(requireDuration(where, 'retryInterval', props.retryInterval, { allowZero: true })),
      'Set retries, or remove retryInterval.');
  }
  const retryInterval = requireDuration(where, 'retryInterval', props.retryInterval ?? Duration.seconds(5), { allowZero: true });
  const worstCaseMs = attempts * (retries + 1) * toMillis(timeout) + attempts * retries * toMillis(retryInterval);
  let deadline: Duration;
  if (props.deadline === undefined) {
    deadline = Duration.millis(worstCaseMs);
    if (worstCaseMs > toMillis(MAX_DEADLINE)) {
      fail(where, 'deadline', `must be at most ${formatDuration(MAX_DEADLINE)}: the hook function runs for at most 15 minutes. By default it is the worst case of ${attempts} attempt(s) × (retries + 1) × timeout + retries × retryInterval`,
        formatDuration(deadline), 'Set a deadline of 14 minutes or less, or lower retries or timeout.');
    }
  } else {
    deadline = requireDuration(where, 'deadline', props.deadline);
    if (toMillis(deadline) < toMillis(timeout)) {
      fail(where, 'deadline', `must be at least the timeout of one attempt (${formatDuration(timeout)})`, formatDuration(deadline), 'Raise the deadline, or lower the timeout.');
    }
    if (toMillis(deadline) > toMillis(MAX_DEADLINE)) {
      fail(where, 'deadline', `must be at most ${formatDuration(MAX_DEADLINE)}: the hook function runs for at most 15 minutes`, formatDuration(deadline), 'Pass a deadline of 14 minutes or less.');
    }
  }
  return { timeout, retries, retryInterval, deadline };
}

/** Checks that `value` survives JSON: no functions, tokens, NaN, Infinity, undefined, cycles or constructs. */
function requireJson(where: string, field: string, value: unknown): any {
  const problem = jsonProblem(value, field, new Set());
  if (problem !== undefined) {
    fail(where, problem.at, `must be plain JSON (${problem.what})`, problem.got, `Pass ${field} as plain data: objects, arrays, strings, finite numbers, booleans and null.`);
  }
  return JSON.parse(JSON.stringify(value));
}

function jsonProblem(value: unknown, at: string, seen: Set<unknown>): { at: string; what: string; got: string } | undefined {
  if (value === null || typeof value === 'boolean') return undefined;
  if (typeof value === 'string') {
    return Token.isUnresolved(value) ? { at, what: 'a value known at synth time', got: 'an unresolved token' } : undefined;
  }
  if (typeof value === 'number') {
    if (Token.isUnresolved(value)) return { at, what: 'a value known at synth time', got: 'an unresolved token' };
    return Number.isFinite(value) ? undefined : { at, what: 'finite numbers only', got: String(value) };
  }
  if (typeof value !== 'object') {
    return { at, what: `no ${typeof value} values`, got: describeValue(value) };
  }
  if (seen.has(value)) return { at, what: 'no cycles', got: 'a circular reference' };
  if (typeof (value as any).node?.path === 'string' || value instanceof Duration) {
    return { at, what: 'no constructs or Durations', got: describeValue(value) };
  }
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (!(i in value)) return { at: `${at}[${i}]`, what: 'no holes in arrays', got: 'an empty slot' };
        const p = jsonProblem(value[i], `${at}[${i}]`, seen);
        if (p) return p;
      }
      return undefined;
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      return { at, what: 'plain objects only', got: `an instance of ${proto?.constructor?.name ?? 'a class'}` };
    }
    for (const [k, v] of Object.entries(value as object)) {
      if (Token.isUnresolved(k)) return { at, what: 'keys known at synth time', got: 'an unresolved token' };
      const p = jsonProblem(v, `${at}.${k}`, seen);
      if (p) return p;
    }
    return undefined;
  } finally {
    seen.delete(value);
  }
}

function requireSpecSize(where: string, field: string, json: string): void {
  if (json.length > MAX_SPEC_CHARS) {
    fail(where, field, `must fit in ${MAX_SPEC_CHARS} characters of JSON: it is passed to the hook function in its environment, which Lambda limits to 4 KB`,
      `${json.length} characters`, 'Shorten the bodies and expectations, or run a longer test in your own function (SmokeTest.lambda).');
  }
}
