import * as cdk8s from 'cdk8s';
import { canaryStrategy, CONTAINERS, rolloutOf, synthValid } from './util';
import { ArgoRollout, MetricProvider, PrometheusQueries, TrafficRouterKind, TrafficRouting } from '../../src';

const metrics = MetricProvider.prometheus({ address: 'http://prometheus:9090' });

function canary(trafficRouting: TrafficRouting = TrafficRouting.nginx({ stableIngress: 'api' })) {
  const chart = cdk8s.Testing.chart();
  const rollout = new ArgoRollout(chart, 'api', {
    strategy: canaryStrategy(),
    containers: CONTAINERS,
    trafficRouting,
    metrics: trafficRouting.kind === TrafficRouterKind.ISTIO ? MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }) : metrics,
  });
  return { chart, rollout };
}

describe('escape hatches keep the controller rules', () => {
  test('a patch the controller accepts is written as patched', () => {
    const { chart, rollout } = canary();
    rollout.rollout.addJsonPatch(cdk8s.JsonPatch.add('/spec/strategy/canary/stableMetadata', { labels: { role: 'stable' } }));
    expect(rolloutOf(synthValid(chart)).spec.strategy.canary.stableMetadata).toEqual({ labels: { role: 'stable' } });
  });

  test('fails when a patch adds dynamicStableScale beside the scale-down delay', () => {
    const { chart, rollout } = canary();
    rollout.rollout.addJsonPatch(cdk8s.JsonPatch.add('/spec/strategy/canary/dynamicStableScale', true));
    expect(() => cdk8s.Testing.synth(chart)).toThrow('ArgoRollout (Argo Rollouts controller rule): spec.strategy.canary.dynamicStableScale cannot be used with scaleDownDelaySeconds, got true. '
      + 'Remove one of them. (checked on the manifest as written, after its JSON patches)');
  });

  test('fails when a patch adds a header route without managed routes', () => {
    const { chart, rollout } = canary(TrafficRouting.istio({ virtualService: 'api', routes: ['primary'] }));
    rollout.rollout.addJsonPatch(cdk8s.JsonPatch.add('/spec/strategy/canary/steps/0', {
      setHeaderRoute: { name: 'canary-header', match: [{ headerName: 'x-canary', headerValue: { exact: 'yes' } }] },
    }));
    expect(() => cdk8s.Testing.synth(chart)).toThrow('spec.strategy.canary.trafficRouting.managedRoutes is required by the setHeaderRoute step 0, got undefined.');
  });

  test('fails when a patch breaks a generated AnalysisTemplate', () => {
    const { chart, rollout } = canary();
    const template = chart.node.findAll().find(c => cdk8s.ApiObject.isApiObject(c) && (c as cdk8s.ApiObject).kind === 'AnalysisTemplate') as cdk8s.ApiObject;
    template.addJsonPatch(cdk8s.JsonPatch.replace('/spec/metrics/0/failureLimit', -1));
    expect(rollout.analysisTemplateNames).toContain(template.name);
    expect(() => cdk8s.Testing.synth(chart)).toThrow('spec.metrics[0].failureLimit must be >= 0, got -1.');
  });

  test('fails when a patch lowers the progress deadline below minReadySeconds', () => {
    const { chart, rollout } = canary();
    rollout.rollout.addJsonPatch(cdk8s.JsonPatch.add('/spec/minReadySeconds', 900));
    expect(() => cdk8s.Testing.synth(chart)).toThrow('spec.progressDeadlineSeconds must be greater than minReadySeconds, got 600.');
  });
});

test('an unpatched rollout is not serialized again for the rules; a patched one is', () => {
  const { chart, rollout } = canary();
  const toJson = jest.spyOn(rollout.rollout, 'toJson');
  cdk8s.Testing.synth(chart);
  const unpatched = toJson.mock.calls.length;
  rollout.rollout.addJsonPatch(cdk8s.JsonPatch.add('/spec/paused', false));
  cdk8s.Testing.synth(chart);
  expect(toJson.mock.calls.length - unpatched).toBe(unpatched + 1);
  expect((rollout.rollout as any).patches).toHaveLength(1);
});
