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
