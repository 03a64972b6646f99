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
export function renderPodTemplate(containers: kplus.ContainerProps[], labels: Record<string, string>): { template: any; port?: number } {
  const { cdk8s: cdk8sModule, kplus: kplusModule } = k8s();
  scratch ??= new cdk8sModule.Chart(new cdk8sModule.App(), 'pod-template');
  // Always the same id and so the same construct path as a Deployment in a fresh chart: it is free
  // again once the previous Deployment has left.
  const id = 'workload';
  try {
    const deployment = new kplusModule.Deployment(scratch, id, {
      containers,
      select: false,
      podMetadata: { labels },
      // A fixed name: the Deployment is never written, and a generated name costs a hash of its path.
      metadata: { name: THROWAWAY_NAME },
    });
    const template = cdk8sModule.ApiObject.of(deployment).toJson().spec.template;
    // cdk8s-plus labels pods with the address of the throwaway Deployment: only the given labels belong here.
    template.metadata = { ...template.metadata, labels: { ...labels } };
    return { template, port: firstPort(deployment) };
  } finally {
    scratch.node.tryRemoveChild(id);
  }
}

/** The first port declared by the workload's containers. */
export function firstPort(workload: kplus.AbstractPod): number | undefined {
  for (const c of workload.containers) {
    const port = c.portNumber ?? c.ports[0]?.number;
    if (port !== undefined) return port;
  }
  return undefined;
}
