// Blue/green: the new version starts beside the old one behind a preview Service; a smoke test calls
// its /health endpoint once; if it passes, production traffic switches after the preview has been up
// for five minutes, the Istio metrics judge the new version for ten minutes while the old one is kept,
// and a failure switches back. Synthesizes the Rollout, the active and preview Services and two
// AnalysisTemplates (the smoke test, and the post-promotion checks).
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import {
  Analysis, ArgoRollout, ArgoSmokeTest, DeploymentStrategy, HealthCheck, MetricProvider, PrometheusQueries, Promotion,
} from '../../src';

const app = new cdk8s.App();
const chart = new cdk8s.Chart(app, 'catalog', { namespace: 'catalog' });

const strategy = DeploymentStrategy.blueGreen({
  promotion: Promotion.automatic(Duration.minutes(5)),
  postPromotionAnalysis: Analysis.of({
    checks: [HealthCheck.errorRate({ maxPercent: 1 })],
    interval: Duration.minutes(1),
    failureLimit: 2,
  }),
  keepPreviousVersionFor: Duration.minutes(10),
});

const rollout = new ArgoRollout(chart, 'catalog', {
  strategy,
  containers: [{ image: 'registry.example.com/catalog:3.0.0', portNumber: 8080 }],
  replicas: 3,
  smokeTest: ArgoSmokeTest.web({ path: '/health', successCondition: 'result.status == "UP"' }),
  metrics: MetricProvider.prometheus({ address: 'http://prometheus.monitoring.svc.cluster.local:9090', queries: PrometheusQueries.istio() }),
});

app.synth();
console.log(rollout.plan.toMarkdown());
console.log(rollout.runbook.toMarkdown());
