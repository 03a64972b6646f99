import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import { PlanPhaseSpec, RolloutPlan } from '../../strategy/rollout-plan';
import { ArgoSmokeTest } from '../smoke-test';
import { TrafficRouting } from '../traffic-routing';

/** What the plan of an ArgoRollout is made from: the validated declaration and what its rendering reported. */
export interface ArgoPlanInputs {
  readonly strategy: DeploymentStrategy;
  readonly router: TrafficRouting;
  readonly smokeTest?: ArgoSmokeTest;
  /** What the rendering could only approximate. */
  readonly warnings: string[];
  /** Remarks of the strategy's rendering (canary and linear). */
  readonly notes: string[];
}

/** The strategy's plan as Argo Rollouts executes it. */
export function argoPlan(p: ArgoPlanInputs): RolloutPlan {
  const { strategy, router, smokeTest } = p;
  const base = strategy.plan();
  const isCanary = strategy.kind === StrategyKind.CANARY || strategy.kind === StrategyKind.LINEAR;
  const phases: PlanPhaseSpec[] = base.phases.map((phase, i) => {
    const last = i === base.phases.length - 1;
    if (isCanary && last) {
      // Argo's background analysis ends at promotion: the kept version is not judged any more.
      return { name: 'Promoted, previous ReplicaSet kept (scaleDownDelaySeconds)', trafficPercent: 100, duration: phase.duration, manualGate: phase.manualGate };
    }
    const checks = [...phase.checks];
    if (strategy.kind === StrategyKind.BLUE_GREEN && i === 0 && smokeTest) checks.push(smokeTest.name);
    return {
      name: phase.name,
      trafficPercent: phase.trafficPercent,
      duration: phase.duration,
      manualGate: phase.manualGate,
      ...(checks.length ? { checks } : {}),
      ...(phase.timeToDetect ? { timeToDetect: phase.timeToDetect } : {}),
      ...(phase.note ? { note: phase.note } : {}),
    };
  });
  if (strategy.kind === StrategyKind.ALL_AT_ONCE && smokeTest) {
    phases.unshift({ name: 'Smoke test on the new pods (no production traffic)', trafficPercent: 0, duration: smokeTest._options.timeout ?? phases[0].duration, checks: [smokeTest.name] });
  }
  const notes = [...base.notes];
  if (isCanary) {
    notes.push(`Traffic routing: ${router.describe()}.`);
    notes.push(...p.notes);
  }
  notes.push(...p.warnings.map(w => `Warning: ${w}`));
  return RolloutPlan.fromPhases({ target: 'Argo Rollouts', strategy: base.strategy, phases, notes });
}
