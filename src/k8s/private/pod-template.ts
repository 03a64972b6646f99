import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/**
 * Renders cdk8s-plus containers into a Kubernetes pod template (`spec.template` of a workload),
 * exactly as cdk8s-plus renders them for a Deployment, with the given pod labels.
 *
 * The throwaway Deployment lives in its own detached App, so nothing is added to the user's tree.
 */
export function renderPodTemplate(containers: kplus.ContainerProps[], labels: Record<string, string>): { template: any; port?: number } {
  const chart = new cdk8s.Chart(new cdk8s.App(), 'pod-template');
  const deployment = new kplus.Deployment(chart, 'workload', { containers, select: false, podMetadata: { labels } });
  const template = chart.toJson().find((o: any) => o.kind === 'Deployment').spec.template;
  // cdk8s-plus labels pods with the address of the throwaway Deployment: only the given labels belong here.
  template.metadata = { ...template.metadata, labels: { ...labels } };
  return { template, port: firstPort(deployment) };
}

/** The first port declared by the workload's containers. */
export function firstPort(workload: kplus.AbstractPod): number | undefined {
  for (const c of workload.containers) {
    const port = c.portNumber ?? c.ports[0]?.number;
    if (port !== undefined) return port;
  }
  return undefined;
}
