/**
 * Pod and Service settings of an ArgoRollout that do not need leaving `containers`: pod labels and
 * annotations (mesh injection), service account, security context (the path off cdk8s-plus's
 * non-root defaults), affinity and tolerations, the ephemeral metadata of each role, the Services'
 * type and port name. Checked here, then passed to the cdk8s-plus rendering or written into the JSON.
 */
import type * as kplus from 'cdk8s-plus-28';
import { fail, show } from '../../private/validate';
import { StrategyKind } from '../../strategy/deployment-strategy';
import type { EphemeralPodMetadata } from '../pod-settings';
import { requireDnsLabel, requireResolved } from './inputs';
import { k8s } from './modules';

const WHERE = 'ArgoRollout';
/** The label Argo Rollouts puts on every pod to tell ReplicaSets apart. */
const HASH_LABEL = 'rollouts-pod-template-hash';
const NAME_PART = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The pod props of ArgoRolloutProps, as given. */
export interface PodSettingsProps {
  readonly podLabels?: { [key: string]: string };
  readonly podAnnotations?: { [key: string]: string };
  readonly serviceAccount?: kplus.IServiceAccount;
  readonly automountServiceAccountToken?: boolean;
  readonly podSecurityContext?: kplus.PodSecurityContextProps;
  readonly affinity?: kplus.k8s.Affinity;
  readonly tolerations?: kplus.k8s.Toleration[];
}

/** The props that only apply to pods the rollout renders from `containers`. */
export const POD_TEMPLATE_PROPS: Array<keyof PodSettingsProps> = [
  'podLabels', 'podAnnotations', 'serviceAccount', 'automountServiceAccountToken', 'podSecurityContext', 'affinity', 'tolerations',
];

/** The ephemeral metadata props, and the strategies each applies to. */
export interface EphemeralProps {
  readonly canaryMetadata?: EphemeralPodMetadata;
  readonly stableMetadata?: EphemeralPodMetadata;
  readonly previewMetadata?: EphemeralPodMetadata;
  readonly activeMetadata?: EphemeralPodMetadata;
}

/** Refuses the pod-template props for a rollout that references a Deployment. */
export function refusePodPropsWithDeployment(props: PodSettingsProps): void {
  for (const field of POD_TEMPLATE_PROPS) {
    if (props[field] !== undefined) {
      fail(WHERE, field, 'only applies to pods rendered from containers; a referenced Deployment\'s pod template is its own', show(props[field]),
        'Set it on the Deployment, or pass containers instead of deployment.');
    }
  }
}

/** The cdk8s-plus Deployment props the pod settings map to. */
export function podDeploymentProps(props: PodSettingsProps): Partial<kplus.DeploymentProps> {
  if (props.serviceAccount !== undefined && (props.serviceAccount === null || typeof (props.serviceAccount as any).name !== 'string')) {
    fail(WHERE, 'serviceAccount', 'must be a cdk8s-plus IServiceAccount', show(props.serviceAccount),
      'Pass kplus.ServiceAccount.fromServiceAccountName(scope, "Sa", "my-sa") or a kplus.ServiceAccount.');
  }
  if (props.automountServiceAccountToken !== undefined && typeof props.automountServiceAccountToken !== 'boolean') {
    fail(WHERE, 'automountServiceAccountToken', 'must be true or false', show(props.automountServiceAccountToken), 'Pass true or false.');
  }
  if (props.podSecurityContext !== undefined && (props.podSecurityContext === null || typeof props.podSecurityContext !== 'object' || Array.isArray(props.podSecurityContext))) {
    fail(WHERE, 'podSecurityContext', 'must be an object (cdk8s-plus PodSecurityContextProps)', show(props.podSecurityContext), 'Pass for example { ensureNonRoot: false }.');
  }
  return {
    ...(props.serviceAccount !== undefined ? { serviceAccount: props.serviceAccount } : {}),
    ...(props.automountServiceAccountToken !== undefined ? { automountServiceAccountToken: props.automountServiceAccountToken } : {}),
    ...(props.podSecurityContext !== undefined ? { securityContext: props.podSecurityContext } : {}),
  };
}

/** Adds the pod labels, annotations, affinity and tolerations to a rendered pod template (Kubernetes JSON), in place. */
export function applyPodSettings(template: any, props: PodSettingsProps, selector: Record<string, string>): any {
  const labels = props.podLabels === undefined ? undefined : checkLabels('podLabels', props.podLabels, selector);
  const annotations = props.podAnnotations === undefined ? undefined : checkAnnotations('podAnnotations', props.podAnnotations);
  template.metadata = {
    ...template.metadata,
    ...(labels ? { labels: { ...labels, ...template.metadata?.labels } } : {}),
    ...(annotations ? { annotations: { ...template.metadata?.annotations, ...annotations } } : {}),
  };
  const { kplus: kp } = k8s();
  if (props.affinity !== undefined) {
    requireObject('affinity', props.affinity);
    template.spec.affinity = kp.k8s.toJson_Affinity(props.affinity);
  }
  if (props.tolerations !== undefined) {
    if (!Array.isArray(props.tolerations)) fail(WHERE, 'tolerations', 'must be an array', show(props.tolerations), 'Pass [{ key, operator, value, effect }].');
    props.tolerations.forEach((t, i) => requireObject(`tolerations[${i}]`, t));
    template.spec.tolerations = props.tolerations.map(t => kp.k8s.toJson_Toleration(t));
  }
  return template;
}

/** Checks the ephemeral metadata against the strategy, and writes it into the rendered strategy (Kubernetes JSON), in place. */
export function applyEphemeralMetadata(spec: any, props: EphemeralProps, kind: StrategyKind, selector: Record<string, string>): void {
  // What is rendered decides: a blue/green with a warm-up on a traffic router is rendered as canary steps.
  const canary = spec.strategy.canary !== undefined;
  const fields: Array<[keyof EphemeralProps, boolean]> = [
    ['canaryMetadata', canary], ['stableMetadata', canary], ['previewMetadata', !canary], ['activeMetadata', !canary],
  ];
  for (const [field, applies] of fields) {
    const value = props[field];
    if (value === undefined) continue;
    if (!applies) {
      const own = canary ? 'canaryMetadata and stableMetadata' : 'previewMetadata and activeMetadata';
      const rendered = canary && kind === StrategyKind.BLUE_GREEN ? 'blue-green rollout with a warm-up on a traffic router (rendered as canary steps)' : `${kind.toLowerCase().replace(/_/g, '-')} strategy`;
      fail(WHERE, field, `does not apply to a ${rendered}`, show(value), `Use ${own}.`);
    }
    requireObject(field, value);
    const labels = value.labels === undefined ? undefined : checkLabels(`${field}.labels`, value.labels, selector);
    const annotations = value.annotations === undefined ? undefined : checkAnnotations(`${field}.annotations`, value.annotations);
    if (!labels && !annotations) {
      fail(WHERE, field, 'must have labels or annotations', show(value), `Add labels or annotations, or remove ${field}.`);
    }
    const target = spec.strategy.canary ?? spec.strategy.blueGreen;
    target[field] = { ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) };
  }
}

/** The Services' type and port name. */
export interface ServiceSettings {
  readonly type?: kplus.ServiceType;
  readonly portName?: string;
}

export function checkServiceSettings(props: { serviceType?: kplus.ServiceType; portName?: string }): ServiceSettings {
  const { ServiceType } = k8s().kplus;
  const allowed = [ServiceType.CLUSTER_IP, ServiceType.NODE_PORT, ServiceType.LOAD_BALANCER];
  if (props.serviceType !== undefined && !allowed.includes(props.serviceType)) {
    fail(WHERE, 'serviceType', 'must be ServiceType.CLUSTER_IP, NODE_PORT or LOAD_BALANCER (an ExternalName Service selects no pods)', show(props.serviceType),
      'Pass ServiceType.NODE_PORT for an ALB in instance mode, or omit it.');
  }
  const portName = props.portName === undefined ? undefined : requireDnsLabel(WHERE, 'portName', props.portName, false);
  if (portName !== undefined && portName.length > 15) {
    fail(WHERE, 'portName', 'must be at most 15 characters (a Kubernetes port name)', show(portName), 'Pass a name such as "http".');
  }
  return { type: props.serviceType, portName };
}

function checkLabels(field: string, value: unknown, selector: Record<string, string>): Record<string, string> {
  const labels = checkMap(field, value);
  for (const [k, v] of Object.entries(labels)) {
    if (k === HASH_LABEL || (k in selector && selector[k] !== v)) {
      fail(WHERE, `${field}["${k}"]`, 'must not change a label that selects the rollout\'s pods (the selector\'s, or Argo Rollouts\' rollouts-pod-template-hash)', show(v),
        'Use another label key.');
    }
    if (v.length > 63 || (v !== '' && !NAME_PART.test(v))) {
      fail(WHERE, `${field}["${k}"]`, 'must be a label value (at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit)', show(v), 'Use a valid label value.');
    }
  }
  return labels;
}

function checkAnnotations(field: string, value: unknown): Record<string, string> {
  return checkMap(field, value);
}

/** A string map with valid Kubernetes keys (an optional DNS-subdomain prefix, then a name of at most 63 characters). */
function checkMap(field: string, value: unknown): Record<string, string> {
  requireObject(field, value);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    requireResolved(WHERE, `${field}["${k}"]`, v);
    const slash = k.lastIndexOf('/');
    const prefix = slash >= 0 ? k.slice(0, slash) : undefined;
    const name = k.slice(slash + 1);
    if ((prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) || name.length > 63 || !NAME_PART.test(name)) {
      fail(WHERE, field, 'must have Kubernetes keys (an optional DNS prefix and "/", then at most 63 letters, digits, "-", "_" or ".")', show(k), 'Use a valid key, for example "sidecar.istio.io/inject".');
    }
    if (typeof v !== 'string') {
      fail(WHERE, `${field}["${k}"]`, 'must be a string', show(v), 'Quote the value, for example "true".');
    }
    out[k] = v;
  }
  return out;
}

function requireObject(field: string, value: unknown): void {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    fail(WHERE, field, 'must be an object', show(value), `Pass ${field} as an object.`);
  }
}
