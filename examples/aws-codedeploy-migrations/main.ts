// An ECS/Fargate service deployed by CodeDeploy as a 10% canary, with the database migrations of the release:
// - expand (a new column and its index, built CONCURRENTLY) and contract (dropping a column the running
//   version already stopped using) run as Fargate tasks from the BeforeInstall AppSpec hook, before CodeDeploy
//   creates the replacement task set; the hook reports to CodeDeploy, and a failed step rolls the deployment back;
// - the batched backfill of the new column runs as a Fargate task once the CodeDeploy deployment has succeeded
//   (after the 15-minute termination wait).
// The stack outputs the AppSpec (with the BeforeInstall and AfterAllowTestTraffic hooks) a pipeline passes to
// CodeDeploy CreateDeployment. The database credentials are the RDS-managed Secrets Manager secret "shop/db".
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import {
  Analysis, CanaryStep, DatabaseConnection, DatabaseEngine, DeploymentStrategy, EcsEngine, HealthCheck, MigrationSet, MigrationSql, MigrationStep,
  ProgressiveFargateService, SmokeTest,
} from '../../src';

const app = new App();
// AWS Solutions best-practice checks: a finding fails synthesis unless suppressed below with a reason.
Aspects.of(app).add(new AwsSolutionsChecks());
const stack = new Stack(app, 'CodeDeployMigrations');

const migrations = new MigrationSet({
  engine: DatabaseEngine.postgres(16),
  connection: DatabaseConnection.fromSecretFields({ secretName: 'shop/db' }),
  steps: [
    // Re-runnable: the steps run on every deployment of the service. CodeDeploy waits one hour for the
    // BeforeInstall hook, so the hook steps' timeouts add up to at most 55 minutes.
    MigrationStep.expand({
      id: 'add-email-lower',
      timeout: Duration.minutes(5),
      sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN IF NOT EXISTS email_lower text;'),
    }),
    MigrationStep.expand({
      id: 'index-email-lower',
      timeout: Duration.minutes(40),
      sql: MigrationSql.inline('CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_lower ON users (email_lower);'),
    }),
    MigrationStep.backfill({
      id: 'fill-email-lower',
      sql: MigrationSql.batchedBackfill({
        table: 'users', keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL', batchSize: 1000, pause: Duration.millis(100),
      }),
    }),
    // The version running now stopped reading email_upper in the previous release.
    MigrationStep.contract({
      id: 'drop-email-upper',
      timeout: Duration.minutes(5),
      sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN IF EXISTS email_upper;'),
    }),
  ],
});

const api = new ProgressiveFargateService(stack, 'Api', {
  image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
  containerPort: 80,
  desiredCount: 3,
  engine: EcsEngine.codeDeploy({ deploymentGroupName: 'api' }),
  smokeTest: SmokeTest.http({ path: '/' }),
  strategy: DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(10))],
    analysis: Analysis.of({
      checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
      interval: Duration.minutes(1),
      failureLimit: 2,
      minRequests: 20,
    }),
    keepPreviousVersionFor: Duration.minutes(15),
  }),
  migrations,
});

console.log(api.plan.toMarkdown());
console.log(api.runbook.toMarkdown());
console.log(migrations.planMarkdown());
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
  {
    id: 'AwsSolutions-IAM5',
    reason: 'CodeDeploy invokes the two hook functions (BeforeInstall, AfterAllowTestTraffic); aws-cdk-lib grants the invocation on each function and its qualified ARNs (<arn>:*).',
    appliesTo: [{ regex: '/^Resource::<Api(SmokeTest|MigrationHook)[0-9A-F]+\\.Arn>:\\*$/g' }],
  },
], true);
NagSuppressions.addResourceSuppressions(api.smokeTestFunction!, [
  { id: 'AwsSolutions-IAM4', reason: 'The smoke test writes its logs and reaches the VPC through the AWS-managed basic and VPC execution policies.' },
], true);
NagSuppressions.addResourceSuppressions(api.migrationHookFunction!, [
  { id: 'AwsSolutions-IAM4', reason: 'The hook writes its logs through the AWS-managed basic execution policy; its other permissions name the migration task definitions, their roles and the deployment group.' },
  {
    id: 'AwsSolutions-IAM5',
    reason: 'ecs:DescribeTasks and ecs:StopTask act on the migration task the hook started, whose ARN is only known at run time: allowed on the tasks of this cluster only.',
    appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task\\/<ApiCluster[0-9A-F]+>\\/\\*$/g' }],
  },
], true);
for (const taskDefinition of api.migrationTaskDefinitions) {
  NagSuppressions.addResourceSuppressions(taskDefinition, [
    {
      id: 'AwsSolutions-ECS2',
      reason: 'The plain variables are the step\'s psql script (MIGRATION_SCRIPT), PGSSLMODE and PGAPPNAME, none secret; the credentials come from Secrets Manager as ECS secrets.',
    },
    {
      id: 'AwsSolutions-IAM5',
      reason: 'EventBridge tags the backfill task it starts (aws-cdk-lib\'s ECS target grants ecs:TagResource on the tasks of this cluster, whose ARNs are only known at run time).',
      appliesTo: [{ regex: '/^Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:\\*:task\\/<ApiCluster[0-9A-F]+>\\/\\*$/g' }],
    },
  ], true);
}

app.synth();
