import { Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { requireDuration } from '../private/validate';

/** Which service runs the deployments of a `ProgressiveFargateService`. */
export enum EcsEngineKind {
  /** Amazon ECS itself: the service's deployment strategy (blue/green, canary, linear, rolling). */
  NATIVE = 'NATIVE',
  /** AWS CodeDeploy: the CODE_DEPLOY deployment controller and an ECS deployment group. */
  CODE_DEPLOY = 'CODE_DEPLOY',
}

/** Options for `EcsEngine.native`. */
export interface NativeEcsEngineOptions {
  /**
   * For a rolling strategy: stop and roll back a deployment whose tasks keep failing to start
   * (the ECS deployment circuit breaker). Not used by the other strategies, which roll back on alarms.
   * @default true
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
   */
  readonly circuitBreaker?: boolean;
}

/** Options for `EcsEngine.codeDeploy`. */
export interface CodeDeployEcsEngineOptions {
  /**
   * The CodeDeploy application the deployment group belongs to.
   * @default - a new EcsApplication
   */
  readonly application?: codedeploy.IEcsApplication;
  /**
   * Name of the deployment group.
   * @default - a CloudFormation-generated name
   */
  readonly deploymentGroupName?: string;
  /**
   * With a blue/green strategy and `Promotion.manual()`: how long CodeDeploy waits for someone to
   * continue the deployment before stopping it (at most 2 days). Only valid with a manual promotion.
   * @default Duration.hours(24) when the promotion is manual
   * @see https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentReadyOption.html
   */
  readonly approvalWaitTime?: Duration;
}

/**
 * The engine that runs the deployments of a `ProgressiveFargateService`, chosen explicitly.
 * Each engine renders the same strategy and refuses what it cannot express exactly.
 */
export class EcsEngine {
  /**
   * Amazon ECS native deployments: the service's own blue/green, canary, linear or rolling
   * strategy, with deployment alarms, bake time and lifecycle hooks.
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html
   */
  public static native(options: NativeEcsEngineOptions = {}): EcsEngine {
    return new EcsEngine(EcsEngineKind.NATIVE, options.circuitBreaker ?? true, {});
  }

  /**
   * AWS CodeDeploy blue/green deployments with a custom deployment configuration. CloudFormation
   * creates the deployment group; a pipeline starts each deployment with the construct's AppSpec.
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-steps-ecs.html
   */
  public static codeDeploy(options: CodeDeployEcsEngineOptions = {}): EcsEngine {
    const approvalWaitTime = options.approvalWaitTime === undefined ? undefined
      : requireDuration('EcsEngine.codeDeploy', 'approvalWaitTime', options.approvalWaitTime);
    return new EcsEngine(EcsEngineKind.CODE_DEPLOY, false, {
      application: options.application,
      deploymentGroupName: options.deploymentGroupName,
      approvalWaitTime,
    });
  }

  /** Which service runs the deployments. */
  public readonly kind: EcsEngineKind;
  /** Whether the circuit breaker guards rolling deployments (native engine). */
  public readonly circuitBreaker: boolean;
  /** The CodeDeploy application to use (CodeDeploy engine). */
  public readonly application?: codedeploy.IEcsApplication;
  /** The deployment group name (CodeDeploy engine). */
  public readonly deploymentGroupName?: string;
  /** How long a manual promotion waits for approval (CodeDeploy engine). */
  public readonly approvalWaitTime?: Duration;

  private constructor(kind: EcsEngineKind, circuitBreaker: boolean,
    extra: { application?: codedeploy.IEcsApplication; deploymentGroupName?: string; approvalWaitTime?: Duration }) {
    this.kind = kind;
    this.circuitBreaker = circuitBreaker;
    this.application = extra.application;
    this.deploymentGroupName = extra.deploymentGroupName;
    this.approvalWaitTime = extra.approvalWaitTime;
  }
}
