// A release pipeline for an ECS/Fargate service: every commit is synthesized once, its image is built
// once and promoted unchanged to staging, then (after a manual approval announced on SNS, inside a
// deployment window) to production. Each environment deploys as a 10% canary judged by the error-rate
// alarm; after each one, the service's smoke test runs against its production listener as a pipeline
// step; production rolls back on failure and its alarm is watched for 5 minutes after it succeeds.
// Staging declares a rollback drill, run on demand.
// Prints the commit-to-production estimate.
import * as path from 'path';
import { App, Aspects, Duration, Stack, Stage, StageProps } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { Construct } from 'constructs';
import {
  Analysis, CanaryStep, DeploymentStrategy, DeploymentWindow, HealthCheck, ManualApproval, PipelineEnvironment,
  ProgressiveFargateService, ReleasePipeline, RollbackDrill, SmokeTest,
} from '../../src';

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

/** One environment of the service: the same stacks in staging and production. */
class ApiStage extends Stage {
  public readonly api: ProgressiveFargateService;

  constructor(scope: Construct, id: string, props: StageProps) {
    super(scope, id, props);
    // CDK Pipelines synthesizes a stage when it is added, before the app's aspects run: check it here.
    Aspects.of(this).add(new AwsSolutionsChecks());
    const stack = new Stack(this, 'Api');
    this.api = new ProgressiveFargateService(stack, 'Service', {
      // Built from the commit: one image, pushed under its content hash, the same digest everywhere.
      image: ecs.ContainerImage.fromAsset(path.join(__dirname, 'app')),
      containerPort: 80,
      desiredCount: 3,
      internetFacing: true,
      // The smoke-test hook reaches the test listener through the NAT gateway: allow its address.
      testTrafficFrom: ec2.Peer.ipv4('203.0.113.10/32'),
      smokeTest: SmokeTest.http({ path: '/', expectStatus: 200, timeout: Duration.seconds(5) }),
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(5))],
        analysis: Analysis.of({
          checks: [HealthCheck.errorRate({ maxPercent: 1 })], interval: Duration.minutes(1), failureLimit: 2, minRequests: 20,
        }),
        keepPreviousVersionFor: Duration.minutes(5),
      }),
    });
    NagSuppressions.addResourceSuppressions(this.api.loadBalancer, [
      { id: 'AwsSolutions-ELB2', reason: 'Access logs need a bucket with a retention policy chosen by the account owner; this example keeps to the deployment resources.' },
      { id: 'AwsSolutions-EC23', reason: 'The load balancer is the service entry point and accepts clients on its listener ports by design; tasks accept only the load balancer.' },
    ], true);
    NagSuppressions.addResourceSuppressions(this.api.cluster.vpc, [
      { id: 'AwsSolutions-VPC7', reason: 'The example VPC is created with the stack; give a long-lived VPC flow logs where it is owned.' },
    ], true);
    NagSuppressions.addResourceSuppressions(this.api.service, [
      { id: 'AwsSolutions-IAM4', reason: 'ECS shifts traffic between the target groups with the AWS-managed infrastructure policy for load balancers, which AWS keeps current.' },
    ], true);
    NagSuppressions.addResourceSuppressions(this.api.taskDefinition, [
      { id: 'AwsSolutions-IAM5', reason: 'Pulling the image from ECR needs ecr:GetAuthorizationToken, which IAM grants on "*" only; the pull itself is limited to the asset repository.' },
    ], true);
    NagSuppressions.addResourceSuppressions(this.api.smokeTestFunction!, [
      { id: 'AwsSolutions-IAM4', reason: 'The smoke test writes its logs and attaches to the VPC through the AWS-managed Lambda execution policies.' },
    ], true);
  }
}

const app = new App();
// AWS Solutions best-practice checks: a finding fails synthesis unless suppressed below with a reason.
Aspects.of(app).add(new AwsSolutionsChecks());
const delivery = new Stack(app, 'ApiDelivery', { env: { account: ACCOUNT, region: REGION } });
const approvals = new sns.Topic(delivery, 'Approvals', { enforceSSL: true });

// Both environments are in the pipeline's account here, so that production's alarm is watched by the
// pipeline too; a production account of its own works the same, without that watch.
const staging = new ApiStage(app, 'Staging', { env: { account: ACCOUNT, region: REGION } });
const production = new ApiStage(app, 'Production', { env: { account: ACCOUNT, region: REGION } });

const release = new ReleasePipeline(delivery, 'Release', {
  source: pipelines.CodePipelineSource.connection('example-org/api', 'main', {
    connectionArn: `arn:aws:codeconnections:${REGION}:${ACCOUNT}:connection/00000000-0000-0000-0000-000000000000`,
  }),
  synthCommands: ['npm ci', 'npm test', 'npx cdk synth'],
  environments: [
    // Start the pipeline with ROLLBACK_DRILL=true to see a staging deployment roll back on its alarm.
    PipelineEnvironment.of({ stage: staging, drill: RollbackDrill.forcedAlarm() }),
    PipelineEnvironment.of({
      stage: production,
      production: true,
      approval: ManualApproval.required({ notificationTopic: approvals, comment: 'Check the staging canary and smoke test, then approve.' }),
      deploymentWindow: DeploymentWindow.cron({ expression: '* * 8-16 ? * MON-THU', timeZone: 'Europe/Berlin' }),
    }),
  ],
  estimates: { synth: Duration.minutes(4), imageBuild: Duration.minutes(3) },
});

console.log(release.plan().toMarkdown());
console.log(production.api.plan.toMarkdown());
console.log(release.runbook.toMarkdown());

NagSuppressions.addResourceSuppressions(release, [
  { id: 'AwsSolutions-IAM5', reason: 'CDK Pipelines scopes its roles to the pipeline\'s artifact bucket objects, its CodeBuild log groups and reports, and the bootstrap roles it assumes; the wildcards are object keys and log streams.' },
  { id: 'AwsSolutions-S1', reason: 'The artifact bucket holds short-lived build artifacts; CloudTrail data events record access where the account owner enables them.' },
  { id: 'AwsSolutions-CB4', reason: 'The build projects write only to the pipeline\'s artifact bucket, which S3 encrypts; give them a customer-managed key where the account policy asks for one.' },
], true);

app.synth();
