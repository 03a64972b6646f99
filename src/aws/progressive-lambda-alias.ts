import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeploymentStrategy } from '../strategy/deployment-strategy';
import { fail, show } from '../private/validate';
import { RolloutPlan } from '../strategy/rollout-plan';
import { codeDeployAlarms, createLambdaAlarms, defaultAlarmNamePrefix, requireAlarmNamePrefix } from './private/alarms';
import { renderCodeDeploy } from './private/render';

/** Options for `ProgressiveLambdaAlias`. */
export interface ProgressiveLambdaAliasProps {
  /** The version the alias moves to, usually `fn.currentVersion`. */
  readonly version: lambda.IVersion;
  /** How traffic moves from the alias' current version to `version` (canary, linear or all-at-once). */
  readonly strategy: DeploymentStrategy;
  /**
   * Name of the alias.
   * @default "live"
   */
  readonly aliasName?: string;
  /**
   * A function CodeDeploy runs before traffic shifts (BeforeAllowTraffic); it must call
   * PutLifecycleEventHookExecutionStatus, which the construct allows it to do.
   * @default - no pre-traffic hook
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
   */
  readonly preTrafficHook?: lambda.IFunction;
  /**
   * A function CodeDeploy runs after all traffic has shifted (AfterAllowTraffic).
   * @default - no post-traffic hook
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-lambda
   */
  readonly postTrafficHook?: lambda.IFunction;
  /**
   * The CodeDeploy application.
   * @default - a new LambdaApplication
   */
  readonly application?: codedeploy.ILambdaApplication;
  /**
   * Name of the deployment group.
   * @default - a CloudFormation-generated name
   */
  readonly deploymentGroupName?: string;
  /**
   * A topic notified of deployment events (CodeDeploy triggers).
   * @default - no notifications
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/monitoring-sns-event-notifications.html
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Prefix of the rollback alarm names (`<prefix>-<check name>`).
   * @default - a name derived from the construct path, unique in the account and region
   */
  readonly alarmNamePrefix?: string;
}

/**
 * A Lambda alias shifted by CodeDeploy as declared by a `DeploymentStrategy`, with one rollback alarm
 * per health check on the version being deployed (errors ÷ invocations with the minimum-request
 * guard, duration percentiles, custom metrics).
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
  /** What CodeDeploy will do on each deployment. */
  public readonly plan: RolloutPlan;

  constructor(scope: Construct, id: string, props: ProgressiveLambdaAliasProps) {
    super(scope, id);
    const where = `ProgressiveLambdaAlias ${this.node.path}`;
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { version, strategy }.');
    }
    if (!(props.strategy instanceof DeploymentStrategy)) {
      fail(where, 'strategy', 'must be a DeploymentStrategy', show(props.strategy), 'Build it with DeploymentStrategy.canary, .linear or .allAtOnce.');
    }
    if (props.version === null || typeof props.version !== 'object' || typeof (props.version as any).version !== 'string') {
      fail(where, 'version', 'must be a Lambda version', show(props.version), 'Pass fn.currentVersion.');
    }
    const aliasName = props.aliasName ?? 'live';
    if (typeof aliasName !== 'string' || !/^(?!^[0-9]+$)[a-zA-Z0-9-_]{1,128}$/.test(aliasName)) {
      fail(where, 'aliasName', 'must be 1-128 letters, digits, "-" or "_", and not only digits', show(aliasName), 'Pass a name such as "live".');
    }
    const render = renderCodeDeploy(where, props.strategy, undefined, 'Lambda CodeDeploy', undefined, false);
    this.plan = render.plan;
    const prefix = props.alarmNamePrefix === undefined ? defaultAlarmNamePrefix(this) : requireAlarmNamePrefix(where, props.alarmNamePrefix);

    this.alias = new lambda.Alias(this, 'Alias', { aliasName, version: props.version });
    const alarms = render.analysis === undefined ? [] : createLambdaAlarms(this, render.analysis, {
      functionName: props.version.lambda.functionName,
      aliasName,
      version: props.version.version,
    }, prefix);
    this.alarms = alarms;
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
      preHook: props.preTrafficHook,
      postHook: props.postTrafficHook,
      autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: deploymentAlarms.length > 0 },
    });
    if (props.notificationTopic) {
      props.notificationTopic.grantPublish(this.deploymentGroup.role);
      (this.deploymentGroup.node.defaultChild as codedeploy.CfnDeploymentGroup).triggerConfigurations = [{
        triggerName: 'deployment-events',
        triggerTargetArn: props.notificationTopic.topicArn,
        triggerEvents: ['DeploymentStart', 'DeploymentSuccess', 'DeploymentFailure', 'DeploymentStop', 'DeploymentRollback'],
      }];
    }
  }
}
