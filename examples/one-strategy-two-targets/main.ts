// One release policy, two platforms: the same DeploymentStrategy object is rendered to an ECS/Fargate
// service deployed by ECS as a canary (CloudFormation in cdk.out/) and to an Argo Rollouts canary behind
// NGINX with Prometheus analysis (manifests in dist/). Both rollout plans are printed, so the
// differences each platform brings (alarm delay on AWS; on Argo the keep window is a final 100% step the analysis judges) show.
// Who hears what is declared once too: the same DeploymentEvent list notifies an SNS topic on AWS and
// a Slack channel through the Argo Rollouts notification controller.
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import * as cdk8s from 'cdk8s';
import {
  Analysis, ArgoRollout, CanaryStep, DeploymentEvent, DeploymentStrategy, EcsEngine, HealthCheck, MetricProvider, ProgressiveFargateService,
  RolloutNotification, TrafficRouting,
} from '../../src';

// The policy: 10% of traffic for 10 minutes, judged by error rate and p99 latency every minute,
// failing on the third bad measurement; the previous version is kept 15 minutes after 100%.
const strategy = DeploymentStrategy.canary({
  steps: [CanaryStep.of(10, Duration.minutes(10))],
  analysis: Analysis.of({
    checks: [
      HealthCheck.errorRate({ maxPercent: 1 }),
      HealthCheck.latency({ percentile: 99, max: Duration.millis(400) }),
    ],
    interval: Duration.minutes(1),
    failureLimit: 2,
    minRequests: 20,
  }),
  keepPreviousVersionFor: Duration.minutes(15),
});
console.log(strategy.plan().toMarkdown());
// The events people hear of, on both platforms.
const notify = [DeploymentEvent.COMPLETED, DeploymentEvent.ROLLED_BACK, DeploymentEvent.CHECK_FAILED];

// AWS: ECS/Fargate behind an ALB, ECS-native canary, alarms on both target groups roll back.
const app = new App();
Aspects.of(app).add(new AwsSolutionsChecks());
const stack = new Stack(app, 'Checkout');
const service = new ProgressiveFargateService(stack, 'Checkout', {
  image: ecs.ContainerImage.fromRegistry('registry.example.com/checkout:2.4.0'),
  containerPort: 8080,
  desiredCount: 4,
  engine: EcsEngine.native(),
  strategy,
  notificationTopic: new sns.Topic(stack, 'DeploymentEvents', { enforceSSL: true }),
  notificationEvents: notify,
});
console.log(service.plan.toMarkdown());
NagSuppressions.addResourceSuppressions(service.loadBalancer, [
  { id: 'AwsSolutions-ELB2', reason: 'Access logs need a bucket with a retention policy chosen by the account owner; this example keeps to the deployment resources.' },
  {
    id: 'CdkNagValidationFailure',
    reason: 'The listener accepts the VPC address range, a CloudFormation attribute that AwsSolutions-EC23 cannot read at synth time (it is not 0.0.0.0/0).',
    appliesTo: ['AwsSolutions-EC23'],
  },
], true);
NagSuppressions.addResourceSuppressions(service.cluster.vpc, [
  { id: 'AwsSolutions-VPC7', reason: 'The example VPC is created with the stack; give a long-lived VPC flow logs where it is owned.' },
], true);
NagSuppressions.addResourceSuppressions(service.service, [
  { id: 'AwsSolutions-IAM4', reason: 'ECS shifts traffic between the target groups with the AWS-managed infrastructure policy for load balancers, which AWS keeps current.' },
], true);
app.synth();

// Kubernetes: the same object rendered as an Argo Rollout with NGINX traffic routing.
const k8sApp = new cdk8s.App();
const chart = new cdk8s.Chart(k8sApp, 'checkout', { namespace: 'shop' });
const rollout = new ArgoRollout(chart, 'checkout', {
  strategy,
  containers: [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080 }],
  replicas: 4,
  port: 80,
  targetPort: 8080,
  trafficRouting: TrafficRouting.nginx({ stableIngress: 'checkout' }),
  metrics: MetricProvider.prometheus({ address: 'http://prometheus.monitoring.svc.cluster.local:9090' }),
  notifications: RolloutNotification.forEvents({ events: notify, service: 'slack', recipients: ['#checkout-deploys'] }),
});
console.log(rollout.plan.toMarkdown());
k8sApp.synth();
