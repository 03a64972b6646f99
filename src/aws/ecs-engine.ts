import { Duration, Token } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { Construct } from 'constructs';
import { fail, requireDuration, show } from '../private/validate';

/** Which service runs the deployments of a `ProgressiveFargateService`. */
export enum EcsEngineKind {
  /** Amazon ECS itself: the service's deployment strategy (blue/green, canary, linear, rolling). */
  NATIVE = 'NATIVE',
  /** AWS CodeDeploy: the CODE_DEPLOY deployment controller and an ECS deployment group. */
  CODE_DEPLOY = 'CODE_DEPLOY',
}

/**
 * What a manual gate does when nobody continues or rolls back the deployment in time.
 * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHookTimeoutConfiguration.html
 */
export enum ApprovalTimeoutAction {
  /** Roll the deployment back to the previous version (nobody approved it). */
  ROLLBACK = 'ROLLBACK',
  /** Go on with the deployment as if it had been approved. */
  CONTINUE = 'CONTINUE',
}

/** Options for `EcsEngine.native`. */
export interface NativeEcsEngineOptions {
  /**
   * For a rolling strategy: stop and roll back a deployment whose tasks keep failing to start
   * (the ECS deployment circuit breaker). The other strategies roll back on alarms and render the
   * circuit breaker explicitly off; `circuitBreaker: true` with them is an error.
   * @default true for a rolling strategy
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-circuit-breaker.html
   */
  readonly circuitBreaker?: boolean;
  /**
   * With a blue/green strategy and `Promotion.manual()`: how long the deployment waits, paused with
   * the new version on the test route, for someone to continue or roll it back (an ECS PAUSE
   * lifecycle hook at POST_TEST_TRAFFIC_SHIFT), in whole minutes. ECS accepts up to 14 days, but the
   * CloudFormation update that starts the deployment waits for it, so the wait plus
   * `keepPreviousVersionFor` must stay within 33 hours. Also, with a header-only preview whose
   * `manualGate` is set: how long the deployment waits for the approval after the preview's duration
   * (one PAUSE hook holds both, so they add up to at most 14 days, and count in the 33 hours with the
   * bakes). Also, with a canary step's manual gate (`CanaryStep.withManualGate`): how long the canary
   * gate (a Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT) waits after the canary's bake for the
   * approval parameter to approve or reject the deployment, in whole minutes from 1 minute to 1430
   * minutes (23 h 50 min: ECS fails a Lambda hook that answers IN_PROGRESS for 1440 minutes, and the
   * gate keeps 10 minutes for its last polls); canary bake + this wait + `keepPreviousVersionFor` must
   * stay within the 33 hours. Only valid with one of these manual gates.
   * @default Duration.hours(24) for a PAUSE hook (a manual promotion or a header-only preview's gate); Duration.hours(23) for a canary step's manual gate
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/pause-lifecycle-hooks.html
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html
   */
  readonly approvalWaitTime?: Duration;
  /**
   * With `Promotion.manual()`, a header-only preview with `manualGate`, or a canary step's manual
   * gate: what happens when `approvalWaitTime` passes without an answer (ROLLBACK: the deployment
   * rolls back; CONTINUE: it goes on as if approved). Only valid with one of these manual gates.
   * @default ApprovalTimeoutAction.ROLLBACK
   * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHookTimeoutConfiguration.html
   */
  readonly approvalTimeoutAction?: ApprovalTimeoutAction;
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
  /**
   * Start the deployments from CloudFormation, so that a plain `cdk deploy` deploys like the native
   * engine: a stack update that changes the task definition runs a custom resource that calls
   * CodeDeploy `CreateDeployment` with the service's AppSpec and waits for the deployment; a failed or
   * stopped deployment fails the update, which rolls the stack back (and the rollback deploys the
   * previous revision the same way). The service's own TaskDefinition property stays at the revision
   * it was created with, since CloudFormation cannot change it on a CODE_DEPLOY service. CloudFormation
   * waits at most one hour for a custom resource, so the plan (approval wait included) must end within
   * 45 minutes.
   * @default false - deployments are started outside CloudFormation, with `appSpec()` (a pipeline)
   * @see https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_CreateDeployment.html
   */
  readonly deployOnStackUpdate?: boolean;
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
    const where = 'EcsEngine.native';
    requireOptions(where, options);
    if (options.circuitBreaker !== undefined && typeof options.circuitBreaker !== 'boolean') {
      fail(where, 'circuitBreaker', 'must be true or false', show(options.circuitBreaker), 'Pass true to roll back rolling deployments whose tasks fail to start.');
    }
    const approvalWaitTime = options.approvalWaitTime === undefined ? undefined : requireDuration(where, 'approvalWaitTime', options.approvalWaitTime);
    const action: unknown = options.approvalTimeoutAction;
    if (action !== undefined && !Object.values(ApprovalTimeoutAction).includes(action as ApprovalTimeoutAction)) {
      fail(where, 'approvalTimeoutAction', 'must be an ApprovalTimeoutAction', action === null ? 'null' : show(action), 'Pass ApprovalTimeoutAction.ROLLBACK or ApprovalTimeoutAction.CONTINUE.');
    }
    return new EcsEngine(EcsEngineKind.NATIVE, options.circuitBreaker ?? true, {
      circuitBreakerGiven: options.circuitBreaker !== undefined,
      approvalWaitTime,
      approvalTimeoutAction: options.approvalTimeoutAction,
    });
  }

  /**
   * AWS CodeDeploy blue/green deployments with a custom deployment configuration. CloudFormation
   * creates the deployment group; a pipeline starts each deployment with the construct's AppSpec, or,
   * with `deployOnStackUpdate`, the stack update does.
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-steps-ecs.html
   */
  public static codeDeploy(options: CodeDeployEcsEngineOptions = {}): EcsEngine {
    const where = 'EcsEngine.codeDeploy';
    requireOptions(where, options);
    if (options.application !== undefined && !(Construct.isConstruct(options.application) && 'applicationName' in options.application)) {
      fail(where, 'application', 'must be a CodeDeploy ECS application (codedeploy.IEcsApplication)', options.application === null ? 'null' : show(options.application),
        'Pass a codedeploy.EcsApplication or EcsApplication.fromEcsApplicationName(...).');
    }
    const name: unknown = options.deploymentGroupName;
    if (name !== undefined && !(typeof name === 'string' && (Token.isUnresolved(name) || /^[A-Za-z0-9_.+=,@-]{1,100}$/.test(name)))) {
      fail(where, 'deploymentGroupName', 'must be 1-100 letters, digits or "_.+=,@-"', name === null ? 'null' : show(name), 'Pass a name such as "checkout-api".');
    }
    const approvalWaitTime = options.approvalWaitTime === undefined ? undefined
      : requireDuration('EcsEngine.codeDeploy', 'approvalWaitTime', options.approvalWaitTime);
    if (options.deployOnStackUpdate !== undefined && typeof options.deployOnStackUpdate !== 'boolean') {
      fail(where, 'deployOnStackUpdate', 'must be true or false', options.deployOnStackUpdate === null ? 'null' : show(options.deployOnStackUpdate),
        'Pass true to deploy each new task definition during the stack update.');
    }
    return new EcsEngine(EcsEngineKind.CODE_DEPLOY, false, {
      deployOnStackUpdate: options.deployOnStackUpdate ?? false,
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
  /** How long a manual promotion waits for approval, as chosen (both engines). */
  public readonly approvalWaitTime?: Duration;
  /** Whether CloudFormation starts the CodeDeploy deployments (CodeDeploy engine). */
  public readonly deployOnStackUpdate: boolean;
  /** What a manual gate does when its wait passes, as chosen (native engine). */
  public readonly approvalTimeoutAction?: ApprovalTimeoutAction;
  /** @internal Whether `circuitBreaker` was chosen rather than defaulted. */
  public readonly _circuitBreakerGiven: boolean;

  private constructor(kind: EcsEngineKind, circuitBreaker: boolean,
    extra: {
      application?: codedeploy.IEcsApplication;
      deploymentGroupName?: string;
      approvalWaitTime?: Duration;
      circuitBreakerGiven?: boolean;
      approvalTimeoutAction?: ApprovalTimeoutAction;
      deployOnStackUpdate?: boolean;
    }) {
    this.kind = kind;
    this.circuitBreaker = circuitBreaker;
    this.application = extra.application;
    this.deploymentGroupName = extra.deploymentGroupName;
    this.approvalWaitTime = extra.approvalWaitTime;
    this.approvalTimeoutAction = extra.approvalTimeoutAction;
    this.deployOnStackUpdate = extra.deployOnStackUpdate ?? false;
    this._circuitBreakerGiven = extra.circuitBreakerGiven ?? false;
  }
}

function requireOptions(where: string, options: unknown): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    fail(where, 'options', 'must be an object', options === null ? 'null' : show(options), 'Pass an options object, or nothing for the defaults.');
  }
}
