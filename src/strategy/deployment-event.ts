import { Token } from 'aws-cdk-lib';
import { fail, show } from '../private/validate';

/**
 * Something that happens to a deployment and that people can be notified of, declared once and
 * rendered by every target: an EventBridge rule or CodeDeploy trigger events on AWS
 * (`notificationEvents` beside `notificationTopic`), and
 * `notifications.argoproj.io/subscribe.<trigger>.<service>` annotations on an Argo Rollout
 * (`NotificationTrigger.of(event)`, `RolloutNotification.forEvents`).
 *
 * A target that has no signal for an event refuses it, with the reason and what it can do instead;
 * the table "Notifications, one meaning" in the README lists what each event becomes on each target.
 */
export class DeploymentEvent {
  /**
   * A deployment of a new version started. ECS native also sends it when a rollback deployment
   * starts; Argo Rollouts when the Rollout's pod template changes (`on-rollout-updated`).
   */
  public static readonly STARTED = new DeploymentEvent('started', 'a deployment started');
  /**
   * One step of a stepped rollout completed. Only Argo Rollouts reports steps
   * (`on-rollout-step-completed`); the AWS targets refuse it.
   */
  public static readonly STEP_COMPLETED = new DeploymentEvent('step-completed', 'a step completed');
  /**
   * The deployment waits: at an ECS PAUSE hook awaiting action (a manual promotion, or the hold of a
   * header-only preview), at a CodeDeploy approval wait (the replacement is ready), and on Argo
   * Rollouts at every pause, manual gates and timed pause steps alike (`on-rollout-paused`).
   */
  public static readonly PAUSED = new DeploymentEvent('paused', 'the deployment waits');
  /** The new version took all the traffic and the deployment succeeded. */
  public static readonly COMPLETED = new DeploymentEvent('completed', 'the deployment completed');
  /**
   * The deployment did not finish: a check failed, a deadline passed or a person stopped it, and
   * the previous version serves again (Argo Rollouts: `on-rollout-aborted`).
   */
  public static readonly ROLLED_BACK = new DeploymentEvent('rolled-back', 'the deployment rolled back');
  /**
   * A health check of the analysis failed. On AWS a rollback alarm entered ALARM (at any time,
   * not only during a deployment: the alarms watch the service continuously); on Argo Rollouts an
   * analysis run failed (`on-analysis-run-failed`).
   */
  public static readonly CHECK_FAILED = new DeploymentEvent('check-failed', 'a check failed');

  /** Every event, in the order of a deployment. */
  public static all(): DeploymentEvent[] {
    return [...ALL];
  }

  /**
   * Checks a list of deployment events as any language could pass it: an array, without holes, of
   * DeploymentEvent values, each once, not empty. Returns a copy, in the order given.
   * @param emptyFix what to do instead of an empty list
   * @internal
   */
  public static _requireList(where: string, field: string, value: unknown, emptyFix = 'Name the events to notify of.'): DeploymentEvent[] {
    const fix = 'Pass an array of DeploymentEvent values, for example [DeploymentEvent.COMPLETED, DeploymentEvent.ROLLED_BACK].';
    if (Token.isUnresolved(value)) {
      fail(where, field, 'must be an array of DeploymentEvent known at synth time', 'an unresolved token', fix);
    }
    if (!Array.isArray(value)) {
      fail(where, field, 'must be an array of DeploymentEvent', value === null ? 'null' : show(value), fix);
    }
    if (value.length === 0) {
      fail(where, field, 'must name at least one event', '[]', emptyFix);
    }
    const seen = new Set<DeploymentEvent>();
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) {
        fail(where, `${field}[${i}]`, 'must be given (the array has a hole there)', 'an empty slot', fix);
      }
      const e: unknown = value[i];
      if (!(e instanceof DeploymentEvent)) {
        fail(where, `${field}[${i}]`, 'must be a DeploymentEvent', e === null ? 'null' : Token.isUnresolved(e) ? 'an unresolved token' : show(e), fix);
      }
      if (seen.has(e)) {
        fail(where, `${field}[${i}]`, 'repeats an event', e.name, 'Name each event once.');
      }
      seen.add(e);
    }
    return [...value];
  }

  /** The event's name, as in plans and messages ("completed", "rolled-back", ...). */
  public readonly name: string;
  /** What happened, in words. */
  public readonly description: string;

  private constructor(name: string, description: string) {
    this.name = name;
    this.description = description;
  }
}

const ALL: readonly DeploymentEvent[] = [
  DeploymentEvent.STARTED, DeploymentEvent.STEP_COMPLETED, DeploymentEvent.PAUSED,
  DeploymentEvent.COMPLETED, DeploymentEvent.ROLLED_BACK, DeploymentEvent.CHECK_FAILED,
];
