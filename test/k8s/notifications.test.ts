import * as cdk8s from 'cdk8s';
import { canaryStrategy, CONTAINERS, rolloutOf, synthValid } from './util';
import {
  ArgoRollout, ArgoRolloutProps, DeploymentEvent, DeploymentStrategy, MetricProvider, NotificationTrigger, Promotion,
  RolloutNotification, TrafficRouting,
} from '../../src';

function render(notifications: RolloutNotification[] | undefined) {
  const chart = cdk8s.Testing.chart();
  const rollout = new ArgoRollout(chart, 'api', {
    strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), containers: CONTAINERS, notifications,
  } as ArgoRolloutProps);
  return { rollout, metadata: rolloutOf(synthValid(chart)).metadata };
}

/** A canary with steps and analysis: every catalog trigger can fire. */
function renderCanary(notifications: RolloutNotification[]) {
  const chart = cdk8s.Testing.chart();
  new ArgoRollout(chart, 'api', {
    strategy: canaryStrategy(),
    containers: CONTAINERS,
    notifications,
    trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }),
    metrics: MetricProvider.prometheus({ address: 'http://prometheus.monitoring:9090' }),
  });
  return { metadata: rolloutOf(synthValid(chart)).metadata };
}

describe('notifications', () => {
  test('each subscription is a subscribe annotation on the Rollout, and a plan line', () => {
    const { rollout, metadata } = render([
      RolloutNotification.subscribe({ trigger: NotificationTrigger.ROLLOUT_ABORTED, service: 'slack', recipients: ['#deploys', '#oncall'] }),
      RolloutNotification.subscribe({ trigger: NotificationTrigger.ROLLOUT_COMPLETED, service: 'slack', recipients: ['#deploys'] }),
      RolloutNotification.subscribe({ trigger: NotificationTrigger.ROLLOUT_UPDATED, service: 'github' }),
    ]);
    expect(metadata.annotations).toEqual({
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': '#deploys;#oncall',
      'notifications.argoproj.io/subscribe.on-rollout-completed.slack': '#deploys',
      'notifications.argoproj.io/subscribe.on-rollout-updated.github': '',
    });
    expect(rollout.plan.notes).toContain('Notifications (Argo Rollouts notification controller): on-rollout-aborted → slack (#deploys, #oncall); '
      + 'on-rollout-completed → slack (#deploys); on-rollout-updated → github.');
  });

  test('subscriptions of one trigger and service share one annotation, each recipient once', () => {
    const { metadata } = render([
      RolloutNotification.subscribe({ trigger: NotificationTrigger.ROLLOUT_PAUSED, service: 'email', recipients: ['a@example.com'] }),
      RolloutNotification.subscribe({ trigger: NotificationTrigger.ROLLOUT_PAUSED, service: 'email', recipients: ['b@example.com', 'a@example.com'] }),
    ]);
    expect(metadata.annotations).toEqual({ 'notifications.argoproj.io/subscribe.on-rollout-paused.email': 'a@example.com;b@example.com' });
  });

  test('the triggers are the catalog\'s names, and custom ones are accepted', () => {
    expect([
      NotificationTrigger.ROLLOUT_COMPLETED, NotificationTrigger.ROLLOUT_STEP_COMPLETED, NotificationTrigger.ROLLOUT_PAUSED,
      NotificationTrigger.ROLLOUT_ABORTED, NotificationTrigger.ROLLOUT_UPDATED, NotificationTrigger.SCALING_REPLICA_SET,
      NotificationTrigger.ANALYSIS_RUN_FAILED, NotificationTrigger.ANALYSIS_RUN_ERROR,
      NotificationTrigger.ANALYSIS_RUN_RUNNING, NotificationTrigger.custom('on-purple'),
    ].map(t => t.name)).toEqual([
      'on-rollout-completed', 'on-rollout-step-completed', 'on-rollout-paused', 'on-rollout-aborted', 'on-rollout-updated', 'on-scaling-replica-set',
      'on-analysis-run-failed', 'on-analysis-run-error', 'on-analysis-run-running', 'on-purple',
    ]);
  });

  test('without subscriptions the Rollout has no annotations and the plan no line', () => {
    const { rollout, metadata } = render(undefined);
    expect(metadata.annotations).toBeUndefined();
    expect(rollout.plan.notes.some(n => n.startsWith('Notifications'))).toBe(false);
  });

  test('fails when a subscription is malformed', () => {
    const sub = (p: any) => () => RolloutNotification.subscribe(p);
    expect(sub({ trigger: 'on-rollout-aborted', service: 'slack' })).toThrow('RolloutNotification.subscribe: trigger must be a NotificationTrigger, got "on-rollout-aborted".');
    expect(sub({ trigger: NotificationTrigger.ROLLOUT_ABORTED, service: 'webhook.github' }))
      .toThrow('RolloutNotification.subscribe: service must be a notification service name (letters, digits, "-" and "_", no "."), got "webhook.github".');
    expect(sub({ trigger: NotificationTrigger.ROLLOUT_ABORTED, service: 'slack', recipients: ['a;b'] }))
      .toThrow('RolloutNotification.subscribe: recipients[0] must be a non-empty string without ";" (the annotation separates recipients with ";"), got "a;b".');
    expect(sub({ trigger: NotificationTrigger.ROLLOUT_ABORTED, service: 'x'.repeat(50) })).toThrow('RolloutNotification.subscribe: trigger/service make an annotation name longer than Kubernetes\' 63 characters');
    expect(() => NotificationTrigger.custom('on.purple')).toThrow('NotificationTrigger.custom: name must be a trigger name (letters, digits, "-" and "_", no "."), got "on.purple".');
    expect(() => render(['slack' as any])).toThrow('ArgoRollout: notifications[0] must be a RolloutNotification, got "slack".');
    expect(() => render({} as any)).toThrow('ArgoRollout: notifications must be an array, got {}.');
  });

  test('each deployment event is its catalog trigger', () => {
    expect(DeploymentEvent.all().map(e => [e.name, NotificationTrigger.of(e).name])).toEqual([
      ['started', 'on-rollout-updated'],
      ['step-completed', 'on-rollout-step-completed'],
      ['paused', 'on-rollout-paused'],
      ['completed', 'on-rollout-completed'],
      ['rolled-back', 'on-rollout-aborted'],
      ['check-failed', 'on-analysis-run-failed'],
    ]);
    expect(NotificationTrigger.of(DeploymentEvent.ROLLED_BACK)).toBe(NotificationTrigger.ROLLOUT_ABORTED);
  });

  test('forEvents subscribes a service to each event, in the order of a deployment, and renders the annotations', () => {
    const subs = RolloutNotification.forEvents({
      events: [DeploymentEvent.ROLLED_BACK, DeploymentEvent.CHECK_FAILED, DeploymentEvent.COMPLETED], service: 'slack', recipients: ['#deploys'],
    });
    expect(subs.map(s => [s.trigger.name, s.service, s.recipients])).toEqual([
      ['on-rollout-completed', 'slack', ['#deploys']],
      ['on-rollout-aborted', 'slack', ['#deploys']],
      ['on-analysis-run-failed', 'slack', ['#deploys']],
    ]);
    const { metadata } = renderCanary([
      ...RolloutNotification.forEvents({ events: [DeploymentEvent.PAUSED, DeploymentEvent.STEP_COMPLETED, DeploymentEvent.STARTED], service: 'teams' }),
      ...subs,
    ]);
    expect(metadata.annotations).toEqual({
      'notifications.argoproj.io/subscribe.on-rollout-updated.teams': '',
      'notifications.argoproj.io/subscribe.on-rollout-step-completed.teams': '',
      'notifications.argoproj.io/subscribe.on-rollout-paused.teams': '',
      'notifications.argoproj.io/subscribe.on-rollout-completed.slack': '#deploys',
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': '#deploys',
      'notifications.argoproj.io/subscribe.on-analysis-run-failed.slack': '#deploys',
    });
  });

  test('fails when a deployment event or a list of them is malformed', () => {
    expect(() => NotificationTrigger.of('completed' as any)).toThrow('NotificationTrigger.of: event must be a DeploymentEvent, got "completed". Pass DeploymentEvent.COMPLETED, DeploymentEvent.ROLLED_BACK or another DeploymentEvent.');
    expect(() => NotificationTrigger.of(null as any)).toThrow('NotificationTrigger.of: event must be a DeploymentEvent, got null.');
    const forEvents = (p: any) => () => RolloutNotification.forEvents(p);
    expect(forEvents(null)).toThrow('RolloutNotification.forEvents: props must be an object, got null.');
    expect(forEvents({ events: DeploymentEvent.COMPLETED, service: 'slack' })).toThrow('RolloutNotification.forEvents: events must be an array of DeploymentEvent, got {"name":"completed"');
    expect(forEvents({ events: [], service: 'slack' })).toThrow('RolloutNotification.forEvents: events must name at least one event, got []. Name the events to notify of.');
    expect(forEvents({ events: [DeploymentEvent.COMPLETED, 'on-rollout-aborted'], service: 'slack' }))
      .toThrow('RolloutNotification.forEvents: events[1] must be a DeploymentEvent, got "on-rollout-aborted".');
    expect(forEvents({ events: [DeploymentEvent.PAUSED, DeploymentEvent.PAUSED], service: 'slack' }))
      .toThrow('RolloutNotification.forEvents: events[1] repeats an event, got paused. Name each event once.');
    expect(forEvents({ events: [DeploymentEvent.PAUSED], service: 'webhook.github' }))
      .toThrow('RolloutNotification.forEvents: service must be a notification service name (letters, digits, "-" and "_", no "."), got "webhook.github".');
    expect(forEvents({ events: [DeploymentEvent.PAUSED], service: 'slack', recipients: '#deploys' }))
      .toThrow('RolloutNotification.forEvents: recipients must be an array, got "#deploys".');
  });

  test('fails when a subscription is to what the Rollout never reports', () => {
    expect(() => render(RolloutNotification.forEvents({ events: [DeploymentEvent.STEP_COMPLETED], service: 'slack' }))).toThrow(
      'ArgoRollout: notifications include on-rollout-step-completed (DeploymentEvent.STEP_COMPLETED), which this Rollout never sends: its strategy has no steps, '
      + 'got on-rollout-step-completed → slack. Subscribe to on-rollout-completed (DeploymentEvent.COMPLETED), or use a canary or linear strategy.');
    expect(() => render([RolloutNotification.subscribe({ trigger: NotificationTrigger.ANALYSIS_RUN_FAILED, service: 'github' })])).toThrow(
      'ArgoRollout: notifications include on-analysis-run-failed (DeploymentEvent.CHECK_FAILED), which this Rollout never sends: it runs no analysis, '
      + 'got on-analysis-run-failed → github. Give the strategy an analysis with checks (or a smoke test), or subscribe to on-rollout-aborted (DeploymentEvent.ROLLED_BACK).');
  });
});
