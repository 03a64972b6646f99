/**
 * The traffic control of a `DeploymentStrategy` (sticky canary, header-only preview, dark launch)
 * on AWS targets: what ECS and Lambda aliases cannot express, refused with the reason and what is
 * possible instead, and the ALB condition of the header-only preview on the ECS native engine. The
 * warm-up before a blue/green switch is rendered in render.ts.
 */
import { fail } from '../../private/validate';
import { DeploymentStrategy } from '../../strategy/deployment-strategy';
import { RequestMatchKind } from '../../strategy/request-match';
import { HeaderPreview, StickinessKind } from '../../strategy/traffic-control';

/**
 * ALB http-header conditions: header names of at most 40 characters, comparison strings of at most
 * 128, compared case-insensitively, `*` and `?` as wildcards; the Host header has its own condition.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_HttpHeaderConditionConfig.html
 */
const ALB_HEADER_NAME_MAX = 40;
const ALB_HEADER_VALUE_MAX = 128;

/** The header route of a header-only preview on ECS native: an ALB http-header condition. */
export interface EcsHeaderRoute {
  /** The preview as declared. */
  readonly preview: HeaderPreview;
  /** The header the condition looks at. */
  readonly headerName: string;
  /** The ALB comparison string (an exact value, or a prefix followed by `*`). */
  readonly value: string;
  /** A header value that matches the route, which the HTTP smoke test sends. */
  readonly sampleValue: string;
  /** The route as readable text. */
  readonly describe: string;
}

/**
 * The ALB http-header condition of a header-only preview, or a refusal for a match the condition
 * cannot express exactly: an exact value, or a prefix as `prefix*`, without the wildcard characters
 * `*` and `?` (an ALB comparison string has no escape for them). ALB compares header values without
 * regard to case, which the route's description says.
 */
export function ecsHeaderRoute(where: string, preview: HeaderPreview): EcsHeaderRoute {
  const match = preview.match;
  const field = 'strategy.headerPreview.match';
  if (match.kind === RequestMatchKind.HEADER_REGEX || match.kind === RequestMatchKind.COOKIE) {
    fail(where, field, match.kind === RequestMatchKind.COOKIE
      ? 'cannot be expressed by an ALB listener rule: it has no cookie condition, and a wildcard on the Cookie header would also match other cookies that contain the same text'
      : 'cannot be expressed by the ALB http-header condition the preview renders: its comparison strings match whole values with the wildcards * and ?, not regular expressions',
    match.describe(), 'Use RequestMatch.header(name, value) (an exact value) or RequestMatch.headerPrefix(name, prefix).');
  }
  if (match.name.length > ALB_HEADER_NAME_MAX) {
    fail(where, field, `must name a header of at most ${ALB_HEADER_NAME_MAX} characters (the ALB http-header condition's limit)`, `${match.name.length} characters`, 'Use a shorter header name, such as "X-Preview".');
  }
  if (match.name.toLowerCase() === 'host') {
    fail(where, field, 'cannot match the Host header: an ALB http-header condition refuses it (host names have their own condition)', match.describe(),
      'Match another header, such as "X-Preview"; to select the service by host, pass conditions: [elbv2.ListenerCondition.hostHeaders([...])].');
  }
  if (/[*?]/.test(match.value)) {
    fail(where, field, 'must not contain "*" or "?": an ALB http-header condition reads them as wildcards, with no way to match them literally', match.describe(),
      'Use a value without "*" and "?", for example "qa".');
  }
  const prefix = match.kind === RequestMatchKind.HEADER_PREFIX;
  const value = prefix ? `${match.value}*` : match.value;
  if (value.length > ALB_HEADER_VALUE_MAX) {
    fail(where, field, `must be at most ${ALB_HEADER_VALUE_MAX} characters${prefix ? ' with the "*" that makes it a prefix' : ''} (the ALB comparison string limit)`, `${value.length} characters`, 'Use a shorter value.');
  }
  return {
    preview,
    headerName: match.name,
    value,
    sampleValue: match.value,
    describe: `${match.describe()} (the value compared without regard to case)`,
  };
}

/**
 * Refuses what an ECS service (native engine or CodeDeploy) cannot express. `testListener`: whether the
 * service has one; `headerPreviewSupported`: whether the engine renders a header preview (ECS native,
 * see `ecsHeaderRoute`).
 */
export function refuseEcsTrafficControl(where: string, strategy: DeploymentStrategy, target: string, testListener: boolean,
  headerPreviewSupported: boolean): void {
  const { stickiness, headerPreview, darkLaunch } = strategy;
  if (stickiness?.kind === StickinessKind.LOAD_BALANCER) {
    fail(where, 'strategy.stickiness', `cannot be expressed with ${target}: ECS rewrites the production listener rule's weighted forward action at each traffic step, and AWS does not document that it keeps a target-group stickiness configuration there; `
      + 'and ALB target-group stickiness takes precedence over the weights, so after an alarm rollback a pinned client would keep reaching the rolled-back version until its stickiness expires',
    'Stickiness.loadBalancer', 'Remove stickiness (each request is then routed by weight), or render the strategy with Argo Rollouts and TrafficRouting.alb, whose stickinessConfig is part of the controller\'s weighted action.');
  }
  if (stickiness?.kind === StickinessKind.REQUEST_MATCH) {
    fail(where, 'strategy.stickiness', `cannot be expressed with ${target}: ECS manages only the production and test listener rules, and a rule that sends matching requests to the new version would have to follow the target group that carries it, which alternates between blue and green on every deployment`,
      stickiness.match!.describe(), 'Remove stickiness, or render the strategy with Argo Rollouts (setHeaderRoute on Istio, ALB or Gateway API).');
  }
  if (headerPreview !== undefined && !headerPreviewSupported) {
    fail(where, 'strategy.headerPreview', `cannot be expressed with ${target}: its test traffic route is a whole listener (the deployment group's TestTrafficRoute takes listener ARNs, not listener rules), `
      + 'which CodeDeploy points at the replacement task set by port, so it cannot route by header; and CodeDeploy holds that stage only while the AfterAllowTestTraffic hook runs, not for a set duration',
    headerPreview.match.describe(), testListener
      ? 'Use EcsEngine.native(), which renders the preview as a header-matched test listener rule on the production listener, or remove headerPreview and check the new version on the test listener with smokeTest (and testTrafficFrom for testers).'
      : 'Use EcsEngine.native(), which renders the preview as a header-matched test listener rule on the production listener, or remove headerPreview and pass smokeTest or testTrafficFrom to create a test listener that reaches the new version before any user.');
  }
  if (darkLaunch !== undefined) {
    fail(where, 'strategy.darkLaunch', `cannot be expressed with ${target}: an Application Load Balancer forwards each request to one target group and has no request mirroring`,
      darkLaunch.describe(), 'Remove darkLaunch; check the new version before production traffic with smokeTest on the test listener, or render the strategy with Argo Rollouts and TrafficRouting.istio (setMirrorRoute).');
  }
}

/** Refuses what a Lambda alias cannot express. */
export function refuseLambdaTrafficControl(where: string, strategy: DeploymentStrategy, target: string): void {
  const { stickiness, headerPreview, darkLaunch } = strategy;
  if (stickiness !== undefined) {
    fail(where, 'strategy.stickiness', `cannot be expressed with ${target}: a weighted alias picks a version for each invocation at random, with no notion of a client, header or cookie`,
      stickiness.kind === StickinessKind.LOAD_BALANCER ? 'Stickiness.loadBalancer' : stickiness.match!.describe(),
      'Remove stickiness: make the function tolerate consecutive invocations on either version, or route clients to a version yourself (for example two aliases behind an API that picks one per user).');
  }
  if (headerPreview !== undefined) {
    fail(where, 'strategy.headerPreview', `cannot be expressed with ${target}: an alias routes invocations by weight only, and an invocation carries no header the alias could match`,
      headerPreview.match.describe(), 'Remove headerPreview and check the new version before traffic with smokeTest: SmokeTest.invoke({ payload }) (a pre-traffic hook), or invoke the new version by its qualifier.');
  }
  if (darkLaunch !== undefined) {
    fail(where, 'strategy.darkLaunch', `cannot be expressed with ${target}: an alias sends each invocation to one version and cannot copy it to another`,
      darkLaunch.describe(), 'Remove darkLaunch, and check the new version before traffic with smokeTest: SmokeTest.invoke({ payload }).');
  }
}
