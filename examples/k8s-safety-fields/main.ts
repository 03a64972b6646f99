// Every Argo Rollouts safety field, each on the Rollout it applies to (Argo Rollouts ignores or
// refuses them elsewhere), with notifications, shared analysis and pod settings:
// - checkout: an NGINX canary keeping the previous version, with a progress deadline that aborts, a
//   rollback window, a delayed abort scale-down, a minimum ready time, a scale-down revision limit,
//   preferred anti-affinity, Slack notifications, a shared ClusterAnalysisTemplate and a k6 load test
//   at 25%, Istio-free pod annotations, a service account and a NodePort Service with a named port;
// - search: an NGINX canary with dynamicStableScale (fewer pods, slower abort; nothing kept at 100%);
// - batch-api: a canary without a traffic router, whose pods are replaced within maxSurge/maxUnavailable;
// - admin: a blue/green rollout whose preview runs one pod (previewReplicaCount), with required anti-affinity.
// Synthesizes the four Rollouts, their Services, AnalysisTemplates and the stable Ingresses.
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import {
  AbortScaleDown, Analysis, AnalysisArg, AnalysisTemplateRef, AntiAffinity, ArgoAnalysis, ArgoRollout, ArgoSmokeTest, Capacity, CanaryStep,
  DeploymentStrategy, HealthCheck, MetricProvider, NotificationTrigger, PodTemplateHash, Promotion, RolloutNotification, TrafficRouting,
} from '../../src';

const app = new cdk8s.App();
const chart = new cdk8s.Chart(app, 'shop', { namespace: 'shop' });
const prometheus = MetricProvider.prometheus({ address: 'http://prometheus.monitoring.svc.cluster.local:9090' });
const checks = () => Analysis.of({
  checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
  interval: Duration.minutes(1),
  failureLimit: 2,
  minRequests: 20,
});
const steps = () => [CanaryStep.of(5, Duration.minutes(10)), CanaryStep.of(25, Duration.minutes(10)), CanaryStep.of(50, Duration.minutes(10))];
const deploys = (trigger: NotificationTrigger) => RolloutNotification.subscribe({ trigger, service: 'slack', recipients: ['#deploys'] });

const checkout = new ArgoRollout(chart, 'checkout', {
  strategy: DeploymentStrategy.canary({ steps: steps(), analysis: checks(), keepPreviousVersionFor: Duration.minutes(10) }),
  containers: [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080 }],
  replicas: 4,
  port: 80,
  targetPort: 8080,
  trafficRouting: TrafficRouting.nginx({ stableIngress: 'checkout' }),
  metrics: prometheus,
  // Safety fields.
  progressDeadline: Duration.minutes(15),
  progressDeadlineAbort: true,
  rollbackWindowRevisions: 2,
  abortScaleDown: AbortScaleDown.after(Duration.minutes(5)),
  minReadyTime: Duration.seconds(20),
  scaleDownDelayRevisionLimit: 1,
  antiAffinity: AntiAffinity.preferred(100),
  // Who hears what.
  notifications: [
    deploys(NotificationTrigger.ROLLOUT_ABORTED),
    deploys(NotificationTrigger.ROLLOUT_COMPLETED),
    RolloutNotification.subscribe({ trigger: NotificationTrigger.ANALYSIS_RUN_FAILED, service: 'slack', recipients: ['#checkout-oncall'] }),
  ],
  // A team-wide SLO template, and a load test against the canary once it has 25% of the traffic.
  sharedAnalysis: [
    ArgoAnalysis.background({
      templates: [AnalysisTemplateRef.cluster('slo-burn-rate')],
      args: [AnalysisArg.fieldRef('app', 'metadata.name'), AnalysisArg.podTemplateHash('canary-hash', PodTemplateHash.LATEST)],
      measurementRetention: [{ metricName: 'error-rate', limit: 30 }],
    }),
    ArgoAnalysis.atStep({
      step: 1,
      smokeTests: [ArgoSmokeTest.job({ name: 'load-test', image: 'grafana/k6:0.50.0', command: ['k6', 'run', '-e', 'TARGET=$(PREVIEW_URL)', '/scripts/checkout.js'] })],
      dryRun: ['load-test'],
    }),
  ],
  // Pod and Service settings.
  podAnnotations: { 'prometheus.io/scrape': 'true' },
  podLabels: { team: 'payments' },
  serviceAccount: kplus.ServiceAccount.fromServiceAccountName(chart, 'checkout-sa', 'checkout'),
  canaryMetadata: { labels: { 'rollout-role': 'canary' } },
  stableMetadata: { labels: { 'rollout-role': 'stable' } },
  serviceType: kplus.ServiceType.NODE_PORT,
  portName: 'http',
});

const search = new ArgoRollout(chart, 'search', {
  strategy: DeploymentStrategy.canary({ steps: steps(), analysis: checks(), keepPreviousVersionFor: Duration.seconds(0) }),
  containers: [{ image: 'registry.example.com/search:7.1.0', portNumber: 8080 }],
  replicas: 12,
  trafficRouting: TrafficRouting.nginx({ stableIngress: 'search' }),
  metrics: prometheus,
  dynamicStableScale: true,
});

const batch = new ArgoRollout(chart, 'batch-api', {
  strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(25, Duration.minutes(5))], analysis: Analysis.none('internal batch API, judged by its queue alarms'), keepPreviousVersionFor: Duration.seconds(0) }),
  containers: [{ image: 'registry.example.com/batch-api:3.0.1', portNumber: 8080 }],
  replicas: 8,
  maxSurge: Capacity.count(2),
  maxUnavailable: Capacity.percent(0),
});

const admin = new ArgoRollout(chart, 'admin', {
  strategy: DeploymentStrategy.blueGreen({ previewAnalysis: Analysis.none('smoke-tested'), promotion: Promotion.manual(), keepPreviousVersionFor: Duration.minutes(15) }),
  containers: [{ image: 'registry.example.com/admin:1.9.0', portNumber: 8080 }],
  replicas: 3,
  smokeTest: ArgoSmokeTest.web({ path: '/health' }),
  previewReplicaCount: 1,
  antiAffinity: AntiAffinity.required(),
});

for (const [name, rollout] of [['checkout', checkout], ['search', search]] as const) {
  new kplus.Ingress(chart, `${name}-ingress`, {
    metadata: { name, annotations: { 'kubernetes.io/ingress.class': 'nginx' } },
    rules: [{ host: `${name}.example.com`, path: '/', backend: kplus.IngressBackend.fromService(rollout.stableService!) }],
  });
}

app.synth();
for (const rollout of [checkout, search, batch, admin]) console.log(rollout.plan.toMarkdown());
