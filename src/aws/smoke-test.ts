import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { fail, formatDuration, requireDuration, requireNumber, show } from '../private/validate';

/** Options for `SmokeTest.http`. */
export interface HttpSmokeTestProps {
  /**
   * Path requested on the test listener, starting with "/".
   * @default "/"
   */
  readonly path?: string;
  /**
   * HTTP status the new version must answer with.
   * @default 200
   */
  readonly expectStatus?: number;
  /**
   * How long the request may take before the check fails (1 second to 5 minutes).
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
}

/**
 * A check run against the new version on the test listener, before any production traffic reaches
 * it; a failure stops and rolls back the deployment. Rendered as an ECS lifecycle hook at the
 * POST_TEST_TRAFFIC_SHIFT stage (native engine) or the AfterAllowTestTraffic hook (CodeDeploy).
 */
export class SmokeTest {
  /**
   * A Lambda function created by the construct, in the VPC, requests `path` on the test listener
   * and fails the deployment unless the answer has status `expectStatus` within `timeout`.
   */
  public static http(props: HttpSmokeTestProps = {}): SmokeTest {
    const where = 'SmokeTest.http';
    const path = props.path ?? '/';
    if (typeof path !== 'string' || !path.startsWith('/') || /\s/.test(path)) {
      fail(where, 'path', 'must start with "/" and contain no spaces', show(path), 'Pass a path such as "/health".');
    }
    const expectStatus = requireNumber(where, 'expectStatus', props.expectStatus ?? 200, { min: 100, max: 599, integer: true },
      'Pass an HTTP status code such as 200.');
    const timeout = requireDuration(where, 'timeout', props.timeout ?? Duration.seconds(10));
    if (timeout.toSeconds() > 300) {
      fail(where, 'timeout', 'must be at most 5 minutes', formatDuration(timeout), 'Pass a shorter timeout; the hook function runs for at most the timeout plus 30 seconds.');
    }
    return new SmokeTest({ path, expectStatus, timeout });
  }

  /**
   * Your own function. With the native engine it is an ECS lifecycle hook and must return
   * `{ hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS' }`; with CodeDeploy it receives
   * `DeploymentId` and `LifecycleEventHookExecutionId` and must call
   * `PutLifecycleEventHookExecutionStatus` (the construct grants it the permission when the function's
   * role is known).
   */
  public static lambda(fn: lambda.IFunction): SmokeTest {
    if (fn === null || typeof fn !== 'object' || typeof (fn as any).functionArn !== 'string') {
      fail('SmokeTest.lambda', 'fn', 'must be a Lambda function', show(fn), 'Pass a lambda.IFunction.');
    }
    return new SmokeTest({ fn });
  }

  /** Path requested on the test listener (`SmokeTest.http`). */
  public readonly path?: string;
  /** Status the new version must answer with (`SmokeTest.http`). */
  public readonly expectStatus?: number;
  /** Request timeout (`SmokeTest.http`). */
  public readonly timeout?: Duration;
  /** The user's function (`SmokeTest.lambda`). */
  public readonly function?: lambda.IFunction;

  private constructor(props: { path?: string; expectStatus?: number; timeout?: Duration; fn?: lambda.IFunction }) {
    this.path = props.path;
    this.expectStatus = props.expectStatus;
    this.timeout = props.timeout;
    this.function = props.fn;
  }

  /** A one-line description for plans. */
  public describe(): string {
    return this.function !== undefined
      ? 'smoke test: your Lambda function on the test listener'
      : `smoke test: GET ${this.path} on the test listener expects ${this.expectStatus} within ${formatDuration(this.timeout!)}`;
  }
}
