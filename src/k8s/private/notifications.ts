/**
 * Notification subscriptions of a Rollout, rendered as the Argo Rollouts notification annotations
 * (`notifications.argoproj.io/subscribe.<trigger>.<service>: <recipient>;<recipient>`) and described
 * for the plan. Subscriptions of the same trigger and service share one annotation.
 */
import { fail, show } from '../../private/validate';
import { RolloutNotification } from '../notifications';
import { requireDenseArray } from './inputs';

const WHERE = 'ArgoRollout';
const PREFIX = 'notifications.argoproj.io/';

/** The validated subscriptions, one per trigger and service, recipients in the order given (each once). */
export interface Subscription {
  readonly trigger: string;
  readonly service: string;
  readonly recipients: string[];
}

export function checkNotifications(value: unknown): Subscription[] {
  const fix = 'Pass [RolloutNotification.subscribe({ trigger: NotificationTrigger.ROLLOUT_ABORTED, service: "slack", recipients: ["#deploys"] })].';
  const list = requireDenseArray(WHERE, 'notifications', value, fix);
  const byKey = new Map<string, Subscription>();
  list.forEach((n, i) => {
    if (!(n instanceof RolloutNotification)) {
      fail(WHERE, `notifications[${i}]`, 'must be a RolloutNotification', show(n), fix);
    }
    const key = `${n.trigger.name}.${n.service}`;
    const existing = byKey.get(key);
    const recipients = existing ? existing.recipients : [];
    for (const r of n.recipients) if (!recipients.includes(r)) recipients.push(r);
    if (!existing) byKey.set(key, { trigger: n.trigger.name, service: n.service, recipients });
  });
  return [...byKey.values()];
}

/** The Rollout's annotations for the subscriptions. */
export function notificationAnnotations(subs: Subscription[]): Record<string, string> {
  return Object.fromEntries(subs.map(s => [`${PREFIX}subscribe.${s.trigger}.${s.service}`, s.recipients.join(';')]));
}

/** The plan's line on who hears what. */
export function notificationNotes(subs: Subscription[]): string[] {
  if (subs.length === 0) return [];
  const parts = subs.map(s => `${s.trigger} → ${s.service}${s.recipients.length ? ` (${s.recipients.join(', ')})` : ''}`);
  return [`Notifications (Argo Rollouts notification controller): ${parts.join('; ')}.`];
}

/** Whether the rendered strategy runs an analysis anywhere (background, steps, pre/post promotion, experiments). */
function runsAnalysis(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(runsAnalysis);
  if (value === null || typeof value !== 'object') return false;
  return Object.entries(value).some(([k, v]) =>
    (['analysis', 'prePromotionAnalysis', 'postPromotionAnalysis', 'analyses'].includes(k) && v !== undefined && v !== null) || runsAnalysis(v));
}

/**
 * Refuses subscriptions to what the rendered strategy never reports, as the AWS constructs refuse
 * events their deployments never send: step completions without steps, failed analysis runs
 * without analysis.
 */
export function refuseSilentSubscriptions(subs: Subscription[], strategy: unknown): void {
  const steps = (strategy as any)?.canary?.steps;
  for (const s of subs) {
    const got = `${s.trigger} → ${s.service}`;
    if (s.trigger === 'on-rollout-step-completed' && !(Array.isArray(steps) && steps.length > 0)) {
      fail(WHERE, 'notifications', 'include on-rollout-step-completed (DeploymentEvent.STEP_COMPLETED), which this Rollout never sends: its strategy has no steps', got,
        'Subscribe to on-rollout-completed (DeploymentEvent.COMPLETED), or use a canary or linear strategy.');
    }
    if (s.trigger === 'on-analysis-run-failed' && !runsAnalysis(strategy)) {
      fail(WHERE, 'notifications', 'include on-analysis-run-failed (DeploymentEvent.CHECK_FAILED), which this Rollout never sends: it runs no analysis', got,
        'Give the strategy an analysis with checks (or a smoke test), or subscribe to on-rollout-aborted (DeploymentEvent.ROLLED_BACK).');
    }
  }
}
