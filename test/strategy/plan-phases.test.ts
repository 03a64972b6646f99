import { Duration } from 'aws-cdk-lib';
import { RolloutPlan } from '../../src';
import { phaseSpec, withPlanNotes } from '../../src/strategy/private/plan-phases';

describe('rebuilding a plan', () => {
  const plan = RolloutPlan.fromPhases({
    target: 'Argo Rollouts',
    strategy: 'canary',
    notes: ['first'],
    phases: [
      { name: 'Dark launch', trafficPercent: 0, duration: Duration.minutes(10), mirroredPercent: 20, checks: ['error-rate'], timeToDetect: Duration.minutes(2) },
      { name: 'Canary', trafficPercent: 10, duration: Duration.minutes(5), manualGate: true, note: 'held' },
      { name: 'Full', trafficPercent: 100, duration: Duration.minutes(5) },
    ],
  });

  test('withPlanNotes keeps every field of every phase and adds the notes after the plan\'s own', () => {
    const more = withPlanNotes(plan, ['second', 'third']);
    expect(more.notes).toEqual(['first', 'second', 'third']);
    expect(more.toJson().phases).toEqual(plan.toJson().phases);
    expect(more.phases[0].mirroredPercent).toBe(20);
    expect(more.phases[1].manualGate).toBe(true);
    expect(more.phases[1].note).toBe('held');
  });

  test('withPlanNotes without notes is the same plan', () => {
    expect(withPlanNotes(plan, [])).toBe(plan);
  });

  test('phaseSpec rebuilds the same phases', () => {
    const copy = RolloutPlan.fromPhases({ target: plan.target, strategy: plan.strategy, notes: plan.notes, phases: plan.phases.map(phaseSpec) });
    expect(copy.toJson()).toEqual(plan.toJson());
  });
});
