import { requireDenseArray, requirePort, requireK8sName, requireProps, requireText } from './private/inputs';
import { RouterOptions } from './private/options';
import { fail, show } from '../private/validate';

/** The name part of an annotation key (the prefix is Argo's `annotationPrefix`). */
const ANNOTATION_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** The traffic routers `TrafficRouting` can configure. */
export enum TrafficRouterKind {
  /** No router: the share of traffic follows the share of pods. */
  NONE = 'NONE',
  /** NGINX ingress controller (a canary Ingress managed by Argo Rollouts). */
  NGINX = 'NGINX',
  /** Istio VirtualService (host-level split between the stable and canary Services). */
  ISTIO = 'ISTIO',
  /** AWS Load Balancer Controller ALB Ingress (weighted forward action). */
  ALB = 'ALB',
  /** Service Mesh Interface TrafficSplit. */
  SMI = 'SMI',
  /** Gateway API HTTPRoute through the Argo Rollouts Gateway API plugin. */
  GATEWAY_API = 'GATEWAY_API',
}

/** Options for `TrafficRouting.nginx`. */
export interface NginxTrafficRoutingProps {
  /**
   * Name of the Ingress that routes to the stable Service (`ArgoRollout.stableService`); Argo
   * Rollouts clones it into a canary Ingress and sets its weight.
   */
  readonly stableIngress: string;
  /**
   * Annotations added to the canary Ingress that Argo Rollouts creates.
   * @default - none
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/nginx/
   */
  readonly additionalIngressAnnotations?: { [name: string]: string };
  /**
   * Prefix of the NGINX annotations, for controllers installed with a custom prefix.
   * @default "nginx.ingress.kubernetes.io"
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/nginx/
   */
  readonly annotationPrefix?: string;
}

/** Options for `TrafficRouting.istio`. */
export interface IstioTrafficRoutingProps {
  /** Name of the VirtualService whose HTTP routes send traffic to the stable and canary Services. */
  readonly virtualService: string;
  /**
   * The HTTP routes of the VirtualService that Argo Rollouts updates.
   * @default - the VirtualService's only HTTP route
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/istio/
   */
  readonly routes?: string[];
}

/** Options for `TrafficRouting.alb`. */
export interface AlbTrafficRoutingProps {
  /** Name of the Ingress (class `alb`) that routes to the stable Service. */
  readonly ingress: string;
  /**
   * The Service port the Ingress rule uses.
   * @default - the rollout's Service port
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/alb/
   */
  readonly servicePort?: number;
  /**
   * A Service that selects every pod of the rollout, for an Ingress rule that references it
   * instead of the stable Service.
   * @default - the Ingress rule references the stable Service
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/alb/
   */
  readonly rootService?: string;
}

/** Options for `TrafficRouting.smi`. */
export interface SmiTrafficRoutingProps {
  /**
   * Name of the TrafficSplit that Argo Rollouts creates and updates.
   * @default - the rollout's name
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/smi/
   */
  readonly trafficSplitName?: string;
  /**
   * The Service that clients call (the TrafficSplit's root service).
   * @default - the stable Service
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/smi/
   */
  readonly rootService?: string;
}

/** Options for `TrafficRouting.gatewayApi`. */
export interface GatewayApiTrafficRoutingProps {
  /** Name of the HTTPRoute whose backend refs are the stable and canary Services. */
  readonly httpRoute: string;
  /**
   * Namespace of the HTTPRoute.
   * @default - the rollout's namespace (`ArgoRolloutProps.namespace`, or the chart's); an error when neither is set
   * @see https://rollouts-plugin-trafficrouter-gatewayapi.readthedocs.io/en/latest/
   */
  readonly namespace?: string;
}

/**
 * How traffic is split between the stable and the new version during a canary. A router moves
 * requests by weight; without one, Argo Rollouts can only approximate weights with pod counts.
 */
export class TrafficRouting {
  /**
   * No traffic router: the canary's weight is approximated by the number of new pods next to the
   * old ones (a warning on the construct says so). `keepPreviousVersionFor` cannot be honoured and
   * must be zero: at 100% Argo Rollouts scales the previous version of a basic canary to zero.
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/canary/
   */
  public static none(): TrafficRouting {
    return new TrafficRouting(TrafficRouterKind.NONE, {});
  }

  /**
   * NGINX ingress controller: Argo Rollouts creates a canary Ingress from `stableIngress` and sets
   * its canary weight. Supports fractional weights (through `maxTrafficWeight`).
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/nginx/
   */
  public static nginx(props: NginxTrafficRoutingProps): TrafficRouting {
    const where = 'TrafficRouting.nginx';
    requireProps(where, props);
    requireK8sName(where, 'stableIngress', props.stableIngress);
    if (props.annotationPrefix !== undefined) requireText(where, 'annotationPrefix', props.annotationPrefix);
    const annotations = props.additionalIngressAnnotations;
    if (annotations !== undefined) {
      if (annotations === null || typeof annotations !== 'object' || Array.isArray(annotations)) {
        fail(where, 'additionalIngressAnnotations', 'must be an object of annotation names to values', show(annotations),
          'Pass for example { "canary-by-header": "X-Canary" }, or omit it.');
      }
      for (const [k, v] of Object.entries(annotations)) {
        if (!ANNOTATION_NAME.test(k)) {
          fail(where, 'additionalIngressAnnotations', 'must be keyed by annotation names (letters, digits, "-", "_" and ".", at most 63, without the prefix)', show(k),
            'Use a name such as "canary-by-header": Argo Rollouts adds the annotation prefix.');
        }
        requireText(where, `additionalIngressAnnotations.${k}`, v);
      }
    }
    return new TrafficRouting(TrafficRouterKind.NGINX, {
      stableIngress: props.stableIngress,
      additionalIngressAnnotations: props.additionalIngressAnnotations ? { ...props.additionalIngressAnnotations } : undefined,
      annotationPrefix: props.annotationPrefix,
    });
  }

  /**
   * Istio: Argo Rollouts sets the weights of the stable and canary Services in the VirtualService's
   * HTTP routes.
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/istio/
   */
  public static istio(props: IstioTrafficRoutingProps): TrafficRouting {
    const where = 'TrafficRouting.istio';
    requireProps(where, props);
    requireK8sName(where, 'virtualService', props.virtualService);
    if (props.routes !== undefined) {
      if (!Array.isArray(props.routes) || props.routes.length === 0) {
        fail(where, 'routes', 'must name at least one HTTP route when given', show(props.routes), 'Omit routes to use the only route, or list the route names.');
      }
      requireDenseArray(where, 'routes', props.routes, 'List the route names, for example ["primary"].');
      props.routes.forEach((r, i) => requireText(where, `routes[${i}]`, r));
    }
    return new TrafficRouting(TrafficRouterKind.ISTIO, {
      virtualService: props.virtualService,
      routes: props.routes ? [...props.routes] : undefined,
    });
  }

  /**
   * AWS Load Balancer Controller: Argo Rollouts writes a weighted forward action for the stable and
   * canary Services into the Ingress annotations.
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/alb/
   */
  public static alb(props: AlbTrafficRoutingProps): TrafficRouting {
    const where = 'TrafficRouting.alb';
    requireProps(where, props);
    requireK8sName(where, 'ingress', props.ingress);
    if (props.servicePort !== undefined) requirePort(where, 'servicePort', props.servicePort);
    if (props.rootService !== undefined) requireK8sName(where, 'rootService', props.rootService);
    return new TrafficRouting(TrafficRouterKind.ALB, { ingress: props.ingress, servicePort: props.servicePort, rootService: props.rootService });
  }

  /**
   * Service Mesh Interface: Argo Rollouts creates a TrafficSplit between the stable and canary Services.
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/smi/
   */
  public static smi(props: SmiTrafficRoutingProps = {}): TrafficRouting {
    const where = 'TrafficRouting.smi';
    requireProps(where, props);
    if (props.trafficSplitName !== undefined) requireK8sName(where, 'trafficSplitName', props.trafficSplitName);
    if (props.rootService !== undefined) requireK8sName(where, 'rootService', props.rootService);
    return new TrafficRouting(TrafficRouterKind.SMI, { trafficSplitName: props.trafficSplitName, rootService: props.rootService });
  }

  /**
   * Gateway API through the Argo Rollouts plugin `argoproj-labs/gatewayAPI` (installed in the
   * controller's configuration): the plugin sets the weights of the HTTPRoute's backend refs.
   * Supports fractional weights (through `maxTrafficWeight`).
   * @see https://rollouts-plugin-trafficrouter-gatewayapi.readthedocs.io/en/latest/
   */
  public static gatewayApi(props: GatewayApiTrafficRoutingProps): TrafficRouting {
    const where = 'TrafficRouting.gatewayApi';
    requireProps(where, props);
    requireK8sName(where, 'httpRoute', props.httpRoute);
    if (props.namespace !== undefined) requireK8sName(where, 'namespace', props.namespace);
    return new TrafficRouting(TrafficRouterKind.GATEWAY_API, { httpRoute: props.httpRoute, namespace: props.namespace });
  }

  /** Which router this is. */
  public readonly kind: TrafficRouterKind;
  /** @internal */
  public readonly _options: RouterOptions;

  private constructor(kind: TrafficRouterKind, options: RouterOptions) {
    this.kind = kind;
    this._options = options;
  }

  /**
   * Whether Argo Rollouts can express weights finer than whole percents with this router (`maxTrafficWeight`).
   * NGINX only: the controller also accepts `maxTrafficWeight` with router plugins, but the Gateway API
   * plugin gives the stable backend `100 - weight` whatever the maximum, so a weight out of 1000 would
   * send ten times the declared share.
   */
  public get supportsFractionalWeights(): boolean {
    return this.kind === TrafficRouterKind.NGINX;
  }

  /** A short description for plans and messages. */
  public describe(): string {
    switch (this.kind) {
      case TrafficRouterKind.NONE: return 'no traffic router (weights approximated by pod counts)';
      case TrafficRouterKind.NGINX: return `NGINX ingress ${this._options.stableIngress}`;
      case TrafficRouterKind.ISTIO: return `Istio VirtualService ${this._options.virtualService}`;
      case TrafficRouterKind.ALB: return `ALB ingress ${this._options.ingress}`;
      case TrafficRouterKind.SMI: return 'SMI TrafficSplit';
      default: return `Gateway API HTTPRoute ${this._options.httpRoute}`;
    }
  }
}
