// An ECS/Fargate service behind a new ALB, deployed by ECS itself as a 10% canary that bakes 10 minutes,
// rolled back by the error-rate and p99 latency alarms (each watching the blue and green target groups).
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Analysis, CanaryStep, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService } from '../../src';

const app = new App();
const stack = new Stack(app, 'EcsNativeCanary');

const api = new ProgressiveFargateService(stack, 'Api', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  containerPort: 80,
  desiredCount: 3,
  healthCheckPath: '/',
  engine: EcsEngine.native(),
  strategy: DeploymentStrategy.canary({
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
  notificationTopic: new sns.Topic(stack, 'DeploymentEvents'),
});

console.log(api.plan.toMarkdown());
app.synth();
