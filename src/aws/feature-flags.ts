import { Annotations, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { FlagSet } from '../flags/flag-set';
import { flagInventory, INVENTORY_METADATA_TYPE } from '../flags/private/inventory';
import { fail, requireName, show } from '../private/validate';
import { TooLittleData } from '../strategy/analysis';
import { DeploymentStrategy } from '../strategy/deployment-strategy';
import { HealthCheckKind } from '../strategy/health-check';
import { RolloutPlan } from '../strategy/rollout-plan';
import { defaultAlarmNamePrefix, requireAlarmNamePrefix } from './private/alarms';
import { APPCONFIG_MAX_MONITORS, AppConfigRollout, KILL_ROLLOUT, renderAppConfigContent, renderAppConfigRollout } from './private/appconfig';
import { BaselineTarget, refuseBaseline } from './private/baseline';
import { alarmSourceOf, createFlagAlarms, FlagMetricSource } from './private/flag-alarms';

/** Where the health checks of a flag change are measured. */
export class FlagMetrics {
  /**
   * ALB metrics of a service behind an Application Load Balancer, over the given target groups
   * (the worst one counts). A flag change has no new version: the checks judge the whole service.
   */
  public static loadBalancer(loadBalancer: elbv2.IApplicationLoadBalancer, targetGroups: elbv2.IApplicationTargetGroup[]): FlagMetrics {
    if (!Array.isArray(targetGroups) || targetGroups.length === 0) {
      fail('FlagMetrics.loadBalancer', 'targetGroups', 'must contain at least one target group', show(targetGroups), 'Pass the target groups the service runs in.');
    }
    return new FlagMetrics('the service behind the load balancer', {
      kind: 'alb',
      alb: {
        loadBalancerFullName: loadBalancer instanceof elbv2.ApplicationLoadBalancer
          ? loadBalancer.loadBalancerFullName
          : Fn.select(1, Fn.split('loadbalancer/', loadBalancer.loadBalancerArn)),
        targetGroupFullNames: targetGroups.map(t => t instanceof elbv2.ApplicationTargetGroup
          ? t.targetGroupFullName
          : Fn.select(5, Fn.split(':', t.targetGroupArn))),
      },
    });
  }

  /** Lambda metrics of the version an alias serves (the alarms follow the alias when a code deployment moves it). */
  public static lambdaAlias(alias: lambda.IAlias): FlagMetrics {
    return new FlagMetrics('the Lambda alias', {
      kind: 'lambda',
      lambda: { functionName: alias.version.lambda.functionName, aliasName: alias.aliasName, version: alias.version.version },
    });
  }

  /** Only `HealthCheck.custom` checks, each with its own CloudWatch query. */
  public static customOnly(): FlagMetrics {
    return new FlagMetrics('custom CloudWatch queries', { kind: 'custom' });
  }

  /** What is measured, for plans and messages. */
  public readonly description: string;
  /** @internal */
  public readonly _source: FlagMetricSource;

  private constructor(description: string, source: FlagMetricSource) {
    this.description = description;
    this._source = source;
  }
}

/** Options for `AppConfigFlags`. */
export interface AppConfigFlagsProps {
  /** The flags to serve. */
  readonly flagSet: FlagSet;
  /**
   * How a flag change rolls out across the targets, the same declaration as for code where it maps:
   * linear (growth factor = step percent), a canary whose steps double (exponential growth),
   * all-at-once; the keep window becomes the final bake. A killed flag deploys all at once instead.
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-deployment-strategy.html
   */
  readonly strategy: DeploymentStrategy;
  /**
   * Where the strategy's health checks are measured; they become the environment's monitors.
   * @default - none: only `HealthCheck.custom` checks (or `Analysis.none`) are accepted
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-environment.html
   */
  readonly metrics?: FlagMetrics;
  /**
   * The AppConfig application.
   * @default - a new application named after the flag set
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-namespace.html
   */
  readonly application?: appconfig.IApplication;
  /**
   * Name of the environment the flags are deployed to.
   * @default "production"
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-environment.html
   */
  readonly environmentName?: string;
  /**
   * Prefix of the monitor alarms' names (`<prefix>-<check>`).
   * @default - a name derived from the construct path, unique in the account and region
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html
   */
  readonly alarmNamePrefix?: string;
}

/** Options for `AppConfigFlags.addAgentTo`. */
export interface AgentOptions {
  /**
   * The AppConfig Agent image.
   * @default - public.ecr.aws/aws-appconfig/aws-appconfig-agent:2.x
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-integration-containers-agent.html
   */
  readonly image?: ecs.ContainerImage;
}

/** Options for `AppConfigFlags.addExtensionTo`. */
export interface ExtensionOptions {
  /**
   * The AWS AppConfig Lambda extension layer.
   * @default - the layer AWS publishes for the stack's region (`appconfig.Application.getLambdaLayerVersionArn`); the stack needs a concrete region
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-integration-lambda-extensions-versions.html
   */
  readonly layer?: lambda.ILayerVersion;
}

/** The port the AppConfig Agent and the Lambda extension serve flags on. */
const AGENT_PORT = 2772;
const WHERE = 'AppConfigFlags';

/**
 * A flag set on AWS AppConfig: the application, an environment whose monitors are the strategy's
 * health checks, an `AWS.AppConfig.FeatureFlags` hosted configuration (validated at synth) and its
 * deployment, rolled out with the same `DeploymentStrategy` as code. Read access with `grantRead`,
 * and the AppConfig Agent (ECS) or Lambda extension wiring with `addAgentTo` / `addExtensionTo`.
 *
 * AppConfig grows the share of *targets* (hosts polling AppConfig) that receive a change, not the
 * share of users; users are targeted by the flag's own stages and split (`split … seed`).
 */
export class AppConfigFlags extends Construct {
  /** The AppConfig application. */
  public readonly application: appconfig.IApplication;
  /** The environment (with its monitors). */
  public readonly environment: appconfig.Environment;
  /** The hosted feature-flag configuration. */
  public readonly configuration: appconfig.HostedConfiguration;
  /** The deployment strategy the configuration deploys with (shared by every flag set with the same policy in the stack). */
  public readonly deploymentStrategy: appconfig.IDeploymentStrategy;
  /** The monitor alarms, one per health check. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** What a flag change rollout does on AppConfig. */
  public readonly plan: RolloutPlan;
  /** The flag set served. */
  public readonly flagSet: FlagSet;
  /** The feature-flag document deployed (JSON, stable for the same declaration). */
  public readonly content: string;

  constructor(scope: Construct, id: string, props: AppConfigFlagsProps) {
    super(scope, id);
    const where = `${WHERE} ${this.node.path}`;
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { flagSet, strategy }.');
    }
    if (!(props.flagSet instanceof FlagSet)) {
      fail(where, 'flagSet', 'must be a FlagSet', show(props.flagSet), 'Pass FlagSet.of({ name, flags, ... }).');
    }
    if (!(props.strategy instanceof DeploymentStrategy)) {
      fail(where, 'strategy', 'must be a DeploymentStrategy', show(props.strategy), 'Build it with DeploymentStrategy.linear, .canary or .allAtOnce.');
    }
    refuseBaseline(where, props.strategy, BaselineTarget.APPCONFIG);
    if (props.metrics !== undefined && !(props.metrics instanceof FlagMetrics)) {
      fail(where, 'metrics', 'must be a FlagMetrics', show(props.metrics), 'Pass FlagMetrics.loadBalancer(...), .lambdaAlias(...) or .customOnly().');
    }
    const environmentName = props.environmentName === undefined ? 'production' : requireName(where, 'environmentName', props.environmentName);
    this.flagSet = props.flagSet;
    const declared = renderAppConfigRollout(where, props.strategy, alarmSourceOf((props.metrics ?? FlagMetrics.customOnly())._source));
    const killed = props.flagSet.flags.filter(f => f.killed).map(f => f.key);
    const rollout: AppConfigRollout = killed.length ? { ...KILL_ROLLOUT, analysis: declared.analysis } : declared;
    const analysis = declared.analysis !== undefined && !declared.analysis.isNone ? declared.analysis : undefined;
    if (analysis !== undefined && analysis.checks.length > APPCONFIG_MAX_MONITORS) {
      fail(where, 'strategy.analysis.checks', `must be at most ${APPCONFIG_MAX_MONITORS}: an AppConfig environment takes at most ${APPCONFIG_MAX_MONITORS} monitors`,
        String(analysis.checks.length), 'Keep the checks that matter most for flag changes, or combine them in one HealthCheck.custom.');
    }
    const needsSource = analysis?.checks.some(c => c.kind !== HealthCheckKind.CUSTOM) ?? false;
    if (needsSource && props.metrics === undefined) {
      fail(where, 'metrics', 'is required: the analysis has error-rate or latency checks, which need the service they judge', 'undefined',
        'Pass FlagMetrics.loadBalancer(loadBalancer, targetGroups) or FlagMetrics.lambdaAlias(alias).');
    }
    if (analysis === undefined && props.metrics !== undefined) {
      fail(where, 'metrics', 'is given but the strategy has no health checks to measure', props.metrics.description, 'Remove metrics, or add checks to the analysis.');
    }
    const prefix = props.alarmNamePrefix === undefined ? defaultAlarmNamePrefix(this) : requireAlarmNamePrefix(where, props.alarmNamePrefix);

    this.content = JSON.stringify(renderAppConfigContent(props.flagSet), null, 2);
    this.alarms = analysis === undefined ? [] : createFlagAlarms(this, analysis, (props.metrics ?? FlagMetrics.customOnly())._source, prefix);
    this.application = props.application ?? new appconfig.Application(this, 'Application', { applicationName: props.flagSet.name });
    this.environment = new appconfig.Environment(this, 'Environment', {
      application: this.application,
      environmentName,
      monitors: this.alarms.map(a => appconfig.Monitor.fromCloudWatchAlarm(a)),
    });
    this.deploymentStrategy = sharedStrategy(this, rollout);
    this.configuration = new appconfig.HostedConfiguration(this, 'Flags', {
      application: this.application,
      name: props.flagSet.name,
      type: appconfig.ConfigurationType.FEATURE_FLAGS,
      content: appconfig.ConfigurationContent.fromInlineJson(this.content),
      deploymentStrategy: this.deploymentStrategy,
      deployTo: [this.environment],
    });
    const notes = [
      'AppConfig grows the share of targets (hosts polling AppConfig) that receive the change; users are targeted by the flags\' stages and splits.',
      analysis?.tooLittleData === TooLittleData.FAIL
        ? 'Monitor alarms treat missing data as breaching (TooLittleData.FAIL): an unmeasured interval rolls the flag deployment back.'
        : 'Monitor alarms treat missing data as not breaching (AppConfig rolls back on INSUFFICIENT_DATA too); alarms created in the same deployment start in INSUFFICIENT_DATA until their first period.',
    ];
    if (killed.length) {
      notes.unshift(`Killed flag(s) ${killed.join(', ')}: the configuration deploys all at once, with no growth and no bake, while a flag is killed.`);
      Annotations.of(this).addWarningV2('cdk-progressive-delivery:flagKilled',
        `Flag(s) ${killed.join(', ')} killed: this configuration deploys all at once (no growth, no bake) until the kill is lifted.`);
    }
    this.plan = RolloutPlan.fromPhases({ target: 'AppConfig', strategy: `${rollout.growthType.toLowerCase()} growth`, phases: rollout.phases, notes });
    for (const w of props.flagSet.warnings) Annotations.of(this).addWarningV2('cdk-progressive-delivery:flagExpiring', w);
    this.node.addMetadata(INVENTORY_METADATA_TYPE, flagInventory(props.flagSet, 'aws-appconfig'));
  }

  /** The agent / extension path of the flags: `/applications/<app>/environments/<env>/configurations/<profile>`. */
  public get configurationPath(): string {
    return `/applications/${this.application.applicationId}/environments/${this.environment.environmentId}/configurations/${this.configuration.configurationProfileId}`;
  }

  /**
   * Allows `grantee` to read these flags (`appconfig:StartConfigurationSession`,
   * `appconfig:GetLatestConfiguration` on this configuration profile in this environment only).
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-retrieving-the-configuration.html
   */
  public grantRead(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      resourceArns: [`${this.environment.environmentArn}/configuration/${this.configuration.configurationProfileId}`],
    });
  }

  /**
   * Adds the AppConfig Agent as a sidecar to an ECS task definition (port 2772, the flags
   * prefetched), and grants the task role read access. The application reads
   * `http://localhost:2772<configurationPath>` (`?flag=<key>`, `Context: <key>=<value>` headers for
   * variants).
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-integration-containers-agent.html
   */
  public addAgentTo(taskDefinition: ecs.TaskDefinition, options: AgentOptions = {}): ecs.ContainerDefinition {
    if (!(taskDefinition instanceof ecs.TaskDefinition)) {
      fail(WHERE, 'taskDefinition', 'must be an ECS TaskDefinition', show(taskDefinition), 'Pass service.taskDefinition.');
    }
    const container = taskDefinition.addContainer(`AppConfigAgent-${this.node.addr.slice(0, 8)}`, {
      image: options.image ?? ecs.ContainerImage.fromRegistry('public.ecr.aws/aws-appconfig/aws-appconfig-agent:2.x'),
      essential: false,
      portMappings: [{ containerPort: AGENT_PORT }],
      environment: { PREFETCH_LIST: this.configurationPath, SERVICE_REGION: Stack.of(this).region },
      memoryReservationMiB: 64,
      logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'appconfig-agent' }),
    });
    this.grantRead(taskDefinition.taskRole);
    return container;
  }

  /**
   * Adds the AWS AppConfig Lambda extension to a function (the flags prefetched at start), and
   * grants it read access. The function reads `http://localhost:2772<configurationPath>`.
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-integration-lambda-extensions.html
   */
  public addExtensionTo(fn: lambda.Function, options: ExtensionOptions = {}): void {
    if (!(fn instanceof lambda.Function)) {
      fail(WHERE, 'fn', 'must be a lambda.Function', show(fn), 'Pass the function (not an imported one: the layer and environment are set on it).');
    }
    let layer = options.layer;
    if (layer === undefined) {
      const region = Stack.of(fn).region;
      const arn = Token.isUnresolved(region) ? undefined : appconfig.Application.getLambdaLayerVersionArn(region,
        fn.architecture === lambda.Architecture.ARM_64 ? appconfig.Platform.ARM_64 : appconfig.Platform.X86_64);
      if (arn === undefined) {
        fail(WHERE, 'options.layer', 'is required: the stack has no concrete region with a known AppConfig extension layer', Token.isUnresolved(region) ? 'an unresolved region' : show(region),
          'Set env.region on the stack, or pass the layer (lambda.LayerVersion.fromLayerVersionArn) from the AppConfig docs.');
      }
      layer = lambda.LayerVersion.fromLayerVersionArn(this, `ExtensionLayer-${fn.node.addr.slice(0, 8)}`, arn);
    }
    fn.addLayers(layer);
    fn.addEnvironment('AWS_APPCONFIG_EXTENSION_PREFETCH_LIST', this.configurationPath);
    this.grantRead(fn);
  }
}

/** One AppConfig deployment strategy per distinct policy in the stack (AppConfig allows 20 per account). */
function sharedStrategy(scope: Construct, r: AppConfigRollout): appconfig.IDeploymentStrategy {
  const stack = Stack.of(scope);
  const id = `FlagDeploymentStrategy-${r.growthType}-${r.growthFactor}-${r.deploymentDurationMinutes}m-${r.finalBakeMinutes}m`;
  const existing = stack.node.tryFindChild(id) as appconfig.DeploymentStrategy | undefined;
  if (existing) return existing;
  const props = {
    growthFactor: r.growthFactor,
    deploymentDuration: Duration.minutes(r.deploymentDurationMinutes),
    finalBakeTime: Duration.minutes(r.finalBakeMinutes),
  };
  return new appconfig.DeploymentStrategy(stack, id, {
    description: `Flag changes: ${r.growthType.toLowerCase()} growth ${r.growthFactor}% over ${r.deploymentDurationMinutes} min, final bake ${r.finalBakeMinutes} min`,
    rolloutStrategy: r.growthType === 'LINEAR' ? appconfig.RolloutStrategy.linear(props) : appconfig.RolloutStrategy.exponential(props),
  });
}
