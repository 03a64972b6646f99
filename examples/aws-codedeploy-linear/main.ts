// An ECS/Fargate service deployed by CodeDeploy: 20% more traffic every 5 minutes, rolled back by the
// alarms, the previous task set kept 30 minutes, deployment events sent to an SNS topic. The stack outputs the AppSpec a pipeline passes to
// CodeDeploy CreateDeployment (CloudFormation does not start CodeDeploy ECS deployments).
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { Analysis, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService } from '../../src';

const app = new App();
// AWS Solutions best-practice checks: a finding fails synthesis unless suppressed below with a reason.
Aspects.of(app).add(new AwsSolutionsChecks());
const stack = new Stack(app, 'CodeDeployLinear');

const api = new ProgressiveFargateService(stack, 'Api', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  containerPort: 80,
  engine: EcsEngine.codeDeploy({ deploymentGroupName: 'api' }),
  notificationTopic: new sns.Topic(stack, 'DeploymentEvents', { enforceSSL: true }),
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
console.log(api.runbook.toMarkdown());
console.log('Start a deployment: aws deploy create-deployment --application-name <Application> --deployment-group-name api \\');
console.log('  --revision \'{"revisionType":"AppSpecContent","appSpecContent":{"content":"<AppSpec output, new task definition ARN>"}}\'');
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
NagSuppressions.addResourceSuppressions(api.deploymentGroup!, [
  { id: 'AwsSolutions-IAM4', reason: 'CodeDeploy uses its AWS-managed service policy for ECS deployments, which AWS keeps current.' },
], true);

app.synth();
