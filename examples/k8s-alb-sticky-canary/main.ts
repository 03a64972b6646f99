// A canary behind the AWS Load Balancer Controller (Ingress "checkout", class alb) where each client
// keeps the version it first reached: the ALB's target-group stickiness on the weighted forward
// action (1 hour), so a checkout does not bounce between versions while 10% then 30% of clients are
// on the new one. Judged by the application's own request metrics in Prometheus, per Service. Synthesizes the Rollout (with
// trafficRouting.alb.stickinessConfig), its two Services and the AnalysisTemplate; the Ingress is
// the application's own and is referenced by name.
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import {
  Analysis, ArgoRollout, CanaryStep, DeploymentStrategy, HealthCheck, MetricProvider, PrometheusQueries, Stickiness, TrafficRouting,
} from '../../src';

const app = new cdk8s.App();
const chart = new cdk8s.Chart(app, 'checkout', { namespace: 'checkout' });

const strategy = DeploymentStrategy.canary({
  stickiness: Stickiness.loadBalancer(Duration.hours(1)),
  steps: [CanaryStep.of(10, Duration.minutes(20)), CanaryStep.of(30, Duration.minutes(20))],
  analysis: Analysis.of({
    checks: [HealthCheck.errorRate({ maxPercent: 1 })],
    interval: Duration.minutes(2),
    failureLimit: 1,
    minRequests: 30,
  }),
  keepPreviousVersionFor: Duration.minutes(20),
});

const rollout = new ArgoRollout(chart, 'checkout', {
  strategy,
  containers: [{ image: 'registry.example.com/checkout:5.0.1', portNumber: 8080 }],
  replicas: 4,
  trafficRouting: TrafficRouting.alb({ ingress: 'checkout' }),
  metrics: MetricProvider.prometheus({
    address: 'http://prometheus.monitoring:9090',
    queries: PrometheusQueries.custom({
      errorRatio: '(sum(rate(http_requests_total{namespace="{{args.namespace}}",service="{{args.service}}",code=~"5.."}[{{window}}])) or on() vector(0)) '
        + '/ sum(rate(http_requests_total{namespace="{{args.namespace}}",service="{{args.service}}"}[{{window}}]))',
      requestCount: 'sum(increase(http_requests_total{namespace="{{args.namespace}}",service="{{args.service}}"}[{{window}}]))',
    }),
  }),
});

app.synth();
console.log(rollout.plan.toMarkdown());
