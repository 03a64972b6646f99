import * as cdk8s from 'cdk8s';
import { validateObject } from './manifest-validator';
import { canaryStrategy, CONTAINERS, ofKind } from './util';
import { ArgoRollout, MetricProvider, TrafficRouting } from '../../src';

function rendered(): any[] {
  const chart = cdk8s.Testing.chart();
  new ArgoRollout(chart, 'api', {
    strategy: canaryStrategy(),
    containers: CONTAINERS,
    trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }),
    metrics: MetricProvider.prometheus({ address: 'http://p:9090' }),
  });
  return cdk8s.Testing.synth(chart);
}

describe('the manifest validator', () => {
  test('accepts what the construct renders', () => {
    for (const m of rendered()) expect(validateObject(m)).toEqual([]);
  });

  test('rejects an unknown field in a Rollout', () => {
    const [r] = ofKind(rendered(), 'Rollout');
    r.spec.strategy.canary.steps[0].setWieght = 5;
    expect(validateObject(r).join('\n')).toContain('/spec/strategy/canary/steps/0 must NOT have additional properties (setWieght)');
  });

  test('rejects an unknown field deep in the pod template', () => {
    const [r] = ofKind(rendered(), 'Rollout');
    r.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
    expect(validateObject(r).join('\n')).toContain('(imagePullPolicyy)');
  });

  test('rejects an unknown metadata field', () => {
    const [r] = ofKind(rendered(), 'Rollout');
    r.metadata.label = { a: 'b' };
    expect(validateObject(r).join('\n')).toContain('/metadata must NOT have additional properties (label)');
  });

  test('keeps the fields the CRD leaves open (router plugins)', () => {
    const [r] = ofKind(rendered(), 'Rollout');
    r.spec.strategy.canary.trafficRouting = { plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: 'x', namespace: 'y' } } };
    expect(validateObject(r)).toEqual([]);
  });

  test('rejects a wrong type in an AnalysisTemplate', () => {
    const [t] = ofKind(rendered(), 'AnalysisTemplate');
    t.spec.metrics[0].interval = 60;
    expect(validateObject(t).join('\n')).toContain('/spec/metrics/0/interval must be string');
  });

  test('rejects an unknown provider field in an AnalysisTemplate', () => {
    const [t] = ofKind(rendered(), 'AnalysisTemplate');
    t.spec.metrics[0].provider.prometheus.adress = 'http://x';
    expect(validateObject(t).join('\n')).toContain('(adress)');
  });

  test('checks ClusterAnalysisTemplates against their own schema', () => {
    const [t] = ofKind(rendered(), 'AnalysisTemplate');
    expect(validateObject({ ...t, kind: 'ClusterAnalysisTemplate' })).toEqual([]);
    expect(validateObject({ ...t, kind: 'ClusterAnalysisTemplate', spec: { ...t.spec, extra: true } }).join('\n')).toContain('(extra)');
  });

  test('rejects a wrong type in a Service', () => {
    const [s] = ofKind(rendered(), 'Service');
    s.spec.ports[0].port = '80';
    expect(validateObject(s).join('\n')).toContain('spec/ports/0/port must be integer');
  });

  test('rejects a wrong Ingress', () => {
    const ingress = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: { name: 'api' }, spec: { rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 's', port: { number: '80' } } } }] } }] } };
    expect(validateObject(ingress).join('\n')).toContain('port/number must be integer');
  });

  test('rejects a kind it has no schema for, and a wrong Argo apiVersion', () => {
    expect(validateObject({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } })).toEqual(['ConfigMap/x: no schema for v1 ConfigMap']);
    expect(validateObject({ apiVersion: 'argoproj.io/v1', kind: 'Rollout', metadata: { name: 'x' } })).toEqual(['Rollout/x: apiVersion must be argoproj.io/v1alpha1, got argoproj.io/v1']);
  });
});
