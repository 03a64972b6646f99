// A canary on Istio judged against a fresh baseline before any step: an Argo Rollouts experiment starts
// two pods of the previous version (baseline) and two of the new one (canary) side by side, sends 5% of
// traffic to each for 20 minutes, and compares them with Istio's metrics in Prometheus: the new
// version's error rate must stay at most 1.5× the baseline's and at most 2%, its p99 latency at most 1.2×
// the baseline's and at most 400 ms. A failed comparison aborts the rollout before its first step; then
// 10% → 50%, ten minutes each, judged by the usual background analysis. Synthesizes the Rollout (its
// first step the experiment), its stable and canary Services, the background AnalysisTemplate and the
// comparison AnalysisTemplate; the VirtualService (one HTTP route whose destinations are the stable and
// canary Services) belongs to the mesh configuration and is referenced by name.
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import {
  Analysis, ArgoRollout, BaselineComparison, CanaryStep, DeploymentStrategy, HealthCheck, MetricProvider, TrafficRouting,
} from '../../src';

const app = new cdk8s.App();
const chart = new cdk8s.Chart(app, 'shop', { namespace: 'shop' });

const strategy = DeploymentStrategy.canary({
  baseline: BaselineComparison.of({
    analysis: Analysis.of({
      checks: [
        HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 }),
        HealthCheck.latency({ percentile: 99, max: Duration.millis(400), maxRatioToBaseline: 1.2 }),
      ],
      interval: Duration.minutes(1),
      failureLimit: 2,
      minRequests: 20,
    }),
    duration: Duration.minutes(20),
    replicas: 2,
    trafficPercent: 5,
  }),
  steps: [CanaryStep.of(10, Duration.minutes(10)), CanaryStep.of(50, Duration.minutes(10))],
  analysis: Analysis.of({
    checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
    interval: Duration.minutes(1),
    failureLimit: 2,
    minRequests: 20,
  }),
  keepPreviousVersionFor: Duration.minutes(10),
});

const rollout = new ArgoRollout(chart, 'checkout', {
  rolloutName: 'checkout',
  strategy,
  containers: [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080 }],
  replicas: 4,
  port: 80,
  targetPort: 8080,
  trafficRouting: TrafficRouting.istio({ virtualService: 'checkout' }),
  metrics: MetricProvider.prometheus({ address: 'http://prometheus.monitoring.svc.cluster.local:9090' }),
});

app.synth();
console.log(rollout.plan.toMarkdown());
console.log(rollout.runbook.toMarkdown());
