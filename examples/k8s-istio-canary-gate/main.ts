// A canary routed by an Istio VirtualService (named "payments", with one HTTP route "primary" whose
// destinations are the stable and canary Services): 10% for 15 minutes, then hold for a person to
// approve (`kubectl argo rollouts promote payments`), then 50% and 100%. The Istio metrics in Prometheus
// judge every step. Synthesizes the Rollout, its two Services and the AnalysisTemplate; the VirtualService
// belongs to the mesh configuration and is referenced by name.
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { Analysis, ArgoRollout, CanaryStep, DeploymentStrategy, HealthCheck, MetricProvider, TrafficRouting } from '../../src';

const app = new cdk8s.App();
const chart = new cdk8s.Chart(app, 'payments', { namespace: 'payments' });

const strategy = DeploymentStrategy.canary({
  steps: [
    CanaryStep.withManualGate(10, Duration.minutes(15)),
    CanaryStep.of(50, Duration.minutes(15)),
  ],
  analysis: Analysis.of({
    checks: [
      HealthCheck.errorRate({ maxPercent: 0.5 }),
      HealthCheck.latency({ percentile: 99.9, max: Duration.millis(800) }),
    ],
    interval: Duration.minutes(2),
    failureLimit: 1,
    minRequests: 50,
    initialDelay: Duration.minutes(1),
  }),
  keepPreviousVersionFor: Duration.minutes(30),
});

const rollout = new ArgoRollout(chart, 'payments', {
  strategy,
  containers: [{ image: 'registry.example.com/payments:7.1.0', portNumber: 8443 }],
  replicas: 6,
  trafficRouting: TrafficRouting.istio({ virtualService: 'payments', routes: ['primary'] }),
  metrics: MetricProvider.prometheus({ address: 'http://prometheus.istio-system.svc.cluster.local:9090' }),
});

app.synth();
console.log(rollout.plan.toMarkdown());
console.log(rollout.runbook.toMarkdown());
