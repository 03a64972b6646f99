import type * as cdk8s from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { k8s } from './modules';

/**
 * A detached chart, outside any user's tree, that hosts one throwaway Deployment at a time.
 * Created on first use and reused: a fresh App and Chart per rollout cost more than the rendering.
 */
let scratch: cdk8s.Chart | undefined;

/** Name of the throwaway Deployment; the pod template does not contain it. */
const THROWAWAY_NAME = 'pod-template';

/**
 * Renders cdk8s-plus containers into a Kubernetes pod template (`spec.template` of a workload),
 * exactly as cdk8s-plus renders them for a Deployment, with the given pod labels.
 *
 * The throwaway Deployment lives in a detached App, so nothing is added to the user's tree, and it
 * leaves that App as soon as its manifest is read. Only its own object is serialized
 * (`ApiObject.toJson()`, the call a chart's synthesis makes for each object): the chart-wide steps of
 * a synthesis (dependency ordering, validation of every construct) have nothing to act on in a chart
 * that holds a single Deployment without validations, and do not change its manifest.
 */
export function renderPodTemplate(containers: kplus.ContainerProps[], labels: Record<string, string>,
  pod: Partial<kplus.DeploymentProps> = {}): { template: any; port?: number } {
  const { cdk8s: cdk8sModule, kplus: kplusModule } = k8s();
  scratch ??= new cdk8sModule.Chart(new cdk8sModule.App(), 'pod-template');
  // Always the same id and so the same construct path as a Deployment in a fresh chart: it is free
  // again once the previous Deployment has left.
  const id = 'workload';
  try {
    const deployment = new kplusModule.Deployment(scratch, id, {
      // Pod settings of the rollout (service account, security context), as a Deployment takes them.
      ...pod,
      containers,
      select: false,
      podMetadata: { labels },
      // A fixed name: the Deployment is never written, and a generated name costs a hash of its path.
      metadata: { name: THROWAWAY_NAME },
    });
    const template = podTemplateJson(deployment);
    // cdk8s-plus labels pods with the address of the throwaway Deployment: only the given labels belong here.
    template.metadata = { ...template.metadata, labels: { ...labels } };
    return { template, port: firstPort(deployment) };
  } finally {
    scratch.node.tryRemoveChild(id);
  }
}

/**
 * `ApiObject.of(deployment).toJson().spec.template`, the same JSON computed from the template alone.
 *
 * A Deployment's manifest is its Lazy spec (`deployment._toKube()`) resolved by the App's resolvers,
 * sanitized (null and undefined dropped, keys sorted) and converted by the generated
 * `toJson_KubeDeploymentProps`, which converts `spec.template` with `toJson_PodTemplateSpec`. Doing
 * the same to the template only, with the default resolvers the detached App has, skips resolving
 * and converting the rest of the Deployment and the path bookkeeping of cdk8s's resolver, which
 * cost most of the rendering (test/k8s/pod-template.test.ts compares both on varied containers).
 * Whatever this does not handle falls back to the Deployment's own serialization, errors included.
 */
export function podTemplateJson(deployment: kplus.Deployment): any {
  const { cdk8s: cdk8sModule, kplus: kplusModule } = k8s();
  try {
    const spec = (deployment as any)._toKube();
    return kplusModule.k8s.toJson_PodTemplateSpec(sanitize(resolveDefault(spec.template, cdk8sModule.Lazy)));
  } catch {
    return cdk8sModule.ApiObject.of(deployment).toJson().spec.template;
  }
}

/** cdk8s's `resolve` with the default resolvers (Lazy, implicit tokens, number/string unions), in their order. */
function resolveDefault(value: any, lazy: typeof cdk8s.Lazy): any {
  if (value == null) return value;
  if (value instanceof lazy) return resolveDefault(value.produce(), lazy);
  if (typeof value.resolve === 'function') return resolveDefault(value.resolve(), lazy);
  if (value.constructor !== Object && (typeof value.value === 'number' || typeof value.value === 'string')) {
    return resolveDefault({ value: value.value }, lazy);
  }
  if (Array.isArray(value)) return value.map(v => resolveDefault(v, lazy));
  if (value.constructor == Object) {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveDefault(v, lazy);
    return out;
  }
  return value;
}

/** cdk8s's `sanitizeValue` as ApiObject.toJson calls it: null and undefined dropped, keys sorted unless CDK8S_DISABLE_SORT. */
function sanitize(value: any): any {
  if (value == null) return undefined;
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(sanitize);
  if (value.constructor.name !== 'Object') {
    throw new Error(`can't render non-simple object of type '${value.constructor.name}'`);
  }
  const keys = process.env.CDK8S_DISABLE_SORT ? Object.keys(value) : Object.keys(value).sort();
  const out: Record<string, any> = {};
  for (const key of keys) {
    const v = sanitize(value[key]);
    if (v != null) out[key] = v;
  }
  return out;
}

/** The first port declared by the workload's containers. */
export function firstPort(workload: kplus.AbstractPod): number | undefined {
  for (const c of workload.containers) {
    const port = c.portNumber ?? c.ports[0]?.number;
    if (port !== undefined) return port;
  }
  return undefined;
}
