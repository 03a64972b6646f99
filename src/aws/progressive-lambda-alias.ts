import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as ecs from 'aws-cdk-lib/aws-ecs';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { MigrationSet } from '../migrations/migration-set';
import { toMillis } from '../private/duration';
import { fail, show } from '../private/validate';
import { DeploymentEvent } from '../strategy/deployment-event';
import { DeploymentStrategy } from '../strategy/deployment-strategy';
import { RolloutPlan } from '../strategy/rollout-plan';
import { Runbook } from '../strategy/runbook';
import { codeDeployAlarms, createLambdaAlarms, defaultAlarmNamePrefix, requireAlarmNamePrefix } from './private/alarms';
import { BaselineTarget, refuseBaseline } from './private/baseline';
import { handlerCode } from './private/handler-code';
import { describeValue, isFunction } from './private/inputs';
import { LAMBDA_MAX_TIMEOUT_MINUTES } from './private/limits';
import type * as migrationModule from './private/migrations';
import { alarmStateChangeRule, checkNotificationEvents, NotificationEngine, notificationPlanNote, renderNotifications } from './private/notifications';
import { renderLambda } from './private/render-lambda';
import { lambdaRunbook, nameVariable, publishRunbook, requireRunbookParameterName } from './private/runbook';
import { SmokeTest, SmokeTestKind } from './smoke-test';
import { withPlanNotes } from '../strategy/private/plan-phases';

/** The migration renderers, and the SQL parser behind them: loaded only for an alias with migrations. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadMigrations = (): typeof migrationModule => require('./private/migrations');

/** Options for `ProgressiveLambdaAlias`. */
export interface ProgressiveLambdaAliasProps {
  /**
   * The published version the alias moves to, usually `fn.currentVersion`. Not `$LATEST`, not an
   * alias, and its `lambda` must be the unqualified function: CodeDeploy shifts an alias between two
   * published versions of one function.
   */
  readonly version: lambda.IVersion;
  /**
   * How traffic moves from the alias' current version to `version` (canary, linear or all-at-once),
   * and how long the deployment stays open afterwards (`keepPreviousVersionFor`, at most 55 minutes:
   * an AfterAllowTraffic hook holds it while the rollback alarms keep judging the new version; 0 ends
   * the deployment at the switch).
   */
  readonly strategy: DeploymentStrategy;
  /**
   * Name of the alias.
   * @default "live"
   */
  readonly aliasName?: string;
  /**
   * A check of the new version before any traffic reaches it, run as the BeforeAllowTraffic hook:
   * `SmokeTest.invoke({ payload, expectResult })` (a function the construct creates invokes the new
   * version) or `SmokeTest.lambda(fn)` (your function). Not with `preTrafficHook`.
   * @default - no smoke test
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
   */
  readonly smokeTest?: SmokeTest;
  /**
   * A function CodeDeploy runs before traffic shifts (BeforeAllowTraffic); it must call
   * PutLifecycleEventHookExecutionStatus, which the construct allows it to do. Not with `smokeTest`
   * (`SmokeTest.lambda(fn)` does the same and appears in the plan with the function's timeout).
   * @default - no pre-traffic hook
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
   */
  readonly preTrafficHook?: lambda.IFunction;
  /**
   * A function CodeDeploy runs after all traffic has shifted (AfterAllowTraffic). Only with a
   * strategy whose `keepPreviousVersionFor` is 0: otherwise the keep-window hook takes CodeDeploy's
   * only AfterAllowTraffic hook, and construction fails.
   * @default - no post-traffic hook of yours (the keep-window hook, unless keepPreviousVersionFor is 0)
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
   */
  readonly postTrafficHook?: lambda.IFunction;
  /**
   * The database migrations of this release, run as Fargate tasks in `migrationCluster` at the
   * moments that cannot break the running version or the version a rollback returns to:
   *
   * - expand steps, blocking backfill steps and contract steps, in the declared order, in the
   *   BeforeAllowTraffic hook, before any traffic shifts to the new version (the alias still sends
   *   all traffic to the previous one). The hook starts one task per step, follows it across
   *   invocations and reports with PutLifecycleEventHookExecutionStatus; a step that exits non-zero
   *   or runs past its timeout reports Failed and CodeDeploy rolls the deployment back. The steps'
   *   timeouts (and the smoke test's deadline) must add up to 55 minutes or less: CodeDeploy waits
   *   one hour for the hook. With `smokeTest` or `preTrafficHook`, which share CodeDeploy's one
   *   BeforeAllowTraffic slot, that function runs after the last step: the migration hook invokes it
   *   with CodeDeploy's event, and it reports.
   * - a non-blocking backfill step (at most one) as a Fargate task started by EventBridge when a
   *   deployment of the alias succeeds (after the keep window), off the rollout's critical path.
   *
   * The steps run on every deployment of the alias, so their SQL must be safe to run again. A
   * contract step must drop only what the running version already stopped using.
   * @default - no migrations
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
   */
  readonly migrations?: MigrationSet;
  /**
   * The ECS cluster whose Fargate capacity runs the migration steps; the tasks run in its VPC.
   * Required with `migrations`, refused without.
   * @default - none
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/AWS_Fargate.html
   */
  readonly migrationCluster?: ecs.ICluster;
  /**
   * The subnets of the migration tasks, in the cluster's VPC. They must reach the database, the
   * image registry and Secrets Manager (the tasks get no public address). Only with `migrations`.
   * @default - the VPC's private subnets (the default of `vpc.selectSubnets()`)
   */
  readonly migrationSubnets?: ec2.SubnetSelection;
  /**
   * The security group of the migration tasks: let the database accept it. Only with `migrations`.
   * @default - a new security group in the cluster's VPC that allows all outbound traffic and no
   * inbound traffic (the `migrationSecurityGroup` property)
   */
  readonly migrationSecurityGroup?: ec2.ISecurityGroup;
  /**
   * The CodeDeploy application.
   * @default - a new LambdaApplication
   */
  readonly application?: codedeploy.ILambdaApplication;
  /**
   * Name of the deployment group (at most 100 characters).
   * @default - a CloudFormation-generated name
   */
  readonly deploymentGroupName?: string;
  /**
   * A topic notified of deployment events (CodeDeploy triggers); `notificationEvents` chooses which.
   * @default - no notifications
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/monitoring-sns-event-notifications.html
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Which deployment events notify `notificationTopic`, with the same meaning as on an Argo Rollout
   * (`NotificationTrigger.of(event)`): the CodeDeploy trigger's events (`STARTED`: `DeploymentStart`;
   * `COMPLETED`: `DeploymentSuccess`; `ROLLED_BACK`: `DeploymentFailure`, `DeploymentStop` and
   * `DeploymentRollback`), and for `CHECK_FAILED` an EventBridge rule on the rollback alarms entering
   * ALARM. `PAUSED` (a Lambda deployment never waits for approval) and `STEP_COMPLETED` (CodeDeploy
   * does not report traffic-shifting steps) are refused. Only with `notificationTopic`.
   * @default - `DeploymentStart`, `DeploymentSuccess`, `DeploymentFailure`, `DeploymentStop` and
   * `DeploymentRollback` (`STARTED`, `COMPLETED`, `ROLLED_BACK`)
   * @see https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_TriggerConfig.html
   */
  readonly notificationEvents?: DeploymentEvent[];
  /**
   * Publish the alias' `runbook` (Markdown) as an SSM String parameter with this name, so that
   * operators find it beside the stack: `aws ssm get-parameter --name <name> --query Parameter.Value --output text`.
   * @default - the runbook is only available at synth time (`runbook`)
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-parameter-store.html
   */
  readonly runbookParameterName?: string;
  /**
   * Prefix of the rollback alarm names (`<prefix>-<check name>`).
   * @default - a name derived from the construct path, unique in the account and region
   */
  readonly alarmNamePrefix?: string;
}

/** Poll period of the keep-window hook (alarms and deployment status). */
const KEEP_WINDOW_POLL = Duration.seconds(30);

/**
 * A Lambda alias shifted by CodeDeploy as declared by a `DeploymentStrategy`, with one rollback alarm
 * per health check on the version being deployed (errors ÷ invocations with the minimum-request
 * guard, duration percentiles, custom metrics), an optional smoke test before traffic, and the keep
 * window after it.
 *
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-steps-lambda.html
 */
export class ProgressiveLambdaAlias extends Construct {
  /** The alias. */
  public readonly alias: lambda.Alias;
  /** The CodeDeploy application. */
  public readonly application: codedeploy.ILambdaApplication;
  /** The deployment group. */
  public readonly deploymentGroup: codedeploy.LambdaDeploymentGroup;
  /** The deployment configuration. */
  public readonly deploymentConfig: codedeploy.ILambdaDeploymentConfig;
  /** The rollback alarms, one per health check. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The composite alarm given to CodeDeploy when there are more than 10 alarms. */
  public readonly compositeAlarm?: cloudwatch.IAlarm;
  /** The BeforeAllowTraffic function: the one created for `SmokeTest.invoke`, or yours. */
  public readonly smokeTestFunction?: lambda.IFunction;
  /** The AfterAllowTraffic function that holds the deployment open for `keepPreviousVersionFor`. */
  public readonly keepWindowFunction?: lambda.IFunction;
  /** What CodeDeploy will do on each deployment. */
  public readonly plan: RolloutPlan;
  /** The SSM parameter holding the runbook (with `runbookParameterName`). */
  public readonly runbookParameter?: ssm.IStringParameter;
  /** The BeforeAllowTraffic hook that runs the expand, blocking backfill and contract steps (with `migrations`). */
  public readonly migrationHookFunction?: lambda.IFunction;
  /** The task definitions of the migration steps, in the order of the steps (with `migrations`). */
  public readonly migrationTaskDefinitions: ecs.FargateTaskDefinition[];
  /** The security group of the migration tasks (with `migrations`): the one passed, or the one created. */
  public readonly migrationSecurityGroup?: ec2.ISecurityGroup;
  /** The rule that starts the non-blocking backfill when a deployment succeeds (with such a step). */
  public readonly backfillRule?: events.IRule;
  /** The EventBridge rule that forwards the rollback alarms entering ALARM to the topic (`DeploymentEvent.CHECK_FAILED`). */
  public readonly checkFailedRule?: events.IRule;
  /** The rollback alarms' names, for the runbook. */
  private readonly alarmNames: string[];
  /** What the schema must still support on rollback, with the moment the steps run (with `migrations`). */
  private readonly schemaNotes?: string[];

  /**
   * What an operator does when a deployment of this alias goes wrong: what rolls back by itself, and
   * the commands to stop a deployment (rolling the alias back) or point the alias at a previous
   * version, with this alias' resource names.
   */
  public get runbook(): Runbook {
    return lambdaRunbook({
      title: this.node.path,
      plan: this.plan,
      alarmNames: this.alarmNames,
      alarmsOn: true,
      variables: [
        nameVariable('FUNCTION', "the function's name", this.alias.version.lambda.functionName, this.alias.version.lambda),
        nameVariable('ALIAS', "the alias' name", this.alias.aliasName, undefined),
        nameVariable('APPLICATION', "the CodeDeploy application's name", this.application.applicationName, this.application),
        nameVariable('GROUP', "the CodeDeploy deployment group's name", this.deploymentGroup.deploymentGroupName, this.deploymentGroup),
      ],
      schema: this.schemaNotes,
    });
  }

  constructor(scope: Construct, id: string, props: ProgressiveLambdaAliasProps) {
    super(scope, id);
    const where = `ProgressiveLambdaAlias ${this.node.path}`;
    // Every prop is checked before any child construct exists.
    if (props === null || typeof props !== 'object' || Array.isArray(props)) {
      fail(where, 'props', 'must be an object', describeValue(props), 'Pass { version, strategy }.');
    }
    if (!(props.strategy instanceof DeploymentStrategy)) {
      fail(where, 'strategy', 'must be a DeploymentStrategy', describeValue(props.strategy), 'Build it with DeploymentStrategy.canary, .linear or .allAtOnce.');
    }
    refuseBaseline(where, props.strategy, BaselineTarget.LAMBDA);
    const version = requireVersion(where, props.version);
    const aliasName = props.aliasName ?? 'live';
    if (typeof aliasName === 'string' && Token.isUnresolved(aliasName)) {
      fail(where, 'aliasName', 'must be known at synth time: it names the alarms\' Resource dimension', 'an unresolved token', 'Pass a literal name such as "live".');
    }
    if (typeof aliasName !== 'string' || !/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/.test(aliasName)) {
      fail(where, 'aliasName', 'must be 1-128 letters, digits, "-" or "_", and not only digits', describeValue(aliasName), 'Pass a name such as "live".');
    }
    for (const field of ['preTrafficHook', 'postTrafficHook'] as const) {
      if (props[field] !== undefined && !isFunction(props[field])) {
        fail(where, field, 'must be a Lambda function', describeValue(props[field]), 'Pass a lambda.IFunction, for example lambda.Function.fromFunctionName(this, "Hook", "my-hook").');
      }
    }
    if (props.smokeTest !== undefined) {
      if (!(props.smokeTest instanceof SmokeTest)) {
        fail(where, 'smokeTest', 'must be a SmokeTest', describeValue(props.smokeTest), 'Pass SmokeTest.invoke({ payload }) or SmokeTest.lambda(fn).');
      }
      props.smokeTest._requireKind(where, [SmokeTestKind.INVOKE, SmokeTestKind.LAMBDA],
        'A Lambda alias has no test listener: use SmokeTest.invoke({ payload, expectResult }) to invoke the new version before traffic, or SmokeTest.lambda(fn).');
      if (props.preTrafficHook !== undefined) {
        fail(where, 'preTrafficHook', 'cannot be set together with smokeTest: CodeDeploy runs one BeforeAllowTraffic hook', props.preTrafficHook.node.path,
          'Keep one: SmokeTest.lambda(yourHook) runs your function as the smoke test.');
      }
    }
    if (props.application !== undefined && (props.application === null || typeof props.application !== 'object'
      || typeof (props.application as any).applicationName !== 'string'
      || props.application instanceof codedeploy.EcsApplication || props.application instanceof codedeploy.ServerApplication)) {
      fail(where, 'application', 'must be a CodeDeploy Lambda application', describeValue(props.application), 'Pass a codedeploy.LambdaApplication, or leave application unset to create one.');
    }
    if (props.deploymentGroupName !== undefined && (typeof props.deploymentGroupName !== 'string'
      || (!Token.isUnresolved(props.deploymentGroupName) && (props.deploymentGroupName.length === 0 || props.deploymentGroupName.length > 100)))) {
      fail(where, 'deploymentGroupName', 'must be 1-100 characters', describeValue(props.deploymentGroupName), 'Pass a shorter name, or leave it unset for a generated one.');
    }
    if (props.notificationTopic !== undefined && (props.notificationTopic === null || typeof props.notificationTopic !== 'object'
      || typeof (props.notificationTopic as any).topicArn !== 'string' || typeof (props.notificationTopic as any).grantPublish !== 'function')) {
      fail(where, 'notificationTopic', 'must be an SNS topic', describeValue(props.notificationTopic), 'Pass an sns.ITopic, for example new sns.Topic(this, "Deployments").');
    }
    const preTraffic = props.smokeTest ?? (props.preTrafficHook ? SmokeTest.lambda(props.preTrafficHook) : undefined);
    const migrationRender = checkMigrationProps(where, props, preTraffic);
    const prefix = props.alarmNamePrefix === undefined ? defaultAlarmNamePrefix(this) : requireAlarmNamePrefix(where, props.alarmNamePrefix);
    const runbookParameterName = requireRunbookParameterName(where, props.runbookParameterName);
    const postTraffic = props.postTrafficHook ? SmokeTest.lambda(props.postTrafficHook) : undefined;
    const render = renderLambda(where, props.strategy, { preTraffic, postTraffic });
    const notificationEvents = checkNotificationEvents(where, NotificationEngine.CODE_DEPLOY_LAMBDA, props.notificationTopic !== undefined,
      props.notificationEvents, { pauses: false, hasChecks: render.analysis !== undefined });
    const strategyPlan = migrationRender ? loadMigrations().ecsMigrationPlan(render.plan, migrationRender) : render.plan;
    this.plan = props.notificationTopic === undefined ? strategyPlan
      : withPlanNotes(strategyPlan, [notificationPlanNote(NotificationEngine.CODE_DEPLOY_LAMBDA, notificationEvents)]);
    this.schemaNotes = migrationRender
      ? [loadMigrations().migrationRunbookLine(migrationRender), ...migrationRender.set.rollbackSchemaNotes()] : undefined;

    this.alias = new lambda.Alias(this, 'Alias', { aliasName, version });
    const alarms = render.analysis === undefined ? [] : createLambdaAlarms(this, render.analysis, {
      functionName: version.lambda.functionName,
      aliasName,
      version: version.version,
    }, prefix);
    this.alarms = alarms;
    this.alarmNames = render.analysis === undefined ? [] : render.analysis.checks.map(c => `${prefix}-${c.name}`);
    const watched = codeDeployAlarms(this, alarms, prefix, 'alias');
    this.compositeAlarm = watched.composite;
    const deploymentAlarms = watched.alarms;
    this.application = props.application ?? new codedeploy.LambdaApplication(this, 'Application');
    this.deploymentConfig = new codedeploy.LambdaDeploymentConfig(this, 'DeploymentConfig', { trafficRouting: render.trafficRouting });
    this.deploymentGroup = new codedeploy.LambdaDeploymentGroup(this, 'DeploymentGroup', {
      application: this.application,
      deploymentGroupName: props.deploymentGroupName,
      alias: this.alias,
      deploymentConfig: this.deploymentConfig,
      alarms: deploymentAlarms,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: deploymentAlarms.length > 0 },
    });

    // BeforeAllowTraffic.
    if (preTraffic?.kind === SmokeTestKind.INVOKE) {
      const fn = new lambda.Function(this, 'SmokeTest', {
        description: `Smoke test of ${this.node.path}: invokes the version the alias shifts to, before traffic`,
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: handlerCode('invoke-check'),
        timeout: preTraffic._functionTimeout(),
        environment: preTraffic._invokeEnvironment(version.functionArn),
      });
      // The version being deployed, and nothing else (not the function, not other versions).
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [version.functionArn] }));
      // Whether the deployment is a rollback, and the version it shifts to.
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeployment'], resources: [this.deploymentGroup.deploymentGroupArn] }));
      this.smokeTestFunction = fn;
    } else if (preTraffic !== undefined) {
      this.smokeTestFunction = preTraffic.function;
    }
    // Migrations: the BeforeAllowTraffic hook runs the steps, then hands the event to the smoke test
    // (see src/aws/private/migrations.ts).
    this.migrationTaskDefinitions = [];
    if (migrationRender !== undefined) {
      const m = loadMigrations();
      const cluster = props.migrationCluster!;
      this.migrationSecurityGroup = props.migrationSecurityGroup ?? m.createMigrationSecurityGroup(this, cluster.vpc);
      const ctx = { cluster, subnets: props.migrationSubnets ?? {}, securityGroup: this.migrationSecurityGroup };
      const constructs = m.createEcsMigrations(this, migrationRender, ctx);
      this.migrationTaskDefinitions = migrationRender.set.steps.map(s => constructs.taskDefinitions.get(s.id)!);
      if (migrationRender.hookSteps.length > 0) {
        this.migrationHookFunction = m.createCodeDeployMigrationHook(this, migrationRender, ctx, constructs, this.deploymentGroup,
          this.smokeTestFunction);
        this.alias.node.addDependency(this.node.findChild('MigrationHookContinue'));
      }
      if (migrationRender.backfill !== undefined) {
        this.backfillRule = m.createBackfillRule(this, migrationRender, ctx, constructs.taskDefinitions.get(migrationRender.backfill.id)!,
          m.codeDeploySucceeded(this.deploymentGroup.deploymentGroupArn));
      }
    }
    if (this.migrationHookFunction !== undefined) {
      this.deploymentGroup.addPreHook(this.migrationHookFunction);
      permissionsBefore(this.alias, this.migrationHookFunction);
      if (this.smokeTestFunction !== undefined) {
        // Invoked by the migration hook with CodeDeploy's event: it reports, as it would as the hook.
        this.deploymentGroup.grantPutLifecycleEventHookExecutionStatus(this.smokeTestFunction);
        permissionsBefore(this.alias, this.smokeTestFunction);
      }
    } else if (this.smokeTestFunction !== undefined) {
      this.deploymentGroup.addPreHook(this.smokeTestFunction);
      permissionsBefore(this.alias, this.smokeTestFunction);
    }

    // AfterAllowTraffic: the keep window, or the user's post-traffic hook.
    if (render.keepWindow !== undefined) {
      const fn = new lambda.Function(this, 'KeepWindow', {
        description: `Keeps the deployment of ${this.node.path} open while the rollback alarms judge the new version`,
        runtime: lambda.Runtime.NODEJS_24_X,
        handler: 'index.handler',
        code: handlerCode('keep-window'),
        timeout: Duration.minutes(LAMBDA_MAX_TIMEOUT_MINUTES),
        // A failed invocation already reported Failed; a retry would wait again for nothing.
        retryAttempts: 0,
        environment: {
          KEEP_MS: String(toMillis(render.keepWindow)),
          ALARM_NAMES: Stack.of(this).toJsonString(deploymentAlarms.map(a => a.alarmName)),
          POLL_MS: String(toMillis(KEEP_WINDOW_POLL)),
        },
      });
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeployment'], resources: [this.deploymentGroup.deploymentGroupArn] }));
      if (deploymentAlarms.length > 0) {
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: deploymentAlarms.map(a => a.alarmArn) }));
      }
      // Continuing the wait in a new invocation: a separate policy, because the function itself
      // depends on its role's default policy and cannot be named in it.
      const selfInvoke = new iam.Policy(this, 'KeepWindowContinue', {
        statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
        roles: [fn.role!],
      });
      this.deploymentGroup.addPostHook(fn);
      permissionsBefore(this.alias, fn);
      this.alias.node.addDependency(selfInvoke);
      this.keepWindowFunction = fn;
    } else if (props.postTrafficHook !== undefined) {
      this.deploymentGroup.addPostHook(props.postTrafficHook);
      permissionsBefore(this.alias, props.postTrafficHook);
    }

    if (props.notificationTopic) {
      const notifications = renderNotifications(NotificationEngine.CODE_DEPLOY_LAMBDA, notificationEvents);
      if (notifications.triggerEvents.length > 0) {
        props.notificationTopic.grantPublish(this.deploymentGroup.role);
        (this.deploymentGroup.node.defaultChild as codedeploy.CfnDeploymentGroup).triggerConfigurations = [{
          triggerName: 'deployment-events',
          triggerTargetArn: props.notificationTopic.topicArn,
          triggerEvents: notifications.triggerEvents,
        }];
      }
      if (notifications.alarmStateChange) {
        this.checkFailedRule = alarmStateChangeRule(this, alarms, props.notificationTopic);
      }
    }
    if (runbookParameterName !== undefined) {
      this.runbookParameter = publishRunbook(this, runbookParameterName, this.runbook);
    }
  }
}

/**
 * Checks `migrations` and the props that place its tasks: the cluster is required with migrations,
 * and none of them applies without.
 */
function checkMigrationProps(where: string, props: ProgressiveLambdaAliasProps,
  preTraffic: SmokeTest | undefined): migrationModule.EcsMigrationRender | undefined {
  const placement = ['migrationCluster', 'migrationSubnets', 'migrationSecurityGroup'] as const;
  if (props.migrations === undefined) {
    for (const field of placement) {
      if (props[field] !== undefined) {
        fail(where, field, 'only applies with migrations: it places the migration tasks', describeValue(props[field]), `Remove ${field}, or declare migrations.`);
      }
    }
    return undefined;
  }
  const cluster: unknown = props.migrationCluster;
  if (cluster === undefined) {
    fail(where, 'migrationCluster', 'is required with migrations: the steps run as Fargate tasks in an ECS cluster, in its VPC', 'undefined',
      'Pass the ECS cluster (ecs.Cluster or ecs.Cluster.fromClusterAttributes with its vpc) whose VPC reaches the database.');
  }
  if (!(Construct.isConstruct(cluster) && typeof (cluster as any).clusterArn === 'string' && typeof (cluster as any).vpc?.selectSubnets === 'function')) {
    fail(where, 'migrationCluster', 'must be an ECS cluster with its VPC (ecs.ICluster)', describeValue(cluster),
      'Pass an ecs.Cluster, or ecs.Cluster.fromClusterAttributes(this, "Cluster", { clusterName, vpc }).');
  }
  const subnets: unknown = props.migrationSubnets;
  if (subnets !== undefined && (subnets === null || typeof subnets !== 'object' || Array.isArray(subnets) || Construct.isConstruct(subnets))) {
    fail(where, 'migrationSubnets', 'must be a subnet selection (ec2.SubnetSelection)', describeValue(subnets),
      'Pass { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS } or { subnets: [...] }, or leave it out for the private subnets.');
  }
  const sg: unknown = props.migrationSecurityGroup;
  if (sg !== undefined && !(Construct.isConstruct(sg) && typeof (sg as any).securityGroupId === 'string')) {
    fail(where, 'migrationSecurityGroup', 'must be a security group (ec2.ISecurityGroup)', describeValue(sg),
      'Pass an ec2.SecurityGroup or ec2.SecurityGroup.fromSecurityGroupId(...), or leave it out for a new one.');
  }
  if (!(props.migrations instanceof MigrationSet)) {
    fail(where, 'migrations', 'must be a MigrationSet', describeValue(props.migrations), 'Pass new MigrationSet({ engine, connection, steps }).');
  }
  return loadMigrations().checkLambdaMigrations(where, props.migrations, preTraffic);
}

/**
 * Orders the hook's permissions before the alias update that starts the deployment running it.
 * The function itself is already ordered: the alias' UpdatePolicy refers to it. Its role's policy,
 * where the deployment group's grants land, is not.
 */
function permissionsBefore(alias: lambda.Alias, hook: lambda.IFunction): void {
  const policy = hook.role?.node.tryFindChild('DefaultPolicy');
  if (policy !== undefined && Stack.of(policy) === Stack.of(alias)) {
    alias.node.addDependency(policy);
  }
}

/**
 * A version CodeDeploy can shift an alias to: a published version (not `$LATEST`, not an alias) of
 * an unqualified function.
 */
function requireVersion(where: string, v: unknown): lambda.IVersion {
  const fix = 'Pass fn.currentVersion, which publishes a version whenever the code or configuration changes.';
  if (v === null || typeof v !== 'object') {
    fail(where, 'version', 'must be a Lambda version', describeValue(v), fix);
  }
  const any = v as any;
  if (typeof any.aliasName === 'string') {
    fail(where, 'version', 'must be a published version, not an alias: CodeDeploy shifts this construct\'s alias between two versions', `the alias ${describeValue(any.aliasName)}`, fix);
  }
  if (typeof any.version !== 'string') {
    const what = typeof any.functionArn === 'string' ? `the function ${describeValue(v)}` : describeValue(v);
    fail(where, 'version', 'must be a Lambda version (a function is not a version)', what, fix);
  }
  if (!Token.isUnresolved(any.version)) {
    if (any.version === '$LATEST') {
      fail(where, 'version', 'cannot be $LATEST: CodeDeploy shifts an alias between published versions, and an alias on $LATEST would take every change at once, without the canary the plan promises',
        '"$LATEST"', fix);
    }
    if (!/^[0-9]+$/.test(any.version)) {
      fail(where, 'version', 'must be a published version number', show(any.version), fix);
    }
  }
  const fn = any.lambda;
  if (!isFunction(fn)) {
    fail(where, 'version.lambda', 'must be the Lambda function the version belongs to', describeValue(fn), fix);
  }
  const qualifiedArn = !Token.isUnresolved(fn.functionArn) && fn.functionArn.split(':').length > 7;
  if (typeof (fn as any).aliasName === 'string' || typeof (fn as any).version === 'string' || qualifiedArn) {
    fail(where, 'version.lambda', 'must be the unqualified function, not an alias or a version of it: CodeDeploy shifts an alias of that function',
      Token.isUnresolved(fn.functionArn) ? describeValue(fn) : show(fn.functionArn), 'Build the version from the function, for example fn.currentVersion or lambda.Version.fromVersionArn(this, "V", "arn:aws:lambda:...:function:name:3").');
  }
  const arn = any.functionArn;
  if (typeof arn === 'string' && !Token.isUnresolved(arn) && !Token.isUnresolved(fn.functionArn) && !Token.isUnresolved(any.version)
    && arn !== `${fn.functionArn}:${any.version}`) {
    fail(where, 'version', `must be a version of ${fn.functionArn}, the function it names in version.lambda`, show(arn),
      'Build the version from the function whose alias CodeDeploy shifts.');
  }
  return v as lambda.IVersion;
}
