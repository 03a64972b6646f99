import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import { PlanPhaseSpec, RolloutPlan } from '../../strategy/rollout-plan';
import { ArgoSmokeTest } from '../smoke-test';
import { TrafficRouterKind, TrafficRouting } from '../traffic-routing';
import { seconds } from './durations';
import { ARGO_SCALE_DOWN_DELAY_SECONDS } from './render';
import { isBlueGreenOnRouter } from './traffic-steps';

/** What the plan of an ArgoRollout is made from: the validated declaration and what its rendering reported. */
export interface ArgoPlanInputs {
  readonly strategy: DeploymentStrategy;
  readonly router: TrafficRouting;
  readonly smokeTest?: ArgoSmokeTest;
  /** What the rendering could only approximate. */
  readonly warnings: string[];
  /** Remarks of the strategy's rendering (canary and linear). */
  readonly notes: string[];
  /** The previous version shrinks as traffic moves (src/k8s/private/safety.ts). */
  readonly dynamicStableScale?: boolean;
  /** What the shared analysis adds to the phases' checks (src/k8s/private/shared-analysis.ts). */
  readonly sharedChecks?: SharedChecks[];
}

/** Checks of a shared analysis, by where it runs: a canary step, the background from a step, before or after promotion. */
export interface SharedChecks {
  readonly point: 'STEP' | 'BACKGROUND' | 'PRE_PROMOTION' | 'POST_PROMOTION';
  /** The declared canary step (STEP, BACKGROUND). */
  readonly step?: number;
  readonly names: string[];
}

/** Whether a shared analysis judges the base phase i of n. */
function judges(c: SharedChecks, i: number, n: number, kind: StrategyKind): boolean {
  switch (c.point) {
    case 'STEP': return i === c.step;
    case 'BACKGROUND': return i >= (c.step ?? 0);
    case 'PRE_PROMOTION': return kind === StrategyKind.BLUE_GREEN && i === 0;
    default: return i === n - 1;
  }
}

/** The last phase: the new version at 100%, with the previous version kept (or not) as Argo Rollouts does it. */
function keptPhaseName(strategy: DeploymentStrategy, router: TrafficRouting, dynamicStableScale?: boolean): string | undefined {
  const keep = seconds(strategy.keepPreviousVersionFor) > 0;
  const judged = strategy.analysis !== undefined && !strategy.analysis.isNone;
  switch (strategy.kind) {
    case StrategyKind.CANARY:
    case StrategyKind.LINEAR:
      if (router.kind === TrafficRouterKind.NONE) return 'Promoted, previous pods replaced by new ones';
      if (dynamicStableScale && !keep) return 'Promoted, previous ReplicaSet already scaled down as traffic moved (dynamicStableScale)';
      return keep ? 'Full traffic, previous version kept (setWeight 100 + pause, then promoted)'
        : `Promoted, previous ReplicaSet scaled down ${ARGO_SCALE_DOWN_DELAY_SECONDS}s later without traffic`;
    case StrategyKind.ROLLING:
      return undefined;
    default:
      if (isBlueGreenOnRouter(strategy, router)) {
        return keep ? 'Full traffic, previous version kept (setWeight 100 + pause, then promoted)'
          : `Promoted, previous ReplicaSet scaled down ${ARGO_SCALE_DOWN_DELAY_SECONDS}s later without traffic`;
      }
      if (judged) return 'Promoted, previous version kept as stable until the post-promotion analysis passes';
      return keep ? 'Promoted, previous ReplicaSet kept without traffic (scaleDownDelaySeconds)' : 'Promoted, previous ReplicaSet released';
  }
}

/** The strategy's plan as Argo Rollouts executes it. */
export function argoPlan(p: ArgoPlanInputs): RolloutPlan {
  const { strategy, router, smokeTest } = p;
  const base = strategy.plan();
  const isCanary = strategy.kind === StrategyKind.CANARY || strategy.kind === StrategyKind.LINEAR || isBlueGreenOnRouter(strategy, router);
  const phases: PlanPhaseSpec[] = base.phases.map((phase, i) => {
    const last = i === base.phases.length - 1;
    const checks = [...phase.checks];
    if (strategy.kind === StrategyKind.BLUE_GREEN && i === 0 && smokeTest) checks.push(smokeTest.name);
    for (const c of p.sharedChecks ?? []) if (judges(c, i, base.phases.length, strategy.kind)) checks.push(...c.names);
    return {
      name: (last ? keptPhaseName(strategy, router, p.dynamicStableScale) : undefined) ?? phase.name,
      trafficPercent: phase.trafficPercent,
      duration: phase.duration,
      manualGate: phase.manualGate,
      ...(checks.length ? { checks } : {}),
      ...(phase.timeToDetect ? { timeToDetect: phase.timeToDetect } : {}),
      ...(phase.note ? { note: phase.note } : {}),
      ...(phase.mirroredPercent !== undefined ? { mirroredPercent: phase.mirroredPercent } : {}),
    };
  });
  if (strategy.kind === StrategyKind.ALL_AT_ONCE && smokeTest) {
    const pre = (p.sharedChecks ?? []).filter(c => c.point === 'PRE_PROMOTION').flatMap(c => c.names);
    phases.unshift({ name: 'Smoke test on the new pods (no production traffic)', trafficPercent: 0, duration: smokeTest._options.timeout ?? phases[0].duration, checks: [smokeTest.name, ...pre] });
  }
  // The rendering's own note on stickiness says how Argo Rollouts does it: it replaces the strategy's.
  const rendersSticky = p.notes.some(n => n.startsWith('Sticky canary:'));
  const notes = base.notes.filter(n => !(rendersSticky && n.startsWith('Sticky canary:')));
  if (isCanary) {
    notes.push(`Traffic routing: ${router.describe()}.`);
  }
  notes.push(...p.notes);
  notes.push(...p.warnings.map(w => `Warning: ${w}`));
  return RolloutPlan.fromPhases({ target: 'Argo Rollouts', strategy: base.strategy, phases, notes });
}
