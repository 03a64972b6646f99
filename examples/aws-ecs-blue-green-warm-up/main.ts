// An ECS/Fargate service deployed blue/green by ECS with a warm-up before the switch: the new version
// first receives test traffic only (a smoke-test Lambda requests /health on the test listener), then
// 2% of production traffic for 10 minutes, judged by the error-rate and latency alarms, so its caches
// and connection pools are warm; then all traffic switches and the previous version is kept 20
// minutes while the alarms can roll back. Renders the ECS CANARY strategy (2%, 10 minutes) with the
// smoke test as a POST_TEST_TRAFFIC_SHIFT hook.
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { Analysis, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService, SmokeTest, WarmUp } from '../../src';

const app = new App();
// AWS Solutions best-practice checks: a finding fails synthesis unless suppressed below with a reason.
Aspects.of(app).add(new AwsSolutionsChecks());
const stack = new Stack(app, 'EcsBlueGreenWarmUp');

const api = new ProgressiveFargateService(stack, 'Api', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  containerPort: 80,
  engine: EcsEngine.native(),
  smokeTest: SmokeTest.http({ path: '/health', expectStatus: 200, timeout: Duration.seconds(5) }),
  strategy: DeploymentStrategy.blueGreen({
    warmUp: WarmUp.of(2, Duration.minutes(10)),
    postPromotionAnalysis: Analysis.of({
      checks: [
        HealthCheck.errorRate({ maxPercent: 2 }),
        HealthCheck.latency({ percentile: 99, max: Duration.millis(800) }),
      ],
      interval: Duration.minutes(1),
      failureLimit: 2,
      minRequests: 20,
    }),
    keepPreviousVersionFor: Duration.minutes(20),
  }),
});

console.log(api.plan.toMarkdown());
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
