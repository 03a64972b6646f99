import { Duration } from 'aws-cdk-lib';
import { RequestMatch } from './request-match';
import { fail, formatDuration, requireDuration, requireNumber, requireThousandths, show } from '../private/validate';

/** How a sticky canary keeps a user on the version they first got. */
export enum StickinessKind {
  /** Requests that match a header or cookie go to the new version for the whole rollout. */
  REQUEST_MATCH = 'REQUEST_MATCH',
  /** The load balancer pins a client to the version (target group) it first reached. */
  LOAD_BALANCER = 'LOAD_BALANCER',
}

/**
 * A sticky canary: a user keeps the version they first got for the whole rollout, instead of
 * bouncing between versions from one request to the next while the weights are split.
 */
export class Stickiness {
  /**
   * Requests that match `match` go to the new version from the first traffic step to the end of the
   * rollout (Argo Rollouts `setHeaderRoute`, removed when the rollout completes or aborts). Your new
   * version marks the users it served, for example with a `Set-Cookie: version=canary` that
   * `RequestMatch.cookie("version", "canary")` matches, so they stay on it.
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/#traffic-routing-based-on-a-header-values-for-canary
   */
  public static byRequest(match: RequestMatch): Stickiness {
    if (!(match instanceof RequestMatch)) {
      fail('Stickiness.byRequest', 'match', 'must be a RequestMatch', show(match), 'Pass RequestMatch.cookie(name, value) or RequestMatch.header(name, value).');
    }
    return new Stickiness(StickinessKind.REQUEST_MATCH, match, undefined);
  }

  /**
   * The load balancer pins a client to the version it first reached for `duration` (ALB
   * target-group stickiness on the weighted forward action, 1 second to 7 days).
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#rule-action-types
   */
  public static loadBalancer(duration: Duration): Stickiness {
    const d = requireDuration('Stickiness.loadBalancer', 'duration', duration);
    if (d.toSeconds() > 604800) {
      fail('Stickiness.loadBalancer', 'duration', 'must be at most 7 days (the ALB target-group stickiness limit)', formatDuration(d), 'Pass Duration.days(7) or less.');
    }
    return new Stickiness(StickinessKind.LOAD_BALANCER, undefined, d);
  }

  /** How users are kept on their version. */
  public readonly kind: StickinessKind;
  /** The requests that go to the new version (`byRequest` only). */
  public readonly match?: RequestMatch;
  /** How long the load balancer pins a client (`loadBalancer` only). */
  public readonly duration?: Duration;

  private constructor(kind: StickinessKind, match: RequestMatch | undefined, duration: Duration | undefined) {
    this.kind = kind;
    this.match = match;
    this.duration = duration;
  }

  /** Readable text for plans and messages. */
  public describe(): string {
    return this.kind === StickinessKind.REQUEST_MATCH
      ? `requests with ${this.match!.describe()} go to the new version for the whole rollout`
      : `the load balancer keeps each client on the version it first reached for ${formatDuration(this.duration!)}`;
  }
}

/** Options for `HeaderPreview.of`. */
export interface HeaderPreviewProps {
  /** The requests that reach the new version during the preview (everyone else stays on the old one). */
  readonly match: RequestMatch;
  /** How long the preview lasts before the first traffic step (with `manualGate`: before approval is requested). */
  readonly duration: Duration;
  /**
   * Hold at the end of the preview until someone approves the first traffic step.
   * @default false
   */
  readonly manualGate?: boolean;
}

/**
 * The new version reachable only by requests that match a header (or cookie), at 0% weight, before
 * any user gets it: testers and automated checks reach it on the production route.
 */
export class HeaderPreview {
  /** A header-only preview before the first traffic step. */
  public static of(props: HeaderPreviewProps): HeaderPreview {
    const where = 'HeaderPreview.of';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { match, duration }.');
    }
    if (!(props.match instanceof RequestMatch)) {
      fail(where, 'match', 'must be a RequestMatch', show(props.match), 'Pass RequestMatch.header("X-Preview", "1").');
    }
    const duration = requireDuration(where, 'duration', props.duration);
    if (props.manualGate !== undefined && typeof props.manualGate !== 'boolean') {
      fail(where, 'manualGate', 'must be true or false', show(props.manualGate), 'Pass true to wait for an approval after the preview.');
    }
    return new HeaderPreview(props.match, duration, props.manualGate ?? false);
  }

  /** The requests that reach the new version. */
  public readonly match: RequestMatch;
  /** How long the preview lasts. */
  public readonly duration: Duration;
  /** Whether the preview ends with a manual approval. */
  public readonly manualGate: boolean;

  private constructor(match: RequestMatch, duration: Duration, manualGate: boolean) {
    this.match = match;
    this.duration = duration;
    this.manualGate = manualGate;
  }
}

/** Options for `DarkLaunch.mirror`. */
export interface DarkLaunchProps {
  /** Percent of the matching production requests copied to the new version (1 to 100, whole). */
  readonly percent: number;
  /** How long requests are mirrored before the first traffic step. */
  readonly duration: Duration;
  /**
   * The HTTP methods mirrored. Only safe methods are accepted: a mirrored write would be performed
   * twice, once by each version.
   * @default ["GET", "HEAD"]
   */
  readonly methods?: string[];
}

const SAFE_METHODS = ['GET', 'HEAD', 'OPTIONS'];

/**
 * A dark launch: a share of production requests is copied to the new version and its responses
 * are discarded, so it serves real traffic without any user seeing its answers.
 */
export class DarkLaunch {
  /**
   * Mirror `percent` percent of the production requests with a safe method to the new version for
   * `duration`, before the first traffic step (Argo Rollouts `setMirrorRoute`, Istio only).
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/#traffic-routing-mirroring-traffic-to-canary
   */
  public static mirror(props: DarkLaunchProps): DarkLaunch {
    const where = 'DarkLaunch.mirror';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { percent, duration }.');
    }
    const percent = requireNumber(where, 'percent', props.percent, { min: 1, max: 100, integer: true },
      'Pass a whole percentage between 1 and 100 (Argo Rollouts\' mirror percentage is a whole number).');
    const duration = requireDuration(where, 'duration', props.duration);
    let methods = ['GET', 'HEAD'];
    if (props.methods !== undefined) {
      if (!Array.isArray(props.methods) || props.methods.length === 0) {
        fail(where, 'methods', 'must list at least one HTTP method', show(props.methods), 'Pass for example ["GET"], or omit it for GET and HEAD.');
      }
      methods = [];
      for (let i = 0; i < props.methods.length; i++) {
        const m = props.methods[i];
        if (typeof m !== 'string' || !SAFE_METHODS.includes(m)) {
          fail(where, `methods[${i}]`, `must be a safe HTTP method (${SAFE_METHODS.join(', ')}): a mirrored request is also served by the old version, so a write would happen twice`,
            show(m), 'Mirror only reads; test writes with a header-only preview (HeaderPreview) instead.');
        }
        if (methods.includes(m)) {
          fail(where, `methods[${i}]`, 'must not repeat a method', show(m), 'List each method once.');
        }
        methods.push(m);
      }
    }
    return new DarkLaunch(percent, duration, methods);
  }

  /** Percent of the matching production requests copied to the new version. */
  public readonly percent: number;
  /** How long requests are mirrored. */
  public readonly duration: Duration;
  /** The HTTP methods mirrored. */
  public readonly methods: string[];

  private constructor(percent: number, duration: Duration, methods: string[]) {
    this.percent = percent;
    this.duration = duration;
    this.methods = methods;
  }

  /** Readable text for plans and messages. */
  public describe(): string {
    return `${this.percent}% of ${this.methods.join('/')} requests mirrored to the new version, responses discarded`;
  }
}

/**
 * A warm-up before a blue/green switch: a trickle of production traffic on the new version for a
 * while, judged like any step, so that caches, connection pools and JIT are warm when all traffic
 * arrives.
 */
export class WarmUp {
  /**
   * Send `percent` percent of production traffic (0.1 to 10; 1-2% is typical) to the new version for
   * `duration` after the preview, then switch all traffic.
   */
  public static of(percent: number, duration: Duration): WarmUp {
    const where = 'WarmUp.of';
    const p = requireThousandths(where, 'percent', requireNumber(where, 'percent', percent, { min: 0.1, max: 10 },
      'Pass a trickle such as 1 or 2 percent; for larger steps use DeploymentStrategy.canary.'), 'Round the percent to three decimal places, for example 1.5.');
    return new WarmUp(p, requireDuration(where, 'duration', duration));
  }

  /** Percent of production traffic during the warm-up. */
  public readonly percent: number;
  /** How long the warm-up lasts. */
  public readonly duration: Duration;

  private constructor(percent: number, duration: Duration) {
    this.percent = percent;
    this.duration = duration;
  }
}
