import { Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import { AlarmSource, awsTimeToDetect, requireBakeCoversAlarms } from './alarms';
import { ALARM_DELAY_ASSUMPTION, CODEDEPLOY_HOOK_REPORT_MINUTES, LAMBDA_MAX_KEEP_MINUTES } from './limits';
import { checkedAnalysis, singleStep, wholeMinutes, wholePercent } from './render';
// Sticky canaries, header-only previews and dark launches (src/aws/private/traffic-control.ts).
import { refuseLambdaTrafficControl } from './traffic-control';
import { toMillis } from '../../private/duration';
import { fail, formatDuration } from '../../private/validate';
import { Analysis } from '../../strategy/analysis';
import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import { PlanPhaseSpec, RolloutPlan } from '../../strategy/rollout-plan';
import { SmokeTest } from '../smoke-test';

/** What the Lambda deployment group, its configuration and its hooks get. */
export interface LambdaRender {
  readonly trafficRouting: codedeploy.TrafficRouting;
  readonly analysis?: Analysis;
  /** How long the keep-window hook holds the deployment open; undefined for none. */
  readonly keepWindow?: Duration;
  readonly plan: RolloutPlan;
}

/** The hooks the alias is declared with, as far as the plan needs them. */
export interface LambdaHooks {
  /** The pre-traffic check: `SmokeTest.invoke` or `SmokeTest.lambda`, or the user's `preTrafficHook` as `SmokeTest.lambda`. */
  readonly preTraffic?: SmokeTest;
  /** The user's post-traffic function. */
  readonly postTraffic?: SmokeTest;
}

const TARGET = 'Lambda CodeDeploy';

/**
 * Maps a strategy to CodeDeploy's Lambda deployment configuration and the keep-window hook, or
 * refuses what it cannot do exactly.
 */
export function renderLambda(where: string, strategy: DeploymentStrategy, hooks: LambdaHooks): LambdaRender {
  refuseLambdaTrafficControl(where, strategy, TARGET);
  const analysis = checkedAnalysis(where, strategy, AlarmSource.LAMBDA_VERSION);
  const keepWindow = keepWindowOf(where, strategy, hooks);
  switch (strategy.kind) {
    case StrategyKind.CANARY: {
      const step = singleStep(where, strategy, TARGET);
      const percentage = wholePercent(where, 'strategy.steps[0].weight', step.weight);
      const interval = wholeMinutes(where, 'strategy.steps[0].bakeTime', step.bakeTime, undefined, 'CodeDeploy canary interval', '');
      requireBakeCoversAlarms(where, 'strategy.steps[0].bakeTime', step.bakeTime, analysis);
      return { trafficRouting: codedeploy.TrafficRouting.timeBasedCanary({ percentage, interval }), analysis, keepWindow, plan: plan('canary', strategy, analysis, hooks, keepWindow) };
    }
    case StrategyKind.LINEAR: {
      const percentage = wholePercent(where, 'strategy.stepPercent', strategy.linearStepPercent!);
      const interval = wholeMinutes(where, 'strategy.interval', strategy.linearInterval!, undefined, 'CodeDeploy linear interval', '');
      requireBakeCoversAlarms(where, 'strategy.interval', strategy.linearInterval!, analysis);
      return { trafficRouting: codedeploy.TrafficRouting.timeBasedLinear({ percentage, interval }), analysis, keepWindow, plan: plan('linear', strategy, analysis, hooks, keepWindow) };
    }
    case StrategyKind.ALL_AT_ONCE:
      if (analysis !== undefined) {
        if (keepWindow === undefined) {
          fail(where, 'strategy.analysis', 'cannot judge a Lambda all-at-once deployment whose keepPreviousVersionFor is 0: CodeDeploy ends it at the switch, before any alarm can fire',
            analysis.describe(), `Set keepPreviousVersionFor to ${formatDuration(awsTimeToDetect(analysis))} or more (the keep-window hook holds the deployment while the alarms judge the new version), use DeploymentStrategy.canary or .linear, or remove the analysis.`);
        }
        requireBakeCoversAlarms(where, 'strategy.keepPreviousVersionFor', keepWindow, analysis);
      }
      return { trafficRouting: codedeploy.TrafficRouting.allAtOnce(), analysis, keepWindow, plan: plan('all-at-once', strategy, analysis, hooks, keepWindow) };
    case StrategyKind.BLUE_GREEN:
      if (strategy.warmUp !== undefined) {
        fail(where, 'strategy', 'cannot be blue/green for a Lambda alias, even with a warm-up: an alias has no preview route', `DeploymentStrategy.blueGreen with WarmUp.of(${strategy.warmUp.percent}, ...)`,
          'A warm-up without a preview is a canary: declare DeploymentStrategy.canary with one CanaryStep at the warm-up percentage (a CodeDeploy TimeBasedCanary), and check the new version before traffic with smokeTest: SmokeTest.invoke({ payload }).');
      }
      fail(where, 'strategy', 'cannot be blue/green for a Lambda alias: an alias has no preview route', 'DeploymentStrategy.blueGreen',
        'Use DeploymentStrategy.canary, .linear or .allAtOnce; check the new version before traffic with smokeTest: SmokeTest.invoke({ payload }).');
    case StrategyKind.ROLLING:
      fail(where, 'strategy', `cannot be rolling with ${TARGET}: CodeDeploy shifts traffic between two versions and never replaces instances in place`, 'DeploymentStrategy.rolling',
        'Use DeploymentStrategy.canary, .linear or .allAtOnce.');
  }
  /* istanbul ignore next */
  throw new Error(`unknown strategy kind ${strategy.kind}`);
}

/**
 * The keep window as the AfterAllowTraffic hook holds it: refused when the hook cannot report in
 * time, or when the user's own post-traffic hook takes the only AfterAllowTraffic slot.
 */
function keepWindowOf(where: string, strategy: DeploymentStrategy, hooks: LambdaHooks): Duration | undefined {
  const keep = strategy.keepPreviousVersionFor;
  if (toMillis(keep) === 0) {
    return undefined;
  }
  if (toMillis(keep) > LAMBDA_MAX_KEEP_MINUTES * 60_000) {
    fail(where, 'strategy.keepPreviousVersionFor', `must be at most ${LAMBDA_MAX_KEEP_MINUTES} minutes for a Lambda alias: the AfterAllowTraffic hook that keeps the deployment open must report to CodeDeploy within ${CODEDEPLOY_HOOK_REPORT_MINUTES} minutes of its start, and ${CODEDEPLOY_HOOK_REPORT_MINUTES - LAMBDA_MAX_KEEP_MINUTES} are kept for its last alarm check and report`,
      formatDuration(keep), `Shorten it to ${LAMBDA_MAX_KEEP_MINUTES} minutes or less, or set it to Duration.seconds(0): the deployment then ends at the switch and the previous version stays published for a manual rollback.`);
  }
  if (hooks.postTraffic !== undefined) {
    fail(where, 'postTrafficHook', `cannot be set while strategy.keepPreviousVersionFor (${formatDuration(keep)}) holds the deployment open: CodeDeploy runs one AfterAllowTraffic hook, and the keep window uses it`,
      hooks.postTraffic.function!.node.path, 'Set keepPreviousVersionFor: Duration.seconds(0) on the strategy to run your own post-traffic hook, or remove postTrafficHook and let the rollback alarms judge the new version during the keep window.');
  }
  return keep;
}

function plan(kind: string, strategy: DeploymentStrategy, analysis: Analysis | undefined, hooks: LambdaHooks,
  keepWindow: Duration | undefined): RolloutPlan {
  const phases: PlanPhaseSpec[] = [];
  if (hooks.preTraffic !== undefined) {
    phases.push({ name: 'Before traffic (BeforeAllowTraffic hook)', trafficPercent: 0, duration: hooks.preTraffic.deadline ?? Duration.seconds(0), note: hooks.preTraffic.describe() });
  }
  strategy.steps.forEach((s, i) => phases.push({ name: `Step ${i + 1}`, trafficPercent: s.weight, duration: s.bakeTime, ...judged(analysis) }));
  const notes: string[] = [];
  if (analysis !== undefined) {
    notes.push(`Detection times include the alarm delay: ${ALARM_DELAY_ASSUMPTION}.`);
  }
  for (const a of [strategy.analysis, strategy.previewAnalysis]) {
    if (a?.isNone) notes.push(`No automated analysis: ${a.noneReason}.`);
  }
  const tooLittle = analysis?.describeTooLittleData();
  if (tooLittle !== undefined) notes.push(tooLittle);
  if (keepWindow !== undefined) {
    const detected = analysis !== undefined && toMillis(keepWindow) >= toMillis(awsTimeToDetect(analysis));
    phases.push({
      name: 'Full traffic, previous version kept',
      trafficPercent: 100,
      duration: keepWindow,
      ...(detected ? judged(analysis) : {}),
      note: analysis === undefined
        ? 'the AfterAllowTraffic hook holds the deployment open; stopping it rolls the alias back'
        : detected
          ? 'the AfterAllowTraffic hook holds the deployment open while the rollback alarms judge the new version; an alarm rolls the alias back'
          : `the AfterAllowTraffic hook holds the deployment open, but for less than the ${formatDuration(awsTimeToDetect(analysis))} the alarms need to fire: a failure that starts now may not be caught before the deployment ends`,
    });
    notes.push('After the keep window the deployment succeeds; the previous version stays published for a manual rollback.');
  } else {
    const post = hooks.postTraffic;
    phases.push({
      name: post ? 'Full traffic (AfterAllowTraffic hook)' : 'Full traffic',
      trafficPercent: 100,
      duration: post?.deadline ?? Duration.seconds(0),
      note: post ? `your post-traffic function${post.deadline ? `, at most its timeout of ${formatDuration(post.deadline)}` : ' (CodeDeploy waits up to 1 hour for its report)'}; a Failed report rolls the alias back` : 'keepPreviousVersionFor is 0: the deployment ends when the alias points to the new version',
    });
    notes.push('CodeDeploy stops watching the alarms once the deployment ends; the previous version stays published for a manual rollback.');
  }
  return RolloutPlan.fromPhases({ target: TARGET, strategy: kind, phases, notes });
}

function judged(analysis: Analysis | undefined): Partial<PlanPhaseSpec> {
  return analysis === undefined ? {} : { checks: analysis.checkNames, timeToDetect: awsTimeToDetect(analysis) };
}
