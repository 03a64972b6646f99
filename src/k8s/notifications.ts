import { requireDenseArray, requireProps, requireResolved } from './private/inputs';
import { fail, show } from '../private/validate';
import { DeploymentEvent } from '../strategy/deployment-event';

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
   * The catalog trigger of a deployment event, the same event `notificationEvents` names on the AWS
   * constructs: `STARTED` → `on-rollout-updated` (a new revision starts an update), `STEP_COMPLETED`
   * → `on-rollout-step-completed`, `PAUSED` → `on-rollout-paused` (every pause: manual gates and
   * timed pause steps), `COMPLETED` → `on-rollout-completed`, `ROLLED_BACK` → `on-rollout-aborted`,
   * `CHECK_FAILED` → `on-analysis-run-failed`.
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/notifications/#default-trigger-templates
   */
  public static of(event: DeploymentEvent): NotificationTrigger {
    const trigger = EVENT_TRIGGERS.get(event);
    if (trigger === undefined) {
      fail('NotificationTrigger.of', 'event', 'must be a DeploymentEvent', event === null ? 'null' : show(event),
        'Pass DeploymentEvent.COMPLETED, DeploymentEvent.ROLLED_BACK or another DeploymentEvent.');
    }
    return trigger;
  }

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

/** The catalog trigger of each deployment event (see `NotificationTrigger.of`). */
const EVENT_TRIGGERS = new Map<DeploymentEvent, NotificationTrigger>([
  [DeploymentEvent.STARTED, NotificationTrigger.ROLLOUT_UPDATED],
  [DeploymentEvent.STEP_COMPLETED, NotificationTrigger.ROLLOUT_STEP_COMPLETED],
  [DeploymentEvent.PAUSED, NotificationTrigger.ROLLOUT_PAUSED],
  [DeploymentEvent.COMPLETED, NotificationTrigger.ROLLOUT_COMPLETED],
  [DeploymentEvent.ROLLED_BACK, NotificationTrigger.ROLLOUT_ABORTED],
  [DeploymentEvent.CHECK_FAILED, NotificationTrigger.ANALYSIS_RUN_FAILED],
]);

/** Options for `RolloutNotification.forEvents`. */
export interface RolloutEventNotificationProps {
  /**
   * The deployment events that notify, the same list an AWS construct takes as `notificationEvents`;
   * each becomes its catalog trigger (`NotificationTrigger.of`).
   */
  readonly events: DeploymentEvent[];
  /**
   * The notification service, as configured in `argo-rollouts-notification-configmap`.
   * @see https://argo-rollouts.readthedocs.io/en/stable/generated/notification-services/overview/
   */
  readonly service: string;
  /**
   * Who hears it, as the service understands them.
   * @default - no recipient (for services such as webhooks that take none)
   */
  readonly recipients?: string[];
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
    return RolloutNotification.build(where, props.trigger, props.service, props.recipients);
  }

  /**
   * Subscribe recipients of a service to deployment events: one subscription per event, in the
   * order of a deployment, with the trigger `NotificationTrigger.of(event)`. Pass the same events
   * as an AWS construct's `notificationEvents` to hear of the same things from both.
   */
  public static forEvents(props: RolloutEventNotificationProps): RolloutNotification[] {
    const where = 'RolloutNotification.forEvents';
    requireProps(where, props);
    const events = DeploymentEvent._requireList(where, 'events', props.events);
    return DeploymentEvent.all().filter(e => events.includes(e))
      .map(e => RolloutNotification.build(where, NotificationTrigger.of(e), props.service, props.recipients));
  }

  /** Checks the service and recipients of a subscription and builds it. */
  private static build(where: string, trigger: NotificationTrigger, service: unknown, recipientList: unknown): RolloutNotification {
    const props = { trigger, service: service as string, recipients: recipientList as string[] | undefined };
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
