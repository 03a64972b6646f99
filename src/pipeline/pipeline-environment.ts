import { Duration, Stage, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { DeploymentWindow } from './deployment-window';
import { ManualApproval } from './manual-approval';
import { RollbackDrill } from './rollback-drill';
import { fail, requireDuration, show } from '../private/validate';

/** Where the smoke-test steps of an environment run (a CodeBuild project in a VPC). */
export interface SmokeTestNetwork {
  /**
   * A VPC of the pipeline's account and region from which the environment's load balancers are
   * reachable (the same VPC when the environment shares the pipeline's account and region, or one
   * routed to it).
   */
  readonly vpc: ec2.IVpc;
  /**
   * The subnets of the CodeBuild project.
   * @default - the VPC's private subnets
   */
  readonly subnets?: ec2.SubnetSelection;
  /**
   * The security groups of the CodeBuild project.
   * @default - a security group created by CodeBuild that allows all outbound traffic
   */
  readonly securityGroups?: ec2.ISecurityGroup[];
}

/** Options for `PipelineEnvironment.of`. */
export interface PipelineEnvironmentProps {
  /**
   * The stage that holds the environment's stacks (with `ProgressiveFargateService` and
   * `ProgressiveLambdaAlias` constructs), with its account and region set:
   * `new MyStage(app, 'Production', { env: { account, region } })`. The stage name is the name of the
   * environment and of its pipeline stage. Build the stage completely before passing it: CDK Pipelines
   * synthesizes it when it is added.
   */
  readonly stage: Stage;
  /**
   * Whether this is a production environment: its images must be built by the pipeline or pinned by
   * digest, and it gets the on-failure rollback and the alarm condition by default.
   * @default false
   */
  readonly production?: boolean;
  /**
   * A manual approval before the environment deploys.
   * @default - none: the environment starts as soon as the previous one's gates pass
   */
  readonly approval?: ManualApproval;
  /**
   * When the environment may start deploying (a CodePipeline V2 entry condition).
   * @default - any time
   */
  readonly deploymentWindow?: DeploymentWindow;
  /**
   * Whether the smoke tests the environment's services declare (`SmokeTest.http`) run as pipeline
   * steps against the environment's production listeners after it deploys.
   * @default true
   */
  readonly smokeTests?: boolean;
  /**
   * Where the smoke-test steps run: needed when a load balancer is internal.
   * @default - CodeBuild outside any VPC, which reaches internet-facing load balancers only
   */
  readonly smokeTestNetwork?: SmokeTestNetwork;
  /**
   * Your own gates, run after the environment deploys, beside its smoke tests, for example
   * integration tests (`pipelines.CodeBuildStep` with `envFromCfnOutputs`). The next environment
   * starts only when all of them pass.
   * @default - none
   */
  readonly extraGates?: pipelines.Step[];
  /**
   * Whether a failed stage is rolled back automatically to the last successful execution's
   * artifacts (a CodePipeline V2 on-failure condition with the result ROLLBACK). CodePipeline rolls
   * back only to an execution of the same pipeline structure, and only after the stage has
   * succeeded once.
   * @default - true for production, false otherwise
   * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-rollback.html
   */
  readonly rollbackOnFailure?: boolean;
  /**
   * Whether the rollback alarms of the environment's services are watched after the stage succeeds
   * (a CodePipeline V2 on-success condition with CloudWatchAlarm rules and the result ROLLBACK).
   * Only for an environment in the pipeline's account.
   * @default - true for production in the pipeline's account, false otherwise
   * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-CloudWatchAlarm.html
   */
  readonly watchAlarms?: boolean;
  /**
   * How long the alarms are watched after the stage succeeds (whole minutes, 1 to 60).
   * @default Duration.minutes(5)
   */
  readonly alarmWatchTime?: Duration;
  /**
   * A rollback drill the team can run on demand in this environment (never in production), by
   * starting the pipeline with the variable `ROLLBACK_DRILL=true`.
   * @default - no drill
   */
  readonly drill?: RollbackDrill;
}

/** One environment of a `ReleasePipeline`, deployed in the order given. */
export class PipelineEnvironment {
  /** An environment from its stage and gates. */
  public static of(props: PipelineEnvironmentProps): PipelineEnvironment {
    const where = 'PipelineEnvironment.of';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { stage, production }.');
    }
    const stage = props.stage;
    if (!Stage.isStage(stage)) {
      fail(where, 'stage', 'must be a Stage', show(stage), 'Pass new MyStage(app, "Staging", { env: { account, region } }).');
    }
    const name = stage.stageName;
    const here = `PipelineEnvironment ${name}`;
    for (const [field, value] of [['account', stage.account], ['region', stage.region]] as const) {
      if (value === undefined || Token.isUnresolved(value)) {
        fail(here, `stage ${field}`, 'must be set and known at synth time: a release environment names where it deploys',
          value === undefined ? 'undefined' : 'an unresolved token', 'Pass env: { account: "123456789012", region: "eu-west-1" } to the stage.');
      }
    }
    const flag = (field: string, value: unknown, fallback: boolean): boolean => {
      if (value === undefined) return fallback;
      if (typeof value !== 'boolean') {
        fail(here, field, 'must be true or false', show(value), `Pass ${field}: true or false.`);
      }
      return value;
    };
    const production = flag('production', props.production, false);
    if (props.approval !== undefined && !(props.approval instanceof ManualApproval)) {
      fail(here, 'approval', 'must be a ManualApproval', show(props.approval), 'Pass ManualApproval.required({ notificationTopic }).');
    }
    if (props.deploymentWindow !== undefined && !(props.deploymentWindow instanceof DeploymentWindow)) {
      fail(here, 'deploymentWindow', 'must be a DeploymentWindow', show(props.deploymentWindow), 'Pass DeploymentWindow.cron({ expression, timeZone }).');
    }
    const smokeTests = flag('smokeTests', props.smokeTests, true);
    const network = props.smokeTestNetwork;
    if (network !== undefined) {
      if (network === null || typeof network !== 'object' || network.vpc === null || typeof network.vpc !== 'object' || typeof (network.vpc as any).vpcId !== 'string') {
        fail(here, 'smokeTestNetwork', 'must be { vpc, subnets?, securityGroups? } with an ec2.IVpc', show(network), 'Pass { vpc } with a VPC of the pipeline stack.');
      }
      if (!smokeTests) {
        fail(here, 'smokeTestNetwork', 'only applies to the smoke tests, which are turned off', 'set with smokeTests: false', 'Remove smokeTestNetwork, or set smokeTests: true.');
      }
    }
    const extraGates = props.extraGates ?? [];
    if (!Array.isArray(extraGates) || extraGates.some(s => !(s instanceof pipelines.Step))) {
      fail(here, 'extraGates', 'must be a list of pipelines.Step', show(extraGates), 'Pass steps such as new pipelines.CodeBuildStep(...).');
    }
    const rollbackOnFailure = flag('rollbackOnFailure', props.rollbackOnFailure, production);
    const watchAlarms = props.watchAlarms === undefined ? undefined : flag('watchAlarms', props.watchAlarms, false);
    if (props.alarmWatchTime !== undefined && watchAlarms === false) {
      fail(here, 'alarmWatchTime', 'only applies when the alarms are watched', 'set with watchAlarms: false', 'Remove alarmWatchTime, or set watchAlarms: true.');
    }
    if (props.alarmWatchTime !== undefined && watchAlarms === undefined && !production) {
      fail(here, 'alarmWatchTime', 'only applies when the alarms are watched, which is off by default outside production', 'set',
        'Set watchAlarms: true as well, or remove alarmWatchTime.');
    }
    const watchTime = requireDuration(here, 'alarmWatchTime', props.alarmWatchTime ?? Duration.minutes(5));
    const minutes = watchTime.toSeconds() / 60;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 60) {
      fail(here, 'alarmWatchTime', 'must be a whole number of minutes between 1 and 60 (CodePipeline WaitTime is in minutes)', show(watchTime),
        'Pass for example Duration.minutes(5).');
    }
    if (props.drill !== undefined && !(props.drill instanceof RollbackDrill)) {
      fail(here, 'drill', 'must be a RollbackDrill', show(props.drill), 'Pass RollbackDrill.forcedAlarm().');
    }
    if (props.drill !== undefined && production) {
      fail(here, 'drill', 'is refused in a production environment: a drill makes a deployment fail on purpose', 'a drill with production: true',
        'Declare the drill on a staging environment that runs the same stacks.');
    }
    return new PipelineEnvironment({
      name,
      stage,
      account: stage.account!,
      region: stage.region!,
      production,
      approval: props.approval,
      deploymentWindow: props.deploymentWindow,
      smokeTests,
      smokeTestNetwork: network,
      extraGates: [...extraGates],
      rollbackOnFailure,
      watchAlarms,
      alarmWatchTime: watchTime,
      drill: props.drill,
    });
  }

  /** The environment's name (its stage name). */
  public readonly name: string;
  /** The stage with the environment's stacks. */
  public readonly stage: Stage;
  /** The account the environment deploys to. */
  public readonly account: string;
  /** The region the environment deploys to. */
  public readonly region: string;
  /** Whether this is a production environment. */
  public readonly production: boolean;
  /** The manual approval before the environment deploys. */
  public readonly approval?: ManualApproval;
  /** When the environment may start deploying. */
  public readonly deploymentWindow?: DeploymentWindow;
  /** Whether the services' smoke tests run after the environment deploys. */
  public readonly smokeTests: boolean;
  /** Where the smoke-test steps run. */
  public readonly smokeTestNetwork?: SmokeTestNetwork;
  /** Your own gates, run beside the smoke tests. */
  public readonly extraGates: pipelines.Step[];
  /** Whether a failed stage rolls back automatically. */
  public readonly rollbackOnFailure: boolean;
  /**
   * Whether the rollback alarms are watched after the stage succeeds, when set explicitly.
   * @default - decided by the pipeline: production in the pipeline's account
   */
  public readonly watchAlarms?: boolean;
  /** How long the alarms are watched after the stage succeeds. */
  public readonly alarmWatchTime: Duration;
  /** The rollback drill of the environment. */
  public readonly drill?: RollbackDrill;

  private constructor(p: {
    name: string;
    stage: Stage;
    account: string;
    region: string;
    production: boolean;
    approval?: ManualApproval;
    deploymentWindow?: DeploymentWindow;
    smokeTests: boolean;
    smokeTestNetwork?: SmokeTestNetwork;
    extraGates: pipelines.Step[];
    rollbackOnFailure: boolean;
    watchAlarms?: boolean;
    alarmWatchTime: Duration;
    drill?: RollbackDrill;
  }) {
    this.name = p.name;
    this.stage = p.stage;
    this.account = p.account;
    this.region = p.region;
    this.production = p.production;
    this.approval = p.approval;
    this.deploymentWindow = p.deploymentWindow;
    this.smokeTests = p.smokeTests;
    this.smokeTestNetwork = p.smokeTestNetwork;
    this.extraGates = p.extraGates;
    this.rollbackOnFailure = p.rollbackOnFailure;
    this.watchAlarms = p.watchAlarms;
    this.alarmWatchTime = p.alarmWatchTime;
    this.drill = p.drill;
  }
}
