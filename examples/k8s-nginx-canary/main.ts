// A canary behind the NGINX ingress controller: 5% → 25% → 50%, ten minutes each, then 100% for ten more
// minutes with the previous version kept, judged all along by a background analysis of the NGINX
// metrics in Prometheus (error rate and p99 latency, at least 20 requests per minute to count); a
// failure at any point returns all traffic to the previous version. Synthesizes the Rollout, its stable and canary Services, the
// AnalysisTemplate and the stable Ingress that Argo Rollouts clones into a canary Ingress.
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Analysis, ArgoRollout, CanaryStep, DeploymentStrategy, HealthCheck, MetricProvider, TrafficRouting } from '../../src';

const app = new cdk8s.App();
const chart = new cdk8s.Chart(app, 'shop', { namespace: 'shop' });

const strategy = DeploymentStrategy.canary({
  steps: [
    CanaryStep.of(5, Duration.minutes(10)),
    CanaryStep.of(25, Duration.minutes(10)),
    CanaryStep.of(50, Duration.minutes(10)),
  ],
  analysis: Analysis.of({
    checks: [
      HealthCheck.errorRate({ maxPercent: 1 }),
      HealthCheck.latency({ percentile: 99, max: Duration.millis(500) }),
    ],
    interval: Duration.minutes(1),
    failureLimit: 2,
    minRequests: 20,
  }),
  keepPreviousVersionFor: Duration.minutes(10),
});

const ingressName = 'checkout';
const rollout = new ArgoRollout(chart, 'checkout', {
  strategy,
  containers: [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080 }],
  replicas: 4,
  port: 80,
  targetPort: 8080,
  trafficRouting: TrafficRouting.nginx({ stableIngress: ingressName }),
  metrics: MetricProvider.prometheus({ address: 'http://prometheus.monitoring.svc.cluster.local:9090' }),
});

// The stable Ingress: clients reach the stable Service; Argo Rollouts adds the canary Ingress beside it.
new kplus.Ingress(chart, 'ingress', {
  metadata: { name: ingressName, annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
  rules: [{ host: 'checkout.example.com', path: '/', backend: kplus.IngressBackend.fromService(rollout.stableService!) }],
});

app.synth();
console.log(rollout.plan.toMarkdown());
console.log(rollout.runbook.toMarkdown());
