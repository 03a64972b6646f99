import { PlanPhaseSpec, RolloutPlan } from '../../strategy/rollout-plan';
import { AlarmRollback } from '../alarm-rollback';

const BREAK_GLASS_HINT = 'To deploy a fix while a check fails, use alarmRollback: AlarmRollback.breakGlass(reason) for that deployment.';

/** The plan note of an ECS service whose checks cannot tell the versions apart. */
export const WHOLE_SERVICE_NOTE = 'The checks judge the whole service, not only the new version: each alarm takes the worst of the blue and green target groups, '
  + 'so the previous version\'s errors and latency count too, while traffic is split and until they leave the alarm\'s evaluation window, '
  + `and can roll the deployment back. ${BREAK_GLASS_HINT}`;

/** The same for a rolling deployment, whose versions share one target group. */
export const WHOLE_SERVICE_ROLLING_NOTE = 'The checks judge the whole service, not only the new version: old and new tasks share one target group during the replacement, '
  + `so the previous version's errors and latency count too and can roll the deployment back. ${BREAK_GLASS_HINT}`;

/** The row note of a phase that splits production traffic between the two versions. */
export const WHOLE_SERVICE_ROW = 'judges the whole service (both versions)';

/**
 * The plan of an ECS service as it will run: split-traffic phases say that the checks judge the whole
 * service; with the alarms off (break glass) no phase is judged and the plan says why.
 */
export function ecsPlan(plan: RolloutPlan, judged: boolean, alarmRollback: AlarmRollback): RolloutPlan {
  if (!judged) {
    return plan;
  }
  const off = !alarmRollback.isEnabled;
  const rolling = plan.strategy === 'rolling';
  const phases: PlanPhaseSpec[] = plan.phases.map(p => {
    const split = (rolling || p.trafficPercent > 0 && p.trafficPercent < 100) && p.checks.length > 0;
    const notes = [p.note, split && !off ? WHOLE_SERVICE_ROW : undefined, off && p.trafficPercent > 0 ? 'alarms off (break glass)' : undefined].filter(Boolean);
    return {
      name: p.name,
      trafficPercent: p.trafficPercent,
      duration: p.duration,
      manualGate: p.manualGate,
      checks: off ? [] : p.checks,
      timeToDetect: off ? undefined : p.timeToDetect,
      note: notes.length > 0 ? notes.join('; ') : undefined,
    };
  });
  const notes = off
    ? [`Break glass: the rollback alarms are off for deployments (${alarmRollback.reason}); no alarm stops or rolls back a failing version. Set alarmRollback back to AlarmRollback.enabled() once the fix is out.`,
      ...plan.notes.filter(n => !n.startsWith('Detection times include'))]
    : [...plan.notes, rolling ? WHOLE_SERVICE_ROLLING_NOTE : WHOLE_SERVICE_NOTE];
  return RolloutPlan.fromPhases({ target: plan.target, strategy: plan.strategy, phases, notes });
}
