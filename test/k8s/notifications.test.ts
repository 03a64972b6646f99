import * as cdk8s from 'cdk8s';
import { CONTAINERS, rolloutOf, synthValid } from './util';
import { ArgoRollout, ArgoRolloutProps, DeploymentStrategy, NotificationTrigger, Promotion, RolloutNotification } from '../../src';

function render(notifications: RolloutNotification[] | undefined) {
  const chart = cdk8s.Testing.chart();
  const rollout = new ArgoRollout(chart, 'api', {
    strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), containers: CONTAINERS, notifications,
  } as ArgoRolloutProps);
  return { rollout, metadata: rolloutOf(synthValid(chart)).metadata };
}

describe('notifications', () => {
  test('each subscription is a subscribe annotation on the Rollout, and a plan line', () => {
    const { rollout, metadata } = render([
      RolloutNotification.subscribe({ trigger: NotificationTrigger.ROLLOUT_ABORTED, service: 'slack', recipients: ['#deploys', '#oncall'] }),
      RolloutNotification.subscribe({ trigger: NotificationTrigger.ROLLOUT_COMPLETED, service: 'slack', recipients: ['#deploys'] }),
      RolloutNotification.subscribe({ trigger: NotificationTrigger.ANALYSIS_RUN_FAILED, service: 'github' }),
    ]);
    expect(metadata.annotations).toEqual({
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': '#deploys;#oncall',
      'notifications.argoproj.io/subscribe.on-rollout-completed.slack': '#deploys',
      'notifications.argoproj.io/subscribe.on-analysis-run-failed.github': '',
    });
    expect(rollout.plan.notes).toContain('Notifications (Argo Rollouts notification controller): on-rollout-aborted → slack (#deploys, #oncall); '
      + 'on-rollout-completed → slack (#deploys); on-analysis-run-failed → github.');
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
});
