// An ECS/Fargate service deployed by CodeDeploy from a plain `cdk deploy`: a stack update that changes the
// task definition starts the CodeDeploy deployment (10% for 5 minutes, then the rest) and waits for it,
// and a failed deployment rolls the stack back. A check of yours runs at BeforeAllowTraffic, before any
// production traffic reaches the new task set; the previous task set is kept 15 minutes.
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import {
  Analysis, CanaryStep, CodeDeployEcsHookEvent, DeploymentHook, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService,
} from '../../src';

const app = new App();
// AWS Solutions best-practice checks: a finding fails synthesis unless suppressed below with a reason.
Aspects.of(app).add(new AwsSolutionsChecks());
const stack = new Stack(app, 'CodeDeployStackDeploy');

// Your check: it reports its result to CodeDeploy (the service grants the call on its deployment group).
const check = new lambda.Function(stack, 'ReleaseCheck', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline([
    "const { CodeDeployClient, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');",
    'exports.handler = async (event) => {',
    '  await new CodeDeployClient({}).send(new PutLifecycleEventHookExecutionStatusCommand({',
    "    deploymentId: event.DeploymentId, lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId, status: 'Succeeded' }));",
    '};',
  ].join('\n')),
});

const api = new ProgressiveFargateService(stack, 'Api', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  containerPort: 80,
  engine: EcsEngine.codeDeploy({ deployOnStackUpdate: true }),
  hooks: [DeploymentHook.codeDeploy(CodeDeployEcsHookEvent.BEFORE_ALLOW_TRAFFIC, check)],
  strategy: DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(5))],
    analysis: Analysis.of({
      checks: [HealthCheck.errorRate({ maxPercent: 1 })],
      interval: Duration.minutes(1),
      failureLimit: 1,
      minRequests: 20,
    }),
    keepPreviousVersionFor: Duration.minutes(15),
  }),
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
NagSuppressions.addResourceSuppressions(api.deploymentGroup!, [
  { id: 'AwsSolutions-IAM4', reason: 'CodeDeploy uses its AWS-managed service policy for ECS deployments, which AWS keeps current.' },
  {
    id: 'AwsSolutions-IAM5',
    reason: 'CodeDeploy may invoke the release check and any of its versions (aws-cdk-lib grantInvoke); the function is named exactly.',
    appliesTo: ['Resource::<ReleaseCheck8B2118C4.Arn>:*'],
  },
], true);
NagSuppressions.addResourceSuppressions([check, api.stackDeploymentFunction!], [
  { id: 'AwsSolutions-IAM4', reason: 'The function writes its logs through the AWS-managed Lambda basic execution policy.' },
], true);

app.synth();
