import { fail } from '../../private/validate';
import type * as ro from '../imports/argo-rollout-argoproj.io';
import { TrafficRouterKind, TrafficRouting } from '../traffic-routing';

const WHERE = 'ArgoRollout';

/** What the router's rendering needs besides the router itself. */
export interface RouterContext {
  /** Port of the rollout's Services (the ALB rule's default service port). */
  readonly port: number;
  /** `maxTrafficWeight`, when the weights need a scale other than 100. */
  readonly maxTrafficWeight?: number;
  /** The namespace the rollout runs in (its own, else its chart's), when known. */
  readonly namespace?: string;
  /** Name of the Rollout (the SMI TrafficSplit's default name). */
  readonly rolloutName: string;
}

/**
 * `spec.strategy.canary.trafficRouting` for a router (not `TrafficRouting.none()`, which renders
 * no trafficRouting at all).
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/
 */
export function renderTrafficRouter(router: TrafficRouting, ctx: RouterContext): ro.RolloutSpecStrategyCanaryTrafficRouting {
  const o = router._options;
  const max = ctx.maxTrafficWeight !== undefined ? { maxTrafficWeight: ctx.maxTrafficWeight } : {};
  switch (router.kind) {
    case TrafficRouterKind.NGINX:
      return {
        ...max,
        nginx: {
          stableIngress: o.stableIngress,
          ...(o.additionalIngressAnnotations ? { additionalIngressAnnotations: o.additionalIngressAnnotations } : {}),
          ...(o.annotationPrefix ? { annotationPrefix: o.annotationPrefix } : {}),
        },
      };
    case TrafficRouterKind.ISTIO:
      return { istio: { virtualService: { name: o.virtualService!, ...(o.routes ? { routes: o.routes } : {}) } } };
    case TrafficRouterKind.ALB:
      return { alb: { ingress: o.ingress, servicePort: o.servicePort ?? ctx.port, ...(o.rootService ? { rootService: o.rootService } : {}) } };
    case TrafficRouterKind.SMI:
      return { smi: { trafficSplitName: o.trafficSplitName ?? ctx.rolloutName, ...(o.rootService ? { rootService: o.rootService } : {}) } };
    case TrafficRouterKind.GATEWAY_API: {
      const ns = o.namespace ?? ctx.namespace;
      if (ns === undefined) {
        fail(WHERE, 'trafficRouting.namespace', 'is required by the Gateway API plugin when neither the rollout nor its chart has a namespace', 'undefined',
          'Pass TrafficRouting.gatewayApi({ httpRoute, namespace }), or set namespace on the rollout or the chart.');
      }
      return { ...max, plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: o.httpRoute, namespace: ns } } };
    }
    default:
      throw new Error(`renderTrafficRouter: ${router.kind} renders no trafficRouting`);
  }
}
