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
import { CODEDEPLOY_HOOK_REPORT_MINUTES, LAMBDA_MAX_TIMEOUT_MINUTES } from './limits';
import { MigrationPhase } from '../../migrations/migration-phase';
import { MigrationSet } from '../../migrations/migration-set';
import { MigrationStep } from '../../migrations/migration-step';
import { toMillis } from '../../private/duration';
import { fail, formatDuration, show } from '../../private/validate';
import { phaseSpec } from '../../strategy/private/plan-phases';
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

/** Which deployment runs a set: where its hook and its background backfill sit. */
export enum MigrationEngine {
  /** ECS native: a PRE_SCALE_UP lifecycle hook; the backfill on SERVICE_DEPLOYMENT_COMPLETED. */
  ECS_NATIVE = 'ECS_NATIVE',
  /** CodeDeploy ECS: the BeforeInstall AppSpec hook; the backfill when the deployment succeeds. */
  CODEDEPLOY_ECS = 'CODEDEPLOY_ECS',
  /** CodeDeploy Lambda alias: the BeforeAllowTraffic hook; the backfill when the deployment succeeds. */
  CODEDEPLOY_LAMBDA = 'CODEDEPLOY_LAMBDA',
}

/** How each engine's moments read in the plan and the runbook. */
interface Moments {
  /** The hook, as the plan's migration phase says it. */
  readonly hook: string;
  /** The hook's name in notes. */
  readonly slot: string;
  /** What starts the background backfill. */
  readonly backfill: string;
}

const MOMENTS: Record<MigrationEngine, Moments> = {
  [MigrationEngine.ECS_NATIVE]: {
    hook: 'PRE_SCALE_UP hook, before any task of the new revision starts',
    slot: 'PRE_SCALE_UP hook',
    backfill: 'after the deployment completes (ECS Deployment State Change SERVICE_DEPLOYMENT_COMPLETED, after the bake time)',
  },
  [MigrationEngine.CODEDEPLOY_ECS]: {
    hook: 'BeforeInstall hook, before CodeDeploy creates the replacement task set (the original task set serves all traffic)',
    slot: 'BeforeInstall hook',
    backfill: 'after the CodeDeploy deployment succeeds (CodeDeploy Deployment State-change Notification SUCCESS, after the termination wait)',
  },
  [MigrationEngine.CODEDEPLOY_LAMBDA]: {
    hook: 'BeforeAllowTraffic hook, before any traffic shifts to the new version (the alias still sends all traffic to the previous one)',
    slot: 'BeforeAllowTraffic hook',
    backfill: 'after the CodeDeploy deployment succeeds (CodeDeploy Deployment State-change Notification SUCCESS, after the keep window)',
  },
};

/**
 * CodeDeploy fails a deployment whose hook has not reported within 60 minutes; the hook steps may
 * take 55 of them, leaving 5 for starting each task and reporting.
 */
export const CODEDEPLOY_MIGRATION_MAX_MINUTES = 55;
/** How often the CodeDeploy migration hook looks at the running task. */
export const CODEDEPLOY_POLL_SECONDS = 15;

/** How an engine runs a set: the steps of its hook, and the background backfill. */
export interface EcsMigrationRender {
  readonly set: MigrationSet;
  /** Which deployment runs the set. */
  readonly engine: MigrationEngine;
  /** Expand, blocking backfill and contract steps, in the declared order: run by the hook. */
  readonly hookSteps: MigrationStep[];
  /** The non-blocking backfill step, started when the deployment completes. */
  readonly backfill?: MigrationStep;
  /** The pre-traffic check the hook invokes after the last step (Lambda alias), as the plan describes it. */
  readonly handsOverTo?: string;
}

/**
 * Checks that an ECS service's engine can run the set exactly: refused with a rolling strategy (no
 * lifecycle hook rendered); with CodeDeploy, the hook steps must fit in the hour CodeDeploy waits.
 */
export function checkEcsMigrations(where: string, migrations: unknown,
  opts: { codeDeploy: boolean; rolling: boolean }): EcsMigrationRender | undefined {
  if (migrations === undefined) return undefined;
  if (!(migrations instanceof MigrationSet)) {
    fail(where, 'migrations', 'must be a MigrationSet', show(migrations), 'Pass new MigrationSet({ engine, connection, steps }).');
  }
  if (opts.rolling) {
    fail(where, 'migrations', 'needs a blue/green, canary or linear strategy: the library runs them from a PRE_SCALE_UP lifecycle hook, which it renders for those ECS strategies only',
      'DeploymentStrategy.rolling', 'Use DeploymentStrategy.canary, .linear, .blueGreen or .allAtOnce.');
  }
  return checkSteps(where, migrations, opts.codeDeploy ? MigrationEngine.CODEDEPLOY_ECS : MigrationEngine.ECS_NATIVE, undefined);
}

/**
 * Checks that a Lambda alias deployment can run the set: the hook steps, and the pre-traffic check
 * that runs after them in the same BeforeAllowTraffic hook, must fit in the hour CodeDeploy waits.
 */
export function checkLambdaMigrations(where: string, migrations: unknown,
  preTraffic: { readonly deadline?: Duration; describe(): string } | undefined): EcsMigrationRender {
  if (!(migrations instanceof MigrationSet)) {
    fail(where, 'migrations', 'must be a MigrationSet', show(migrations), 'Pass new MigrationSet({ engine, connection, steps }).');
  }
  const render = checkSteps(where, migrations, MigrationEngine.CODEDEPLOY_LAMBDA, preTraffic?.deadline);
  return preTraffic === undefined || render.hookSteps.length === 0 ? render : { ...render, handsOverTo: preTraffic.describe() };
}

function checkSteps(where: string, migrations: MigrationSet, engine: MigrationEngine, after: Duration | undefined): EcsMigrationRender {
  const hookSteps = migrations.steps.filter(s => s.phase !== MigrationPhase.BACKFILL || s.blocking);
  const background = migrations.steps.filter(s => s.phase === MigrationPhase.BACKFILL && !s.blocking);
  if (background.length > 1) {
    const trigger = engine === MigrationEngine.ECS_NATIVE ? 'the deployment-completed event' : 'the deployment-succeeded event';
    fail(where, 'migrations', `may hold at most one non-blocking backfill step on ${engine === MigrationEngine.ECS_NATIVE ? 'ECS' : 'CodeDeploy'}: each runs as its own task started by ${trigger}, so two would run at the same time, not in the declared order`,
      background.map(s => s.id).join(', '), 'Keep one non-blocking backfill step and declare the others blocking: true (they then run in the hook, in order).');
  }
  if (engine !== MigrationEngine.ECS_NATIVE) {
    const total = hookSteps.reduce((sum, s) => sum + toMillis(s.timeout), 0) + (after === undefined ? 0 : toMillis(after));
    if (total > CODEDEPLOY_MIGRATION_MAX_MINUTES * 60_000) {
      const slot = MOMENTS[engine].slot;
      const parts = hookSteps.map(s => `${s.id} ${formatDuration(s.timeout)}`).concat(after === undefined ? [] : [`the pre-traffic check ${formatDuration(after)}`]);
      fail(where, 'migrations', `must run in at most ${CODEDEPLOY_MIGRATION_MAX_MINUTES} minutes in the ${slot}: CodeDeploy fails the deployment when a hook has not reported within ${CODEDEPLOY_HOOK_REPORT_MINUTES} minutes, and ${CODEDEPLOY_HOOK_REPORT_MINUTES - CODEDEPLOY_MIGRATION_MAX_MINUTES} are kept for starting the tasks and reporting; the hook steps' timeouts${after === undefined ? '' : ' and the pre-traffic check'} add up to ${formatDuration(Duration.millis(total))}`,
        parts.join(' + '), `Give the expand, contract and blocking backfill steps timeouts that add up to ${CODEDEPLOY_MIGRATION_MAX_MINUTES} minutes or less (timeout: Duration.minutes(20)), make a long backfill non-blocking (it then runs after the deployment, without this limit)${engine === MigrationEngine.CODEDEPLOY_ECS ? ', or use EcsEngine.native(), whose PRE_SCALE_UP hook has no such limit' : ''}.`);
    }
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
  return { set: migrations, engine, hookSteps, backfill: background[0] };
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
  const moments = MOMENTS[render.engine];
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
      note: `${moments.hook}; one ECS task per step; takes as long as the steps run (at most ${formatDuration(Duration.millis(bound))}); a failed step rolls the deployment back`
        + (render.engine === MigrationEngine.ECS_NATIVE ? '' : '; the hook reports to CodeDeploy with PutLifecycleEventHookExecutionStatus'),
    });
  }
  const contract = set.stepsIn(MigrationPhase.CONTRACT);
  if (contract.length > 0) {
    notes.push(`Contract steps (${ids(contract)}) run in the ${moments.slot} of this deployment: they must drop only what the version running now already stopped using `
      + '(a contract step belongs to the release after the one that stopped using the old shape), so neither the running version nor a rollback to it needs it.');
  }
  if (backfill !== undefined) {
    notes.push(`Backfill step ${backfill.id} runs as an ECS task ${moments.backfill}, `
      + 'off the rollout\'s critical path: its failure does not roll the deployment back; see its logs.');
  }
  notes.push(`The migration steps run on every deployment of this ${render.engine === MigrationEngine.CODEDEPLOY_LAMBDA ? 'alias' : 'service'}, so their SQL must be safe to run again (IF NOT EXISTS / IF EXISTS; a batched backfill with a where that skips filled rows).`);
  if (render.handsOverTo !== undefined) {
    notes.push(`The pre-traffic check (${render.handsOverTo}) shares CodeDeploy's one BeforeAllowTraffic hook with the migrations: `
      + 'the migration hook invokes it with CodeDeploy\'s event after the last step succeeds, and it reports; a failed step means it does not run.');
  }
  if (render.engine !== MigrationEngine.ECS_NATIVE && hookSteps.length > 0) {
    notes.push(`A CodeDeploy rollback deployment runs no migration step: its ${moments.slot} reports Succeeded at once, since the version it returns to runs on the schema as it is.`);
  }
  if (set.contractRemovals.length > 0) {
    notes.push(`Rollback: once this deployment's contract steps ran, ${set.contractRemovals.join('; ')} is gone; the version a rollback returns to must not need it.`);
  }
  return RolloutPlan.fromPhases({
    target: plan.target,
    strategy: plan.strategy,
    phases: [...phases, ...plan.phases.map(phaseSpec)],
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
/** The hook handlers' environment: where the step tasks run and which task definition each step is. */
function stepsEnvironment(stack: Stack, render: EcsMigrationRender, ctx: EcsMigrationContext,
  hookTds: ecs.FargateTaskDefinition[]): Record<string, string> {
  return {
    CLUSTER: ctx.cluster.clusterArn,
    SUBNETS: stack.toJsonString(ctx.cluster.vpc.selectSubnets(ctx.subnets).subnetIds),
    SECURITY_GROUPS: stack.toJsonString([ctx.securityGroup.securityGroupId]),
    STEPS: stack.toJsonString(render.hookSteps.map((s, i) => ({
      id: s.id,
      taskDefinition: hookTds[i].taskDefinitionArn,
      timeoutMs: toMillis(s.timeout),
    }))),
  };
}

/** Least privilege for a hook that runs the step tasks: run them in the cluster, pass their roles, watch and stop them. */
function grantRunSteps(fn: lambda.Function, stack: Stack, ctx: EcsMigrationContext, hookTds: ecs.FargateTaskDefinition[]): void {
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
}

export function createEcsMigrations(scope: Construct, render: EcsMigrationRender, ctx: EcsMigrationContext): EcsMigrationConstructs {
  const { set } = render;
  const secret = secretsmanager.Secret.fromSecretNameV2(scope, 'MigrationSecret', set.connection.secretName);
  const logGroup = new logs.LogGroup(scope, 'MigrationLogs', { retention: logs.RetentionDays.ONE_MONTH });
  const taskDefinitions = new Map<string, ecs.FargateTaskDefinition>();
  for (const step of set.steps) {
    taskDefinitions.set(step.id, stepTaskDefinition(scope, set, step, secret, logGroup));
  }
  if (render.hookSteps.length === 0 || render.engine !== MigrationEngine.ECS_NATIVE) {
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
    environment: { ...stepsEnvironment(stack, render, ctx, hookTds), POLL_SECONDS: String(HOOK_POLL_SECONDS) },
  });
  grantRunSteps(fn, stack, ctx, hookTds);
  return { taskDefinitions, hookFunction: fn, logGroup };
}

/** What starts the non-blocking backfill: an EventBridge pattern, and the rule's description. */
export interface BackfillTrigger {
  readonly eventPattern: events.EventPattern;
  /** Completes "Starts the backfill X of Y ..." */
  readonly when: string;
}

/** ECS native: the service's deployment completed (after the bake time). */
export function ecsDeploymentCompleted(serviceArn: string): BackfillTrigger {
  return {
    when: 'when a deployment completes',
    eventPattern: {
      source: ['aws.ecs'],
      detailType: ['ECS Deployment State Change'],
      resources: [serviceArn],
      detail: { eventName: ['SERVICE_DEPLOYMENT_COMPLETED'] },
    },
  };
}

/**
 * CodeDeploy (ECS or Lambda): a deployment of the group succeeded (after the termination wait or the
 * keep window).
 * @see https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-codedeploy.html
 */
export function codeDeploySucceeded(deploymentGroupArn: string): BackfillTrigger {
  return {
    when: 'when a CodeDeploy deployment of its deployment group succeeds',
    eventPattern: {
      source: ['aws.codedeploy'],
      detailType: ['CodeDeploy Deployment State-change Notification'],
      resources: [deploymentGroupArn],
      detail: { state: ['SUCCESS'] },
    },
  };
}

/** The rule that starts the non-blocking backfill as an ECS task when a deployment completes. */
export function createBackfillRule(scope: Construct, render: EcsMigrationRender, ctx: EcsMigrationContext, taskDefinition: ecs.FargateTaskDefinition,
  trigger: BackfillTrigger): events.Rule {
  return new events.Rule(scope, 'BackfillOnDeploymentCompleted', {
    description: `Starts the backfill ${render.backfill!.id} of ${scope.node.path} ${trigger.when}`,
    eventPattern: trigger.eventPattern,
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

/** The security group of migration tasks that have none of their own (Lambda alias): outbound only. */
export function createMigrationSecurityGroup(scope: Construct, vpc: ec2.IVpc): ec2.SecurityGroup {
  return new ec2.SecurityGroup(scope, 'MigrationSecurityGroup', {
    vpc,
    allowAllOutbound: true,
    description: `Migration tasks of ${scope.node.path}: reach the database, the image registry and Secrets Manager`,
  });
}

/** The deployment group a CodeDeploy migration hook reports to. */
export interface HookDeploymentGroup {
  readonly deploymentGroupArn: string;
  readonly role: iam.IRole;
}

/**
 * The CodeDeploy migration hook (BeforeInstall of an ECS deployment, BeforeAllowTraffic of a Lambda
 * alias): runs the hook steps as ECS tasks and reports with the hook's execution id; a Lambda runs
 * at most 15 minutes, so it continues itself in new asynchronous invocations until the steps end.
 * `next`: the function CodeDeploy's one BeforeAllowTraffic slot would otherwise run (the alias'
 * smoke test): invoked with the same event after the last step, it reports instead.
 * Least-privilege IAM; the deployment group's role may invoke it.
 */
export function createCodeDeployMigrationHook(scope: Construct, render: EcsMigrationRender, ctx: EcsMigrationContext,
  constructs: EcsMigrationConstructs, group: HookDeploymentGroup, next?: lambda.IFunction): lambda.Function {
  const stack = Stack.of(scope);
  const hookTds = render.hookSteps.map(s => constructs.taskDefinitions.get(s.id)!);
  const slot = MOMENTS[render.engine].slot;
  const fn = new lambda.Function(scope, 'MigrationHook', {
    description: `Migrations of ${scope.node.path}: runs ${ids(render.hookSteps)} as ECS tasks in the CodeDeploy ${slot}`,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: handlerCode('codedeploy-migration-hook'),
    timeout: Duration.minutes(LAMBDA_MAX_TIMEOUT_MINUTES),
    // A failed invocation already reported Failed; a retry would start the steps again for nothing.
    retryAttempts: 0,
    environment: {
      ...stepsEnvironment(stack, render, ctx, hookTds),
      POLL_SECONDS: String(CODEDEPLOY_POLL_SECONDS),
      ...(next ? { NEXT_HOOK: next.functionArn } : {}),
    },
  });
  grantRunSteps(fn, stack, ctx, hookTds);
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['codedeploy:GetDeployment', 'codedeploy:PutLifecycleEventHookExecutionStatus'],
    resources: [group.deploymentGroupArn],
  }));
  if (next !== undefined) {
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [next.functionArn] }));
  }
  // Continuing in a new invocation: a separate policy, because the function depends on its role's
  // default policy and cannot be named in it.
  new iam.Policy(scope, 'MigrationHookContinue', {
    statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
    roles: [fn.role!],
  });
  fn.grantInvoke(group.role);
  return fn;
}

/**
 * The runbook's first schema line: where this engine runs the steps, and what a rollback finds.
 */
export function migrationRunbookLine(render: EcsMigrationRender): string {
  const moments = MOMENTS[render.engine];
  const parts: string[] = [];
  if (render.hookSteps.length > 0) {
    parts.push(`The steps ${ids(render.hookSteps)} run in the ${moments.hook}; a failed step rolls the deployment back, and the steps before it stay applied`);
  }
  if (render.backfill !== undefined) {
    parts.push(`the backfill ${render.backfill.id} runs ${moments.backfill}, so a rollback during the rollout happens before it`);
  }
  return `${parts.join('; ')}.`;
}
