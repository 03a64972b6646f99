import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { canaryStrategy, CONTAINERS, ofKind, rolloutOf, synthValid } from './util';
import { ArgoRollout, ArgoRolloutProps, DeploymentStrategy, MetricProvider, Promotion, TrafficRouting } from '../../src';

const metrics = MetricProvider.prometheus({ address: 'http://prometheus:9090' });

function render(props: Partial<ArgoRolloutProps>, chart = cdk8s.Testing.chart()) {
  const rollout = new ArgoRollout(chart, 'api', {
    strategy: canaryStrategy({ keep: Duration.seconds(0) }), trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }), metrics, containers: CONTAINERS, ...props,
  } as ArgoRolloutProps);
  const manifests = synthValid(chart);
  return { rollout, manifests, spec: rolloutOf(manifests).spec };
}
const blueGreen = () => DeploymentStrategy.blueGreen({ promotion: Promotion.manual() });

describe('pod settings', () => {
  test('pod labels and annotations join the selecting labels', () => {
    const { spec } = render({ podLabels: { team: 'payments' }, podAnnotations: { 'sidecar.istio.io/inject': 'true' } });
    expect(spec.template.metadata.labels).toMatchObject({ 'team': 'payments', 'app.kubernetes.io/name': expect.any(String) });
    expect(spec.template.metadata.annotations).toEqual({ 'sidecar.istio.io/inject': 'true' });
  });

  test('service account and token mount', () => {
    const chart = cdk8s.Testing.chart();
    const sa = kplus.ServiceAccount.fromServiceAccountName(chart, 'Sa', 'payments-api');
    const { spec } = render({ serviceAccount: sa, automountServiceAccountToken: true }, chart);
    expect(spec.template.spec.serviceAccountName).toBe('payments-api');
    expect(spec.template.spec.automountServiceAccountToken).toBe(true);
  });

  test('cdk8s-plus runs pods as non-root by default; an image that needs root opts out for the pod and its container', () => {
    const defaults = render({}).spec.template.spec;
    expect(defaults.securityContext.runAsNonRoot).toBe(true);
    expect(defaults.containers[0].securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    const root = render({
      podSecurityContext: { ensureNonRoot: false },
      containers: [{ ...CONTAINERS[0], securityContext: { ensureNonRoot: false, user: 0, readOnlyRootFilesystem: false } }],
    }).spec.template.spec;
    expect(root.securityContext.runAsNonRoot).toBe(false);
    expect(root.containers[0].securityContext).toMatchObject({ runAsNonRoot: false, runAsUser: 0, readOnlyRootFilesystem: false });
  });

  test('affinity and tolerations are written as Kubernetes JSON', () => {
    const { spec } = render({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['web'] }] }] } } },
      tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }],
    });
    expect(spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0])
      .toEqual({ key: 'pool', operator: 'In', values: ['web'] });
    expect(spec.template.spec.tolerations).toEqual([{ key: 'dedicated', operator: 'Equal', value: 'web', effect: 'NoSchedule' }]);
  });

  test('canary/stable and preview/active ephemeral metadata', () => {
    const c = render({ canaryMetadata: { labels: { role: 'canary' } }, stableMetadata: { annotations: { note: 'stable' } } }).spec.strategy.canary;
    expect(c.canaryMetadata).toEqual({ labels: { role: 'canary' } });
    expect(c.stableMetadata).toEqual({ annotations: { note: 'stable' } });
    const bg = render({ strategy: blueGreen(), trafficRouting: undefined, metrics: undefined, previewMetadata: { labels: { role: 'preview' } }, activeMetadata: { labels: { role: 'active' } } })
      .spec.strategy.blueGreen;
    expect(bg.previewMetadata).toEqual({ labels: { role: 'preview' } });
    expect(bg.activeMetadata).toEqual({ labels: { role: 'active' } });
  });

  test('Service type and named port', () => {
    const { manifests } = render({ serviceType: kplus.ServiceType.NODE_PORT, portName: 'http' });
    for (const svc of ofKind(manifests, 'Service')) {
      expect(svc.spec.type).toBe('NodePort');
      expect(svc.spec.ports).toEqual([{ name: 'http', port: 8080, targetPort: 8080 }]);
    }
  });

  test('fails when a pod label would change a selecting label', () => {
    expect(() => render({ podLabels: { 'app.kubernetes.io/name': 'other' } }))
      .toThrow('ArgoRollout: podLabels["app.kubernetes.io/name"] must not change a label that selects the rollout\'s pods');
    expect(() => render({ canaryMetadata: { labels: { 'rollouts-pod-template-hash': 'x' } } }))
      .toThrow('ArgoRollout: canaryMetadata.labels["rollouts-pod-template-hash"] must not change a label that selects the rollout\'s pods');
  });

  test('fails when keys or values are not Kubernetes ones', () => {
    expect(() => render({ podAnnotations: { 'bad key': 'x' } })).toThrow('ArgoRollout: podAnnotations must have Kubernetes keys');
    expect(() => render({ podAnnotations: { inject: true as any } })).toThrow('ArgoRollout: podAnnotations["inject"] must be a string, got true.');
    expect(() => render({ podLabels: { team: 'a b' } })).toThrow('ArgoRollout: podLabels["team"] must be a label value');
  });

  test('fails when ephemeral metadata does not fit the strategy, or is empty', () => {
    expect(() => render({ previewMetadata: { labels: { role: 'preview' } } }))
      .toThrow('ArgoRollout: previewMetadata does not apply to a canary strategy, got {"labels":{"role":"preview"}}. Use canaryMetadata and stableMetadata.');
    expect(() => render({ canaryMetadata: {} })).toThrow('ArgoRollout: canaryMetadata must have labels or annotations, got {}.');
  });

  test('fails when pod settings meet a referenced Deployment', () => {
    const chart = cdk8s.Testing.chart();
    const deployment = new kplus.Deployment(chart, 'deploy', { containers: CONTAINERS });
    expect(() => new ArgoRollout(chart, 'api', { strategy: blueGreen(), deployment, podAnnotations: { a: 'b' } }))
      .toThrow('ArgoRollout: podAnnotations only applies to pods rendered from containers; a referenced Deployment\'s pod template is its own, got {"a":"b"}.');
  });

  test('fails when the Service type or port name is not usable', () => {
    expect(() => render({ serviceType: kplus.ServiceType.EXTERNAL_NAME })).toThrow('ArgoRollout: serviceType must be ServiceType.CLUSTER_IP, NODE_PORT or LOAD_BALANCER');
    expect(() => render({ portName: 'a-very-long-port-name' })).toThrow('ArgoRollout: portName must be at most 15 characters (a Kubernetes port name), got "a-very-long-port-name".');
    expect(() => render({ serviceAccount: 'sa' as any })).toThrow('ArgoRollout: serviceAccount must be a cdk8s-plus IServiceAccount, got "sa".');
  });
});
