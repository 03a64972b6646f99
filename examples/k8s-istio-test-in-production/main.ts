// Test in production before any user sees the new version, on an Istio canary (VirtualService "shop",
// HTTP route "primary"):
// 1. header-only preview: for 20 minutes only requests with `X-Preview: qa` reach the new version
//    (testers and synthetic checks), then a person approves (`kubectl argo rollouts promote shop`);
// 2. dark launch: 25% of GET/HEAD requests are mirrored to the new version for 30 minutes, its
//    responses discarded (users are still served by the previous version);
// 3. sticky canary: from the first traffic step, requests with the cookie `release=canary` (which
//    the new version sets on its responses) stay on it until the rollout ends;
// 4. 5% then 25% for 15 minutes each, judged by the Istio metrics in Prometheus, then 100% with the
//    previous version kept 30 minutes.
// Synthesizes the Rollout (setCanaryScale, setHeaderRoute, setMirrorRoute and managedRoutes), its two
// Services and the AnalysisTemplate; the VirtualService belongs to the mesh configuration.
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import {
  Analysis, ArgoRollout, CanaryStep, DarkLaunch, DeploymentStrategy, HeaderPreview, HealthCheck, MetricProvider, RequestMatch, Stickiness,
  TrafficRouting,
} from '../../src';

const app = new cdk8s.App();
const chart = new cdk8s.Chart(app, 'shop', { namespace: 'shop' });

const strategy = DeploymentStrategy.canary({
  headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(20), manualGate: true }),
  darkLaunch: DarkLaunch.mirror({ percent: 25, duration: Duration.minutes(30) }),
  stickiness: Stickiness.byRequest(RequestMatch.cookie('release', 'canary')),
  steps: [CanaryStep.of(5, Duration.minutes(15)), CanaryStep.of(25, Duration.minutes(15))],
  analysis: Analysis.of({
    checks: [
      HealthCheck.errorRate({ maxPercent: 1 }),
      HealthCheck.latency({ percentile: 99, max: Duration.millis(600) }),
    ],
    interval: Duration.minutes(2),
    failureLimit: 1,
    minRequests: 50,
  }),
  keepPreviousVersionFor: Duration.minutes(30),
});

const rollout = new ArgoRollout(chart, 'shop', {
  strategy,
  containers: [{ image: 'registry.example.com/shop:3.4.0', portNumber: 8080 }],
  replicas: 8,
  trafficRouting: TrafficRouting.istio({ virtualService: 'shop', routes: ['primary'] }),
  metrics: MetricProvider.prometheus({ address: 'http://prometheus.istio-system.svc.cluster.local:9090' }),
});

app.synth();
console.log(rollout.plan.toMarkdown());
