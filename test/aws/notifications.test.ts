import { Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { analysis, canary, newStack, only, service } from './util';
import {
  Analysis, CanaryStep, DeploymentEvent, DeploymentStrategy, EcsEngine, HeaderPreview, ProgressiveFargateServiceProps, ProgressiveLambdaAlias,
  ProgressiveLambdaAliasProps, Promotion, RequestMatch,
} from '../../src';

const E = DeploymentEvent;
const manual = () => DeploymentStrategy.blueGreen({ promotion: Promotion.manual(), keepPreviousVersionFor: Duration.minutes(30) });

function withTopic(props: Partial<ProgressiveFargateServiceProps>) {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Topic');
  const result = service({ notificationTopic: topic, ...props }, stack);
  return { ...result, topicRef: { Ref: stack.getLogicalId(topic.node.defaultChild as any) } };
}

function alias(props: Partial<ProgressiveLambdaAliasProps> = {}, stack: Stack = newStack()) {
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
  const live = new ProgressiveLambdaAlias(stack, 'Live', {
    version: fn.currentVersion,
    strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: analysis() }),
    ...props,
  });
  return { live, template: Template.fromStack(stack) };
}

function aliasWithTopic(props: Partial<ProgressiveLambdaAliasProps>) {
  const stack = newStack();
  return alias({ notificationTopic: new sns.Topic(stack, 'Topic'), ...props }, stack);
}

/** The event patterns of the rules, by construct id. */
function patterns(template: Template): Record<string, any> {
  const rules = template.findResources('AWS::Events::Rule');
  return Object.fromEntries(Object.entries(rules).map(([id, r]: [string, any]) => [id.replace(/[0-9A-F]{8}$/, ''), r.Properties.EventPattern]));
}

function triggerEvents(template: Template): string[] | undefined {
  const group = only(template, 'AWS::CodeDeploy::DeploymentGroup');
  return group.Properties.TriggerConfigurations?.[0]?.TriggerEvents;
}

describe('DeploymentEvent on ECS native', () => {
  test('by default every ECS Deployment State Change of the service is forwarded, unfiltered, as before', () => {
    const { template, svc } = withTopic({});
    const rule = only(template, 'AWS::Events::Rule');
    expect(Object.keys(rule.Properties.EventPattern)).toEqual(['source', 'detail-type', 'resources']);
    expect(rule.Properties.EventPattern['detail-type']).toEqual(['ECS Deployment State Change']);
    expect(svc.checkFailedRule).toBeUndefined();
  });

  test('the plan says who hears what, by default and with chosen events; without a topic it says nothing', () => {
    expect(withTopic({}).svc.plan.notes).toContain(
      'Notifications (SNS topic): started, completed, rolled-back, from every ECS Deployment State Change of the service.');
    expect(withTopic({ strategy: manual(), notificationEvents: [E.PAUSED, E.ROLLED_BACK] }).svc.plan.notes).toContain(
      'Notifications (SNS topic): paused, rolled-back, from ECS Deployment State Change SERVICE_DEPLOYMENT_FAILED of the service; ECS Hook State Change HOOK_AWAITING_ACTION.');
    expect(withTopic({ notificationEvents: [E.CHECK_FAILED, E.COMPLETED] }).svc.plan.notes).toContain(
      'Notifications (SNS topic): completed, check-failed, from ECS Deployment State Change SERVICE_DEPLOYMENT_COMPLETED of the service; '
      + 'the rollback alarms entering ALARM (EventBridge, at any time).');
    expect(service().svc.plan.notes.some(n => n.startsWith('Notifications'))).toBe(false);
  });

  test.each([
    ['STARTED', [E.STARTED], ['SERVICE_DEPLOYMENT_IN_PROGRESS']],
    ['COMPLETED', [E.COMPLETED], ['SERVICE_DEPLOYMENT_COMPLETED']],
    ['ROLLED_BACK', [E.ROLLED_BACK], ['SERVICE_DEPLOYMENT_FAILED']],
    ['ROLLED_BACK, COMPLETED, STARTED', [E.ROLLED_BACK, E.COMPLETED, E.STARTED], ['SERVICE_DEPLOYMENT_IN_PROGRESS', 'SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_DEPLOYMENT_FAILED']],
  ])('%s filters detail.eventName on %j, in the order of a deployment', (_label, events, names) => {
    const { template, svc } = withTopic({ notificationEvents: events });
    const rule = only(template, 'AWS::Events::Rule');
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.ecs'],
      'detail-type': ['ECS Deployment State Change'],
      'resources': [{ Ref: Stack.of(svc).getLogicalId(svc.service.node.defaultChild as any) }],
      'detail': { eventName: names },
    });
    expect(svc.notificationRule).toBeDefined();
  });

  test('PAUSED, with a manual promotion, adds ECS Hook State Change HOOK_AWAITING_ACTION to the same rule', () => {
    const { template } = withTopic({ strategy: manual(), notificationEvents: [E.PAUSED, E.COMPLETED] });
    const rule = only(template, 'AWS::Events::Rule');
    expect(rule.Properties.EventPattern['detail-type']).toEqual(['ECS Deployment State Change', 'ECS Hook State Change']);
    expect(rule.Properties.EventPattern.detail).toEqual({ eventName: ['SERVICE_DEPLOYMENT_COMPLETED', 'HOOK_AWAITING_ACTION'] });
  });

  test('PAUSED with a header-only preview is its PAUSE hook awaiting action too', () => {
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.minutes(10))],
      analysis: analysis(),
      headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(20) }),
    });
    const { template } = withTopic({ strategy, notificationEvents: [E.PAUSED] });
    expect(only(template, 'AWS::Events::Rule').Properties.EventPattern.detail).toEqual({ eventName: ['HOOK_AWAITING_ACTION'] });
  });

  test('PAUSED alone renders only hook state changes', () => {
    const { template } = withTopic({ strategy: manual(), notificationEvents: [E.PAUSED] });
    const pattern = only(template, 'AWS::Events::Rule').Properties.EventPattern;
    expect(pattern['detail-type']).toEqual(['ECS Hook State Change']);
    expect(pattern.detail).toEqual({ eventName: ['HOOK_AWAITING_ACTION'] });
  });

  test('CHECK_FAILED is a rule on the rollback alarms entering ALARM, to the same topic', () => {
    const { template, svc, topicRef } = withTopic({ notificationEvents: [E.CHECK_FAILED, E.ROLLED_BACK] });
    const byId = patterns(template);
    expect(Object.keys(byId).sort()).toEqual(['ApiCheckFailedEvents', 'ApiDeploymentEvents']);
    expect(byId.ApiCheckFailedEvents).toEqual({
      'source': ['aws.cloudwatch'],
      'detail-type': ['CloudWatch Alarm State Change'],
      'resources': svc.alarms.map(a => ({ 'Fn::GetAtt': [Stack.of(svc).getLogicalId(a.node.defaultChild as any), 'Arn'] })),
      'detail': { state: { value: ['ALARM'] } },
    });
    expect(svc.alarms).toHaveLength(2);
    expect(byId.ApiDeploymentEvents.detail).toEqual({ eventName: ['SERVICE_DEPLOYMENT_FAILED'] });
    template.hasResourceProperties('AWS::Events::Rule', {
      Description: Match.stringLikeRegexp('^Rollback alarms of Test/Api entering ALARM'),
      Targets: [Match.objectLike({ Arn: topicRef })],
    });
    expect(svc.checkFailedRule).toBeDefined();
  });

  test('CHECK_FAILED alone creates no deployment-event rule', () => {
    const { template, svc } = withTopic({ notificationEvents: [E.CHECK_FAILED] });
    expect(Object.keys(patterns(template))).toEqual(['ApiCheckFailedEvents']);
    expect(svc.notificationRule).toBeUndefined();
  });

  test('fails when an event has no ECS native signal, naming the reason and the alternative', () => {
    expect(() => withTopic({ notificationEvents: [E.COMPLETED, E.STEP_COMPLETED] })).toThrow(
      'ProgressiveFargateService Test/Api: notificationEvents cannot include STEP_COMPLETED with ECS native: ECS reports the state of a deployment (in progress, completed, failed), '
      + 'not its canary or linear steps, got DeploymentEvent.STEP_COMPLETED. Use COMPLETED and ROLLED_BACK; for a signal at every traffic shift, a DeploymentHook.ecs at PRODUCTION_TRAFFIC_SHIFT runs at each step.');
    expect(() => withTopic({ notificationEvents: [E.PAUSED] })).toThrow(
      'ProgressiveFargateService Test/Api: notificationEvents cannot include PAUSED: ECS signals a pause only at a PAUSE hook awaiting action (ECS Hook State Change HOOK_AWAITING_ACTION), '
      + 'and this service has no PAUSE hook, got DeploymentEvent.PAUSED. Use DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }) or a headerPreview, which pause at a PAUSE hook, or remove PAUSED.');
    expect(() => withTopic({ strategy: manual(), notificationEvents: [E.CHECK_FAILED] })).toThrow(
      'ProgressiveFargateService Test/Api: notificationEvents cannot include CHECK_FAILED: it is a rollback alarm entering ALARM, and the strategy\'s analysis has no health checks, '
      + 'so there is no alarm, got DeploymentEvent.CHECK_FAILED. Give the strategy an analysis with health checks, or remove CHECK_FAILED.');
  });

  test('fails when notificationEvents has no topic (no prop accepted and ignored)', () => {
    expect(() => service({ notificationEvents: [E.COMPLETED, E.ROLLED_BACK] })).toThrow(
      'ProgressiveFargateService Test/Api: notificationEvents needs a notificationTopic to notify, got completed, rolled-back. Pass notificationTopic (an sns.ITopic), or remove notificationEvents.');
  });

  test('fails when notificationEvents is malformed, as a plain-JavaScript caller could pass it', () => {
    const bad = (value: unknown) => () => withTopic({ notificationEvents: value as any });
    const where = 'ProgressiveFargateService Test/Api: ';
    expect(bad(null)).toThrow(`${where}notificationEvents must not be null, got null. Leave it out for the default, or pass a value.`);
    expect(bad('completed')).toThrow(`${where}notificationEvents must be an array of DeploymentEvent, got "completed". Pass an array of DeploymentEvent values`);
    expect(bad(E.COMPLETED)).toThrow(`${where}notificationEvents must be an array of DeploymentEvent, got {"name":"completed","description":"the deployment completed"}.`);
    expect(bad([])).toThrow(`${where}notificationEvents must name at least one event, got []. Name the events to notify of, or leave notificationEvents out for the default.`);
    expect(bad(['completed'])).toThrow(`${where}notificationEvents[0] must be a DeploymentEvent, got "completed".`);
    expect(bad([E.COMPLETED, null])).toThrow(`${where}notificationEvents[1] must be a DeploymentEvent, got null.`);
    expect(bad([E.COMPLETED, E.COMPLETED])).toThrow(`${where}notificationEvents[1] repeats an event, got completed. Name each event once.`);
    // eslint-disable-next-line no-sparse-arrays
    expect(bad([E.COMPLETED, , E.STARTED])).toThrow(`${where}notificationEvents[1] must be given (the array has a hole there), got an empty slot.`);
  });
});

describe('DeploymentEvent on CodeDeploy (ECS)', () => {
  const cd = EcsEngine.codeDeploy();

  test('by default the trigger keeps its six events, in the same order as before', () => {
    const { template, svc } = withTopic({ engine: cd });
    expect(triggerEvents(template)).toEqual(['DeploymentStart', 'DeploymentSuccess', 'DeploymentFailure', 'DeploymentStop', 'DeploymentRollback', 'DeploymentReady']);
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(svc.checkFailedRule).toBeUndefined();
  });

  test('the plan names the trigger events', () => {
    expect(withTopic({ engine: cd }).svc.plan.notes).toContain('Notifications (SNS topic): started, paused, completed, rolled-back, from CodeDeploy trigger events '
      + 'DeploymentStart, DeploymentSuccess, DeploymentFailure, DeploymentStop, DeploymentRollback, DeploymentReady.');
    expect(withTopic({ engine: cd, notificationEvents: [E.CHECK_FAILED] }).svc.plan.notes).toContain(
      'Notifications (SNS topic): check-failed, from the rollback alarms entering ALARM (EventBridge, at any time).');
  });

  test.each([
    ['STARTED', [E.STARTED], ['DeploymentStart']],
    ['COMPLETED', [E.COMPLETED], ['DeploymentSuccess']],
    ['ROLLED_BACK', [E.ROLLED_BACK], ['DeploymentFailure', 'DeploymentStop', 'DeploymentRollback']],
    ['ROLLED_BACK, STARTED', [E.ROLLED_BACK, E.STARTED], ['DeploymentStart', 'DeploymentFailure', 'DeploymentStop', 'DeploymentRollback']],
  ])('%s becomes the trigger events %j', (_label, events, expected) => {
    const { template } = withTopic({ engine: cd, notificationEvents: events });
    expect(triggerEvents(template)).toEqual(expected);
    template.resourceCountIs('AWS::Events::Rule', 0);
  });

  test('PAUSED, with a manual promotion, is DeploymentReady (the replacement waits for approval)', () => {
    const { template } = withTopic({ engine: cd, strategy: manual(), notificationEvents: [E.PAUSED, E.COMPLETED] });
    expect(triggerEvents(template)).toEqual(['DeploymentSuccess', 'DeploymentReady']);
  });

  test('CHECK_FAILED is a rule on the rollback alarms; alone, it leaves the deployment group without a trigger', () => {
    const { template, svc, topicRef } = withTopic({ engine: cd, notificationEvents: [E.CHECK_FAILED] });
    expect(triggerEvents(template)).toBeUndefined();
    expect(Object.keys(patterns(template))).toEqual(['ApiCheckFailedEvents']);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ source: ['aws.cloudwatch'], detail: { state: { value: ['ALARM'] } } }),
      Targets: [Match.objectLike({ Arn: topicRef })],
    });
    expect(svc.checkFailedRule).toBeDefined();
  });

  test('fails when an event has no CodeDeploy trigger for this strategy', () => {
    expect(() => withTopic({ engine: cd, notificationEvents: [E.STEP_COMPLETED] })).toThrow(
      'ProgressiveFargateService Test/Api: notificationEvents cannot include STEP_COMPLETED with CodeDeploy (ECS): CodeDeploy triggers report the deployment (start, ready, success, failure, stop, rollback), '
      + 'not its traffic-shifting steps, got DeploymentEvent.STEP_COMPLETED. Use COMPLETED and ROLLED_BACK.');
    expect(() => withTopic({ engine: cd, strategy: canary(), notificationEvents: [E.PAUSED] })).toThrow(
      'ProgressiveFargateService Test/Api: notificationEvents cannot include PAUSED: CodeDeploy signals it as DeploymentReady, when the replacement waits for approval, '
      + 'and this strategy never waits for a person, got DeploymentEvent.PAUSED.');
  });
});

describe('DeploymentEvent on a Lambda alias (CodeDeploy)', () => {
  test('by default the trigger keeps its five events, as before', () => {
    const { template, live } = aliasWithTopic({});
    expect(triggerEvents(template)).toEqual(['DeploymentStart', 'DeploymentSuccess', 'DeploymentFailure', 'DeploymentStop', 'DeploymentRollback']);
    expect(live.checkFailedRule).toBeUndefined();
    expect(live.plan.notes).toContain('Notifications (SNS topic): started, completed, rolled-back, from CodeDeploy trigger events '
      + 'DeploymentStart, DeploymentSuccess, DeploymentFailure, DeploymentStop, DeploymentRollback.');
    expect(alias().live.plan.notes.some(n => n.startsWith('Notifications'))).toBe(false);
  });

  test.each([
    ['STARTED', [E.STARTED], ['DeploymentStart']],
    ['COMPLETED', [E.COMPLETED], ['DeploymentSuccess']],
    ['ROLLED_BACK', [E.ROLLED_BACK], ['DeploymentFailure', 'DeploymentStop', 'DeploymentRollback']],
  ])('%s becomes the trigger events %j', (_label, events, expected) => {
    const { template } = aliasWithTopic({ notificationEvents: events });
    expect(triggerEvents(template)).toEqual(expected);
  });

  test('CHECK_FAILED is a rule on the alias\'s rollback alarms', () => {
    const { template, live } = aliasWithTopic({ notificationEvents: [E.COMPLETED, E.CHECK_FAILED] });
    expect(triggerEvents(template)).toEqual(['DeploymentSuccess']);
    const rule = only(template, 'AWS::Events::Rule');
    expect(rule.Properties.EventPattern.resources).toHaveLength(live.alarms.length);
    expect(rule.Properties.EventPattern.detail).toEqual({ state: { value: ['ALARM'] } });
    expect(live.checkFailedRule).toBeDefined();
  });

  test('fails when an event has no Lambda signal, or there is no topic', () => {
    const where = 'ProgressiveLambdaAlias Test/Live: ';
    expect(() => aliasWithTopic({ notificationEvents: [E.PAUSED] })).toThrow(
      `${where}notificationEvents cannot include PAUSED with CodeDeploy (Lambda): a Lambda deployment never waits for approval, so there is no trigger for it, got DeploymentEvent.PAUSED. `
      + 'Remove PAUSED; Lambda deployments shift traffic on a timer.');
    expect(() => aliasWithTopic({ notificationEvents: [E.STEP_COMPLETED] })).toThrow(`${where}notificationEvents cannot include STEP_COMPLETED with CodeDeploy (Lambda)`);
    expect(() => aliasWithTopic({
      strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.none('smoke tested only') }),
      notificationEvents: [E.CHECK_FAILED],
    })).toThrow(`${where}notificationEvents cannot include CHECK_FAILED: it is a rollback alarm entering ALARM, and the strategy's analysis has no health checks`);
    expect(() => alias({ notificationEvents: [E.COMPLETED] })).toThrow(`${where}notificationEvents needs a notificationTopic to notify, got completed.`);
  });

  test('fails when notificationEvents is malformed', () => {
    const where = 'ProgressiveLambdaAlias Test/Live: ';
    expect(() => aliasWithTopic({ notificationEvents: null as any })).toThrow(`${where}notificationEvents must be an array of DeploymentEvent, got null.`);
    expect(() => aliasWithTopic({ notificationEvents: { 0: E.COMPLETED } as any })).toThrow(`${where}notificationEvents must be an array of DeploymentEvent, got {"0":`);
    expect(() => aliasWithTopic({ notificationEvents: [E.STARTED, 'rolled-back'] as any })).toThrow(`${where}notificationEvents[1] must be a DeploymentEvent, got "rolled-back".`);
    expect(() => aliasWithTopic({ notificationEvents: [E.STARTED, E.STARTED] })).toThrow(`${where}notificationEvents[1] repeats an event, got started.`);
    expect(() => aliasWithTopic({ notificationEvents: Fn.split(',', Fn.importValue('Events')) as any }))
      .toThrow(`${where}notificationEvents must be an array of DeploymentEvent known at synth time, got an unresolved token.`);
    expect(() => aliasWithTopic({ notificationEvents: [E.STARTED, Token.asString({ Ref: 'X' })] as any }))
      .toThrow(`${where}notificationEvents[1] must be a DeploymentEvent, got an unresolved token.`);
  });
});
