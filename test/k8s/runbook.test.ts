import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { canaryStrategy, CONTAINERS } from './util';
import { Analysis, ArgoRollout, CanaryStep, DeploymentStrategy, HealthCheck, MetricProvider, TrafficRouting } from '../../src';
import { argoRunbook } from '../../src/k8s/private/runbook';

const plan = DeploymentStrategy.canary({
  steps: [CanaryStep.withManualGate(10, Duration.minutes(10))],
  analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
}).plan();

describe('Argo runbook', () => {
  test('abort, promote, undo and watch with the Rollout name and namespace', () => {
    const md = argoRunbook({ title: 'shop/checkout', rolloutName: 'checkout', namespace: 'shop', plan, manualGate: true, inconclusive: false, blueGreen: false }).toMarkdown();
    expect(md).toContain('kubectl argo rollouts abort checkout -n shop');
    expect(md).toContain('kubectl argo rollouts promote checkout -n shop');
    expect(md).toContain('kubectl argo rollouts undo checkout -n shop');
    expect(md).toContain('kubectl argo rollouts get rollout checkout -n shop --watch');
    expect(md).toContain('kubectl argo rollouts promote checkout -n shop --full');
    expect(md).toContain('aborts the rollout and returns all traffic to the stable version when an analysis fails (worst-case detection 2m).');
  });

  test('no promote procedure when nothing pauses; no namespace flag without a namespace', () => {
    const md = argoRunbook({ title: 'c', rolloutName: 'checkout', plan, manualGate: false, inconclusive: false, blueGreen: false }).toMarkdown();
    expect(md).not.toContain('**Continue past a pause');
    expect(md).toContain('kubectl argo rollouts abort checkout\n');
  });

  test('an inconclusive analysis is named as a pause a person resolves', () => {
    const md = argoRunbook({ title: 'c', rolloutName: 'checkout', plan, manualGate: false, inconclusive: true, blueGreen: true }).toMarkdown();
    expect(md).toContain('An Inconclusive analysis pauses the rollout');
    expect(md).toContain('**Promote the preview (approve)**');
  });
});

describe('ArgoRollout.runbook', () => {
  test('uses the rollout name and the chart namespace', () => {
    const chart = cdk8s.Testing.chart();
    const rollout = new ArgoRollout(chart, 'checkout', {
      strategy: canaryStrategy(),
      containers: CONTAINERS,
      namespace: 'shop',
      rolloutName: 'checkout',
      trafficRouting: TrafficRouting.nginx({ stableIngress: 'checkout' }),
      metrics: MetricProvider.prometheus({ address: 'http://prometheus:9090' }),
    });
    const md = rollout.runbook.toMarkdown();
    expect(md).toContain('kubectl argo rollouts abort checkout -n shop');
    expect(rollout.runbook.target).toBe('Argo Rollouts');
  });
});
