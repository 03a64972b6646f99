// An ECS/Fargate service behind a new internal ALB, deployed by ECS itself as a 10% canary preceded by a
// header-only preview: for 20 minutes only requests with `X-Preview: qa` reach the new version (a test
// listener rule on the production listener, held by an ECS PAUSE hook), and the HTTP smoke test checks
// it through the same route; then 10% of production traffic for 10 minutes, judged by the error-rate
// and p99 latency alarms, then 100% with the previous version kept for 15 minutes.
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import {
  Analysis, CanaryStep, DeploymentStrategy, EcsEngine, HeaderPreview, HealthCheck, ProgressiveFargateService, RequestMatch, SmokeTest,
} from '../../src';

const app = new App();
// AWS Solutions best-practice checks: a finding fails synthesis unless suppressed below with a reason.
Aspects.of(app).add(new AwsSolutionsChecks());
const stack = new Stack(app, 'EcsHeaderPreview');

const api = new ProgressiveFargateService(stack, 'Api', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  containerPort: 80,
  desiredCount: 3,
  engine: EcsEngine.native(),
  strategy: DeploymentStrategy.canary({
    // Testers send `X-Preview: qa` to the production listener; end early with aws ecs continue-service-deployment (runbook).
    headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(20) }),
    steps: [CanaryStep.of(10, Duration.minutes(10))],
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
  // Sent with `X-Preview: qa` to the production listener while the preview holds the deployment.
  smokeTest: SmokeTest.http({ path: '/' }),
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
NagSuppressions.addResourceSuppressions(api.smokeTestFunction!, [
  { id: 'AwsSolutions-IAM4', reason: 'The smoke test writes its logs and attaches to the VPC through the AWS-managed Lambda execution policies.' },
], true);

app.synth();
