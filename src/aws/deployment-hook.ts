import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EcsEngineKind } from './ecs-engine';
import { fail, show } from '../private/validate';

/**
 * A stage of an Amazon ECS native deployment at which a lifecycle hook runs (blue/green, canary,
 * linear and all-at-once strategies; a rolling deployment has no lifecycle stages with hooks).
 * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html
 */
export enum EcsLifecycleStage {
  /** At the start, only when the deployment starts with more than one active service revision. */
  RECONCILE_SERVICE = 'RECONCILE_SERVICE',
  /** Before any task of the new revision starts; the previous revision serves all traffic. */
  PRE_SCALE_UP = 'PRE_SCALE_UP',
  /** The new revision's tasks are running; it serves no traffic yet. */
  POST_SCALE_UP = 'POST_SCALE_UP',
  /** Test traffic is moving to the new revision (needs a test listener). */
  TEST_TRAFFIC_SHIFT = 'TEST_TRAFFIC_SHIFT',
  /** The new revision serves all test traffic, no production traffic (needs a test listener). */
  POST_TEST_TRAFFIC_SHIFT = 'POST_TEST_TRAFFIC_SHIFT',
  /**
   * Before each production traffic shift: in a canary or linear deployment, before every step (the
   * new revision's share of production traffic tells which). aws-cdk-lib 2.236's
   * `DeploymentLifecycleStage` does not list it, and cfn-lint 1.51 reports it as E3030, which the
   * service's resource then ignores (with the reason).
   * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentLifecycleHook.html
   */
  PRE_PRODUCTION_TRAFFIC_SHIFT = 'PRE_PRODUCTION_TRAFFIC_SHIFT',
  /** Production traffic is moving to the new revision. */
  PRODUCTION_TRAFFIC_SHIFT = 'PRODUCTION_TRAFFIC_SHIFT',
  /** The new revision serves all production traffic. */
  POST_PRODUCTION_TRAFFIC_SHIFT = 'POST_PRODUCTION_TRAFFIC_SHIFT',
}

/**
 * A lifecycle event of a CodeDeploy ECS deployment at which the AppSpec runs a hook function.
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs
 */
export enum CodeDeployEcsHookEvent {
  /** Before the replacement task set is created. */
  BEFORE_INSTALL = 'BeforeInstall',
  /** The replacement task set is created, before any traffic reaches it. */
  AFTER_INSTALL = 'AfterInstall',
  /** The test listener serves the replacement task set (needs a test listener). */
  AFTER_ALLOW_TEST_TRAFFIC = 'AfterAllowTestTraffic',
  /** Before production traffic moves to the replacement task set. */
  BEFORE_ALLOW_TRAFFIC = 'BeforeAllowTraffic',
  /** Production traffic has moved to the replacement task set. */
  AFTER_ALLOW_TRAFFIC = 'AfterAllowTraffic',
}

/**
 * A Lambda function run at one stage of each deployment of a `ProgressiveFargateService`, for one
 * engine: `DeploymentHook.ecs(...)` with `EcsEngine.native()`, `DeploymentHook.codeDeploy(...)` with
 * `EcsEngine.codeDeploy()`. The function decides whether the deployment goes on: an ECS hook returns
 * `{ hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS' }`; a CodeDeploy hook reports with
 * `PutLifecycleEventHookExecutionStatus` (the service grants it). A failed hook rolls the deployment back.
 */
export class DeploymentHook {
  /**
   * Run `fn` at an ECS native lifecycle stage. ECS invokes it with a role the service creates.
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
   */
  public static ecs(stage: EcsLifecycleStage, fn: lambda.IFunction): DeploymentHook {
    const where = 'DeploymentHook.ecs';
    if (!Object.values(EcsLifecycleStage).includes(stage)) {
      fail(where, 'stage', 'must be an EcsLifecycleStage', stage === null ? 'null' : show(stage), `Pass one of ${Object.values(EcsLifecycleStage).join(', ')}.`);
    }
    return new DeploymentHook(EcsEngineKind.NATIVE, stage, requireFunction(where, fn));
  }

  /**
   * Run `fn` at a CodeDeploy ECS AppSpec hook. CodeDeploy invokes it with the deployment group's role.
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-hooks.html#appspec-hooks-ecs
   */
  public static codeDeploy(event: CodeDeployEcsHookEvent, fn: lambda.IFunction): DeploymentHook {
    const where = 'DeploymentHook.codeDeploy';
    if (!Object.values(CodeDeployEcsHookEvent).includes(event)) {
      fail(where, 'event', 'must be a CodeDeployEcsHookEvent', event === null ? 'null' : show(event), `Pass one of ${Object.values(CodeDeployEcsHookEvent).join(', ')}.`);
    }
    return new DeploymentHook(EcsEngineKind.CODE_DEPLOY, event, requireFunction(where, fn));
  }

  /** The engine whose deployments run the hook. */
  public readonly engine: EcsEngineKind;
  /** The ECS lifecycle stage or CodeDeploy AppSpec hook event. */
  public readonly stage: string;
  /** The function that runs. */
  public readonly function: lambda.IFunction;

  private constructor(engine: EcsEngineKind, stage: string, fn: lambda.IFunction) {
    this.engine = engine;
    this.stage = stage;
    this.function = fn;
  }

  /** How the hook reads in errors and plans, for example "DeploymentHook.ecs(PRE_SCALE_UP, Stack/Check)". */
  public describe(): string {
    return `DeploymentHook.${this.engine === EcsEngineKind.NATIVE ? 'ecs' : 'codeDeploy'}(${this.stage}, ${this.function.node.path})`;
  }
}

function requireFunction(where: string, fn: unknown): lambda.IFunction {
  if (fn === null || typeof fn !== 'object' || !Construct.isConstruct(fn) || !('functionArn' in fn)) {
    fail(where, 'fn', 'must be a Lambda function (lambda.IFunction)', fn === null ? 'null' : show(fn), 'Pass a lambda.Function or lambda.Function.fromFunctionArn(...).');
  }
  return fn as lambda.IFunction;
}
