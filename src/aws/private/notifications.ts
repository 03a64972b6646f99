import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { fail } from '../../private/validate';
import { DeploymentEvent } from '../../strategy/deployment-event';

/** The AWS deployment engines that notify a topic. */
export enum NotificationEngine {
  /** ECS native deployments: EventBridge events of the service. */
  ECS_NATIVE = 'ECS native',
  /** CodeDeploy ECS blue/green deployments: deployment group triggers. */
  CODE_DEPLOY_ECS = 'CodeDeploy (ECS)',
  /** CodeDeploy Lambda deployments: deployment group triggers. */
  CODE_DEPLOY_LAMBDA = 'CodeDeploy (Lambda)',
}

/** What the construct knows about its deployments when it renders the notifications. */
export interface NotificationContext {
  /**
   * Whether deployments pause: an ECS PAUSE hook (a manual promotion, or the hold of a header-only
   * preview), or a CodeDeploy approval wait.
   */
  readonly pauses: boolean;
  /** Whether the service or alias has rollback alarms (an analysis with health checks). */
  readonly hasChecks: boolean;
  /**
   * ECS native: whether a canary step's manual gate holds deployments (a Lambda hook answering
   * IN_PROGRESS, which emits no HOOK_AWAITING_ACTION).
   * @default false
   */
  readonly canaryGate?: boolean;
}

/** The AWS rendering of a notification declaration. */
export interface AwsNotifications {
  /**
   * ECS native: `detail.eventName` values of `ECS Deployment State Change` to forward, or
   * undefined for every event of that type (the default).
   */
  readonly ecsDeploymentEventNames?: string[];
  /** ECS native: `detail.eventName` values of `ECS Hook State Change` to forward (none: no hook events). */
  readonly ecsHookEventNames: string[];
  /** CodeDeploy: the trigger's `triggerEvents` (empty: no trigger). */
  readonly triggerEvents: string[];
  /** Whether a rule forwards the rollback alarms' `CloudWatch Alarm State Change` to ALARM. */
  readonly alarmStateChange: boolean;
}

/** ECS native `ECS Deployment State Change` event names. */
const ECS_DEPLOYMENT_EVENTS = new Map<DeploymentEvent, string>([
  [DeploymentEvent.STARTED, 'SERVICE_DEPLOYMENT_IN_PROGRESS'],
  [DeploymentEvent.COMPLETED, 'SERVICE_DEPLOYMENT_COMPLETED'],
  [DeploymentEvent.ROLLED_BACK, 'SERVICE_DEPLOYMENT_FAILED'],
]);

/** CodeDeploy trigger event types. */
const CODE_DEPLOY_TRIGGERS = new Map<DeploymentEvent, string[]>([
  [DeploymentEvent.STARTED, ['DeploymentStart']],
  [DeploymentEvent.PAUSED, ['DeploymentReady']],
  [DeploymentEvent.COMPLETED, ['DeploymentSuccess']],
  [DeploymentEvent.ROLLED_BACK, ['DeploymentFailure', 'DeploymentStop', 'DeploymentRollback']],
]);

/** The order of the trigger events in the template (the order they were always rendered in). */
const TRIGGER_ORDER = ['DeploymentStart', 'DeploymentSuccess', 'DeploymentFailure', 'DeploymentStop', 'DeploymentRollback', 'DeploymentReady'];

/** What each engine notified before `notificationEvents` existed, and still does without it. */
export const DEFAULT_EVENTS: Record<NotificationEngine, DeploymentEvent[]> = {
  [NotificationEngine.ECS_NATIVE]: [DeploymentEvent.STARTED, DeploymentEvent.COMPLETED, DeploymentEvent.ROLLED_BACK],
  [NotificationEngine.CODE_DEPLOY_ECS]: [DeploymentEvent.STARTED, DeploymentEvent.PAUSED, DeploymentEvent.COMPLETED, DeploymentEvent.ROLLED_BACK],
  [NotificationEngine.CODE_DEPLOY_LAMBDA]: [DeploymentEvent.STARTED, DeploymentEvent.COMPLETED, DeploymentEvent.ROLLED_BACK],
};

/**
 * Checks `notificationTopic` / `notificationEvents` together: events need a topic, and each event
 * must be one the engine can signal for this strategy. Returns the events in the order of a
 * deployment, or undefined when `notificationEvents` is not set.
 */
export function checkNotificationEvents(where: string, engine: NotificationEngine, hasTopic: boolean,
  value: unknown, context: NotificationContext): DeploymentEvent[] | undefined {
  if (value === undefined) return undefined;
  const declared = DeploymentEvent._requireList(where, 'notificationEvents', value,
    'Name the events to notify of, or leave notificationEvents out for the default.');
  if (!hasTopic) {
    fail(where, 'notificationEvents', 'needs a notificationTopic to notify', declared.map(e => e.name).join(', '),
      'Pass notificationTopic (an sns.ITopic), or remove notificationEvents.');
  }
  const ordered = DeploymentEvent.all().filter(e => declared.includes(e));
  ordered.forEach(e => refuseUnsupported(where, engine, e, context));
  return ordered;
}

function refuseUnsupported(where: string, engine: NotificationEngine, event: DeploymentEvent, context: NotificationContext): void {
  const field = 'notificationEvents';
  const got = `DeploymentEvent.${constantName(event)}`;
  if (event === DeploymentEvent.STEP_COMPLETED) {
    if (engine === NotificationEngine.ECS_NATIVE) {
      fail(where, field, 'cannot include STEP_COMPLETED with ECS native: ECS reports the state of a deployment (in progress, completed, failed), not its canary or linear steps', got,
        'Use COMPLETED and ROLLED_BACK; for a signal at every traffic shift, a DeploymentHook.ecs at PRODUCTION_TRAFFIC_SHIFT runs at each step.');
    }
    fail(where, field, `cannot include STEP_COMPLETED with ${engine}: CodeDeploy triggers report the deployment (start, ready, success, failure, stop, rollback), not its traffic-shifting steps`, got,
      'Use COMPLETED and ROLLED_BACK.');
  }
  if (event === DeploymentEvent.PAUSED) {
    if (engine === NotificationEngine.CODE_DEPLOY_LAMBDA) {
      fail(where, field, 'cannot include PAUSED with CodeDeploy (Lambda): a Lambda deployment never waits for approval, so there is no trigger for it', got,
        'Remove PAUSED; Lambda deployments shift traffic on a timer.');
    }
    if (!context.pauses && engine === NotificationEngine.ECS_NATIVE && context.canaryGate) {
      fail(where, field, 'cannot include PAUSED for a canary step\'s manual gate: ECS signals a pause only at a PAUSE hook awaiting action (ECS Hook State Change HOOK_AWAITING_ACTION), '
        + 'and the canary gate is a Lambda hook that answers IN_PROGRESS while it holds, which emits no such event', got,
      'Remove PAUSED; the gate\'s function logs one JSON line per answer (subscribe to its log group), and STARTED, ROLLED_BACK and COMPLETED still tell when the deployment starts and ends.');
    }
    if (!context.pauses && engine === NotificationEngine.ECS_NATIVE) {
      fail(where, field, 'cannot include PAUSED: ECS signals a pause only at a PAUSE hook awaiting action (ECS Hook State Change HOOK_AWAITING_ACTION), and this service has no PAUSE hook', got,
        'Use DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }) or a headerPreview, which pause at a PAUSE hook, or remove PAUSED.');
    }
    if (!context.pauses) {
      fail(where, field, 'cannot include PAUSED: CodeDeploy signals it as DeploymentReady, when the replacement waits for approval, and this strategy never waits for a person', got,
        'Use DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }) for a manual gate, or remove PAUSED.');
    }
  }
  if (event === DeploymentEvent.CHECK_FAILED && !context.hasChecks) {
    fail(where, field, 'cannot include CHECK_FAILED: it is a rollback alarm entering ALARM, and the strategy\'s analysis has no health checks, so there is no alarm', got,
      'Give the strategy an analysis with health checks, or remove CHECK_FAILED.');
  }
}

/** The name of the event's constant (`ROLLED_BACK`), for messages. */
function constantName(event: DeploymentEvent): string {
  return event.name.toUpperCase().replace(/-/g, '_');
}

/**
 * Renders checked events (or the engine's default when undefined) for an engine. Pure: the
 * construct wires the rule, trigger and alarm rule it returns.
 */
export function renderNotifications(engine: NotificationEngine, declared: DeploymentEvent[] | undefined): AwsNotifications {
  const chosen = declared ?? DEFAULT_EVENTS[engine];
  const alarmStateChange = chosen.includes(DeploymentEvent.CHECK_FAILED);
  if (engine === NotificationEngine.ECS_NATIVE) {
    return {
      // The default forwards every deployment state change, as it always has (no eventName filter).
      ecsDeploymentEventNames: declared === undefined ? undefined
        : chosen.map(e => ECS_DEPLOYMENT_EVENTS.get(e)).filter((n): n is string => n !== undefined),
      ecsHookEventNames: chosen.includes(DeploymentEvent.PAUSED) ? ['HOOK_AWAITING_ACTION'] : [],
      triggerEvents: [],
      alarmStateChange,
    };
  }
  return {
    ecsHookEventNames: [],
    triggerEvents: chosen.flatMap(e => CODE_DEPLOY_TRIGGERS.get(e) ?? []).sort((a, b) => TRIGGER_ORDER.indexOf(a) - TRIGGER_ORDER.indexOf(b)),
    alarmStateChange,
  };
}

/**
 * The rule behind `DeploymentEvent.CHECK_FAILED` on AWS: the rollback alarms' `CloudWatch Alarm
 * State Change` to ALARM, forwarded to the topic.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 */
export function alarmStateChangeRule(scope: Construct, alarms: cloudwatch.IAlarm[], topic: sns.ITopic): events.Rule {
  return new events.Rule(scope, 'CheckFailedEvents', {
    description: `Rollback alarms of ${scope.node.path} entering ALARM`,
    eventPattern: {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      resources: alarms.map(a => a.alarmArn),
      detail: { state: { value: ['ALARM'] } },
    },
    targets: [new eventsTargets.SnsTopic(topic)],
  });
}

/** The plan's line on who hears what, for a construct with a notification topic. */
export function notificationPlanNote(engine: NotificationEngine, declared: DeploymentEvent[] | undefined): string {
  const chosen = declared ?? DEFAULT_EVENTS[engine];
  const r = renderNotifications(engine, declared);
  const names = chosen.map(e => e.name).join(', ');
  const how: string[] = [];
  if (engine === NotificationEngine.ECS_NATIVE) {
    if (r.ecsDeploymentEventNames === undefined) how.push('every ECS Deployment State Change of the service');
    else if (r.ecsDeploymentEventNames.length > 0) how.push(`ECS Deployment State Change ${r.ecsDeploymentEventNames.join(', ')} of the service`);
    if (r.ecsHookEventNames.length > 0) how.push(`ECS Hook State Change ${r.ecsHookEventNames.join(', ')}`);
  } else if (r.triggerEvents.length > 0) {
    how.push(`CodeDeploy trigger events ${r.triggerEvents.join(', ')}`);
  }
  if (r.alarmStateChange) how.push('the rollback alarms entering ALARM (EventBridge, at any time)');
  return `Notifications (SNS topic): ${names}, from ${how.join('; ')}.`;
}
