import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as cdk8s from 'cdk8s';
import * as fc from 'fast-check';
import {
  Analysis, ArgoRollout, CanaryStep, DeploymentEvent, DeploymentStrategy, EcsEngine, HealthCheck, MetricProvider,
  NotificationTrigger, ProgressiveFargateService, ProgressiveLambdaAlias, Promotion, RolloutNotification, StrategyKind, TrafficRouting,
} from '../src';

/** One notification declaration, rendered on every target. */
const checks = () => Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] });
const canary = () => DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(10))], analysis: checks() });
const manual = () => DeploymentStrategy.blueGreen({ promotion: Promotion.manual(), keepPreviousVersionFor: Duration.minutes(30) });

function fargate(events: DeploymentEvent[], engine: EcsEngine, strategy: DeploymentStrategy): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  new ProgressiveFargateService(stack, 'Api', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    containerPort: 8080,
    strategy,
    engine,
    notificationTopic: new sns.Topic(stack, 'Topic'),
    notificationEvents: events,
  });
  return Template.fromStack(stack);
}

function lambdaAlias(events: DeploymentEvent[]): Template {
  const stack = new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
  new ProgressiveLambdaAlias(stack, 'Live', {
    version: fn.currentVersion, strategy: canary(), notificationTopic: new sns.Topic(stack, 'Topic'), notificationEvents: events,
  });
  return Template.fromStack(stack);
}

function argo(events: DeploymentEvent[], strategy: DeploymentStrategy): Record<string, string> {
  const chart = cdk8s.Testing.chart();
  new ArgoRollout(chart, 'api', {
    strategy,
    containers: [{ image: 'registry.example.com/api:1.2.3', portNumber: 8080 }],
    // A blue/green (here without checks) switches Services; a canary shifts weight on the router and is measured.
    ...(strategy.kind === StrategyKind.BLUE_GREEN ? {} : {
      trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }),
      metrics: MetricProvider.prometheus({ address: 'http://prometheus.monitoring:9090' }),
    }),
    notifications: RolloutNotification.forEvents({ events, service: 'slack', recipients: ['#deploys'] }),
  });
  return cdk8s.Testing.synth(chart).find(m => m.kind === 'Rollout').metadata.annotations;
}

function ecsEventNames(t: Template): string[] {
  const rules = Object.values(t.findResources('AWS::Events::Rule')) as any[];
  return rules.flatMap(r => r.Properties.EventPattern.detail?.eventName ?? []);
}

function triggers(t: Template): string[] {
  const group = Object.values(t.findResources('AWS::CodeDeploy::DeploymentGroup'))[0] as any;
  return group.Properties.TriggerConfigurations?.[0]?.TriggerEvents ?? [];
}

function alarmRules(t: Template): number {
  return (Object.values(t.findResources('AWS::Events::Rule')) as any[]).filter(r => r.Properties.EventPattern.source[0] === 'aws.cloudwatch').length;
}

describe('one DeploymentEvent list, every target', () => {
  test('completed, rolled back and check failed: the same three meanings on ECS native, CodeDeploy ECS, Lambda and Argo', () => {
    const events = [DeploymentEvent.COMPLETED, DeploymentEvent.ROLLED_BACK, DeploymentEvent.CHECK_FAILED];
    const native = fargate(events, EcsEngine.native(), canary());
    expect(ecsEventNames(native)).toEqual(['SERVICE_DEPLOYMENT_COMPLETED', 'SERVICE_DEPLOYMENT_FAILED']);
    expect(alarmRules(native)).toBe(1);
    const codeDeploy = fargate(events, EcsEngine.codeDeploy(), canary());
    expect(triggers(codeDeploy)).toEqual(['DeploymentSuccess', 'DeploymentFailure', 'DeploymentStop', 'DeploymentRollback']);
    expect(alarmRules(codeDeploy)).toBe(1);
    const alias = lambdaAlias(events);
    expect(triggers(alias)).toEqual(['DeploymentSuccess', 'DeploymentFailure', 'DeploymentStop', 'DeploymentRollback']);
    expect(alarmRules(alias)).toBe(1);
    expect(argo(events, canary())).toEqual({
      'notifications.argoproj.io/subscribe.on-rollout-completed.slack': '#deploys',
      'notifications.argoproj.io/subscribe.on-rollout-aborted.slack': '#deploys',
      'notifications.argoproj.io/subscribe.on-analysis-run-failed.slack': '#deploys',
    });
  });

  test('a manual gate: PAUSED is the PAUSE hook awaiting action, CodeDeploy\'s DeploymentReady and on-rollout-paused', () => {
    const events = [DeploymentEvent.STARTED, DeploymentEvent.PAUSED];
    expect(ecsEventNames(fargate(events, EcsEngine.native(), manual()))).toEqual(['SERVICE_DEPLOYMENT_IN_PROGRESS', 'HOOK_AWAITING_ACTION']);
    expect(triggers(fargate(events, EcsEngine.codeDeploy(), manual()))).toEqual(['DeploymentStart', 'DeploymentReady']);
    expect(argo(events, manual())).toEqual({
      'notifications.argoproj.io/subscribe.on-rollout-updated.slack': '#deploys',
      'notifications.argoproj.io/subscribe.on-rollout-paused.slack': '#deploys',
    });
  });

  test('DeploymentEvent.all() lists the six events in the order of a deployment, and is a copy', () => {
    const all = DeploymentEvent.all();
    expect(all.map(e => [e.name, e.description])).toEqual([
      ['started', 'a deployment started'], ['step-completed', 'a step completed'], ['paused', 'the deployment waits'],
      ['completed', 'the deployment completed'], ['rolled-back', 'the deployment rolled back'], ['check-failed', 'a check failed'],
    ]);
    all.pop();
    expect(DeploymentEvent.all()).toHaveLength(6);
  });

  test('random event lists on random targets render the same meaning or raise the library\'s error, never a TypeError', () => {
    const event = fc.constantFrom(...DeploymentEvent.all());
    const target = fc.constantFrom('native', 'codeDeploy', 'lambda', 'argo');
    const strategy = fc.constantFrom('canary', 'manual');
    fc.assert(fc.property(fc.array(event, { minLength: 1, maxLength: 4 }), target, strategy, (events, t, s) => {
      const decl = s === 'canary' ? canary() : manual();
      try {
        if (t === 'native') {fargate(events, EcsEngine.native(), decl);} else if (t === 'codeDeploy') {fargate(events, EcsEngine.codeDeploy(), decl);} else if (t === 'lambda') {lambdaAlias(events);} else {
          const annotations = argo(events, decl);
          // Each distinct event is its catalog trigger.
          expect(Object.keys(annotations).sort()).toEqual([...new Set(events)].map(e => `notifications.argoproj.io/subscribe.${NotificationTrigger.of(e).name}.slack`).sort());
        }
        expect(new Set(events).size).toBe(events.length);
      } catch (e) {
        expect((e as Error).name).toBe('DeliveryValidationError');
        expect((e as Error).message).toMatch(/: (notificationEvents|events|notifications)(\[\d+\])? .+, got .+\. .+$/s);
      }
    }), { numRuns: Number(process.env.PROPERTY_RUNS ?? 40), seed: 14 });
  });
});
