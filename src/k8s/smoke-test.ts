import { Duration } from 'aws-cdk-lib';
import { requireDenseArray, requireInteger, requireProps, requireResolved, requireText } from './private/inputs';
import { SmokeTestOptions } from './private/options';
import { fail, requireDuration, requireName, show } from '../private/validate';

/** The metric name: "smoke-test" when absent; null is refused like any other non-name. */
function metricName(where: string, name: string | undefined): string {
  requireResolved(where, 'name', name);
  return requireName(where, 'name', name === undefined ? 'smoke-test' : name);
}

/** Options for `ArgoSmokeTest.web`. */
export interface WebSmokeTestProps {
  /** Path requested on the new version's preview Service, for example "/health". */
  readonly path: string;
  /**
   * Port of the preview Service to call.
   * @default - the rollout's Service port
   */
  readonly port?: number;
  /**
   * An Argo Rollouts condition on the JSON answer (`result`), for example `result.status == "ok"`.
   * An answer that is not 2xx, not JSON or too late is an error measurement in any case.
   * @default "true" - any 2xx JSON answer passes
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/web/
   */
  readonly successCondition?: string;
  /**
   * A JSONPath into the answer that becomes `result`, for example "{$.status}".
   * @default - the whole answer
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/web/
   */
  readonly jsonPath?: string;
  /**
   * How long one request may take.
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Name of the metric in the AnalysisTemplate.
   * @default "smoke-test"
   */
  readonly name?: string;
}

/** Options for `ArgoSmokeTest.job`. */
export interface JobSmokeTestProps {
  /** The container image that runs the test. */
  readonly image: string;
  /** The command to run; the test passes when it exits 0. */
  readonly command: string[];
  /**
   * Arguments of the command.
   * @default - none
   */
  readonly args?: string[];
  /**
   * Name of the metric in the AnalysisTemplate (and of the Job's container).
   * @default "smoke-test"
   */
  readonly name?: string;
}

/** The kinds of smoke test. */
export enum ArgoSmokeTestKind {
  /** An HTTP request to the preview Service. */
  WEB = 'WEB',
  /** A Kubernetes Job. */
  JOB = 'JOB',
}

/**
 * A test run once against the new version on its preview Service before it receives production
 * traffic (a blue/green pre-promotion analysis). Its failure aborts the rollout.
 * The Job gets the preview URL in `PREVIEW_URL`, the web request calls it directly.
 */
export class ArgoSmokeTest {
  /**
   * Call `http://<preview service>.<namespace>.svc.cluster.local:<port><path>` once; the test
   * passes on a 2xx JSON answer that meets `successCondition`.
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/web/
   */
  public static web(props: WebSmokeTestProps): ArgoSmokeTest {
    const where = 'ArgoSmokeTest.web';
    requireProps(where, props);
    const path = requireText(where, 'path', props.path);
    if (!path.startsWith('/') || /\s/.test(path)) {
      fail(where, 'path', 'must start with "/" and contain no spaces', show(path), 'Pass a path such as "/health".');
    }
    const port = props.port === undefined ? undefined : requireInteger(where, 'port', props.port, 1, 65535, 'Pass a port such as 80.');
    // Only an absent prop takes its default: null is refused by the checks.
    const timeout = requireDuration(where, 'timeout', props.timeout === undefined ? Duration.seconds(10) : props.timeout);
    return new ArgoSmokeTest(ArgoSmokeTestKind.WEB, metricName(where, props.name), {
      path,
      port,
      timeout,
      successCondition: props.successCondition === undefined ? undefined : requireText(where, 'successCondition', props.successCondition),
      jsonPath: props.jsonPath === undefined ? undefined : requireText(where, 'jsonPath', props.jsonPath),
    });
  }

  /**
   * Run a Kubernetes Job once (no retries); the test passes when it succeeds.
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/job/
   */
  public static job(props: JobSmokeTestProps): ArgoSmokeTest {
    const where = 'ArgoSmokeTest.job';
    requireProps(where, props);
    requireText(where, 'image', props.image);
    const commandFix = 'Pass the command, for example ["sh", "-c", "curl -fsS $PREVIEW_URL/health"].';
    if (!Array.isArray(props.command) || props.command.length === 0) {
      fail(where, 'command', 'must contain at least one element', show(props.command), commandFix);
    }
    requireDenseArray(where, 'command', props.command, commandFix);
    props.command.forEach((c, i) => requireText(where, `command[${i}]`, c));
    if (props.args !== undefined) {
      requireDenseArray(where, 'args', props.args, 'Pass the arguments as an array of strings, for example ["--verbose"], or omit args.');
      props.args.forEach((a, i) => {
        requireResolved(where, `args[${i}]`, a);
        if (typeof a !== 'string') fail(where, `args[${i}]`, 'must be a string', show(a), 'Pass strings.');
      });
    }
    return new ArgoSmokeTest(ArgoSmokeTestKind.JOB, metricName(where, props.name), {
      image: props.image, command: [...props.command], args: props.args ? [...props.args] : undefined,
    });
  }

  /** Which kind of test this is. */
  public readonly kind: ArgoSmokeTestKind;
  /** Name of the metric. */
  public readonly name: string;
  /** @internal */
  public readonly _options: SmokeTestOptions;

  private constructor(kind: ArgoSmokeTestKind, name: string, options: SmokeTestOptions) {
    this.kind = kind;
    this.name = name;
    this._options = options;
  }
}
