import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { analysis, newStack } from './util';
import { Analysis, CanaryStep, Comparison, DeploymentStrategy, HealthCheck, ProgressiveLambdaAlias, ProgressiveLambdaAliasProps, Promotion, TooLittleData } from '../../src';

function fnIn(stack: Stack, id = 'Fn'): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
}

function canaryWith(a: Analysis): DeploymentStrategy {
  return DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: a });
}

function alias(props: Partial<ProgressiveLambdaAliasProps> = {}, stack = newStack()) {
  const fn = fnIn(stack);
  const live = new ProgressiveLambdaAlias(stack, 'Live', {
    version: fn.currentVersion,
    strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: analysis() }),
    ...props,
  });
  return { stack, fn, live, template: Template.fromStack(stack) };
}

describe('ProgressiveLambdaAlias', () => {
  test('creates the "live" alias on the version and a deployment group with a TimeBasedCanary config', () => {
    const { template, live } = alias();
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', FunctionVersion: Match.anyValue() });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      ComputePlatform: 'Lambda',
      TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 10, CanaryInterval: 5 } },
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      AlarmConfiguration: Match.objectLike({ Enabled: true }),
    });
    template.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.anyValue() } });
    expect(live.plan.target).toBe('Lambda CodeDeploy');
    expect(live.plan.phases.map(p => p.trafficPercent)).toEqual([10, 100]);
    expect(live.plan.notes).toContain('After the keep window the deployment succeeds; the previous version stays published for a manual rollback.');
  });

  test('linear becomes TimeBasedLinear and all-at-once AllAtOnce', () => {
    const linear = alias({ strategy: DeploymentStrategy.linear({ stepPercent: 25, interval: Duration.minutes(3), analysis: analysis() }) }).template;
    linear.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { TrafficRoutingConfig: { Type: 'TimeBasedLinear', TimeBasedLinear: { LinearPercentage: 25, LinearInterval: 3 } } });
    const once = alias({ strategy: DeploymentStrategy.allAtOnce() });
    once.template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { TrafficRoutingConfig: { Type: 'AllAtOnce' } });
    once.template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
    expect(once.live.plan.phases).toHaveLength(1);
  });

  test('the error-rate alarm divides Errors by Invocations of the deployed version, guarded by minRequests', () => {
    const stack = newStack();
    const { template, fn } = alias({
      alarmNamePrefix: 'fn',
      strategy: canaryWith(Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 3 })], minRequests: 25 })),
    }, stack);
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))[0] as any;
    expect(alarm.Properties.AlarmName).toBe('fn-error-rate');
    expect(alarm.Properties.Threshold).toBe(3);
    expect(alarm.Properties.Metrics[0].Expression).toBe('IF(FILL(inv, 0) >= 25, 100 * FILL(err, 0) / FILL(inv, 0), 0)');
    const err = alarm.Properties.Metrics.find((m: any) => m.Id === 'err').MetricStat.Metric;
    expect(err.MetricName).toBe('Errors');
    expect(err.Namespace).toBe('AWS/Lambda');
    const dims = Object.fromEntries(err.Dimensions.map((d: any) => [d.Name, d.Value]));
    const fnId = stack.getLogicalId(fn.node.defaultChild as any);
    expect(dims.FunctionName).toEqual({ Ref: fnId });
    expect(dims.Resource).toEqual({ 'Fn::Join': [':', [{ Ref: fnId }, 'live']] });
    expect(dims.ExecutedVersion).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/CurrentVersion/), 'Version'] });
  });

  test('the latency alarm judges the Duration percentile in milliseconds', () => {
    const { template } = alias({
      alarmNamePrefix: 'fn',
      strategy: canaryWith(Analysis.of({ checks: [HealthCheck.latency({ percentile: 95, max: Duration.millis(800) })] })),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'fn-latency-p95',
      Threshold: 800,
      EvaluationPeriods: 2,
      DatapointsToAlarm: 2,
      TreatMissingData: 'notBreaching',
      Metrics: Match.arrayWith([
        Match.objectLike({ Expression: 'IF(FILL(inv, 0) >= 10, FILL(dur, 0), 0)' }),
        Match.objectLike({ Id: 'dur', MetricStat: Match.objectLike({ Metric: Match.objectLike({ MetricName: 'Duration', Namespace: 'AWS/Lambda' }), Stat: 'p95' }) }),
      ]),
    });
  });

  test('TooLittleData.FAIL counts an interval below minRequests as a failure and missing data as breaching', () => {
    const { template } = alias({
      alarmNamePrefix: 'fn',
      strategy: canaryWith(Analysis.of({
        checks: [HealthCheck.errorRate({ maxPercent: 2 }), HealthCheck.latency({ percentile: 95, max: Duration.millis(800) })],
        minRequests: 30,
        tooLittleData: TooLittleData.FAIL,
      })),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'fn-error-rate',
      TreatMissingData: 'breaching',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(FILL(inv, 0) >= 30, 100 * FILL(err, 0) / FILL(inv, 0), 100)' })]),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'fn-latency-p95',
      TreatMissingData: 'breaching',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'IF(FILL(inv, 0) >= 30, FILL(dur, 0), 801)' })]),
    });
  });

  test('fails when the analysis is INCONCLUSIVE', () => {
    const inconclusive = Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2 })], tooLittleData: TooLittleData.INCONCLUSIVE });
    expect(() => alias({ strategy: canaryWith(inconclusive) }))
      .toThrow('strategy.analysis.tooLittleData cannot be INCONCLUSIVE on AWS');
  });

  test('a custom check alarms on its own metric', () => {
    const { template } = alias({
      alarmNamePrefix: 'fn',
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(5))],
        analysis: Analysis.of({ checks: [HealthCheck.custom({ name: 'dlq', threshold: 0, failWhen: Comparison.GREATER_THAN, cloudWatch: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', statistic: 'Maximum' } })] }),
      }),
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'fn-dlq', Namespace: 'AWS/SQS', Statistic: 'Maximum', Threshold: 0 });
  });

  test('aliasName, pre- and post-traffic hooks, application and deploymentGroupName are used', () => {
    const stack = newStack();
    const pre = fnIn(stack, 'Pre');
    const post = fnIn(stack, 'Post');
    const application = new codedeploy.LambdaApplication(stack, 'App');
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: analysis(), keepPreviousVersionFor: Duration.seconds(0),
    });
    const { template, live } = alias({ aliasName: 'prod', preTrafficHook: pre, postTrafficHook: post, application, deploymentGroupName: 'fn-dg', strategy }, stack);
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'prod' });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { DeploymentGroupName: 'fn-dg', ApplicationName: { Ref: stack.getLogicalId(application.node.defaultChild as any) } });
    template.hasResource('AWS::Lambda::Alias', {
      UpdatePolicy: {
        CodeDeployLambdaAliasUpdate: Match.objectLike({
          BeforeAllowTrafficHook: { Ref: stack.getLogicalId(pre.node.defaultChild as any) },
          AfterAllowTrafficHook: { Ref: stack.getLogicalId(post.node.defaultChild as any) },
        }),
      },
    });
    expect(live.application).toBe(application);
    expect(live.smokeTestFunction).toBe(pre);
    expect(live.keepWindowFunction).toBeUndefined();
    // Both hooks are in the plan with their timeouts (3 seconds: lambda.Function's default).
    expect(live.plan.phases.map(p => [p.name, p.trafficPercent, p.duration.toSeconds()])).toEqual([
      ['Before traffic (BeforeAllowTraffic hook)', 0, 3], ['Step 1', 10, 300], ['Full traffic (AfterAllowTraffic hook)', 100, 3],
    ]);
    // The hooks' permissions are deployed before the alias update that runs them (the functions are
    // ordered by the UpdatePolicy's references).
    const aliasDeps = (Object.values(template.findResources('AWS::Lambda::Alias'))[0] as any).DependsOn;
    const policyIds = [pre, post].map(f => stack.getLogicalId(f.role!.node.findChild('DefaultPolicy').node.defaultChild as any));
    expect(aliasDeps).toEqual(expect.arrayContaining(policyIds));
  });

  test('a notification topic becomes a CodeDeploy trigger', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    const { template } = alias({ notificationTopic: topic }, stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      TriggerConfigurations: [Match.objectLike({ TriggerTargetArn: { Ref: stack.getLogicalId(topic.node.defaultChild as any) } })],
    });
  });

  test('more than 10 checks are combined into a composite alarm', () => {
    const checks = Array.from({ length: 12 }, (_, i) => HealthCheck.custom({ name: `c${i}`, threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatch: { namespace: 'N', metricName: `M${i}` } }));
    const { template, live } = alias({ alarmNamePrefix: 'fn', strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.of({ checks }) }) });
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'fn-any',
      AlarmDescription: 'Any rollback alarm of the alias (CodeDeploy takes at most 10 alarms).',
    });
    expect(live.compositeAlarm).toBeDefined();
    expect(live.alarms).toHaveLength(12);
    // The keep-window hook watches what CodeDeploy watches: the composite alarm.
    const keep = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('^Keeps') } }))[0] as any;
    const compositeId = Object.keys(template.findResources('AWS::CloudWatch::CompositeAlarm'))[0];
    expect(keep.Properties.Environment.Variables.ALARM_NAMES).toEqual({ 'Fn::Join': ['', ['["', { Ref: compositeId }, '"]']] });
  });

  test('fails when the strategy is blue/green', () => {
    expect(() => alias({ strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }) }))
      .toThrow(/strategy cannot be blue\/green for a Lambda alias: an alias has no preview route.*Use DeploymentStrategy.canary, .linear or .allAtOnce; check the new version before traffic with smokeTest: SmokeTest.invoke\(\{ payload \}\)\./);
  });

  test('fails when the strategy is rolling', () => {
    expect(() => alias({ strategy: DeploymentStrategy.rolling({ analysis: analysis() }) })).toThrow(/strategy cannot be rolling with Lambda CodeDeploy/);
  });

  test('fails when an all-at-once keep window is shorter than the alarms need to fire', () => {
    const quick = Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], interval: Duration.minutes(1), failureLimit: 0 });
    expect(() => alias({ strategy: DeploymentStrategy.allAtOnce({ analysis: quick, keepPreviousVersionFor: Duration.minutes(1) }) }))
      .toThrow(/strategy.keepPreviousVersionFor must be at least the time the rollback alarms need to fire, interval × \(failureLimit \+ 1\) \+ 1 minute of ingestion delay = 2m .*, got 1m\. Bake for 2m or more/);
  });

  test('fails when a canary has several steps', () => {
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(5, Duration.minutes(5)), CanaryStep.of(20, Duration.minutes(5))], analysis: analysis(),
    });
    expect(() => alias({ strategy }))
      .toThrow(/strategy.steps must contain exactly one step for Lambda CodeDeploy/);
  });

  test('fails when a canary percent is fractional', () => {
    expect(() => alias({ strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(2.5, Duration.minutes(5))], analysis: analysis() }) }))
      .toThrow(/strategy.steps\[0\].weight must be a whole percentage for CodeDeploy, got 2.5/);
  });

  test('fails when the alias name is only digits', () => {
    expect(() => alias({ aliasName: '42' })).toThrow(/aliasName must be 1-128 letters, digits, "-" or "_", and not only digits, got "42"/);
  });

  test('fails when the version is not a Lambda version', () => {
    expect(() => alias({ version: 'v1' as any })).toThrow(/version must be a Lambda version, got "v1"\. Pass fn.currentVersion, which publishes a version whenever the code or configuration changes\./);
  });

  test('fails when the strategy is not a DeploymentStrategy', () => {
    expect(() => alias({ strategy: undefined as any })).toThrow(/strategy must be a DeploymentStrategy, got undefined/);
  });
});
