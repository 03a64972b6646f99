// An Argo Rollouts canary behind the NGINX ingress controller with the database migrations of the release:
// expand (a new column and its index) and contract (dropping a column the stable version already stopped
// using) run as a Job in the first canary step, before the first setWeight and so before any canary pod
// exists; the batched backfill, declared blocking (Argo Rollouts has no hook after promotion), runs as a
// Job after the last canary step. The credentials are the Kubernetes Secret "shop-db" in the namespace.
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  Analysis, ArgoRollout, CanaryStep, DatabaseConnection, DatabaseEngine, DeploymentStrategy, HealthCheck, MetricProvider, MigrationSet, MigrationSql,
  MigrationStep, TrafficRouting,
} from '../../src';

const app = new cdk8s.App();
const chart = new cdk8s.Chart(app, 'shop', { namespace: 'shop' });

const migrations = new MigrationSet({
  engine: DatabaseEngine.postgres(16),
  connection: DatabaseConnection.fromSecretFields({ secretName: 'shop-db' }),
  steps: [
    MigrationStep.expand({ id: 'add-email-lower', sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN IF NOT EXISTS email_lower text;') }),
    MigrationStep.expand({ id: 'index-email-lower', sql: MigrationSql.inline('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_lower ON users (email_lower);') }),
    MigrationStep.backfill({
      id: 'fill-email-lower',
      blocking: true,
      sql: MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL' }),
    }),
    MigrationStep.contract({ id: 'drop-email-upper', sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN IF EXISTS email_upper;') }),
  ],
});

const ingressName = 'checkout';
const rollout = new ArgoRollout(chart, 'checkout', {
  strategy: DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(10)), CanaryStep.of(50, Duration.minutes(10))],
    analysis: Analysis.of({
      checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
      interval: Duration.minutes(1),
      failureLimit: 2,
      minRequests: 20,
    }),
    keepPreviousVersionFor: Duration.minutes(10),
  }),
  containers: [{ image: 'registry.example.com/checkout:2.5.0', portNumber: 8080 }],
  replicas: 4,
  port: 80,
  targetPort: 8080,
  trafficRouting: TrafficRouting.nginx({ stableIngress: ingressName }),
  metrics: MetricProvider.prometheus({ address: 'http://prometheus.monitoring.svc.cluster.local:9090' }),
  migrations,
});

new kplus.Ingress(chart, 'ingress', {
  metadata: { name: ingressName, annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
  rules: [{ host: 'checkout.example.com', path: '/', backend: kplus.IngressBackend.fromService(rollout.stableService!) }],
});

app.synth();
console.log(rollout.plan.toMarkdown());
console.log(rollout.runbook.toMarkdown());
