/**
 * Rebuilding a rollout plan: the targets add phases, notes or remarks to the plan the strategy gives
 * (migrations, hooks, gates, notifications). A phase is copied whole, so that no field a later
 * phase kind adds is lost on the way.
 */
import { PlanPhase, PlanPhaseSpec, RolloutPlan } from '../rollout-plan';

/** The declaration of an existing phase, to build a new plan from. */
export function phaseSpec(p: PlanPhase): PlanPhaseSpec {
  return {
    name: p.name,
    trafficPercent: p.trafficPercent,
    duration: p.duration,
    checks: p.checks,
    timeToDetect: p.timeToDetect,
    manualGate: p.manualGate,
    note: p.note,
    mirroredPercent: p.mirroredPercent,
  };
}

/** The plan with more notes after its own (the same plan when there are none). */
export function withPlanNotes(plan: RolloutPlan, notes: string[]): RolloutPlan {
  if (notes.length === 0) return plan;
  return RolloutPlan.fromPhases({
    target: plan.target,
    strategy: plan.strategy,
    notes: [...plan.notes, ...notes],
    phases: plan.phases.map(phaseSpec),
  });
}
