import type * as cdk8s from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { k8s } from './modules';

/**
 * A detached chart, outside any user's tree, that hosts one throwaway Deployment at a time.
 * Created on first use and reused: a fresh App and Chart per rollout cost more than the rendering.
 */
let scratch: cdk8s.Chart | undefined;

/** Name of the throwaway Deployment; the pod template does not contain it. */
const THROWAWAY_NAME = 'pod-template';

/** Always the same id: it is free again once the previous pod has left its scope. */
const SCRATCH_ID = 'workload';

/**
 * Renders cdk8s-plus containers into a Kubernetes pod template (`spec.template` of a workload),
 * exactly as cdk8s-plus renders them for a Deployment, with the given pod labels.
 *
 * The pod spec of a Deployment is its `AbstractPod` spec plus the scheduling of its `Workload`
 * (affinity, node name, tolerations), which stays empty for the settings passed here (the rollout's
 * own affinity and tolerations are written by applyPodSettings). So the spec is rendered by a bare
 * `AbstractPod` in a detached construct tree: the same containers, volumes, service account and
 * security context code as the Deployment, without the Deployment's object, selector, label hash and
 * metadata, which the template does not contain. Whatever that does not render (an error included)
 * is rendered again by a throwaway Deployment, whose errors are then the user's
 * (test/k8s/pod-template.test.ts compares both on varied containers).
 */
export function renderPodTemplate(containers: kplus.ContainerProps[], labels: Record<string, string>,
  pod: Partial<kplus.DeploymentProps> = {}): { template: any; port?: number } {
  // Rollouts declared with the same plain data render the same template, labels apart.
  const key = plainKey([containers, pod, process.env.CDK8S_DISABLE_SORT ? 'unsorted' : 'sorted']);
  const hit = key === undefined ? undefined : renderedTemplates.get(key);
  if (hit !== undefined) {
    const template = JSON.parse(hit.template);
    // The labels key keeps its place in metadata.
    template.metadata.labels = { ...labels };
    return { template, port: hit.port };
  }
  const rendered = renderWithBarePod(containers, labels, pod) ?? renderWithDeployment(containers, labels, pod);
  if (key !== undefined) renderedTemplates.set(key, { template: JSON.stringify(rendered.template), port: rendered.port });
  return rendered;
}

/**
 * Templates rendered from plain data (see `plainKey`), as JSON: a hit is parsed into fresh objects,
 * which the caller may change. The rendering is a function of the containers and pod settings only
 * (test/k8s/pod-template.test.ts compares cached and fresh renderings).
 */
const renderedTemplates = new Map<string, { template: string; port?: number }>();

const NOT_PLAIN = new Error('not plain data');

/**
 * A key for `value` when it is plain data only (objects with Object's prototype, arrays without
 * holes, strings, finite numbers, booleans, null), or undefined: a construct, a class instance
 * (cdk8s-plus volumes, env values, Lazy), a function or a Date has no key, and is rendered anew.
 */
export function plainKey(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, function (this: any, k: string) {
      // The holder's own value: JSON.stringify would have called a Date's toJSON before the replacer.
      const v = k === '' ? value : this[k];
      switch (typeof v) {
        case 'string':
        case 'boolean':
          return v;
        case 'number':
          if (!Number.isFinite(v)) throw NOT_PLAIN;
          return v;
        case 'undefined':
          // An unset property is left out; an undefined array element has no plain meaning.
          if (Array.isArray(this)) throw NOT_PLAIN;
          return v;
        case 'object': {
          if (v === null) return v;
          if (Array.isArray(v)) {
            for (let i = 0; i < v.length; i++) if (!(i in v)) throw NOT_PLAIN;
            return v;
          }
          const proto = Object.getPrototypeOf(v);
          if (proto !== Object.prototype && proto !== null) throw NOT_PLAIN;
          return v;
        }
        default:
          throw NOT_PLAIN;
      }
    });
  } catch {
    return undefined;
  }
}

/** A pod that is never written: it only renders its spec. */
type BarePod = kplus.AbstractPod;
let barePodClass: (new (scope: Construct, id: string, props: kplus.AbstractPodProps) => BarePod) | undefined;
let bareRoot: Construct | undefined;

export function renderWithBarePod(containers: kplus.ContainerProps[], labels: Record<string, string>,
  pod: Partial<kplus.DeploymentProps> = {}): { template: any; port?: number } | undefined {
  const { cdk8s: cdk8sModule, kplus: kplusModule } = k8s();
  if (barePodClass === undefined) {
    class PodSpecOnly extends kplusModule.AbstractPod {
      public readonly resourceType = 'pods';
      // Never asked for by `_toPodSpec()`; if a future cdk8s-plus does, the Deployment renders instead.
      protected get apiObject(): cdk8s.ApiObject {
        throw new Error('not written');
      }
      public get podMetadata(): cdk8s.ApiObjectMetadataDefinition {
        throw new Error('not written');
      }
    }
    barePodClass = PodSpecOnly;
    // A root of its own: nothing the pod does reaches the user's tree or an App.
    bareRoot = new Construct(undefined as any, '');
  }
  try {
    const bare = new barePodClass(bareRoot!, SCRATCH_ID, {
      serviceAccount: pod.serviceAccount,
      automountServiceAccountToken: pod.automountServiceAccountToken,
      securityContext: pod.securityContext,
      containers,
    });
    const spec = (bare as any)._toPodSpec();
    const json = kplusModule.k8s.toJson_PodTemplateSpec(resolveSanitized({ spec }, cdk8sModule.Lazy));
    // The Deployment's template, as renderWithDeployment leaves it: the given labels only, in their order.
    return { template: { metadata: { labels: { ...labels } }, spec: json!.spec }, port: firstPort(bare) };
  } catch {
    return undefined;
  } finally {
    bareRoot!.node.tryRemoveChild(SCRATCH_ID);
  }
}

/** The pod template of a throwaway Deployment in a detached App: the reference rendering. */
export function renderWithDeployment(containers: kplus.ContainerProps[], labels: Record<string, string>,
  pod: Partial<kplus.DeploymentProps> = {}): { template: any; port?: number } {
  const { cdk8s: cdk8sModule, kplus: kplusModule } = k8s();
  scratch ??= new cdk8sModule.Chart(new cdk8sModule.App(), 'pod-template');
  try {
    const deployment = new kplusModule.Deployment(scratch, SCRATCH_ID, {
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
    scratch.node.tryRemoveChild(SCRATCH_ID);
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

/**
 * `sanitize(resolveDefault(value))` in one walk: what resolves to null or undefined is dropped from
 * objects, keys are sorted (unless CDK8S_DISABLE_SORT), and an object that is neither plain nor
 * resolvable throws as sanitize does.
 */
function resolveSanitized(value: any, lazy: typeof cdk8s.Lazy): any {
  if (value == null) return undefined;
  if (value instanceof lazy) return resolveSanitized(value.produce(), lazy);
  if (typeof value.resolve === 'function') return resolveSanitized(value.resolve(), lazy);
  if (typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(v => resolveSanitized(v, lazy));
  if (value.constructor !== Object) {
    if (typeof value.value === 'number' || typeof value.value === 'string') return { value: value.value };
    throw new Error(`can't render non-simple object of type '${value.constructor?.name}'`);
  }
  const keys = process.env.CDK8S_DISABLE_SORT ? Object.keys(value) : Object.keys(value).sort();
  const out: Record<string, any> = {};
  for (const key of keys) {
    const v = resolveSanitized(value[key], lazy);
    if (v != null) out[key] = v;
  }
  return out;
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
