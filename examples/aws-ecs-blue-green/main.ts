// An internal ECS/Fargate service deployed blue/green by ECS: the new version first receives test traffic
// only, where a smoke-test Lambda requests /health on the test listener; then all production traffic
// switches and the previous version is kept 20 minutes while the error-rate alarm can roll back.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Analysis, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService, Promotion, SmokeTest } from '../../src';

const app = new App();
const stack = new Stack(app, 'EcsBlueGreen');

const api = new ProgressiveFargateService(stack, 'Api', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  containerPort: 80,
  internetFacing: false,
  engine: EcsEngine.native(),
  smokeTest: SmokeTest.http({ path: '/health', expectStatus: 200, timeout: Duration.seconds(5) }),
  strategy: DeploymentStrategy.blueGreen({
    promotion: Promotion.automatic(Duration.seconds(0)),
    postPromotionAnalysis: Analysis.of({
      checks: [HealthCheck.errorRate({ maxPercent: 2 })],
      interval: Duration.minutes(1),
      failureLimit: 2,
    }),
    keepPreviousVersionFor: Duration.minutes(20),
  }),
});

console.log(api.plan.toMarkdown());
app.synth();
