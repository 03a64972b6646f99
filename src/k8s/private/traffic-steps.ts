/**
 * Traffic control on an Argo Rollouts canary: the header-only preview, the dark launch and the
 * sticky canary of a `DeploymentStrategy`, rendered as steps before the first `setWeight`
 * (`setCanaryScale`, `setHeaderRoute`, `setMirrorRoute`) plus the `managedRoutes` and the ALB
 * `stickinessConfig` of `trafficRouting`; refused on the routers whose controller validation
 * (Argo Rollouts v1.9.1, pkg/apis/rollouts/validation/validation.go) rejects them.
 *
 * Why `setCanaryScale`: with traffic routing the canary ReplicaSet is sized from the last
 * `setWeight` (0 before the first one), so without it no canary pod would exist to answer a header
 * route or a mirrored request. Once an explicit scale is set it holds for the following steps, so
 * `setCanaryScale: { matchTrafficWeight: true }` hands the size back to the weights before the
 * first `setWeight`.
 */
import { Duration } from 'aws-cdk-lib';
import { fail } from '../../private/validate';
import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import { RequestMatch, RequestMatchKind } from '../../strategy/request-match';
import { StickinessKind } from '../../strategy/traffic-control';
import type * as ro from '../imports/argo-rollout-argoproj.io';
import { TrafficRouterKind, TrafficRouting } from '../traffic-routing';
import { union } from './argo-types';
import { argoDuration, seconds } from './durations';

const WHERE = 'ArgoRollout';

/** Names of the managed routes, in precedence order: header routes before the mirror route. */
export const PREVIEW_ROUTE = 'header-preview';
export const STICKY_ROUTE = 'sticky-canary';
export const MIRROR_ROUTE = 'dark-launch';

/** Routers whose setHeaderRoute the controller accepts (Apisix is not one this library configures). */
const HEADER_ROUTERS = [TrafficRouterKind.ISTIO, TrafficRouterKind.ALB, TrafficRouterKind.GATEWAY_API];

/** The traffic control of a canary, rendered for Argo Rollouts. */
export interface TrafficControlRender {
  /** Steps before the first setWeight. */
  readonly before: ro.RolloutSpecStrategyCanarySteps[];
  /** `trafficRouting.managedRoutes`, in precedence order (empty when none). */
  readonly managedRoutes: string[];
  /** `trafficRouting.alb.stickinessConfig.durationSeconds`, with load-balancer stickiness. */
  readonly stickinessSeconds?: number;
  /** Remarks for the plan. */
  readonly notes: string[];
}

/**
 * Whether a strategy is a blue/green with a warm-up on a traffic router, which Argo Rollouts runs as
 * canary steps (render.ts `renderBlueGreenWarmUp`).
 */
export function isBlueGreenOnRouter(strategy: DeploymentStrategy, router: TrafficRouting): boolean {
  return strategy.kind === StrategyKind.BLUE_GREEN && strategy.warmUp !== undefined && router.kind !== TrafficRouterKind.NONE;
}

/** Refuses, with the reason, a blue/green warm-up without a router: Argo's blue/green switches Services and has no router for a trickle. */
export function refuseBlueGreenTrafficControl(strategy: DeploymentStrategy): void {
  if (strategy.warmUp !== undefined) {
    fail(WHERE, 'strategy.warmUp', 'needs a traffic router on Argo Rollouts: a blue/green rollout without one switches the active Service from one ReplicaSet to the other at once, with nothing to send a share of requests to the new version first',
      `WarmUp.of(${strategy.warmUp.percent}, ...)`,
      'Pass trafficRouting (Istio, ALB, SMI, NGINX or Gateway API): the blue/green is then rendered as canary steps, full-scale preview, warm-up weight, then 100%.');
  }
}

/** Renders the traffic control of a canary or linear strategy, or refuses what the router cannot do. */
export function renderTrafficControl(strategy: DeploymentStrategy, router: TrafficRouting): TrafficControlRender {
  const { headerPreview, darkLaunch, stickiness } = strategy;
  const notes: string[] = [];
  const before: ro.RolloutSpecStrategyCanarySteps[] = [];
  const managed: string[] = [];
  const first = strategy.kind === StrategyKind.CANARY || strategy.kind === StrategyKind.LINEAR ? strategy.steps[0]?.weight ?? 0 : 0;
  // Canary pods for the phases before traffic: as many as the first step needs, so its start changes no pod count.
  let scale = Math.ceil(first);
  if (headerPreview) {
    before.push({ setCanaryScale: { weight: scale } });
    before.push({ setHeaderRoute: { name: PREVIEW_ROUTE, match: [headerMatch('strategy.headerPreview.match', headerPreview.match, router)] } });
    before.push({ pause: { duration: pause('strategy.headerPreview.duration', headerPreview.duration) } });
    if (headerPreview.manualGate) before.push({ pause: {} });
    managed.push(PREVIEW_ROUTE);
    notes.push(`Header-only preview: requests with ${headerPreview.match.describe()} reach the new version (setCanaryScale weight ${scale}% of the replicas, then setHeaderRoute "${PREVIEW_ROUTE}") until the rollout completes or aborts; every other request stays on the previous version until the first setWeight.`);
  }
  if (stickiness?.kind === StickinessKind.REQUEST_MATCH) {
    headerMatch('strategy.stickiness.match', stickiness.match!, router);
  }
  if (darkLaunch) {
    if (router.kind !== TrafficRouterKind.ISTIO) {
      fail(WHERE, 'strategy.darkLaunch', `cannot be rendered with ${router.describe()}: Argo Rollouts v1.9 accepts setMirrorRoute with Istio only (its validation rejects every other router, plugins included)`,
        darkLaunch.describe(), 'Route with TrafficRouting.istio({...}), or replace the dark launch with a header-only preview (HeaderPreview) or a small first CanaryStep.');
    }
    const needed = Math.max(scale, darkLaunch.percent);
    if (!headerPreview || needed !== scale) {
      scale = needed;
      before.push({ setCanaryScale: { weight: scale } });
    }
    before.push({
      setMirrorRoute: {
        name: MIRROR_ROUTE,
        percentage: darkLaunch.percent,
        match: darkLaunch.methods.map(m => ({ method: { exact: m } })),
      },
    });
    before.push({ pause: { duration: pause('strategy.darkLaunch.duration', darkLaunch.duration) } });
    // A setMirrorRoute without match removes the route: the mirror ends before users get the new version.
    before.push({ setMirrorRoute: { name: MIRROR_ROUTE } });
    managed.push(MIRROR_ROUTE);
    notes.push(`Dark launch: setMirrorRoute "${MIRROR_ROUTE}" copies ${darkLaunch.percent}% of the ${darkLaunch.methods.join('/')} requests to the new version (${scale}% of the replicas, setCanaryScale) and Istio discards its responses; the route is removed before the first setWeight.`);
  }
  if (before.length > 0) {
    before.push({ setCanaryScale: { matchTrafficWeight: true } });
  }
  let stickinessSeconds: number | undefined;
  if (stickiness?.kind === StickinessKind.REQUEST_MATCH) {
    before.push({ setHeaderRoute: { name: STICKY_ROUTE, match: [headerMatch('strategy.stickiness.match', stickiness.match!, router)] } });
    // Header routes take precedence over the mirror route.
    managed.splice(headerPreview ? 1 : 0, 0, STICKY_ROUTE);
    notes.push(`Sticky canary: from the first traffic step, requests with ${stickiness.match!.describe()} go to the new version (setHeaderRoute "${STICKY_ROUTE}") until the rollout completes or aborts, whatever the weight. The new version must mark the users it serves (for example with Set-Cookie) for them to stay on it.`);
  } else if (stickiness?.kind === StickinessKind.LOAD_BALANCER) {
    if (router.kind !== TrafficRouterKind.ALB) {
      fail(WHERE, 'strategy.stickiness', `cannot be rendered with ${router.describe()}: Argo Rollouts configures load-balancer stickiness only for the ALB router (trafficRouting.alb.stickinessConfig)`,
        'Stickiness.loadBalancer', 'Route with TrafficRouting.alb({...}), or keep users on one version with Stickiness.byRequest(RequestMatch.cookie(name, value)) on Istio, ALB or Gateway API.');
    }
    stickinessSeconds = seconds(stickiness.duration!);
    notes.push(`Sticky canary: the ALB keeps each client on the target group it first reached for ${stickinessSeconds}s (trafficRouting.alb.stickinessConfig), so a client does not bounce between versions while the weights are split.`);
  }
  return { before, managedRoutes: managed, stickinessSeconds, notes };
}

/** Adds the managed routes and the ALB stickiness to a rendered `trafficRouting`. */
export function withTrafficControl(tr: ro.RolloutSpecStrategyCanaryTrafficRouting,
  c: TrafficControlRender): ro.RolloutSpecStrategyCanaryTrafficRouting {
  return {
    ...tr,
    ...(c.managedRoutes.length > 0 ? { managedRoutes: c.managedRoutes.map(name => ({ name })) } : {}),
    ...(c.stickinessSeconds !== undefined && tr.alb
      ? { alb: { ...tr.alb, stickinessConfig: { enabled: true, durationSeconds: c.stickinessSeconds } } } : {}),
  };
}

/** A header match for `setHeaderRoute`, refused on a router that cannot match it exactly. */
function headerMatch(field: string, m: RequestMatch, router: TrafficRouting): ro.RolloutSpecStrategyCanaryStepsSetHeaderRouteMatch {
  if (!HEADER_ROUTERS.includes(router.kind)) {
    fail(WHERE, field, `cannot be rendered with ${router.describe()}: Argo Rollouts v1.9 accepts setHeaderRoute only with Istio, ALB, Apisix and router plugins`,
      m.describe(), router.kind === TrafficRouterKind.NGINX
        ? 'Route with TrafficRouting.istio, .alb or .gatewayApi; with NGINX, the canary-by-header annotations (additionalIngressAnnotations) route by header outside the strategy.'
        : 'Route with TrafficRouting.istio({...}), TrafficRouting.alb({...}) or TrafficRouting.gatewayApi({...}).');
  }
  if (router.kind === TrafficRouterKind.ALB && m.kind !== RequestMatchKind.HEADER_EXACT) {
    fail(WHERE, field, 'cannot be rendered with the ALB router: Argo Rollouts matches ALB header routes by exact value only'
      + (m.kind === RequestMatchKind.COOKIE ? ', and a cookie is one part of the Cookie header, never its whole value' : ''),
    m.describe(), 'Use RequestMatch.header(name, value) with a header your clients or edge set, or route with TrafficRouting.istio({...}).');
  }
  if (router.kind === TrafficRouterKind.GATEWAY_API && m.kind === RequestMatchKind.HEADER_PREFIX) {
    fail(WHERE, field, 'cannot be rendered with the Gateway API router: an HTTPRoute header match is exact or a regular expression, with no prefix match',
      m.describe(), `Use RequestMatch.headerRegex("${m.name}", "^${escapeRegex(m.value)}.*") instead.`);
  }
  // Istio header match keys are lower case; header names are case-insensitive everywhere.
  const name = router.kind === TrafficRouterKind.ALB ? m.name : m.name.toLowerCase();
  switch (m.kind) {
    case RequestMatchKind.HEADER_EXACT: return { headerName: name, headerValue: { exact: m.value } };
    case RequestMatchKind.HEADER_PREFIX: return { headerName: name, headerValue: { prefix: m.value } };
    case RequestMatchKind.HEADER_REGEX: return { headerName: name, headerValue: { regex: m.value } };
    default:
      return { headerName: 'cookie', headerValue: { regex: cookieRegex(m.name, m.value) } };
  }
}

/** A regular expression (RE2, matched against the whole header) for one cookie among the Cookie header's. */
export function cookieRegex(name: string, value: string): string {
  return `^(.*;\\s*)?${escapeRegex(name)}=${escapeRegex(value)}(;.*)?$`;
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function pause(field: string, d: Duration): ro.RolloutSpecStrategyCanaryStepsPauseDuration {
  return union<ro.RolloutSpecStrategyCanaryStepsPauseDuration>(argoDuration(WHERE, field, d));
}
