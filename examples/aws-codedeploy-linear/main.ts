// An ECS/Fargate service deployed by CodeDeploy: 20% more traffic every 5 minutes, rolled back by the
// alarms, the previous task set kept 30 minutes, deployment events sent to an SNS topic. The stack outputs the AppSpec a pipeline passes to
// CodeDeploy CreateDeployment (CloudFormation does not start CodeDeploy ECS deployments).
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Analysis, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService } from '../../src';

const app = new App();
const stack = new Stack(app, 'CodeDeployLinear');

const api = new ProgressiveFargateService(stack, 'Api', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  containerPort: 80,
  engine: EcsEngine.codeDeploy({ deploymentGroupName: 'api' }),
  notificationTopic: new sns.Topic(stack, 'DeploymentEvents'),
  strategy: DeploymentStrategy.linear({
    stepPercent: 20,
    interval: Duration.minutes(5),
    analysis: Analysis.of({
      checks: [
        HealthCheck.errorRate({ maxPercent: 1 }),
        HealthCheck.latency({ percentile: 95, max: Duration.millis(300) }),
      ],
      interval: Duration.minutes(1),
      failureLimit: 1,
      minRequests: 50,
    }),
    keepPreviousVersionFor: Duration.minutes(30),
  }),
});

console.log(api.plan.toMarkdown());
console.log('Start a deployment: aws deploy create-deployment --application-name <Application> --deployment-group-name api \\');
console.log('  --revision \'{"revisionType":"AppSpecContent","appSpecContent":{"content":"<AppSpec output, new task definition ARN>"}}\'');
app.synth();
