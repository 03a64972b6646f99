/**
 * Benchmark workload, hand-written variant with migrations: the services of
 * scripts/bench/aws-handwritten.ts, each with the database migrations of its release written with
 * aws-cdk-lib alone, the way a user would without the library: one Fargate task definition per step
 * (psql in the postgres:16-alpine image, the step's SQL script in its environment, the credentials
 * from the service's Secrets Manager secret), a Lambda function that ECS calls as the service's
 * PRE_SCALE_UP lifecycle hook to run the expand and contract steps as tasks before any task of the
 * new revision starts, and an EventBridge rule that starts the batched backfill as a task once a
 * deployment has completed. scripts/bench/aws-migrations-library.ts declares the same with the
 * library, whose MigrationSet also lints the SQL; nothing here checks the SQL.
 */
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ServiceAdditions, synthWith } from './aws-handwritten';
import { SynthResult } from './worker';

/**
 * The hook handler: starts each step's task, answers ECS with IN_PROGRESS (ECS calls again after
 * POLL_SECONDS) until the task stops, and fails the hook when a step fails. A user without the
 * library would keep such a handler in their repository; here it is the compiled handler the package
 * ships, referenced by its path (see docs/benchmarks.md).
 */
const MIGRATION_HOOK_HANDLER = path.join(__dirname, '..', '..', 'lib', 'aws', 'private', 'handlers', 'migration-hook');
const SCRIPT_DIR = '/tmp/migration';
const STEP_TIMEOUT = Duration.hours(1);
/** Each statement waits at most 5 s for its lock, and a DDL statement runs at most an hour. */
const TIMEOUTS = 'SET lock_timeout = \'5000ms\';\nSET statement_timeout = \'3600000ms\';\n';

interface Step {
  readonly id: string;
  readonly phase: 'expand' | 'backfill' | 'contract';
  readonly script: string;
}

/** The release's migration scripts, run by psql in this order. */
const STEPS: Step[] = [
  {
    id: 'add-email-lower',
    phase: 'expand',
    script: '-- Migration step "add-email-lower" (expand) from add-email-lower (inline SQL).\n'
      + TIMEOUTS
      + 'ALTER TABLE users ADD COLUMN IF NOT EXISTS email_lower text;\n',
  },
  {
    // 1,000 rows per transaction, 100 ms apart, so that no transaction holds the whole table's rows.
    id: 'fill-email-lower',
    phase: 'backfill',
    script: `-- Migration step "fill-email-lower" (backfill) from fill-email-lower (generated backfill).
SET lock_timeout = '5000ms';
SET statement_timeout = 0;
DO $backfill$
DECLARE
  last_key "users"."id"%TYPE;
  batch_end "users"."id"%TYPE;
  batches bigint := 0;
BEGIN
  SELECT max(k) INTO batch_end FROM (SELECT "id" AS k FROM "users" ORDER BY "id" LIMIT 1000) AS batch;
  WHILE batch_end IS NOT NULL LOOP
    IF last_key IS NULL THEN
      UPDATE "users" SET email_lower = lower(email) WHERE "id" <= batch_end AND (email_lower IS NULL);
    ELSE
      UPDATE "users" SET email_lower = lower(email) WHERE "id" > last_key AND "id" <= batch_end AND (email_lower IS NULL);
    END IF;
    batches := batches + 1;
    RAISE NOTICE 'backfill: batch % committed, keys up to %', batches, batch_end;
    COMMIT;
    PERFORM pg_sleep(0.1);
    last_key := batch_end;
    SELECT max(k) INTO batch_end FROM (SELECT "id" AS k FROM "users" WHERE "id" > last_key ORDER BY "id" LIMIT 1000) AS batch;
  END LOOP;
  RAISE NOTICE 'backfill: done in % batches', batches;
END
$backfill$;
`,
  },
  {
    id: 'drop-email-upper',
    phase: 'contract',
    script: '-- Migration step "drop-email-upper" (contract) from drop-email-upper (inline SQL).\n'
      + TIMEOUTS
      + 'ALTER TABLE users DROP COLUMN IF EXISTS email_upper;\n',
  },
];

/** The migrations of service `index` (its database's secret is `service<index>/db`). */
function migrations(self: Construct, index: number, cluster: ecs.ICluster, securityGroup: ec2.ISecurityGroup): ServiceAdditions {
  const stack = Stack.of(self);
  const secret = secretsmanager.Secret.fromSecretNameV2(self, 'MigrationSecret', `service${index}/db`);
  const logGroup = new logs.LogGroup(self, 'MigrationLogs', { retention: logs.RetentionDays.ONE_MONTH });
  const taskDefinitions = new Map<string, ecs.FargateTaskDefinition>();
  for (const step of STEPS) {
    const scriptPath = `${SCRIPT_DIR}/${step.id}.sql`;
    const taskDefinition = new ecs.FargateTaskDefinition(self, `Migration-${step.id}`, { cpu: 256, memoryLimitMiB: 512 });
    taskDefinition.addContainer('migration', {
      image: ecs.ContainerImage.fromRegistry('postgres:16-alpine'),
      // psql reads a file: write the script from the environment, then run psql on it.
      command: ['sh', '-c', `mkdir -p ${SCRIPT_DIR} && printf '%s' "$MIGRATION_SCRIPT" > "$0" && exec "$@"`, scriptPath,
        'psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', `--file=${scriptPath}`],
      essential: true,
      environment: { PGSSLMODE: 'require', PGAPPNAME: `migration-${step.id}`, MIGRATION_SCRIPT: step.script },
      secrets: {
        PGHOST: ecs.Secret.fromSecretsManager(secret, 'host'),
        PGPORT: ecs.Secret.fromSecretsManager(secret, 'port'),
        PGUSER: ecs.Secret.fromSecretsManager(secret, 'username'),
        PGPASSWORD: ecs.Secret.fromSecretsManager(secret, 'password'),
        PGDATABASE: ecs.Secret.fromSecretsManager(secret, 'dbname'),
      },
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: step.id, logGroup }),
    });
    taskDefinitions.set(step.id, taskDefinition);
  }

  // The hook runs expand and contract, in order, before the new revision's tasks start.
  const hookSteps = STEPS.filter(s => s.phase !== 'backfill');
  const hookTaskDefinitions = hookSteps.map(s => taskDefinitions.get(s.id)!);
  const hook = new lambda.Function(self, 'MigrationHook', {
    description: `Migrations of ${self.node.path}: runs ${hookSteps.map(s => s.id).join(', ')} as ECS tasks at PRE_SCALE_UP`,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    // The handler's folder, without TypeScript declarations and source maps.
    code: lambda.Code.fromAsset(MIGRATION_HOOK_HANDLER, { exclude: ['*.ts', '*.map'] }),
    timeout: Duration.minutes(1),
    environment: {
      CLUSTER: cluster.clusterArn,
      SUBNETS: stack.toJsonString(cluster.vpc.selectSubnets().subnetIds),
      SECURITY_GROUPS: stack.toJsonString([securityGroup.securityGroupId]),
      STEPS: stack.toJsonString(hookSteps.map((s, i) => ({
        id: s.id,
        taskDefinition: hookTaskDefinitions[i].taskDefinitionArn,
        timeoutMs: STEP_TIMEOUT.toMilliseconds(),
      }))),
      POLL_SECONDS: '30',
    },
  });
  // Least privilege: run only these task definitions in this cluster, pass only their roles.
  hook.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ecs:RunTask'],
    resources: hookTaskDefinitions.map(td => td.taskDefinitionArn),
    conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
  }));
  hook.addToRolePolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: hookTaskDefinitions.flatMap(td => [td.taskRole.roleArn, td.executionRole!.roleArn]),
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  }));
  hook.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
    resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${cluster.clusterName}/*` })],
    conditions: { ArnEquals: { 'ecs:cluster': cluster.clusterArn } },
  }));

  return {
    lifecycleHooks: [new ecs.DeploymentLifecycleLambdaTarget(hook, 'MigrationHook', {
      lifecycleStages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP],
    })],
    // The backfill runs off the rollout's critical path, once a deployment has completed (after the bake time).
    afterService: service => {
      new events.Rule(self, 'BackfillOnDeploymentCompleted', {
        description: `Starts the backfill fill-email-lower of ${self.node.path} when a deployment completes`,
        eventPattern: {
          source: ['aws.ecs'],
          detailType: ['ECS Deployment State Change'],
          resources: [service.serviceArn],
          detail: { eventName: ['SERVICE_DEPLOYMENT_COMPLETED'] },
        },
        targets: [new eventsTargets.EcsTask({
          cluster,
          taskDefinition: taskDefinitions.get('fill-email-lower')!,
          launchType: ecs.LaunchType.FARGATE,
          subnetSelection: {},
          securityGroups: [securityGroup],
          taskCount: 1,
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        })],
      });
    },
  };
}

export function synth(n: number): SynthResult {
  return synthWith(n, false, migrations);
}
