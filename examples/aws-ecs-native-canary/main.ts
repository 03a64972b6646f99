// An ECS/Fargate service behind a new internal ALB (the default: reachable from the VPC only), deployed by
// ECS itself as a 10% canary that bakes 10 minutes and then waits up to 2 hours for an approval before the
// final shift to 100% (the canary gate: a Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT, approved through an
// SSM parameter, see the printed runbook), rolled back by the error-rate and p99 latency alarms (each
// watching the blue and green target groups, so they judge the whole service) or when nobody approves.
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { Analysis, ApprovalTimeoutAction, CanaryStep, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService } from '../../src';

const app = new App();
// AWS Solutions best-practice checks: a finding fails synthesis unless suppressed below with a reason.
Aspects.of(app).add(new AwsSolutionsChecks());
const stack = new Stack(app, 'EcsNativeCanary');

const api = new ProgressiveFargateService(stack, 'Api', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  containerPort: 80,
  desiredCount: 3,
  healthCheckPath: '/',
  // The canary gate waits 2 hours after the bake, then rolls back unless someone approved.
  engine: EcsEngine.native({ approvalWaitTime: Duration.hours(2), approvalTimeoutAction: ApprovalTimeoutAction.ROLLBACK }),
  strategy: DeploymentStrategy.canary({
    steps: [CanaryStep.withManualGate(10, Duration.minutes(10))],
    analysis: Analysis.of({
      checks: [
        HealthCheck.errorRate({ maxPercent: 1 }),
        HealthCheck.latency({ percentile: 99, max: Duration.millis(500) }),
      ],
      interval: Duration.minutes(1),
      failureLimit: 2,
      minRequests: 20,
    }),
    keepPreviousVersionFor: Duration.minutes(15),
  }),
  notificationTopic: new sns.Topic(stack, 'DeploymentEvents', { enforceSSL: true }),
  // Operators read it with: aws ssm get-parameter --name /runbooks/ecs-native-canary --query Parameter.Value --output text
  runbookParameterName: '/runbooks/ecs-native-canary',
});

console.log(api.plan.toMarkdown());
console.log(api.runbook.toMarkdown());
NagSuppressions.addResourceSuppressions(api.loadBalancer, [
  { id: 'AwsSolutions-ELB2', reason: 'Access logs need a bucket with a retention policy chosen by the account owner; this example keeps to the deployment resources.' },
  {
    id: 'CdkNagValidationFailure',
    reason: 'The listener accepts the VPC address range, a CloudFormation attribute that AwsSolutions-EC23 cannot read at synth time (it is not 0.0.0.0/0).',
    appliesTo: ['AwsSolutions-EC23'],
  },
], true);
NagSuppressions.addResourceSuppressions(api.cluster.vpc, [
  { id: 'AwsSolutions-VPC7', reason: 'The example VPC is created with the stack; give a long-lived VPC flow logs where it is owned.' },
], true);
NagSuppressions.addResourceSuppressions(api.service, [
  { id: 'AwsSolutions-IAM4', reason: 'ECS shifts traffic between the target groups with the AWS-managed infrastructure policy for load balancers, which AWS keeps current.' },
], true);
NagSuppressions.addResourceSuppressions(api.canaryGateFunction!, [
  { id: 'AwsSolutions-IAM4', reason: 'The canary gate writes its logs through the AWS-managed basic execution policy; its other permissions name the approval parameter, the rollback alarms and the service.' },
], true);

app.synth();
