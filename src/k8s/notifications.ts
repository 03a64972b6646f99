import { requireDenseArray, requireProps, requireResolved } from './private/inputs';
import { fail, show } from '../private/validate';

/** Trigger and service names: letters, digits, "-" and "_", as the annotation key's parts (no "."). */
const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_]*[A-Za-z0-9])?$/;

/**
 * An Argo Rollouts notification trigger: an event of the rollout that notifies its subscribers.
 * The built-in ones are those of the Argo Rollouts notification catalog (installed with the
 * `argo-rollouts-notification-configmap`); `custom` names one your ConfigMap defines.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/notifications/#default-trigger-templates
 */
export class NotificationTrigger {
  /** The rollout completed: all its steps ran and the new version is stable (`on-rollout-completed`). */
  public static readonly ROLLOUT_COMPLETED = new NotificationTrigger('on-rollout-completed');
  /** One step of the rollout completed (`on-rollout-step-completed`). */
  public static readonly ROLLOUT_STEP_COMPLETED = new NotificationTrigger('on-rollout-step-completed');
  /** The rollout paused, for example at a manual gate (`on-rollout-paused`). */
  public static readonly ROLLOUT_PAUSED = new NotificationTrigger('on-rollout-paused');
  /** The rollout was aborted, by a failed check, a missed progress deadline or a person (`on-rollout-aborted`). */
  public static readonly ROLLOUT_ABORTED = new NotificationTrigger('on-rollout-aborted');
  /** The Rollout's definition changed, which starts an update (`on-rollout-updated`). */
  public static readonly ROLLOUT_UPDATED = new NotificationTrigger('on-rollout-updated');
  /** The number of replicas changed (`on-scaling-replica-set`). */
  public static readonly SCALING_REPLICA_SET = new NotificationTrigger('on-scaling-replica-set');
  /** An analysis run failed (`on-analysis-run-failed`). */
  public static readonly ANALYSIS_RUN_FAILED = new NotificationTrigger('on-analysis-run-failed');
  /** An analysis run could not measure, for example the metric provider did not answer (`on-analysis-run-error`). */
  public static readonly ANALYSIS_RUN_ERROR = new NotificationTrigger('on-analysis-run-error');
  /** An analysis run started (`on-analysis-run-running`). */
  public static readonly ANALYSIS_RUN_RUNNING = new NotificationTrigger('on-analysis-run-running');

  /**
   * A trigger defined in your `argo-rollouts-notification-configmap` (`trigger.<name>`).
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/notifications/#triggers
   */
  public static custom(name: string): NotificationTrigger {
    requireResolved('NotificationTrigger.custom', 'name', name);
    if (typeof name !== 'string' || !NAME.test(name)) {
      fail('NotificationTrigger.custom', 'name', 'must be a trigger name (letters, digits, "-" and "_", no ".")', show(name), 'Pass the name after "trigger." in the ConfigMap, for example "on-purple".');
    }
    return new NotificationTrigger(name);
  }

  /** The trigger's name, as in the annotation. */
  public readonly name: string;

  private constructor(name: string) {
    this.name = name;
  }
}

/** Options for `RolloutNotification.subscribe`. */
export interface RolloutNotificationProps {
  /** The event that notifies. */
  readonly trigger: NotificationTrigger;
  /**
   * The notification service, as configured in `argo-rollouts-notification-configmap`
   * (`service.<type>` or `service.<type>.<name>`): for example "slack", "teams", "email", or the
   * name of a webhook.
   * @see https://argo-rollouts.readthedocs.io/en/stable/generated/notification-services/overview/
   */
  readonly service: string;
  /**
   * Who hears it: Slack channels, e-mail addresses, ... as the service understands them.
   * @default - no recipient (for services such as webhooks that take none)
   */
  readonly recipients?: string[];
}

/**
 * A subscription of the rollout to a notification: the
 * `notifications.argoproj.io/subscribe.<trigger>.<service>: <recipients>` annotation on the Rollout.
 * The Argo Rollouts notification controller must be configured with the service.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/notifications/
 */
export class RolloutNotification {
  /** Subscribe recipients of a service to a trigger. */
  public static subscribe(props: RolloutNotificationProps): RolloutNotification {
    const where = 'RolloutNotification.subscribe';
    requireProps(where, props);
    if (!(props.trigger instanceof NotificationTrigger)) {
      fail(where, 'trigger', 'must be a NotificationTrigger', show(props.trigger), 'Pass NotificationTrigger.ROLLOUT_ABORTED or another trigger.');
    }
    requireResolved(where, 'service', props.service);
    if (typeof props.service !== 'string' || !NAME.test(props.service)) {
      fail(where, 'service', 'must be a notification service name (letters, digits, "-" and "_", no ".")', show(props.service),
        'Pass the service as configured in argo-rollouts-notification-configmap, for example "slack".');
    }
    const fix = 'Pass recipients as strings, for example ["#deploys"].';
    const recipients = props.recipients === undefined ? [] : requireDenseArray(where, 'recipients', props.recipients, fix);
    recipients.forEach((r, i) => {
      requireResolved(where, `recipients[${i}]`, r);
      if (typeof r !== 'string' || r.trim().length === 0 || r.includes(';')) {
        fail(where, `recipients[${i}]`, 'must be a non-empty string without ";" (the annotation separates recipients with ";")', show(r), fix);
      }
    });
    const key = `subscribe.${props.trigger.name}.${props.service}`;
    if (key.length > 63) {
      fail(where, 'trigger/service', 'make an annotation name longer than Kubernetes\' 63 characters', show(key), 'Use a shorter service or trigger name.');
    }
    return new RolloutNotification(props.trigger, props.service, [...(recipients as string[])]);
  }

  /** The trigger. */
  public readonly trigger: NotificationTrigger;
  /** The notification service. */
  public readonly service: string;
  /** The recipients. */
  public readonly recipients: string[];

  private constructor(trigger: NotificationTrigger, service: string, recipients: string[]) {
    this.trigger = trigger;
    this.service = service;
    this.recipients = recipients;
  }
}
