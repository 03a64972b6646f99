import { Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { fail, formatDuration, show } from '../../private/validate';
import { CodeDeployEcsHookEvent, DeploymentHook, EcsLifecycleStage } from '../deployment-hook';
import { ApprovalTimeoutAction, EcsEngineKind } from '../ecs-engine';

/**
 * Deployment hooks of a ProgressiveFargateService: the user's hooks at every ECS lifecycle stage and
 * CodeDeploy AppSpec event, the hooks the library adds itself (smoke test, migrations), and ECS PAUSE
 * hooks for manual gates. Checks are pure; the few wiring helpers take the construct they wire.
 */

/** The ECS native lifecycle stages with hooks, in the order a deployment reaches them. */
export const ECS_STAGE_ORDER: readonly string[] = [
  EcsLifecycleStage.RECONCILE_SERVICE, EcsLifecycleStage.PRE_SCALE_UP, EcsLifecycleStage.POST_SCALE_UP,
  EcsLifecycleStage.TEST_TRAFFIC_SHIFT, EcsLifecycleStage.POST_TEST_TRAFFIC_SHIFT,
  EcsLifecycleStage.PRE_PRODUCTION_TRAFFIC_SHIFT, EcsLifecycleStage.PRODUCTION_TRAFFIC_SHIFT, EcsLifecycleStage.POST_PRODUCTION_TRAFFIC_SHIFT,
];

/** The CodeDeploy ECS AppSpec hook events, in the order a deployment reaches them. */
export const APPSPEC_EVENT_ORDER: readonly string[] = [
  CodeDeployEcsHookEvent.BEFORE_INSTALL, CodeDeployEcsHookEvent.AFTER_INSTALL, CodeDeployEcsHookEvent.AFTER_ALLOW_TEST_TRAFFIC,
  CodeDeployEcsHookEvent.BEFORE_ALLOW_TRAFFIC, CodeDeployEcsHookEvent.AFTER_ALLOW_TRAFFIC,
];

/** Stages and events that only happen with a test listener. */
const TEST_TRAFFIC_STAGES: readonly string[] = [
  EcsLifecycleStage.TEST_TRAFFIC_SHIFT, EcsLifecycleStage.POST_TEST_TRAFFIC_SHIFT, CodeDeployEcsHookEvent.AFTER_ALLOW_TEST_TRAFFIC,
];

/** A hook the library renders itself at a stage (smoke test, migrations), for the duplicate check. */
export interface ReservedHook {
  /** The ECS stage or AppSpec event. */
  readonly stage: string;
  /** What runs there, for the message ("smokeTest"). */
  readonly by: string;
}

/** What the hooks are checked against. */
export interface HookContext {
  /** Whether CodeDeploy runs the deployments. */
  readonly codeDeploy: boolean;
  /** Whether the strategy is rolling (ECS native: no lifecycle hooks). */
  readonly rolling: boolean;
  /** Whether the service has a test listener. */
  readonly testListener: boolean;
  /** CodeDeploy: AppSpec events already taken (an AppSpec runs one function per event). */
  readonly reserved?: ReservedHook[];
}

/**
 * Checks the `hooks` prop as any caller could pass it and returns the hooks in the order a deployment
 * runs them (stable for hooks at the same stage). Refuses a hook for the other engine, a stage the
 * strategy does not have, a test-traffic stage without a test listener, and a second function at a
 * CodeDeploy AppSpec event.
 */
export function checkDeploymentHooks(where: string, hooks: unknown, ctx: HookContext): DeploymentHook[] {
  if (hooks === undefined) return [];
  if (!Array.isArray(hooks)) {
    fail(where, 'hooks', 'must be an array of DeploymentHook', hooks === null ? 'null' : show(hooks), 'Pass [DeploymentHook.ecs(stage, fn)] or [DeploymentHook.codeDeploy(event, fn)].');
  }
  const engineName = ctx.codeDeploy ? 'EcsEngine.codeDeploy()' : 'EcsEngine.native()';
  const taken = new Map<string, string>((ctx.reserved ?? []).map(r => [r.stage, r.by]));
  (hooks as unknown[]).forEach((hook, i) => {
    const field = `hooks[${i}]`;
    if (!(hook instanceof DeploymentHook)) {
      fail(where, field, 'must be a DeploymentHook', hook === null ? 'null' : show(hook), 'Build it with DeploymentHook.ecs(stage, fn) or DeploymentHook.codeDeploy(event, fn).');
    }
    const wanted = ctx.codeDeploy ? EcsEngineKind.CODE_DEPLOY : EcsEngineKind.NATIVE;
    if (hook.engine !== wanted) {
      fail(where, field, `is for the other engine: this service deploys with ${engineName}`, hook.describe(),
        ctx.codeDeploy
          ? 'Use DeploymentHook.codeDeploy with an AppSpec event (BeforeInstall, AfterInstall, AfterAllowTestTraffic, BeforeAllowTraffic, AfterAllowTraffic).'
          : 'Use DeploymentHook.ecs with an ECS lifecycle stage (PRE_SCALE_UP, POST_SCALE_UP, POST_TEST_TRAFFIC_SHIFT, ...).');
    }
    if (!ctx.codeDeploy && ctx.rolling) {
      fail(where, field, 'cannot run with a rolling strategy: ECS runs lifecycle hooks only in blue/green, canary and linear deployments', hook.describe(),
        'Use DeploymentStrategy.canary, .linear, .blueGreen or .allAtOnce, or remove the hook.');
    }
    if (TEST_TRAFFIC_STAGES.includes(hook.stage) && !ctx.testListener) {
      fail(where, field, `runs at ${hook.stage}, which needs a test listener, and this service has none`, hook.describe(),
        'Set testTrafficFrom (or testListener, or a smokeTest) to create the test route, or choose another stage.');
    }
    if (ctx.codeDeploy) {
      const by = taken.get(hook.stage);
      if (by !== undefined) {
        fail(where, field, `runs at the AppSpec event ${hook.stage}, which already runs ${by}: a CodeDeploy AppSpec runs one function per event`, hook.describe(),
          'Choose another event, or call both checks from one function.');
      }
      taken.set(hook.stage, hook.describe());
    }
  });
  const order = ctx.codeDeploy ? APPSPEC_EVENT_ORDER : ECS_STAGE_ORDER;
  return (hooks as DeploymentHook[])
    .map((h, i) => ({ h, i }))
    .sort((a, b) => order.indexOf(a.h.stage) - order.indexOf(b.h.stage) || a.i - b.i)
    .map(x => x.h);
}

/** One line per hook for the plan's notes. */
export function hookPlanNotes(hooks: DeploymentHook[]): string[] {
  return hooks.map(h => `Hook at ${h.stage}: ${h.function.node.path} runs on every deployment; when it fails or times out, the deployment rolls back.`);
}

/**
 * The AppSpec `Hooks` list of a CodeDeploy ECS deployment: one `{ <event>: <function name> }` entry per
 * hook, in the order the deployment reaches the events (byte-identical for the same hooks).
 */
export function appSpecHooks(entries: Array<{ event: string; functionName: string }>): Array<Record<string, string>> {
  return [...entries]
    .sort((a, b) => APPSPEC_EVENT_ORDER.indexOf(a.event) - APPSPEC_EVENT_ORDER.indexOf(b.event))
    .map(e => ({ [e.event]: e.functionName }));
}

/** An ECS Lambda lifecycle hook target for `fn` at one stage (ECS invokes it with a role created for it). */
export function ecsLambdaHook(fn: lambda.IFunction, id: string, stage: string): ecs.IDeploymentLifecycleHookTarget {
  return new ecs.DeploymentLifecycleLambdaTarget(fn, id, { lifecycleStages: [stage as ecs.DeploymentLifecycleStage] });
}

/**
 * A CodeDeploy hook function: the deployment group's role invokes it, and it reports its result on
 * that deployment group.
 */
export function grantCodeDeployHook(fn: lambda.IFunction, groupRole: iam.IRole, deploymentGroupArn: string): boolean {
  fn.grantInvoke(groupRole);
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'], resources: [deploymentGroupArn] }));
  return fn.role !== undefined;
}

/** An ECS PAUSE hook: the deployment waits at `stage` for ContinueServiceDeployment. */
export interface PauseGate {
  /** The lifecycle stage that pauses. */
  readonly stage: string;
  /** How long ECS waits (whole minutes, 1 to 20160). */
  readonly timeout: Duration;
  /** What ECS does when the timeout passes. */
  readonly action: ApprovalTimeoutAction;
}

/** The limits of an ECS hook timeout (timeoutInMinutes). */
export const ECS_HOOK_TIMEOUT_MAX_MINUTES = 20160;

/** The cfn-lint rules that do not know PAUSE hooks yet (cfn-lint 1.51): unknown TargetType/TimeoutConfiguration, HookTargetArn/RoleArn required. */
export const PAUSE_HOOK_LINT_RULES = ['E3002', 'E3003'];

/**
 * Adds PAUSE hooks to an ECS service's `DeploymentConfiguration.LifecycleHooks`, after the Lambda hooks
 * the service renders (`lambdaHookCount` of them). aws-cdk-lib's FargateService renders Lambda hooks
 * only, and older CfnService types lack `TargetType` and `TimeoutConfiguration`, so the hooks are
 * property overrides on every version (the same template on each). A validation refuses the template
 * when a Lambda hook was added to the service after construction, which would shift the indexes.
 * cfn-lint 1.51 does not know these fields: its schema rules are ignored on this resource only.
 */
export function addPauseHooks(service: ecs.BaseService, lambdaHookCount: number, gates: PauseGate[]): void {
  if (gates.length === 0) return;
  const cfn = service.node.defaultChild as ecs.CfnService;
  const rendered = gates.map(g => ({
    TargetType: 'PAUSE',
    LifecycleStages: [g.stage],
    TimeoutConfiguration: { TimeoutInMinutes: g.timeout.toMinutes(), Action: g.action },
  }));
  if (lambdaHookCount === 0) {
    // No Lambda hook: the service renders no list, so the override is the whole list.
    cfn.addPropertyOverride('DeploymentConfiguration.LifecycleHooks', rendered);
  } else {
    rendered.forEach((hook, i) => cfn.addPropertyOverride(`DeploymentConfiguration.LifecycleHooks.${lambdaHookCount + i}`, hook));
  }
  ignoreLintRules(cfn, PAUSE_HOOK_LINT_RULES,
    'PAUSE lifecycle hooks (TargetType, TimeoutConfiguration, no HookTargetArn/RoleArn) are valid ECS service properties that cfn-lint 1.51 does not know yet');
  service.node.addValidation({
    validate: () => {
      const config = cfn.deploymentConfiguration as ecs.CfnService.DeploymentConfigurationProperty | undefined;
      const resolved = Stack.of(service).resolve(config?.lifecycleHooks);
      const count = Array.isArray(resolved) ? resolved.length : 0;
      return count === lambdaHookCount ? [] : [`${service.node.path}: the service renders ${count} Lambda lifecycle hooks, `
        + `expected ${lambdaHookCount}: a hook added with addLifecycleHook after construction would be overwritten by the manual gate. Pass it in the hooks prop (DeploymentHook.ecs) instead.`];
    },
  });
}

/** The cfn-lint rule that does not know the PRE_PRODUCTION_TRAFFIC_SHIFT stage yet (cfn-lint 1.51: "is not one of"). */
export const PRE_PRODUCTION_STAGE_LINT_RULES = ['E3030'];

/**
 * Makes cfn-lint ignore `rules` on one resource, with the reason beside them. One `cfn-lint` metadata
 * entry holds every suppression of the resource: a second call adds its rules and reason to the first
 * (addMetadata alone would replace it).
 */
export function ignoreLintRules(cfn: ecs.CfnService, rules: string[], reason: string): void {
  const existing = cfn.getMetadata('cfn-lint') as { config?: { ignore_checks?: string[]; ignore_reason?: string } } | undefined;
  const checks = [...(existing?.config?.ignore_checks ?? [])];
  rules.forEach(r => { if (!checks.includes(r)) checks.push(r); });
  const reasons = existing?.config?.ignore_reason === undefined ? reason : `${existing.config.ignore_reason}; ${reason}`;
  cfn.addMetadata('cfn-lint', {
    config: {
      ignore_checks: checks,
      // Kept beside the suppression, for whoever reads the template.
      ignore_reason: reasons,
    },
  });
}

/**
 * A Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT (the canary gate, or a user's hook): a valid ECS stage
 * that cfn-lint 1.51's schema does not list; the rule is ignored on the service resource only.
 */
export function ignorePreProductionStageLint(service: ecs.BaseService): void {
  ignoreLintRules(service.node.defaultChild as ecs.CfnService, PRE_PRODUCTION_STAGE_LINT_RULES,
    'PRE_PRODUCTION_TRAFFIC_SHIFT is a valid ECS lifecycle stage (before each production traffic shift) that cfn-lint 1.51 does not list yet');
}

/** How a pause gate reads in the plan. */
export function describeGate(gate: PauseGate): string {
  return gate.action === ApprovalTimeoutAction.ROLLBACK
    ? `rolls back unless continued within ${formatDuration(gate.timeout)}`
    : `continues by itself after ${formatDuration(gate.timeout)} unless rolled back`;
}
