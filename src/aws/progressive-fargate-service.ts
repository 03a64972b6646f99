import { Annotations, CfnOutput, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { AlarmRollback } from './alarm-rollback';
import { DeploymentHook } from './deployment-hook';
import { EcsEngine, EcsEngineKind } from './ecs-engine';
import { MigrationSet } from '../migrations/migration-set';
import { fail, formatDuration } from '../private/validate';
import { DeploymentEvent } from '../strategy/deployment-event';
import { DeploymentStrategy, StrategyKind } from '../strategy/deployment-strategy';
import { RolloutPlan } from '../strategy/rollout-plan';
import { Runbook } from '../strategy/runbook';
import { codeDeployAlarms, createAlbAlarms, defaultAlarmNamePrefix } from './private/alarms';
import type * as ecsCanaryGate from './private/canary-gate';
import { checkFargateProps, FargateInput } from './private/fargate-input';
import { handlerCode } from './private/handler-code';
import { addPauseHooks, appSpecHooks, describeGate, ecsLambdaHook, grantCodeDeployHook, ignorePreProductionStageLint, PauseGate } from './private/hooks';
import type * as ecsMigrations from './private/migrations';
import { alarmStateChangeRule, NotificationEngine, renderNotifications } from './private/notifications';
import { CanaryGate, describeCanaryGate } from './private/render';
import { ecsRunbook, nameVariable, publishRunbook } from './private/runbook';
import { createStackDeployment } from './private/stack-deployment';
import { SmokeTest } from './smoke-test';

/** The migration renderers, and the SQL parser behind them: loaded only for a service with migrations. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadMigrations = (): typeof ecsMigrations => require('./private/migrations');
/** The canary gate's resources (aws-ssm among them): loaded only for a service with a canary gate. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadCanaryGate = (): typeof ecsCanaryGate => require('./private/canary-gate');

/** Options for `ProgressiveFargateService`. */
export interface ProgressiveFargateServiceProps {
  /**
   * How a new version replaces the old one. Its analysis becomes rollback alarms that judge the whole
   * service: ECS cannot tell the alarms which target group carries the new version, so while traffic
   * is split the previous version's errors count too (see `alarmRollback` to deploy a fix while a check fails).
   */
  readonly strategy: DeploymentStrategy;
  /**
   * The engine that runs the deployments.
   * @default EcsEngine.native()
   */
  readonly engine?: EcsEngine;
  /**
   * The cluster the service runs in.
   * @default - a new cluster in `vpc`, with Container Insights enabled so that task-level metrics
   * are there when a deployment has to be investigated
   */
  readonly cluster?: ecs.ICluster;
  /**
   * The VPC of the new cluster (when `cluster` is not passed).
   * @default - the cluster's VPC, or a new VPC with public and private subnets in two availability
   * zones and one NAT gateway (the tasks run in the private subnets and pull their image through it)
   * @see https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The container image; the construct creates a Fargate task definition for it. Pass either
   * `image` or `taskDefinition`.
   * @default - `taskDefinition` is used
   */
  readonly image?: ecs.ContainerImage;
  /**
   * Your Fargate task definition; its default (first essential) container must map `containerPort`.
   * Pass either `image` or `taskDefinition`.
   * @default - a task definition is created for `image`
   */
  readonly taskDefinition?: ecs.FargateTaskDefinition;
  /** The port the container listens on. */
  readonly containerPort: number;
  /**
   * CPU units of the task created for `image` (256, 512, 1024, 2048, 4096, 8192 or 16384).
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Memory (MiB) of the task created for `image`; Fargate accepts only some sizes for each CPU size.
   * @default - the smallest size for `cpu`: 512 with the default 256 CPU units
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
   */
  readonly memoryLimitMiB?: number;
  /**
   * Number of tasks.
   * @default 2
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount
   */
  readonly desiredCount?: number;
  /**
   * Path of the target groups' health check.
   * @default "/"
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
   */
  readonly healthCheckPath?: string;
  /**
   * The load balancer that gets the production listener (and the test listener, when there is one).
   * Several services can share one: give each its own `listenerPort`, or pass the shared `listener`
   * with `conditions` and a `priority`.
   * @default - a new Application Load Balancer (or the load balancer of `listener`)
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /**
   * Whether the new load balancer is internet-facing (only when `loadBalancer` is not passed). An
   * internal load balancer is reachable from the VPC only, and its listener accepts the VPC's
   * address range; an internet-facing one accepts anyone on the listener port.
   * @default false
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#load-balancer-scheme
   */
  readonly internetFacing?: boolean;
  /**
   * An existing production listener to share with other services: the service gets a listener rule
   * on it with `conditions` and `priority` (both required), whose weights ECS shifts (native engine)
   * or whose target group CodeDeploy switches.
   * @default - a listener is created on `listenerPort`
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html
   */
  readonly listener?: elbv2.IApplicationListener;
  /**
   * An existing test listener to share with other services: the service gets its test rule on it,
   * with the same `conditions` and `priority` as the production rule. Passing it creates the test
   * route even without a smoke test.
   * @default - a test listener is created on `testListenerPort` when a smoke test or `testTrafficFrom` needs one
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
   */
  readonly testListener?: elbv2.IApplicationListener;
  /**
   * The conditions that select this service's requests (host header, path patterns, …): its
   * production and test listener rules match them. Required with `listener` or `testListener`.
   * @default - every request (`/*`) on listeners the construct creates
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html
   */
  readonly conditions?: elbv2.ListenerCondition[];
  /**
   * Priority of the service's listener rules, unique on a shared listener (1 to 50000, lower first).
   * Required with `listener` or `testListener`. With a header-only preview (`strategy.headerPreview`,
   * ECS native) the preview's rule takes `priority - 1` on the production listener, which must be free too.
   * @default 1 on listeners the construct creates (2 with a header-only preview, whose rule takes 1)
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/listener-update-rules.html
   */
  readonly priority?: number;
  /**
   * A certificate for the production listener, which then speaks HTTPS.
   * @default - the production listener speaks HTTP
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html
   */
  readonly certificate?: elbv2.IListenerCertificate;
  /**
   * Port of the production listener.
   * @default 443 with a certificate, otherwise 80
   */
  readonly listenerPort?: number;
  /**
   * Port of the HTTP test listener, on which the new version is reachable before it takes production
   * traffic. Only with a test listener the construct creates, that is with a `smokeTest` or
   * `testTrafficFrom` and no `testListener`.
   * @default 9000
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
   */
  readonly testListenerPort?: number;
  /**
   * Who may reach the test listener, besides the HTTP smoke test. Setting it creates the test listener
   * even without a smoke test, for example for a person or a pipeline to check the new version before
   * it takes production traffic (any `ec2.IPeer`: an address range or a security group). Only for a
   * test listener the construct creates: open a shared `testListener` yourself. Refused with a
   * header-only preview (ECS native), whose route on the production listener is the test route.
   * @default - nobody else; without a smoke test there is no test listener
   */
  readonly testTrafficFrom?: ec2.IPeer;
  /**
   * A check of the new version on the test listener before it takes production traffic (with a
   * header-only preview on ECS native: on the production listener, with the preview header added to
   * each request of `SmokeTest.http`).
   * @default - no smoke test
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
   */
  readonly smokeTest?: SmokeTest;
  /**
   * A topic notified of deployment events (ECS deployment state changes through EventBridge, or
   * CodeDeploy triggers); `notificationEvents` chooses which.
   * @default - no notifications
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Which deployment events notify `notificationTopic`, with the same meaning as on an Argo Rollout
   * (`NotificationTrigger.of(event)`). ECS native: `STARTED`, `COMPLETED` and `ROLLED_BACK` filter
   * the service's `ECS Deployment State Change` events on `detail.eventName`
   * (`SERVICE_DEPLOYMENT_IN_PROGRESS`, `_COMPLETED`, `_FAILED`), `PAUSED` adds `ECS Hook State Change`
   * `HOOK_AWAITING_ACTION` (only with a PAUSE hook: `Promotion.manual()` or a `headerPreview`). CodeDeploy: the trigger's events
   * (`DeploymentStart`; `DeploymentReady`, only with `Promotion.manual()`; `DeploymentSuccess`;
   * `DeploymentFailure`, `DeploymentStop` and `DeploymentRollback`). `CHECK_FAILED`, on either engine,
   * is a second EventBridge rule on the rollback alarms entering ALARM. `STEP_COMPLETED` is refused:
   * neither engine reports steps. Only with `notificationTopic`.
   * @default - ECS native: every `ECS Deployment State Change` of the service, unfiltered
   * (`STARTED`, `COMPLETED`, `ROLLED_BACK`); CodeDeploy: `DeploymentStart`, `DeploymentSuccess`,
   * `DeploymentFailure`, `DeploymentStop`, `DeploymentRollback` and `DeploymentReady`
   * (`STARTED`, `COMPLETED`, `ROLLED_BACK`, `PAUSED`)
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html
   * @see https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_TriggerConfig.html
   */
  readonly notificationEvents?: DeploymentEvent[];
  /**
   * Publish the service's `runbook` (Markdown) as an SSM String parameter with this name, so that
   * operators find it beside the stack: `aws ssm get-parameter --name <name> --query Parameter.Value --output text`.
   * @default - the runbook is only available at synth time (`runbook`)
   * @see https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-parameter-store.html
   */
  readonly runbookParameterName?: string;
  /**
   * Prefix of the rollback alarm names (`<prefix>-<check name>`).
   * @default - a name derived from the construct path, unique in the account and region
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
   */
  readonly alarmNamePrefix?: string;
  /**
   * Name of the ECS service.
   * @default - a CloudFormation-generated name
   */
  readonly serviceName?: string;
  /**
   * Whether the rollback alarms stop and roll back deployments. The alarms judge the whole service
   * (both target groups), so a fix deployed while the previous version fails its checks would be
   * rolled back: `AlarmRollback.breakGlass(reason)` turns them off for the deployments made while it
   * is set, with a warning at synth time and a note in the plan. Only with an analysis.
   * @default AlarmRollback.enabled()
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
   */
  readonly alarmRollback?: AlarmRollback;
  /**
   * The database migrations of this release, run at the moments that cannot break the running
   * version or the version a rollback returns to:
   *
   * - expand steps, blocking backfill steps and contract steps, in the declared order, one Fargate
   *   task per step in the service's subnets and security group, before any task of the new version
   *   starts (the previous version serves all traffic): from a lifecycle hook at `PRE_SCALE_UP` (ECS
   *   native), or from the `BeforeInstall` AppSpec hook, before CodeDeploy creates the replacement
   *   task set (CodeDeploy; the hook reports with PutLifecycleEventHookExecutionStatus, and the steps'
   *   timeouts must add up to 55 minutes or less, since CodeDeploy waits one hour for a hook). A step
   *   that exits non-zero or runs past its timeout fails the hook and the deployment rolls back.
   *   A contract step must drop only what the running version already stopped using: it belongs to
   *   the release after the one that stopped using the old shape.
   * - a non-blocking backfill step (at most one) as a Fargate task started by EventBridge when the
   *   deployment completes (`SERVICE_DEPLOYMENT_COMPLETED`, ECS native) or succeeds (CodeDeploy
   *   `SUCCESS`, after the termination wait), off the rollout's critical path.
   *
   * The steps run on every deployment of the service, so their SQL must be safe to run again. Refused
   * with a rolling strategy. The psql script reaches its container in the environment variable
   * `MIGRATION_SCRIPT`; the connection's secret is the Secrets Manager secret of that name, injected
   * as ECS secrets.
   * @default - no migrations
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html
   */
  readonly migrations?: MigrationSet;
  /**
   * Your Lambda functions run at chosen stages of every deployment: `DeploymentHook.ecs(stage, fn)` at
   * any ECS lifecycle stage with `EcsEngine.native()`, `DeploymentHook.codeDeploy(event, fn)` at any
   * AppSpec hook event with `EcsEngine.codeDeploy()`. A hook that fails (or, on CodeDeploy, does not
   * report in time) rolls the deployment back. Refused for the other engine, with a rolling strategy
   * (ECS runs no lifecycle hooks there), at a test-traffic stage without a test listener, and at an
   * AppSpec event that already runs a function (the smoke test runs at AfterAllowTestTraffic).
   * @default - no hooks besides the smoke test and migrations
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs
   */
  readonly hooks?: DeploymentHook[];
}

/**
 * An ECS/Fargate service behind an Application Load Balancer, deployed progressively as declared by a
 * `DeploymentStrategy`: blue and green target groups, a production listener, a test listener when a
 * smoke test or `testTrafficFrom` uses it, rollback alarms from the analysis, and the ECS native or
 * CodeDeploy deployment configuration. Several services can share one load balancer (`listener`,
 * `testListener`, `conditions`, `priority`). Every prop is checked before anything is created.
 */
export class ProgressiveFargateService extends Construct {
  /** The engine that runs the deployments. */
  public readonly engine: EcsEngine;
  /** The cluster the service runs in. */
  public readonly cluster: ecs.ICluster;
  /** The task definition of the service. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The security group of the service's tasks. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The production listener (created, or the shared one passed in). */
  public readonly listener: elbv2.IApplicationListener;
  /**
   * The test listener (with a smoke test, `testTrafficFrom` or a shared `testListener`; never with a rolling
   * strategy, nor with a header-only preview, whose rule on the production listener is the test route).
   */
  public readonly testListener?: elbv2.IApplicationListener;
  /** The target group that serves production traffic before the first deployment. */
  public readonly blueTargetGroup: elbv2.ApplicationTargetGroup;
  /** The target group of the next version (every strategy but rolling). */
  public readonly greenTargetGroup?: elbv2.ApplicationTargetGroup;
  /**
   * The production listener rule: the one whose weights ECS shifts (ECS native, every strategy but
   * rolling), or the service's rule on a shared listener or with `conditions`.
   */
  public readonly productionListenerRule?: elbv2.ApplicationListenerRule;
  /**
   * The test listener rule that points at the new version (ECS native with a test listener, or with
   * `conditions`); with a header-only preview (ECS native), the rule on the production listener that
   * matches the preview header, at `priority - 1`.
   */
  public readonly testListenerRule?: elbv2.ApplicationListenerRule;
  /** Whether the rollback alarms roll deployments back (see `alarmRollback`). */
  public readonly alarmRollback: AlarmRollback;
  /** The rollback alarms, one per health check. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The names of the rollback alarms. */
  public readonly alarmNames: string[];
  /** The composite alarm given to CodeDeploy when there are more than 10 alarms. */
  public readonly compositeAlarm?: cloudwatch.IAlarm;
  /** The function of the smoke test. */
  public readonly smokeTestFunction?: lambda.IFunction;
  /** The CodeDeploy application (CodeDeploy engine). */
  public readonly application?: codedeploy.IEcsApplication;
  /** The CodeDeploy deployment group (CodeDeploy engine). */
  public readonly deploymentGroup?: codedeploy.IEcsDeploymentGroup;
  /** The CodeDeploy deployment configuration (CodeDeploy engine). */
  public readonly deploymentConfig?: codedeploy.IEcsDeploymentConfig;
  /** The function behind the deployments CloudFormation starts (CodeDeploy engine with `deployOnStackUpdate`). */
  public readonly stackDeploymentFunction?: lambda.IFunction;
  /** The EventBridge rule that forwards ECS deployment events to the topic (ECS native, with a topic). */
  public readonly notificationRule?: events.IRule;
  /** The EventBridge rule that forwards the rollback alarms entering ALARM to the topic (`DeploymentEvent.CHECK_FAILED`). */
  public readonly checkFailedRule?: events.IRule;
  /** What this engine will do on each deployment. */
  public readonly plan: RolloutPlan;
  /** The SSM parameter holding the runbook (with `runbookParameterName`). */
  public readonly runbookParameter?: ssm.IStringParameter;
  /**
   * The approval channel of a canary step's manual gate (`CanaryStep.withManualGate`, ECS native): an
   * SSM String parameter, `none` when created. Writing the in-progress service deployment's ARN into it
   * promotes the canary to 100%; writing `reject:<that ARN>` rolls the deployment back (see `runbook`).
   * Grant `ssm:PutParameter` on it to whoever approves.
   * @default - undefined: the service has no canary gate
   */
  public readonly approvalParameter?: ssm.IStringParameter;
  /**
   * The canary gate's function (`CanaryStep.withManualGate`, ECS native): the Lambda lifecycle hook
   * at PRE_PRODUCTION_TRAFFIC_SHIFT that holds the final traffic shift until `approvalParameter` says so.
   * @default - undefined: the service has no canary gate
   */
  public readonly canaryGateFunction?: lambda.IFunction;
  /** The smoke test as declared (the release pipeline runs the same requests against each environment). */
  public readonly smokeTest?: SmokeTest;
  /**
   * The hook that runs the expand, blocking backfill and contract steps (with `migrations`): the
   * PRE_SCALE_UP lifecycle hook (ECS native) or the BeforeInstall AppSpec hook (CodeDeploy).
   */
  public readonly migrationHookFunction?: lambda.IFunction;
  /** The task definitions of the migration steps, in the order of the steps (with `migrations`). */
  public readonly migrationTaskDefinitions: ecs.FargateTaskDefinition[];
  /**
   * The rule that starts the non-blocking backfill when a deployment completes (ECS native) or
   * succeeds (CodeDeploy), with such a step.
   */
  public readonly backfillRule?: events.IRule;
  /** The strategy as declared, for the runbook. */
  private readonly declaredStrategy: DeploymentStrategy;
  /** The migrations as declared, for the runbook. */
  private readonly declaredMigrations?: MigrationSet;
  /** Where this engine runs the migrations, for the runbook. */
  private readonly migrationMoment?: string;
  /** The user's deployment hooks, in the order a deployment runs them. */
  private readonly deploymentHooks: DeploymentHook[];
  /** ECS native with a manual promotion: the PAUSE hook, for the runbook. */
  private readonly manualGate?: PauseGate;
  /** ECS native with a header-only preview: the PAUSE hook that holds it, for the runbook. */
  private readonly previewGate?: PauseGate;
  /** ECS native with a canary step's manual gate: the gate, for the runbook. */
  private readonly canaryGate?: CanaryGate;

  /**
   * What an operator does when a deployment of this service goes wrong: what rolls back by itself,
   * and the commands to abort, promote, release the previous version or roll back on this engine,
   * with this service's resource names (looked up from the stack where they are only known after
   * deployment), and the break-glass path.
   */
  public get runbook(): Runbook {
    const strategy = this.declaredStrategy;
    const codeDeploy = this.engine.kind === EcsEngineKind.CODE_DEPLOY;
    const variables = [
      nameVariable('CLUSTER', "the ECS cluster's name", this.cluster.clusterName, this.cluster),
      nameVariable('SERVICE', "the ECS service's ARN", this.service.serviceArn, this.service),
    ];
    if (this.approvalParameter !== undefined) {
      variables.push(nameVariable('APPROVAL_PARAMETER', "the canary gate's approval parameter (SSM)", this.approvalParameter.parameterName,
        this.approvalParameter));
    }
    if (codeDeploy) {
      variables.push(
        nameVariable('APPLICATION', "the CodeDeploy application's name", this.application!.applicationName, this.application),
        nameVariable('GROUP', "the CodeDeploy deployment group's name", this.engine.deploymentGroupName ?? this.deploymentGroup!.deploymentGroupName, this.deploymentGroup),
      );
    }
    return ecsRunbook({
      title: this.node.path,
      plan: this.plan,
      alarmNames: this.alarmNames,
      alarmsOn: this.alarmRollback.isEnabled,
      breakGlassReason: this.alarmRollback.reason,
      variables,
      codeDeploy,
      manualPromotion: strategy.promotion?.isManual ?? false,
      rolling: strategy.kind === StrategyKind.ROLLING,
      keep: formatDuration(strategy.keepPreviousVersionFor),
      schema: this.declaredMigrations ? [this.migrationMoment!, ...this.declaredMigrations.rollbackSchemaNotes()] : undefined,
      gate: this.manualGate === undefined ? undefined : describeGate(this.manualGate),
      preview: this.previewGate === undefined ? undefined : {
        route: strategy.headerPreview!.match.describe(),
        manualGate: strategy.headerPreview!.manualGate,
        gate: describeGate(this.previewGate),
      },
      canaryGate: this.canaryGate === undefined ? undefined : { weight: this.canaryGate.weight, gate: describeCanaryGate(this.canaryGate) },
      stackDeploys: codeDeploy && this.engine.deployOnStackUpdate,
    });
  }

  private readonly containerName: string;
  private readonly containerPort: number;

  constructor(scope: Construct, id: string, props: ProgressiveFargateServiceProps) {
    // Every prop is checked and the strategy mapped before the construct joins the tree: a refused
    // service leaves nothing behind (no child construct, no staged asset).
    const input = checkFargateProps(scope, id, props);
    super(scope, id);
    const { engine, native, cd, blueGreen, analysis } = input;
    this.engine = engine;
    this.containerPort = input.containerPort;
    this.plan = input.plan;
    this.declaredStrategy = props.strategy;
    this.declaredMigrations = props.migrations;
    this.migrationMoment = input.migrations ? loadMigrations().migrationRunbookLine(input.migrations) : undefined;
    this.deploymentHooks = input.hooks;
    this.manualGate = input.native?.manualGate;
    this.previewGate = input.native?.previewGate;
    this.canaryGate = input.native?.canaryGate;
    this.smokeTest = props.smokeTest;
    this.alarmRollback = input.alarmRollback;
    const prefix = input.alarmNamePrefix ?? defaultAlarmNamePrefix(this);

    // Network and compute.
    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      // One NAT gateway: the tasks and the smoke test run in private subnets and reach image
      // registries and AWS APIs through it, at a third of the cost of one per availability zone.
      vpc: props.vpc ?? new ec2.Vpc(this, 'Vpc', { maxAzs: 2, natGateways: 1 }),
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const vpc = this.cluster.vpc;
    if (props.taskDefinition !== undefined) {
      this.taskDefinition = props.taskDefinition;
      this.containerName = input.containerName!;
    } else {
      this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', { cpu: input.cpu, memoryLimitMiB: input.memoryLimitMiB });
      this.containerName = 'app';
      this.taskDefinition.addContainer('app', {
        image: props.image!,
        portMappings: [{ containerPort: this.containerPort }],
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app', logRetention: logs.RetentionDays.ONE_MONTH }),
      });
    }

    // Load balancer, target groups and listeners.
    const internetFacing = input.internetFacing;
    const createdLb = input.loadBalancer === undefined;
    this.loadBalancer = input.loadBalancer ?? new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing });
    const targetGroup = (name: string) => new elbv2.ApplicationTargetGroup(this, name, {
      vpc,
      port: this.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      healthCheck: { path: input.healthCheckPath },
      deregistrationDelay: Duration.seconds(30),
    });
    this.blueTargetGroup = targetGroup('BlueTargetGroup');
    this.greenTargetGroup = blueGreen ? targetGroup('GreenTargetGroup') : undefined;
    // With conditions, requests that match no rule get a 404 rather than reaching a target group
    // whose role (blue or green) changes with every deployment.
    const notFound = () => elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' });
    const defaultAction = input.conditions ? notFound() : elbv2.ListenerAction.forward([this.blueTargetGroup]);
    const listenerProps = (port: number, protocol: elbv2.ApplicationProtocol, certificates?: elbv2.IListenerCertificate[]) => ({
      port, protocol, certificates, defaultAction, open: false,
    });
    // Listeners on a load balancer the construct did not create are its children, so that several
    // services can share one load balancer; a created load balancer keeps them as its own children.
    const addListener = (listenerId: string, p: elbv2.BaseApplicationListenerProps) => createdLb
      ? this.loadBalancer.addListener(listenerId, p)
      : new elbv2.ApplicationListener(this, listenerId, { ...p, loadBalancer: this.loadBalancer });
    if (props.listener !== undefined) {
      this.listener = props.listener;
    } else {
      this.listener = addListener('Listener', listenerProps(input.listenerPort,
        props.certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP, props.certificate ? [props.certificate] : undefined));
      // An internet-facing load balancer takes clients from anywhere; otherwise from the VPC only.
      this.listener.connections.allowDefaultPortFrom(createdLb && internetFacing ? ec2.Peer.anyIpv4() : ec2.Peer.ipv4(vpc.vpcCidrBlock),
        createdLb && internetFacing ? 'Clients from the internet' : 'Clients in the VPC');
      if (createdLb && internetFacing && !props.certificate) {
        Annotations.of(this).addWarningV2('cdk-progressive-delivery:plainHttpToInternet',
          `The internet-facing load balancer serves plain HTTP on port ${input.listenerPort} to anyone: pass certificate for HTTPS, or leave internetFacing unset for an internal load balancer.`);
      }
    }
    if (input.hasTestListener) {
      this.testListener = props.testListener ?? addListener('TestListener', listenerProps(input.testPort!, elbv2.ApplicationProtocol.HTTP));
      if (props.testTrafficFrom !== undefined) {
        this.testListener.connections.allowDefaultPortFrom(props.testTrafficFrom, 'Test traffic to the new version');
      }
    }
    // The service's rules: ECS shifts the weights of these rules between the blue and green target
    // groups (native engine); on a shared listener or with conditions they also select its requests.
    const weighted = native !== undefined && blueGreen;
    if (weighted || input.conditions !== undefined) {
      const rule = (ruleId: string, listener: elbv2.IApplicationListener) => new elbv2.ApplicationListenerRule(this, ruleId, {
        listener,
        priority: input.priority,
        conditions: input.conditions ?? [elbv2.ListenerCondition.pathPatterns(['/*'])],
        action: weighted
          ? elbv2.ListenerAction.weightedForward([
            { targetGroup: this.blueTargetGroup, weight: 100 },
            { targetGroup: this.greenTargetGroup!, weight: 0 },
          ])
          : elbv2.ListenerAction.forward([this.blueTargetGroup]),
      });
      this.productionListenerRule = rule('ProductionListenerRule', this.listener);
      this.testListenerRule = this.testListener ? rule('TestListenerRule', this.testListener) : undefined;
    }
    // A header-only preview (ECS native): the test listener rule is on the production listener, just
    // before the production rule, with the service's conditions and the header condition; ECS points
    // it at the new version's target group for the test-traffic stages.
    const headerRoute = input.headerRoute;
    if (headerRoute !== undefined) {
      this.testListenerRule = new elbv2.ApplicationListenerRule(this, 'HeaderPreviewRule', {
        listener: this.listener,
        priority: input.priority - 1,
        conditions: [...(input.conditions ?? []), elbv2.ListenerCondition.httpHeader(headerRoute.headerName, [headerRoute.value])],
        action: elbv2.ListenerAction.weightedForward([
          { targetGroup: this.blueTargetGroup, weight: 100 },
          { targetGroup: this.greenTargetGroup!, weight: 0 },
        ]),
      });
    }

    // Rollback alarms: the version under test is on the blue or the green target group, so each alarm
    // watches both, and judges the whole service (see the plan note and docs/aws.md).
    const loadBalancerFullName = this.loadBalancer instanceof elbv2.ApplicationLoadBalancer
      ? this.loadBalancer.loadBalancerFullName
      : Fn.select(1, Fn.split('loadbalancer/', this.loadBalancer.loadBalancerArn));
    const alarms = analysis === undefined ? [] : createAlbAlarms(this, analysis, {
      loadBalancerFullName,
      targetGroupFullNames: [this.blueTargetGroup, this.greenTargetGroup]
        .filter((t): t is elbv2.ApplicationTargetGroup => t !== undefined)
        .map(t => t.targetGroupFullName),
    }, prefix);
    this.alarms = alarms;
    this.alarmNames = analysis === undefined ? [] : analysis.checks.map(c => `${prefix}-${c.name}`);
    const breakGlass = !input.alarmRollback.isEnabled;
    if (breakGlass) {
      Annotations.of(this).addWarningV2('cdk-progressive-delivery:breakGlass',
        `Break glass: the rollback alarms (${this.alarmNames.join(', ')}) are OFF for deployments of this service (${input.alarmRollback.reason}). `
        + 'Nothing stops a failing version on these checks; set alarmRollback back to AlarmRollback.enabled() once the fix is deployed.');
    }

    // Smoke test function.
    const smokeTest = props.smokeTest;
    let smokeFn: lambda.IFunction | undefined;
    if (smokeTest?.function !== undefined) {
      smokeFn = smokeTest.function;
    } else if (smokeTest !== undefined) {
      smokeFn = this.createSmokeTestFunction(smokeTest, vpc, input.smokeTestTarget!, engine.kind === EcsEngineKind.CODE_DEPLOY);
    }
    this.smokeTestFunction = smokeFn;

    // The service.
    this.securityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', { vpc, description: `Tasks of ${this.node.path}` });

    // Migrations: one task definition per step, the PRE_SCALE_UP hook (see src/aws/private/migrations.ts).
    const migrationContext = { cluster: this.cluster, subnets: {}, securityGroup: this.securityGroup };
    const migrations = input.migrations ? loadMigrations().createEcsMigrations(this, input.migrations, migrationContext) : undefined;
    this.migrationHookFunction = migrations?.hookFunction;
    this.migrationTaskDefinitions = input.migrations ? input.migrations.set.steps.map(s => migrations!.taskDefinitions.get(s.id)!) : [];
    const lifecycleHooks: ecs.IDeploymentLifecycleHookTarget[] = [];
    if (native && migrations?.hookFunction) {
      lifecycleHooks.push(new ecs.DeploymentLifecycleLambdaTarget(migrations.hookFunction, 'MigrationHook', {
        lifecycleStages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP],
      }));
    }
    if (native && smokeFn) {
      lifecycleHooks.push(new ecs.DeploymentLifecycleLambdaTarget(smokeFn, 'SmokeTestHook', {
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      }));
    }
    if (native) {
      input.hooks.forEach((h, i) => lifecycleHooks.push(ecsLambdaHook(h.function, `DeploymentHook${i + 1}`, h.stage)));
    }
    // A canary step's manual gate: the approval parameter and the Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT
    // (src/aws/private/canary-gate.ts), before the PAUSE hooks, which follow the Lambda hooks.
    const canaryGate = native?.canaryGate === undefined ? undefined : loadCanaryGate().createCanaryGate(this, native.canaryGate, {
      cluster: this.cluster, alarms, alarmNames: this.alarmNames, alarmsOn: input.alarmRollback.isEnabled,
    });
    if (canaryGate !== undefined) {
      lifecycleHooks.push(canaryGate.hook);
      this.approvalParameter = canaryGate.parameter;
      this.canaryGateFunction = canaryGate.function;
    }
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: input.desiredCount,
      serviceName: props.serviceName,
      securityGroups: [this.securityGroup],
      minHealthyPercent: native ? native.minHealthyPercent : 100,
      maxHealthyPercent: native ? native.maxHealthyPercent : 200,
      deploymentController: cd ? { type: ecs.DeploymentControllerType.CODE_DEPLOY } : undefined,
      deploymentStrategy: native?.deploymentStrategy,
      canaryConfiguration: native?.canaryConfiguration,
      linearConfiguration: native?.linearConfiguration,
      bakeTime: native?.bakeTime,
      // Rendered for every native strategy, explicitly off where it does not apply (blue/green, canary,
      // linear roll back on alarms), so that the state is visible and aws-cdk-lib's warning about an
      // unset circuit breaker (aws-cdk-lib 2.2xx and later) does not fire for a choice made here.
      circuitBreaker: native ? { enable: native.circuitBreaker, rollback: native.circuitBreaker } : undefined,
      deploymentAlarms: native && alarms.length > 0 ? { alarmNames: this.alarmNames, behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM } : undefined,
      lifecycleHooks: lifecycleHooks.length > 0 ? lifecycleHooks : undefined,
    });
    if (native) {
      const cfnService = this.service.node.defaultChild as ecs.CfnService;
      if (breakGlass) {
        // The alarms stay listed, explicitly off: the next deployment with AlarmRollback.enabled() turns them on again.
        cfnService.addPropertyOverride('DeploymentConfiguration.Alarms.Enable', false);
      }
      // A manual promotion, or the hold of a header-only preview: a PAUSE hook after the Lambda hooks (src/aws/private/hooks.ts).
      addPauseHooks(this.service, lifecycleHooks.length, [native.manualGate, native.previewGate].filter((g): g is PauseGate => g !== undefined));
      if (canaryGate !== undefined || input.hooks.some(h => h.stage === 'PRE_PRODUCTION_TRAFFIC_SHIFT')) {
        ignorePreProductionStageLint(this.service);
      }
      if (canaryGate !== undefined) {
        loadCanaryGate().grantListDeployments(this, canaryGate.function, this.service);
      }
      // Alarms are referenced by name, so nothing orders them before the service; deploy them first so
      // that the first deployment can watch them. Only the service resource needs them, not the roles
      // created inside the Service construct.
      alarms.forEach(a => cfnService.node.addDependency(a));
    }
    const alternateTarget = native && blueGreen ? new ecs.AlternateTarget('AlternateTarget', {
      alternateTargetGroup: this.greenTargetGroup!,
      productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.productionListenerRule!),
      testListener: this.testListenerRule ? ecs.ListenerRuleConfiguration.applicationListenerRule(this.testListenerRule) : undefined,
    }) : undefined;
    this.blueTargetGroup.addTarget(this.service.loadBalancerTarget({
      containerName: this.containerName,
      containerPort: this.containerPort,
      alternateTarget,
    }));

    if (native && input.migrations?.backfill !== undefined) {
      this.backfillRule = loadMigrations().createBackfillRule(this, input.migrations, migrationContext,
        migrations!.taskDefinitions.get(input.migrations.backfill.id)!, loadMigrations().ecsDeploymentCompleted(this.service.serviceArn));
    }

    // Notifications: the chosen deployment events (or the engine's default) to the topic.
    const notifications = props.notificationTopic === undefined ? undefined
      : renderNotifications(cd ? NotificationEngine.CODE_DEPLOY_ECS : NotificationEngine.ECS_NATIVE, input.notificationEvents);

    // CodeDeploy.
    if (cd) {
      const watched = codeDeployAlarms(this, alarms, prefix, 'service');
      this.compositeAlarm = watched.composite;
      const deploymentAlarms = watched.alarms;
      this.application = engine.application ?? new codedeploy.EcsApplication(this, 'Application');
      this.deploymentConfig = new codedeploy.EcsDeploymentConfig(this, 'DeploymentConfig', { trafficRouting: cd.trafficRouting });
      const group = new codedeploy.EcsDeploymentGroup(this, 'DeploymentGroup', {
        application: this.application,
        deploymentGroupName: engine.deploymentGroupName,
        deploymentConfig: this.deploymentConfig,
        service: this.service,
        alarms: deploymentAlarms,
        // Break glass: the alarms stay attached with the alarm configuration explicitly disabled
        // (ignorePollAlarmsFailure only covers CloudWatch being unreachable, not an alarm in ALARM).
        ignoreAlarmConfiguration: breakGlass,
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: deploymentAlarms.length > 0 && !breakGlass },
        blueGreenDeploymentConfig: {
          blueTargetGroup: this.blueTargetGroup,
          greenTargetGroup: this.greenTargetGroup!,
          listener: this.listener,
          testListener: this.testListener,
          terminationWaitTime: cd.terminationWaitTime,
          deploymentApprovalWaitTime: cd.approvalWaitTime,
        },
      });
      this.deploymentGroup = group;
      // Migrations: the BeforeInstall hook and the backfill on success (see src/aws/private/migrations.ts).
      if (input.migrations !== undefined) {
        const m = loadMigrations();
        if (input.migrations.hookSteps.length > 0) {
          this.migrationHookFunction = m.createCodeDeployMigrationHook(this, input.migrations, migrationContext, migrations!, group);
        }
        if (input.migrations.backfill !== undefined) {
          this.backfillRule = m.createBackfillRule(this, input.migrations, migrationContext,
            migrations!.taskDefinitions.get(input.migrations.backfill.id)!, m.codeDeploySucceeded(group.deploymentGroupArn));
        }
      }
      if (smokeFn) {
        smokeFn.grantInvoke(group.role);
        if (smokeFn.role === undefined) {
          Annotations.of(this).addWarningV2('cdk-progressive-delivery:smokeTestRole',
            'The smoke-test function\'s role is unknown, so it was not allowed to call codedeploy:PutLifecycleEventHookExecutionStatus on the deployment group; grant it yourself, or the hook times out and the deployment fails.');
        }
        smokeFn.addToRolePolicy(new iam.PolicyStatement({
          actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'],
          resources: [group.deploymentGroupArn],
        }));
      }
      input.hooks.forEach(h => {
        if (!grantCodeDeployHook(h.function, group.role, group.deploymentGroupArn)) {
          Annotations.of(this).addWarningV2('cdk-progressive-delivery:hookRole',
            `The role of ${h.function.node.path} is unknown, so it was not allowed to call codedeploy:PutLifecycleEventHookExecutionStatus on the deployment group; grant it yourself, or the ${h.stage} hook times out and the deployment fails.`);
        }
      });
      if (notifications !== undefined && notifications.triggerEvents.length > 0) {
        props.notificationTopic!.grantPublish(group.role);
        (group.node.defaultChild as codedeploy.CfnDeploymentGroup).triggerConfigurations = [{
          triggerName: 'deployment-events',
          triggerTargetArn: props.notificationTopic!.topicArn,
          triggerEvents: notifications.triggerEvents,
        }];
      }
      if (engine.deployOnStackUpdate) {
        this.stackDeploymentFunction = createStackDeployment(this, {
          service: this.service,
          cluster: this.cluster,
          taskDefinition: this.taskDefinition,
          application: this.application,
          deploymentGroup: group,
          deploymentConfig: this.deploymentConfig,
          appSpec: this.appSpec(),
        });
      }
      new CfnOutput(this, 'AppSpec', {
        description: 'AppSpec for CodeDeploy CreateDeployment (revisionType AppSpecContent); replace TaskDefinition with the new revision\'s ARN',
        value: this.appSpec(),
      });
    } else if (notifications !== undefined) {
      const deploymentNames = notifications.ecsDeploymentEventNames;
      const hookNames = notifications.ecsHookEventNames;
      if (deploymentNames === undefined || deploymentNames.length > 0 || hookNames.length > 0) {
        // The default forwards every deployment state change; chosen events filter on detail.eventName.
        const detailType = [
          ...(deploymentNames === undefined || deploymentNames.length > 0 ? ['ECS Deployment State Change'] : []),
          ...(hookNames.length > 0 ? ['ECS Hook State Change'] : []),
        ];
        this.notificationRule = new events.Rule(this, 'DeploymentEvents', {
          description: `ECS deployment state changes of ${this.node.path}`,
          eventPattern: {
            source: ['aws.ecs'],
            detailType,
            resources: [this.service.serviceArn],
            ...(deploymentNames === undefined ? {} : { detail: { eventName: [...deploymentNames, ...hookNames] } }),
          },
          targets: [new eventsTargets.SnsTopic(props.notificationTopic!)],
        });
      }
    }
    if (notifications?.alarmStateChange) {
      this.checkFailedRule = alarmStateChangeRule(this, alarms, props.notificationTopic!);
    }
    if (input.runbookParameterName !== undefined) {
      this.runbookParameter = publishRunbook(this, input.runbookParameterName, this.runbook);
    }
  }

  /**
   * The AppSpec (JSON) that starts a CodeDeploy deployment of `taskDefinitionArn` (by default the
   * current task definition), with the migration hook as BeforeInstall hook, the smoke test as
   * AfterAllowTestTraffic hook and the `hooks` at their events, in the order a deployment reaches them. Only for the
   * CodeDeploy engine: CloudFormation does not start CodeDeploy ECS deployments.
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-resources.html
   */
  public appSpec(taskDefinitionArn?: string): string {
    if (this.engine.kind !== EcsEngineKind.CODE_DEPLOY) {
      fail(`ProgressiveFargateService ${this.node.path}`, 'appSpec()', 'is only available with EcsEngine.codeDeploy(): the native engine deploys when the stack updates the task definition',
        'EcsEngine.native()', 'Use EcsEngine.codeDeploy(), or deploy by updating the stack.');
    }
    const stack = Stack.of(this);
    const resources = [{
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: {
          TaskDefinition: taskDefinitionArn ?? this.taskDefinition.taskDefinitionArn,
          LoadBalancerInfo: { ContainerName: this.containerName, ContainerPort: this.containerPort },
        },
      },
    }];
    const hooks = appSpecHooks([
      // The migration steps, before the replacement task set is created.
      ...(this.migrationHookFunction === undefined ? [] : [{ event: 'BeforeInstall', functionName: this.migrationHookFunction.functionName }]),
      ...(this.smokeTestFunction === undefined ? [] : [{ event: 'AfterAllowTestTraffic', functionName: this.smokeTestFunction.functionName }]),
      ...this.deploymentHooks.map(h => ({ event: h.stage, functionName: h.function.functionName })),
    ]);
    // Written by hand around the JSON values so that the version reads 0.0, as in the AppSpec reference.
    return Fn.join('', [
      '{"version":0.0,"Resources":', stack.toJsonString(resources),
      ...(hooks.length > 0 ? [',"Hooks":', stack.toJsonString(hooks)] : []),
      '}',
    ]);
  }

  private createSmokeTestFunction(smokeTest: SmokeTest, vpc: ec2.IVpc, target: NonNullable<FargateInput['smokeTestTarget']>, codeDeploy: boolean): lambda.IFunction {
    // The test listener, or, with a header-only preview, the production listener with the header.
    const preview = target.headers !== undefined;
    const testPort = target.port;
    const securityGroup = new ec2.SecurityGroup(this, 'SmokeTestSecurityGroup', {
      vpc,
      allowAllOutbound: false,
      description: `Smoke test of ${this.node.path}: reaches the ${preview ? 'production listener with the preview header' : 'test listener'}`,
    });
    securityGroup.connections.allowTo(this.loadBalancer, ec2.Port.tcp(testPort), preview ? 'Smoke test to the header preview route' : 'Smoke test to the test listener');
    if (codeDeploy) {
      // The CodeDeploy hook reports its result to the CodeDeploy API.
      securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'CodeDeploy API (PutLifecycleEventHookExecutionStatus)');
    }
    return new lambda.Function(this, 'SmokeTest', {
      description: `Smoke test of ${this.node.path}: HTTP requests ${target.via}`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: handlerCode('smoke-test'),
      vpc,
      securityGroups: [securityGroup],
      timeout: smokeTest._functionTimeout(),
      environment: smokeTest._httpEnvironment(`http://${this.loadBalancer.loadBalancerDnsName}:${testPort}`, target.headers),
    });
  }
}
