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
import { handlerCode } from './handler-code';
import { MigrationPhase } from '../../migrations/migration-phase';
import { MigrationSet } from '../../migrations/migration-set';
import { MigrationStep } from '../../migrations/migration-step';
import { toMillis } from '../../private/duration';
import { fail, formatDuration, show } from '../../private/validate';
import { PlanPhaseSpec, RolloutPlan } from '../../strategy/rollout-plan';

/** The container of every migration task definition (the hook reads its exit code by this name). */
export const MIGRATION_CONTAINER = 'migration';
/** The variable that carries a psql step's script into its container. */
export const SCRIPT_VARIABLE = 'MIGRATION_SCRIPT';
/** Where the container writes the script before psql reads it. */
export const SCRIPT_DIR = '/tmp/migration';
/** Largest script delivered through the environment (a task definition is at most 64 KiB in all). */
export const MAX_SCRIPT_BYTES = 32 * 1024;
/** How often ECS calls the hook again while a step runs. */
export const HOOK_POLL_SECONDS = 30;

/** How the ECS native engine runs a set: the steps of the PRE_SCALE_UP hook, and the background backfill. */
export interface EcsMigrationRender {
  readonly set: MigrationSet;
  /** Expand, blocking backfill and contract steps, in the declared order: run by the hook. */
  readonly hookSteps: MigrationStep[];
  /** The non-blocking backfill step, started when the deployment completes. */
  readonly backfill?: MigrationStep;
}

/**
 * Checks that the ECS native engine can run the set exactly: refused with the CodeDeploy engine and
 * with a rolling strategy (no lifecycle hook rendered).
 */
export function checkEcsMigrations(where: string, migrations: unknown,
  opts: { codeDeploy: boolean; rolling: boolean }): EcsMigrationRender | undefined {
  if (migrations === undefined) return undefined;
  if (!(migrations instanceof MigrationSet)) {
    fail(where, 'migrations', 'must be a MigrationSet', show(migrations), 'Pass new MigrationSet({ engine, connection, steps }).');
  }
  if (opts.codeDeploy) {
    fail(where, 'migrations', 'cannot be run by the CodeDeploy engine yet: its BeforeInstall hook is not rendered by this library', 'EcsEngine.codeDeploy()',
      'Use EcsEngine.native(), whose PRE_SCALE_UP lifecycle hook runs expand and contract before the new revision starts, or run the steps from your own BeforeInstall hook and leave migrations out.');
  }
  if (opts.rolling) {
    fail(where, 'migrations', 'needs a blue/green, canary or linear strategy: the library runs them from a PRE_SCALE_UP lifecycle hook, which it renders for those ECS strategies only',
      'DeploymentStrategy.rolling', 'Use DeploymentStrategy.canary, .linear, .blueGreen or .allAtOnce.');
  }
  const hookSteps = migrations.steps.filter(s => s.phase !== MigrationPhase.BACKFILL || s.blocking);
  const background = migrations.steps.filter(s => s.phase === MigrationPhase.BACKFILL && !s.blocking);
  if (background.length > 1) {
    fail(where, 'migrations', 'may hold at most one non-blocking backfill step on ECS: each runs as its own task started by the deployment-completed event, so two would run at the same time, not in the declared order',
      background.map(s => s.id).join(', '), 'Keep one non-blocking backfill step and declare the others blocking: true (they then run in the hook, in order).');
  }
  migrations.steps.forEach(step => {
    const runner = migrations.runnerFor(step);
    if (runner.kind === 'psql') {
      const bytes = Buffer.byteLength(migrations.script(step.id), 'utf-8');
      if (bytes > MAX_SCRIPT_BYTES) {
        fail(where, `migrations step ${step.id}`, `has a psql script of ${bytes} bytes, more than the ${MAX_SCRIPT_BYTES} the ECS task definition carries in its environment`,
          `${bytes} bytes`, 'Split the step, or bake the SQL into an image and run it with MigrationRunner.command({ image, command }).');
      }
    }
  });
  return { set: migrations, hookSteps, backfill: background[0] };
}

function ids(steps: MigrationStep[]): string {
  return steps.map(s => s.id).join(', ');
}

/**
 * The plan with the migrations on it: a 0%-traffic phase before the first one for what the hook
 * runs, and notes for the background backfill and the rollback.
 */
export function ecsMigrationPlan(plan: RolloutPlan, render: EcsMigrationRender): RolloutPlan {
  const { set, hookSteps, backfill } = render;
  const phases: PlanPhaseSpec[] = [];
  const notes: string[] = [];
  if (hookSteps.length > 0) {
    const byPhase = [MigrationPhase.EXPAND, MigrationPhase.BACKFILL, MigrationPhase.CONTRACT]
      .map(phase => ({ phase, steps: hookSteps.filter(s => s.phase === phase) }))
      .filter(p => p.steps.length > 0)
      .map(p => `${p.phase === MigrationPhase.BACKFILL ? 'blocking backfill' : p.phase} (${ids(p.steps)})`);
    const bound = hookSteps.reduce((sum, s) => sum + toMillis(s.timeout), 0);
    phases.push({
      name: `Migrations: ${byPhase.join(', then ')}`,
      trafficPercent: 0,
      duration: Duration.seconds(0),
      note: `PRE_SCALE_UP hook, before any task of the new revision starts; one ECS task per step; takes as long as the steps run (at most ${formatDuration(Duration.millis(bound))}); a failed step rolls the deployment back`,
    });
  }
  const contract = set.stepsIn(MigrationPhase.CONTRACT);
  if (contract.length > 0) {
    notes.push(`Contract steps (${ids(contract)}) run in the PRE_SCALE_UP hook of this deployment: they must drop only what the version running now already stopped using `
      + '(a contract step belongs to the release after the one that stopped using the old shape), so neither the running version nor a rollback to it needs it.');
  }
  if (backfill !== undefined) {
    notes.push(`Backfill step ${backfill.id} runs as an ECS task after the deployment completes (ECS Deployment State Change SERVICE_DEPLOYMENT_COMPLETED, after the bake time), `
      + 'off the rollout\'s critical path: its failure does not roll the deployment back; see its logs.');
  }
  notes.push('The migration steps run on every deployment of this service, so their SQL must be safe to run again (IF NOT EXISTS / IF EXISTS; a batched backfill with a where that skips filled rows).');
  if (set.contractRemovals.length > 0) {
    notes.push(`Rollback: once this deployment's contract steps ran, ${set.contractRemovals.join('; ')} is gone; the version a rollback returns to must not need it.`);
  }
  return RolloutPlan.fromPhases({
    target: plan.target,
    strategy: plan.strategy,
    phases: [...phases, ...plan.phases.map(p => ({
      name: p.name,
      trafficPercent: p.trafficPercent,
      duration: p.duration,
      checks: p.checks,
      timeToDetect: p.timeToDetect,
      manualGate: p.manualGate,
      note: p.note,
    }))],
    notes: [...plan.notes, ...notes],
  });
}

/** What the migration resources are attached to. */
export interface EcsMigrationContext {
  readonly cluster: ecs.ICluster;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
}

/** The constructs that run a set on the ECS native engine. */
export interface EcsMigrationConstructs {
  /** One task definition per step, by step id. */
  readonly taskDefinitions: Map<string, ecs.FargateTaskDefinition>;
  /** The PRE_SCALE_UP hook function (when the hook has steps). */
  readonly hookFunction?: lambda.Function;
  readonly logGroup: logs.ILogGroup;
}

/** The task definition of one step: the runner's image, command, environment and the secret's keys. */
function stepTaskDefinition(scope: Construct, set: MigrationSet, step: MigrationStep, secret: secretsmanager.ISecret,
  logGroup: logs.ILogGroup): ecs.FargateTaskDefinition {
  const runner = set.runnerFor(step);
  const psql = runner.kind === 'psql';
  const scriptPath = psql ? `${SCRIPT_DIR}/${step.id}.sql` : undefined;
  const invocation = set.invocation(step.id, scriptPath);
  // psql reads a file: the container writes the script from its environment, then runs the runner's
  // command unchanged ("$0" is the path, "$@" the command).
  const command = psql
    ? ['sh', '-c', `mkdir -p ${SCRIPT_DIR} && printf '%s' "$${SCRIPT_VARIABLE}" > "$0" && exec "$@"`, scriptPath!, ...invocation.command]
    : invocation.command;
  const td = new ecs.FargateTaskDefinition(scope, `Migration-${step.id}`, { cpu: 256, memoryLimitMiB: 512 });
  td.addContainer(MIGRATION_CONTAINER, {
    image: ecs.ContainerImage.fromRegistry(invocation.image),
    command,
    essential: true,
    environment: psql ? { ...invocation.environment, [SCRIPT_VARIABLE]: invocation.script! } : { ...invocation.environment },
    secrets: Object.fromEntries(invocation.secretEnvironment.map(v => [v.name, ecs.Secret.fromSecretsManager(secret, v.key)])),
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: step.id, logGroup }),
  });
  return td;
}

/** Creates the migration task definitions and the PRE_SCALE_UP hook function with least-privilege IAM. */
export function createEcsMigrations(scope: Construct, render: EcsMigrationRender, ctx: EcsMigrationContext): EcsMigrationConstructs {
  const { set } = render;
  const secret = secretsmanager.Secret.fromSecretNameV2(scope, 'MigrationSecret', set.connection.secretName);
  const logGroup = new logs.LogGroup(scope, 'MigrationLogs', { retention: logs.RetentionDays.ONE_MONTH });
  const taskDefinitions = new Map<string, ecs.FargateTaskDefinition>();
  for (const step of set.steps) {
    taskDefinitions.set(step.id, stepTaskDefinition(scope, set, step, secret, logGroup));
  }
  if (render.hookSteps.length === 0) {
    return { taskDefinitions, logGroup };
  }
  const stack = Stack.of(scope);
  const hookTds = render.hookSteps.map(s => taskDefinitions.get(s.id)!);
  const fn = new lambda.Function(scope, 'MigrationHook', {
    description: `Migrations of ${scope.node.path}: runs ${ids(render.hookSteps)} as ECS tasks at PRE_SCALE_UP`,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: handlerCode('migration-hook'),
    timeout: Duration.minutes(1),
    environment: {
      CLUSTER: ctx.cluster.clusterArn,
      SUBNETS: stack.toJsonString(ctx.cluster.vpc.selectSubnets(ctx.subnets).subnetIds),
      SECURITY_GROUPS: stack.toJsonString([ctx.securityGroup.securityGroupId]),
      STEPS: stack.toJsonString(render.hookSteps.map((s, i) => ({
        id: s.id,
        taskDefinition: hookTds[i].taskDefinitionArn,
        timeoutMs: toMillis(s.timeout),
      }))),
      POLL_SECONDS: String(HOOK_POLL_SECONDS),
    },
  });
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ecs:RunTask'],
    resources: hookTds.map(td => td.taskDefinitionArn),
    conditions: { ArnEquals: { 'ecs:cluster': ctx.cluster.clusterArn } },
  }));
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['iam:PassRole'],
    resources: hookTds.flatMap(td => [td.taskRole.roleArn, td.obtainExecutionRole().roleArn]),
    conditions: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
  }));
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['ecs:DescribeTasks', 'ecs:StopTask'],
    resources: [stack.formatArn({ service: 'ecs', resource: 'task', resourceName: `${ctx.cluster.clusterName}/*` })],
    conditions: { ArnEquals: { 'ecs:cluster': ctx.cluster.clusterArn } },
  }));
  return { taskDefinitions, hookFunction: fn, logGroup };
}

/**
 * The rule that starts the non-blocking backfill as an ECS task when a deployment of the service
 * completes.
 */
export function createBackfillRule(scope: Construct, render: EcsMigrationRender, ctx: EcsMigrationContext, taskDefinition: ecs.FargateTaskDefinition,
  serviceArn: string): events.Rule {
  return new events.Rule(scope, 'BackfillOnDeploymentCompleted', {
    description: `Starts the backfill ${render.backfill!.id} of ${scope.node.path} when a deployment completes`,
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Deployment State Change'],
      resources: [serviceArn],
      detail: { eventName: ['SERVICE_DEPLOYMENT_COMPLETED'] },
    },
    targets: [new eventsTargets.EcsTask({
      cluster: ctx.cluster,
      taskDefinition,
      launchType: ecs.LaunchType.FARGATE,
      subnetSelection: ctx.subnets,
      securityGroups: [ctx.securityGroup],
      taskCount: 1,
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
    })],
  });
}
