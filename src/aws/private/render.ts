import { Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { fail, formatDuration } from '../../private/validate';
import { Analysis } from '../../strategy/analysis';
import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import { PlanPhaseSpec, RolloutPlan } from '../../strategy/rollout-plan';
import { ApprovalTimeoutAction, EcsEngine } from '../ecs-engine';
import { SmokeTest } from '../smoke-test';
import { AlarmSource, awsTimeToDetect, requireAwsAnalysis, requireBakeCoversAlarms } from './alarms';
import { describeGate, ECS_HOOK_TIMEOUT_MAX_MINUTES, PauseGate } from './hooks';
import {
  ALARM_DELAY_ASSUMPTION, CODEDEPLOY_MAX_WAIT_MINUTES, ECS_MAX_BAKE_MINUTES, ECS_MAX_CLOUDFORMATION_DEPLOYMENT_MINUTES, ECS_MIN_LINEAR_PERCENT,
} from './limits';
// Sticky canaries, header-only previews and dark launches (src/aws/private/traffic-control.ts).
import { ecsHeaderRoute, EcsHeaderRoute, refuseEcsTrafficControl } from './traffic-control';
import { phaseSpec } from '../../strategy/private/plan-phases';

/** What the ECS native engine sets on the service. */
export interface NativeRender {
  readonly deploymentStrategy: ecs.DeploymentStrategy;
  readonly canaryConfiguration?: ecs.TrafficShiftConfig;
  readonly linearConfiguration?: ecs.TrafficShiftConfig;
  readonly bakeTime?: Duration;
  readonly minHealthyPercent: number;
  readonly maxHealthyPercent: number;
  readonly circuitBreaker: boolean;
  /** Whether the service has an alternate (green) target group. */
  readonly blueGreen: boolean;
  /** The analysis rendered as rollback alarms. */
  readonly analysis?: Analysis;
  /** A manual promotion: the PAUSE hook that holds the new version on the test route. */
  readonly manualGate?: PauseGate;
  /** A header-only preview: the route on the production listener that reaches the new version. */
  readonly headerRoute?: EcsHeaderRoute;
  /** A header-only preview: the PAUSE hook that holds the test-traffic stage for the preview. */
  readonly previewGate?: PauseGate;
  /**
   * A canary step with a manual gate: the Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT that holds the
   * final shift until the approval parameter says so (src/aws/private/canary-gate.ts).
   */
  readonly canaryGate?: CanaryGate;
  readonly plan: RolloutPlan;
}

/** The canary gate of an ECS native canary: how long it waits after the bake, and what then. */
export interface CanaryGate {
  /** How long the gate waits for an answer (whole minutes, 1 to ECS_CANARY_GATE_MAX_MINUTES). */
  readonly wait: Duration;
  /** What the gate answers when nobody approved or rejected in time. */
  readonly action: ApprovalTimeoutAction;
  /** The canary weight the gate holds at, in percent. */
  readonly weight: number;
}

/**
 * The longest wait of the canary gate, in minutes: ECS fails a Lambda hook that keeps answering
 * IN_PROGRESS for 1440 minutes, and the gate keeps 10 minutes of that for its last polls.
 */
export const ECS_CANARY_GATE_MAX_MINUTES = 1430;

/** The canary gate's default wait: within ECS's 24-hour limit of a Lambda hook. */
export const ECS_CANARY_GATE_DEFAULT_WAIT = Duration.hours(23);

/** What a CodeDeploy deployment group and configuration get. */
export interface CodeDeployRender {
  readonly trafficRouting: codedeploy.TrafficRouting;
  readonly terminationWaitTime: Duration;
  readonly approvalWaitTime?: Duration;
  readonly analysis?: Analysis;
  readonly plan: RolloutPlan;
}

const ARGO_HINT = 'Argo Rollouts (ArgoRollout) renders any number of steps';

/** Maps a strategy to the ECS native deployment configuration, or refuses what ECS cannot do exactly. */
export function renderNative(where: string, strategy: DeploymentStrategy, engine: EcsEngine, desiredCount: number,
  smokeTest: SmokeTest | undefined, testListener: boolean): NativeRender {
  const target = 'ECS native';
  refuseEcsTrafficControl(where, strategy, target, testListener, true);
  // A header-only preview (canary and linear strategies only): a test listener rule on the production
  // listener with the header condition, held by a PAUSE hook at POST_TEST_TRAFFIC_SHIFT.
  const headerRoute = strategy.headerPreview === undefined ? undefined : ecsHeaderRoute(where, strategy.headerPreview);
  const previewGate = headerRoute === undefined ? undefined : headerPreviewGate(where, engine, headerRoute);
  const gateMinutes = previewGate === undefined ? 0 : previewGate.timeout.toMinutes();
  const analysis = checkedAnalysis(where, strategy, AlarmSource.ALB_TARGET_GROUPS);
  const keep = strategy.keepPreviousVersionFor;
  const bake = () => wholeMinutes(where, 'strategy.keepPreviousVersionFor', keep, ECS_MAX_BAKE_MINUTES,
    'ECS bake time (bakeTimeInMinutes)', 'EcsEngine.codeDeploy() keeps the previous version up to 2 days');
  const base = { minHealthyPercent: 100, maxHealthyPercent: 200, circuitBreaker: false, blueGreen: true, analysis };
  if (strategy.kind !== StrategyKind.ROLLING && engine._circuitBreakerGiven && engine.circuitBreaker) {
    fail(where, 'engine.circuitBreaker', 'only applies to a rolling strategy: ECS uses the deployment circuit breaker for rolling updates only, and this strategy rolls back on alarms', 'true',
      'Remove circuitBreaker from EcsEngine.native(), or use DeploymentStrategy.rolling.');
  }
  if (strategy.kind !== StrategyKind.BLUE_GREEN) {
    const canaryGated = strategy.kind === StrategyKind.CANARY && strategy.steps.some(s => s.manualGate);
    requireNoGateOptions(where, engine, (previewGate !== undefined && headerRoute!.preview.manualGate) || canaryGated);
  }
  const preview = { headerRoute, previewGate };
  switch (strategy.kind) {
    case StrategyKind.CANARY: {
      const step = singleStep(where, strategy, target, true);
      if (!Number.isInteger(Math.round(step.weight * 1e6) / 1e5)) {
        fail(where, 'strategy.steps[0].weight', 'must be a multiple of 0.1 for ECS native canary (canaryPercent)', String(step.weight),
          `Round the weight to one decimal, for example ${Math.round(step.weight * 10) / 10}.`);
      }
      const stepBake = wholeMinutes(where, 'strategy.steps[0].bakeTime', step.bakeTime, ECS_MAX_BAKE_MINUTES, 'ECS canary bake time (canaryBakeTimeInMinutes)', 'EcsEngine.codeDeploy() has no such limit for the canary interval');
      requireBakeCoversAlarms(where, 'strategy.steps[0].bakeTime', step.bakeTime, analysis);
      const canaryBake = bake();
      // A manual gate: a Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT holds the final shift after the bake.
      const canaryGate = step.manualGate ? nativeCanaryGate(where, engine, step.weight) : undefined;
      const canaryGateMinutes = canaryGate === undefined ? 0 : canaryGate.wait.toMinutes();
      requireCloudFormationWindow(where,
        `canary bake${canaryGate ? ' + canary gate wait (approvalWaitTime)' : ''} + keepPreviousVersionFor${previewGate ? ' + header preview' : ''}`,
        stepBake.toMinutes() + canaryBake.toMinutes() + gateMinutes + canaryGateMinutes,
        `bakeTimeInMinutes + canaryBakeTimeInMinutes${canaryGate ? ' + the canary gate\'s wait' : ''}${previewGate ? ' + PAUSE hook timeout' : ''}`);
      return {
        ...base,
        ...preview,
        canaryGate,
        deploymentStrategy: ecs.DeploymentStrategy.CANARY,
        canaryConfiguration: { stepPercent: step.weight, stepBakeTime: stepBake },
        bakeTime: canaryBake,
        plan: stepsPlan(target, 'canary', strategy, analysis, smokeTest, headerRoute, previewGate, canaryGate),
      };
    }
    case StrategyKind.LINEAR: {
      const percent = strategy.linearStepPercent!;
      if (percent < ECS_MIN_LINEAR_PERCENT || !Number.isInteger(Math.round(percent * 1e6) / 1e5)) {
        fail(where, 'strategy.stepPercent', `must be at least ${ECS_MIN_LINEAR_PERCENT} and a multiple of 0.1 for ECS native linear deployments`, String(percent),
          `Use a stepPercent of ${ECS_MIN_LINEAR_PERCENT} or more with one decimal at most, or EcsEngine.codeDeploy() (whole percentages from 1), or ${ARGO_HINT}.`);
      }
      const interval = wholeMinutes(where, 'strategy.interval', strategy.linearInterval!, ECS_MAX_BAKE_MINUTES, 'ECS linear step bake time (stepBakeTimeInMinutes)', 'EcsEngine.codeDeploy() has no such limit for the linear interval');
      requireBakeCoversAlarms(where, 'strategy.interval', strategy.linearInterval!, analysis);
      const linearBake = bake();
      requireCloudFormationWindow(where, `interval × ${strategy.steps.length} steps + keepPreviousVersionFor${previewGate ? ' + header preview' : ''}`,
        interval.toMinutes() * strategy.steps.length + linearBake.toMinutes() + gateMinutes,
        `bakeTimeInMinutes + stepBakeTimeInMinutes × steps${previewGate ? ' + PAUSE hook timeout' : ''}`);
      return {
        ...base,
        ...preview,
        deploymentStrategy: ecs.DeploymentStrategy.LINEAR,
        linearConfiguration: { stepPercent: percent, stepBakeTime: interval },
        bakeTime: linearBake,
        plan: stepsPlan(target, 'linear', strategy, analysis, smokeTest, headerRoute, previewGate),
      };
    }
    case StrategyKind.BLUE_GREEN: {
      const promotion = strategy.promotion!;
      requireNoPromotionWait(where, strategy, 'ECS native');
      if (analysis !== undefined) {
        requireBakeCoversAlarms(where, 'strategy.keepPreviousVersionFor', keep, analysis);
      }
      const warmUp = strategy.warmUp;
      if (warmUp !== undefined) {
        // The warm-up is an ECS canary: the trickle for the warm-up's duration, then 100%; the test-traffic hooks
        // (smoke test) still run before it, and the deployment alarms judge it.
        if (!Number.isInteger(Math.round(warmUp.percent * 1e6) / 1e5)) {
          fail(where, 'strategy.warmUp.percent', 'must be a multiple of 0.1 for ECS native (canaryPercent)', String(warmUp.percent),
            `Round the warm-up percent to one decimal, for example ${Math.max(0.1, Math.round(warmUp.percent * 10) / 10)}.`);
        }
        if (promotion.isManual) {
          fail(where, 'strategy.warmUp', 'cannot be combined with Promotion.manual() on ECS native: the warm-up is an ECS canary, and a pause before it is not rendered', 'a warm-up with a manual promotion',
            'Remove the warm-up, or promote automatically (the warm-up is judged by the alarms), or use EcsEngine.codeDeploy().');
        }
        requireNoGateOptions(where, engine, false);
        const warmBake = wholeMinutes(where, 'strategy.warmUp.duration', warmUp.duration, ECS_MAX_BAKE_MINUTES, 'ECS canary bake time (canaryBakeTimeInMinutes)', 'EcsEngine.codeDeploy() has no such limit for the canary interval');
        requireBakeCoversAlarms(where, 'strategy.warmUp.duration', warmUp.duration, analysis);
        const keepBake = bake();
        requireCloudFormationWindow(where, 'warm-up + keepPreviousVersionFor', warmBake.toMinutes() + keepBake.toMinutes(), 'bakeTimeInMinutes + canaryBakeTimeInMinutes');
        return {
          ...base,
          deploymentStrategy: ecs.DeploymentStrategy.CANARY,
          canaryConfiguration: { stepPercent: warmUp.percent, stepBakeTime: warmBake },
          bakeTime: keepBake,
          plan: switchPlan(target, 'blue-green', strategy, analysis, smokeTest, testListener, false),
        };
      }
      const blueGreenBake = bake();
      // A manual promotion is an ECS PAUSE hook once the new version serves the test route.
      const manualGate = promotion.isManual ? nativeGate(where, engine, blueGreenBake) : undefined;
      requireNoGateOptions(where, engine, manualGate !== undefined);
      const blueGreenPlan = switchPlan(target, 'blue-green', strategy, analysis, smokeTest, testListener, manualGate !== undefined, manualGate?.timeout);
      return {
        ...base,
        deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
        bakeTime: blueGreenBake,
        manualGate,
        plan: manualGate === undefined ? blueGreenPlan : gatePlan(blueGreenPlan, manualGate),
      };
    }
    case StrategyKind.ALL_AT_ONCE:
      if (analysis !== undefined) {
        requireBakeCoversAlarms(where, 'strategy.keepPreviousVersionFor', keep, analysis);
      }
      return {
        ...base,
        deploymentStrategy: ecs.DeploymentStrategy.BLUE_GREEN,
        bakeTime: bake(),
        plan: switchPlan(target, 'all-at-once', strategy, analysis, smokeTest, testListener, false),
      };
    case StrategyKind.ROLLING: {
      if (smokeTest !== undefined) {
        fail(where, 'smokeTest', 'needs a test listener, which a rolling deployment does not have', smokeTest.describe(),
          'Remove smokeTest, or use a blue/green, canary or linear strategy.');
      }
      const expected = analysis === undefined ? 0 : analysis.timeToDetect.toSeconds();
      if (strategy.rollingBakeTime!.toSeconds() !== expected) {
        fail(where, 'strategy.bakeTime', `cannot be set with the ECS native rolling strategy: ECS derives how long it watches the alarms after the last task from the alarm configuration (${formatDuration(Duration.seconds(expected))} here)`,
          formatDuration(strategy.rollingBakeTime!), 'Leave bakeTime unset, or use a blue/green strategy whose keepPreviousVersionFor sets the bake time.');
      }
      for (const [field, capacity] of [['strategy.maxSurge', strategy.maxSurge!], ['strategy.maxUnavailable', strategy.maxUnavailable!]] as const) {
        if (!capacity.isPercent && capacity.value > desiredCount) {
          fail(where, field, `must be at most the desired count (${desiredCount} tasks)`, `Capacity.count(${capacity.value})`,
            `Pass Capacity.count(${desiredCount}) or less, or a percentage with Capacity.percent(n).`);
        }
      }
      const surge = strategy.maxSurge!.toPercentOf(desiredCount, 'maxSurge');
      const unavailable = strategy.maxUnavailable!.toPercentOf(desiredCount, 'maxUnavailable');
      return {
        ...base,
        deploymentStrategy: ecs.DeploymentStrategy.ROLLING,
        minHealthyPercent: 100 - unavailable,
        maxHealthyPercent: 100 + surge,
        circuitBreaker: engine.circuitBreaker,
        blueGreen: false,
        plan: rollingPlan(target, strategy, analysis, engine.circuitBreaker),
      };
    }
  }
  /* istanbul ignore next */
  throw new Error(`unknown strategy kind ${strategy.kind}`);
}

/**
 * Maps a strategy to a CodeDeploy ECS deployment configuration, or refuses what CodeDeploy cannot do
 * exactly (Lambda aliases have their own renderer, render-lambda.ts). `testListener`: whether the
 * ECS service has a test listener.
 */
export function renderCodeDeploy(where: string, strategy: DeploymentStrategy, engine: EcsEngine, target: string,
  smokeTest: SmokeTest | undefined, testListener: boolean): CodeDeployRender {
  refuseEcsTrafficControl(where, strategy, target, testListener, false);
  const analysis = checkedAnalysis(where, strategy, AlarmSource.ALB_TARGET_GROUPS);
  const keep = strategy.keepPreviousVersionFor;
  const termination = () => wholeMinutes(where, 'strategy.keepPreviousVersionFor', keep, CODEDEPLOY_MAX_WAIT_MINUTES, 'CodeDeploy termination wait', 'keep the previous version for 2 days or less');
  if (engine.approvalWaitTime !== undefined && !(strategy.kind === StrategyKind.BLUE_GREEN && strategy.promotion!.isManual)) {
    fail(where, 'engine.approvalWaitTime', 'is only used with a blue/green strategy and Promotion.manual()', formatDuration(engine.approvalWaitTime),
      'Remove approvalWaitTime, or use DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }).');
  }
  switch (strategy.kind) {
    case StrategyKind.CANARY: {
      const step = singleStep(where, strategy, target);
      const percentage = wholePercent(where, 'strategy.steps[0].weight', step.weight);
      const interval = wholeMinutes(where, 'strategy.steps[0].bakeTime', step.bakeTime, undefined, 'CodeDeploy canary interval', '');
      requireBakeCoversAlarms(where, 'strategy.steps[0].bakeTime', step.bakeTime, analysis);
      return {
        trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ percentage, interval }),
        terminationWaitTime: termination(),
        analysis,
        plan: stepsPlan(target, 'canary', strategy, analysis, smokeTest),
      };
    }
    case StrategyKind.LINEAR: {
      const percentage = wholePercent(where, 'strategy.stepPercent', strategy.linearStepPercent!);
      const interval = wholeMinutes(where, 'strategy.interval', strategy.linearInterval!, undefined, 'CodeDeploy linear interval', '');
      requireBakeCoversAlarms(where, 'strategy.interval', strategy.linearInterval!, analysis);
      return {
        trafficRouting: codedeploy.TrafficRouting.timeBasedLinear({ percentage, interval }),
        terminationWaitTime: termination(),
        analysis,
        plan: stepsPlan(target, 'linear', strategy, analysis, smokeTest),
      };
    }
    case StrategyKind.BLUE_GREEN: {
      requireNoPromotionWait(where, strategy, 'CodeDeploy');
      const manual = strategy.promotion!.isManual;
      const approvalWaitTime = manual
        ? wholeMinutes(where, 'engine.approvalWaitTime', engine.approvalWaitTime ?? Duration.hours(24), CODEDEPLOY_MAX_WAIT_MINUTES, 'CodeDeploy approval wait', 'approve within 2 days')
        : undefined;
      if (analysis !== undefined) {
        requireBakeCoversAlarms(where, 'strategy.keepPreviousVersionFor', keep, analysis);
      }
      const warmUp = strategy.warmUp;
      let trafficRouting = codedeploy.TrafficRouting.allAtOnce();
      if (warmUp !== undefined) {
        // The warm-up is a CodeDeploy canary: the trickle for the warm-up's duration, then the rest at once.
        const percentage = wholePercent(where, 'strategy.warmUp.percent', warmUp.percent);
        const interval = wholeMinutes(where, 'strategy.warmUp.duration', warmUp.duration, undefined, 'CodeDeploy canary interval', '');
        requireBakeCoversAlarms(where, 'strategy.warmUp.duration', warmUp.duration, analysis);
        trafficRouting = codedeploy.TrafficRouting.timeBasedCanary({ percentage, interval });
      }
      return {
        trafficRouting,
        terminationWaitTime: termination(),
        approvalWaitTime,
        analysis,
        plan: switchPlan(target, 'blue-green', strategy, analysis, smokeTest, testListener, manual, approvalWaitTime),
      };
    }
    case StrategyKind.ALL_AT_ONCE:
      if (analysis !== undefined) {
        requireBakeCoversAlarms(where, 'strategy.keepPreviousVersionFor', keep, analysis);
      }
      return {
        trafficRouting: codedeploy.TrafficRouting.allAtOnce(),
        terminationWaitTime: termination(),
        analysis,
        plan: switchPlan(target, 'all-at-once', strategy, analysis, smokeTest, testListener, false),
      };
    case StrategyKind.ROLLING:
      fail(where, 'strategy', `cannot be rolling with ${target}: CodeDeploy shifts traffic between two versions and never replaces instances in place`, 'DeploymentStrategy.rolling',
        'Use EcsEngine.native() for a rolling deployment, or a blue/green, canary or linear strategy.');
  }
  /* istanbul ignore next */
  throw new Error(`unknown strategy kind ${strategy.kind}`);
}

export function checkedAnalysis(where: string, strategy: DeploymentStrategy, source: AlarmSource): Analysis | undefined {
  const preview = strategy.previewAnalysis;
  if (preview !== undefined && !preview.isNone) {
    fail(where, 'strategy.previewAnalysis', 'cannot be measured on AWS: rollback alarms watch production traffic, and the preview only receives test traffic', preview.describe(),
      'Check the preview with smokeTest: SmokeTest.http({ path }) and move the checks to postPromotionAnalysis.');
  }
  const analysis = strategy.analysis;
  if (analysis === undefined || analysis.isNone) {
    return undefined;
  }
  requireAwsAnalysis(where, 'strategy.analysis', analysis, source);
  return analysis;
}

/**
 * The one step of a canary on AWS. `gateable`: the target renders a manual gate on the step (ECS
 * native, with a Lambda hook); elsewhere a manual gate is refused.
 */
export function singleStep(where: string, strategy: DeploymentStrategy, target: string, gateable = false) {
  if (strategy.steps.length !== 1) {
    fail(where, 'strategy.steps', `must contain exactly one step for ${target}, which shifts to one canary percentage and then to 100%`,
      `${strategy.steps.length} steps (${strategy.steps.map(s => `${s.weight}%`).join(', ')})`,
      `Keep one CanaryStep, use DeploymentStrategy.linear for equal steps, or ${ARGO_HINT}.`);
  }
  const step = strategy.steps[0];
  if (step.manualGate && !gateable) {
    fail(where, 'strategy.steps[0]', `cannot wait for a manual approval with ${target}: traffic shifts on a timer`, 'CanaryStep.withManualGate',
      'Use CanaryStep.of, or, on an ECS service, DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), which holds the new version on the test route until approved (either engine).');
  }
  return step;
}

/** The PAUSE hook of a manual promotion on ECS native, within ECS's hook timeout and the CloudFormation window. */
function nativeGate(where: string, engine: EcsEngine, bakeTime: Duration): PauseGate {
  const timeout = wholeMinutes(where, 'engine.approvalWaitTime', engine.approvalWaitTime ?? Duration.hours(24), ECS_HOOK_TIMEOUT_MAX_MINUTES,
    'ECS PAUSE hook timeout (timeoutInMinutes)', '');
  if (timeout.toMinutes() < 1) {
    fail(where, 'engine.approvalWaitTime', 'must be at least 1 minute (the ECS PAUSE hook timeout)', formatDuration(timeout), 'Use Duration.minutes(1) or more.');
  }
  requireCloudFormationWindow(where, 'approvalWaitTime + keepPreviousVersionFor', timeout.toMinutes() + bakeTime.toMinutes(),
    'PAUSE hook timeout + bakeTimeInMinutes');
  return { stage: 'POST_TEST_TRAFFIC_SHIFT', timeout, action: engine.approvalTimeoutAction ?? ApprovalTimeoutAction.ROLLBACK };
}

/**
 * The canary gate of `CanaryStep.withManualGate` on ECS native: waits `approvalWaitTime` (23 hours by
 * default) after the bake, in whole minutes within ECS's limit of a Lambda hook answering IN_PROGRESS.
 */
function nativeCanaryGate(where: string, engine: EcsEngine, weight: number): CanaryGate {
  // Positive (EcsEngine.native checks it) and whole minutes: at least 1 minute.
  const wait = wholeMinutes(where, 'engine.approvalWaitTime', engine.approvalWaitTime ?? ECS_CANARY_GATE_DEFAULT_WAIT, ECS_CANARY_GATE_MAX_MINUTES,
    'canary gate\'s wait (an ECS Lambda hook fails after 1440 minutes of IN_PROGRESS, and the gate keeps 10 minutes for its last polls)',
    'DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), whose PAUSE hook waits up to 14 days');
  return { wait, action: engine.approvalTimeoutAction ?? ApprovalTimeoutAction.ROLLBACK, weight };
}

/** How the canary gate reads in the plan and the runbook. */
export function describeCanaryGate(gate: CanaryGate): string {
  return gate.action === ApprovalTimeoutAction.ROLLBACK
    ? `rolls back unless approved within ${formatDuration(gate.wait)}`
    : `continues by itself after ${formatDuration(gate.wait)} unless rejected`;
}

/**
 * The PAUSE hook of a header-only preview on ECS native, at POST_TEST_TRAFFIC_SHIFT (the header route
 * reaches the new version, no production traffic yet): the preview's duration with CONTINUE; with
 * `manualGate`, the duration plus the approval wait, with the engine's timeout action (ROLLBACK by
 * default), as a manual promotion does. Either can be answered early with ContinueServiceDeployment.
 */
function headerPreviewGate(where: string, engine: EcsEngine, route: EcsHeaderRoute): PauseGate {
  const stage = 'POST_TEST_TRAFFIC_SHIFT';
  const duration = wholeMinutes(where, 'strategy.headerPreview.duration', route.preview.duration, ECS_HOOK_TIMEOUT_MAX_MINUTES, 'ECS PAUSE hook timeout (timeoutInMinutes) that holds the preview', '');
  if (!route.preview.manualGate) {
    return { stage, timeout: duration, action: ApprovalTimeoutAction.CONTINUE };
  }
  // Positive (EcsEngine.native checks it) and whole minutes: at least 1 minute, as ECS requires.
  const wait = wholeMinutes(where, 'engine.approvalWaitTime', engine.approvalWaitTime ?? Duration.hours(24), ECS_HOOK_TIMEOUT_MAX_MINUTES, 'ECS PAUSE hook timeout (timeoutInMinutes)', '');
  const total = duration.toMinutes() + wait.toMinutes();
  if (total > ECS_HOOK_TIMEOUT_MAX_MINUTES) {
    fail(where, 'strategy.headerPreview.duration + engine.approvalWaitTime', `must add up to at most ${ECS_HOOK_TIMEOUT_MAX_MINUTES} minutes (${formatDuration(Duration.minutes(ECS_HOOK_TIMEOUT_MAX_MINUTES))}): one ECS PAUSE hook holds the preview and then waits for the approval, and its timeout is limited to that`,
      formatDuration(Duration.minutes(total)), 'Shorten the preview or the approval wait.');
  }
  return { stage, timeout: Duration.minutes(total), action: engine.approvalTimeoutAction ?? ApprovalTimeoutAction.ROLLBACK };
}

/** Refuses the manual-gate options of EcsEngine.native() where there is no manual gate. */
function requireNoGateOptions(where: string, engine: EcsEngine, gate: boolean): void {
  if (gate) return;
  const problem = 'is only used with a manual gate: a blue/green strategy with Promotion.manual(), a headerPreview with manualGate, or a CanaryStep.withManualGate';
  const fix = 'Remove it, or use DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), HeaderPreview.of({ ..., manualGate: true }) or CanaryStep.withManualGate(weight, bakeTime).';
  if (engine.approvalWaitTime !== undefined) {
    fail(where, 'engine.approvalWaitTime', problem, formatDuration(engine.approvalWaitTime), fix);
  }
  if (engine.approvalTimeoutAction !== undefined) {
    fail(where, 'engine.approvalTimeoutAction', problem, `ApprovalTimeoutAction.${engine.approvalTimeoutAction}`, fix);
  }
}

/** The plan of an ECS native manual promotion: the preview phase's note says what the timeout does. */
function gatePlan(plan: RolloutPlan, gate: PauseGate): RolloutPlan {
  const phases: PlanPhaseSpec[] = plan.phases.map(p => ({
    ...phaseSpec(p),
    note: !p.manualGate ? p.note
      : (p.note ?? '').replace(`stops unless approved within ${formatDuration(gate.timeout)}`, `paused (ECS PAUSE hook at ${gate.stage}); ${describeGate(gate)}`),
  }));
  return RolloutPlan.fromPhases({
    target: plan.target,
    strategy: plan.strategy,
    phases,
    notes: [...plan.notes, 'The CloudFormation update that starts the deployment waits while it is paused: continue or roll it back '
      + '(aws ecs continue-service-deployment, see the runbook) before the wait ends.'],
  });
}

function requireNoPromotionWait(where: string, strategy: DeploymentStrategy, target: string): void {
  const wait = strategy.promotion!.wait;
  if (!strategy.promotion!.isManual && wait.toSeconds() > 0) {
    fail(where, 'strategy.promotion', `cannot hold the preview for a fixed time with ${target}: production traffic switches as soon as the preview hooks pass`,
      `Promotion.automatic(${formatDuration(wait)})`, 'Use Promotion.automatic(Duration.seconds(0)) with a smokeTest, or Promotion.manual() with EcsEngine.codeDeploy().');
  }
}

function requireCloudFormationWindow(where: string, field: string, minutes: number, formula: string): void {
  if (minutes > ECS_MAX_CLOUDFORMATION_DEPLOYMENT_MINUTES) {
    fail(where, `strategy (${field})`, `must add up to at most 33 hours: CloudFormation rejects an ECS deployment whose ${formula} exceeds 33 hours, because its operations time out after 36`,
      formatDuration(Duration.minutes(minutes)), 'Shorten the bakes, use fewer steps, or use EcsEngine.codeDeploy(), whose deployments do not run inside a CloudFormation operation.');
  }
}

export function wholeMinutes(where: string, field: string, d: Duration, max: number | undefined, what: string, alternative: string): Duration {
  const seconds = d.toSeconds();
  if (seconds % 60 !== 0) {
    fail(where, field, `must be a whole number of minutes: it becomes the ${what}`, formatDuration(d), `Use Duration.minutes(${Math.ceil(seconds / 60)}).`);
  }
  if (max !== undefined && seconds / 60 > max) {
    fail(where, field, `must be at most ${max} minutes (${formatDuration(Duration.minutes(max))}), the limit of the ${what}`, formatDuration(d),
      `Shorten it${alternative ? `, or: ${alternative}` : ''}.`);
  }
  return Duration.minutes(seconds / 60);
}

export function wholePercent(where: string, field: string, value: number): number {
  if (!Number.isInteger(value)) {
    fail(where, field, 'must be a whole percentage for CodeDeploy', String(value),
      `Use ${Math.round(value) || 1}; EcsEngine.native() accepts multiples of 0.1, and ${ARGO_HINT} with any weight.`);
  }
  return value;
}

function judged(analysis: Analysis | undefined): Partial<PlanPhaseSpec> {
  return analysis === undefined ? {} : { checks: analysis.checkNames, timeToDetect: awsTimeToDetect(analysis) };
}

function judgedWithin(analysis: Analysis | undefined, window: Duration): Partial<PlanPhaseSpec> {
  return analysis === undefined || window.toSeconds() < awsTimeToDetect(analysis).toSeconds() ? {} : judged(analysis);
}

function notes(strategy: DeploymentStrategy, analysis: Analysis | undefined): string[] {
  const out: string[] = [];
  if (analysis !== undefined) {
    out.push(`Detection times include the alarm delay: ${ALARM_DELAY_ASSUMPTION}.`);
  }
  for (const a of [strategy.analysis, strategy.previewAnalysis]) {
    if (a?.isNone) out.push(`No automated analysis: ${a.noneReason}.`);
  }
  const tooLittle = analysis?.describeTooLittleData();
  if (tooLittle !== undefined) out.push(tooLittle);
  return out;
}

function previewPhase(smokeTest: SmokeTest | undefined): PlanPhaseSpec[] {
  return smokeTest === undefined ? [] : [{ name: 'Test traffic only', trafficPercent: 0, duration: smokeTest.deadline ?? Duration.seconds(0), note: smokeTest.describe() }];
}

/**
 * The header-only preview's phase on ECS native: no users, requests with the header reach the new
 * version on the production listener while the PAUSE hook holds the test-traffic stage (the smoke
 * test, if any, runs then, through the same route).
 */
function headerPreviewPhase(route: EcsHeaderRoute, gate: PauseGate, smokeTest: SmokeTest | undefined): PlanPhaseSpec {
  return {
    name: `Header-only preview (${route.preview.match.describe()})`,
    trafficPercent: 0,
    duration: route.preview.duration,
    manualGate: route.preview.manualGate,
    note: [
      `no users; only requests with ${route.describe} reach the new version, on the production listener`,
      smokeTest?._describeVia(`on the production listener with ${route.headerName}: ${route.sampleValue}`),
      `ECS PAUSE hook at ${gate.stage}: ${route.preview.manualGate ? 'waits for approval after the preview and ' : ''}${describeGate(gate)}`,
    ].filter(Boolean).join('; '),
  };
}

function stepsPlan(target: string, kind: string, strategy: DeploymentStrategy, analysis: Analysis | undefined,
  smokeTest: SmokeTest | undefined, headerRoute?: EcsHeaderRoute, previewGate?: PauseGate, canaryGate?: CanaryGate): RolloutPlan {
  const phases: PlanPhaseSpec[] = headerRoute !== undefined
    ? [headerPreviewPhase(headerRoute, previewGate!, smokeTest)] : [...previewPhase(smokeTest)];
  strategy.steps.forEach((s, i) => phases.push({
    name: `Step ${i + 1}`,
    trafficPercent: s.weight,
    duration: s.bakeTime,
    ...judged(analysis),
    ...(canaryGate === undefined ? {} : {
      manualGate: true,
      note: 'holds after its bake for an approval (Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT, approved through the approval parameter, '
        + `rollback alarms still judged); ${describeCanaryGate(canaryGate)}`,
    }),
  }));
  phases.push({ name: 'Full traffic, previous version kept', trafficPercent: 100, duration: strategy.keepPreviousVersionFor, ...judgedWithin(analysis, strategy.keepPreviousVersionFor) });
  const extra = previewGate === undefined ? [] : ['The CloudFormation update that starts the deployment waits while the header-only preview holds it: '
    + 'continue or roll it back early with aws ecs continue-service-deployment (see the runbook).'];
  if (canaryGate !== undefined) {
    extra.push('The CloudFormation update that starts the deployment waits while the canary gate holds: approve or reject the canary '
      + '(aws ssm put-parameter on the approval parameter, see the runbook) before the wait ends.');
  }
  return RolloutPlan.fromPhases({ target, strategy: kind, phases, notes: [...notes(strategy, analysis), ...extra] });
}

function switchPlan(target: string, kind: string, strategy: DeploymentStrategy, analysis: Analysis | undefined, smokeTest: SmokeTest | undefined,
  testListener: boolean, manual: boolean, approvalWait?: Duration): RolloutPlan {
  const phases: PlanPhaseSpec[] = [];
  // A blue/green preview is something to look at only through the test listener; a manual gate waits with or without one.
  if (smokeTest !== undefined || manual || (kind === 'blue-green' && testListener)) {
    phases.push({
      name: testListener ? 'Preview (test listener only)' : 'Preview (no traffic, no test listener)',
      trafficPercent: 0,
      duration: smokeTest?.deadline ?? Duration.seconds(0),
      manualGate: manual,
      note: [
        smokeTest?.describe(),
        manual ? `stops unless approved within ${formatDuration(approvalWait!)}` : undefined,
        manual && !testListener ? 'set testTrafficFrom to reach the new version on a test listener before approving' : undefined,
      ].filter(Boolean).join('; ') || undefined,
    });
  }
  if (strategy.warmUp !== undefined) {
    phases.push({ name: 'Warm-up before the switch (canary)', trafficPercent: strategy.warmUp.percent, duration: strategy.warmUp.duration, ...judged(analysis) });
  }
  phases.push({ name: 'Full traffic, previous version kept', trafficPercent: 100, duration: strategy.keepPreviousVersionFor, ...judgedWithin(analysis, strategy.keepPreviousVersionFor) });
  return RolloutPlan.fromPhases({ target, strategy: kind, phases, notes: notes(strategy, analysis) });
}

function rollingPlan(target: string, strategy: DeploymentStrategy, analysis: Analysis | undefined, circuitBreaker: boolean): RolloutPlan {
  const extra = ['The time to replace the tasks depends on their start-up time and is not included.'];
  if (circuitBreaker) extra.push('The deployment circuit breaker rolls back when new tasks keep failing to start.');
  return RolloutPlan.fromPhases({
    target,
    strategy: 'rolling',
    phases: [{
      name: `Rolling replacement (max surge ${strategy.maxSurge}, max unavailable ${strategy.maxUnavailable}), then alarms watched`,
      trafficPercent: 100,
      duration: analysis === undefined ? Duration.seconds(0) : awsTimeToDetect(analysis),
      ...judged(analysis),
    }],
    notes: [...notes(strategy, analysis), ...extra],
  });
}
