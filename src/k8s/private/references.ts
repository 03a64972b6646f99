/**
 * The objects a rollout's traffic routing refers to by name (an Ingress, a VirtualService, an
 * HTTPRoute, a root Service), checked against the objects of the app. Pure: the construct collects
 * the objects (when its warnings are read, and at synthesis), these functions judge them.
 */
import { TrafficRouterKind, TrafficRouting } from '../traffic-routing';

/** An object of the app, as the checks see it. */
export interface AppObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** Its manifest (read only when a rule needs it). */
  manifest(): any;
}

/** An object the traffic routing names. */
export interface Reference {
  /** The router option that names it, for messages. */
  readonly field: string;
  /** API groups the object may be in ('' for the core group). */
  readonly groups: string[];
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  /** For an Ingress: the Service one of its rules must use as a backend (the controller refuses it otherwise). */
  readonly backendService?: string;
}

const INGRESS_GROUPS = ['networking.k8s.io', 'extensions'];

/**
 * The objects the router names. `namespace` is the rollout's (its own, else its chart's);
 * `stableService` the name of its stable Service.
 */
export function routerReferences(router: TrafficRouting, namespace: string | undefined, stableService: string): Reference[] {
  const o = router._options;
  const service = (field: string, name: string): Reference => ({ field, groups: [''], kind: 'Service', name, namespace });
  switch (router.kind) {
    case TrafficRouterKind.NGINX:
      return [{ field: 'stableIngress', groups: INGRESS_GROUPS, kind: 'Ingress', name: o.stableIngress!, namespace, backendService: stableService }];
    case TrafficRouterKind.ALB: {
      const refs: Reference[] = [{ field: 'ingress', groups: INGRESS_GROUPS, kind: 'Ingress', name: o.ingress!, namespace, backendService: o.rootService ?? stableService }];
      if (o.rootService) refs.push(service('rootService', o.rootService));
      return refs;
    }
    case TrafficRouterKind.ISTIO: {
      // Argo Rollouts reads "name.namespace" as a VirtualService in another namespace.
      const [name, vsNamespace] = o.virtualService!.split('.');
      return [{ field: 'virtualService', groups: ['networking.istio.io'], kind: 'VirtualService', name, namespace: vsNamespace ?? namespace }];
    }
    case TrafficRouterKind.GATEWAY_API:
      return [{ field: 'httpRoute', groups: ['gateway.networking.k8s.io'], kind: 'HTTPRoute', name: o.httpRoute!, namespace: o.namespace ?? namespace }];
    case TrafficRouterKind.SMI:
      // The TrafficSplit is created by Argo Rollouts; only the root Service is the user's.
      return o.rootService ? [service('rootService', o.rootService)] : [];
    default:
      return [];
  }
}

/** The objects of `objects` that a reference names, in the order of `objects`. */
export function findReferenced(ref: Reference, objects: AppObject[]): AppObject[] {
  const named = indexed(objects).get(objectKey(ref.kind, ref.name, ref.namespace)) ?? [];
  return named.filter(obj => ref.groups.includes(groupOf(obj.apiVersion)));
}

/**
 * The objects by kind, name and namespace. At synthesis every rollout of the app looks up its
 * references in the same list of the app's objects: indexed once, not scanned once per rollout.
 */
const indexes = new WeakMap<AppObject[], Map<string, AppObject[]>>();

function indexed(objects: AppObject[]): Map<string, AppObject[]> {
  let index = indexes.get(objects);
  if (index === undefined) {
    index = new Map();
    for (const obj of objects) {
      const key = objectKey(obj.kind, obj.name, obj.namespace);
      const same = index.get(key);
      if (same === undefined) index.set(key, [obj]);
      else same.push(obj);
    }
    indexes.set(objects, index);
  }
  return index;
}

/** Kind, name and namespace; an absent namespace differs from every named one, the empty name included. */
function objectKey(kind: string, name: string, namespace: string | undefined): string {
  return namespace === undefined ? `${kind}\u0000${name}\u0001` : `${kind}\u0000${name}\u0000${namespace}`;
}

/** A warning for each object the router names that the app does not contain. */
export function missingReferenceWarnings(router: TrafficRouting, refs: Reference[], objects: AppObject[]): string[] {
  return refs.filter(ref => findReferenced(ref, objects).length === 0).map(ref => {
    const backend = ref.backendService ? `, with a rule whose backend is the Service "${ref.backendService}"` : '';
    return `trafficRouting (${router.describe()}) names the ${ref.kind} "${ref.name}" (${ref.field}) ${where(ref.namespace)}, which no chart of the app contains: `
      + `Argo Rollouts cannot shift traffic until it exists. Add it to a chart${backend}, or make sure it is deployed by other means.`;
  });
}

/**
 * The controller's rule for an Ingress it splits traffic on (NGINX, ALB): one of its rules must use
 * the stable Service (or the ALB root Service) as a backend, or the rollout stops with InvalidSpec.
 * Returns a message for each Ingress of the app that breaks it.
 */
export function ingressBackendProblems(refs: Reference[], objects: AppObject[]): string[] {
  const problems: string[] = [];
  for (const ref of refs) {
    if (ref.backendService === undefined) continue;
    for (const ingress of findReferenced(ref, objects)) {
      const backends = ingressBackends(ingress.manifest());
      if (!backends.includes(ref.backendService)) {
        problems.push(`ArgoRollout (Argo Rollouts controller rule): the Ingress "${ref.name}" (trafficRouting ${ref.field}) must have a rule whose backend is the Service "${ref.backendService}", `
          + `got ${backends.length === 0 ? 'no rule with a Service backend' : `rules using ${backends.map(b => `"${b}"`).join(', ')}`}. `
          + `Route a rule of the Ingress to the Service "${ref.backendService}" (a default backend does not count), for example with IngressBackend.fromService(rollout.stableService).`);
      }
    }
  }
  return problems;
}

/** The Services the rules of an Ingress manifest use as backends (networking.k8s.io/v1 and the legacy extensions form). */
function ingressBackends(manifest: any): string[] {
  const names: string[] = [];
  for (const rule of manifest?.spec?.rules ?? []) {
    for (const path of rule?.http?.paths ?? []) {
      const name = path?.backend?.service?.name ?? path?.backend?.serviceName;
      if (typeof name === 'string') names.push(name);
    }
  }
  return names;
}

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

function where(namespace: string | undefined): string {
  return namespace === undefined ? 'in the namespace the manifests are applied to' : `in namespace "${namespace}"`;
}
