import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { analysis, newStack } from './util';
import { Analysis, CanaryStep, DeploymentStrategy, HealthCheck, ProgressiveLambdaAlias, ProgressiveLambdaAliasProps, SmokeTest } from '../../src';

function fnIn(stack: Stack, id = 'Fn'): lambda.Function {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
}

function canary(keep?: Duration, a: Analysis = analysis()): DeploymentStrategy {
  return DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: a, keepPreviousVersionFor: keep });
}

function alias(props: Partial<ProgressiveLambdaAliasProps> = {}, stack = newStack()) {
  const fn = fnIn(stack);
  const live = new ProgressiveLambdaAlias(stack, 'Live', { version: fn.currentVersion, strategy: canary(), alarmNamePrefix: 'fn', ...props });
  return { stack, fn, live, template: Template.fromStack(stack) };
}

/** The function resource whose description starts with `prefix`. */
function functionNamed(template: Template, prefix: string): [string, any] {
  const found = Object.entries(template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(`^${prefix}`) } }));
  expect(found).toHaveLength(1);
  return found[0] as [string, any];
}

/** Every statement of the inline policies attached to the role of function `fnId`. */
function statementsOf(template: Template, fnId: string): any[] {
  const fn = template.toJSON().Resources[fnId];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0];
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('the version CodeDeploy shifts to', () => {
  test('fails when the version is $LATEST: the canary would be bypassed', () => {
    const stack = newStack();
    const fn = fnIn(stack);
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', { version: fn.latestVersion, strategy: canary() }))
      .toThrow(/version cannot be \$LATEST: CodeDeploy shifts an alias between published versions, and an alias on \$LATEST would take every change at once, without the canary the plan promises, got "\$LATEST"\. Pass fn.currentVersion/);
  });

  test('fails when the version is an alias', () => {
    const stack = newStack();
    const fn = fnIn(stack);
    const other = new lambda.Alias(stack, 'Other', { aliasName: 'blue', version: fn.currentVersion });
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', { version: other as any, strategy: canary() }))
      .toThrow(/version must be a published version, not an alias: CodeDeploy shifts this construct's alias between two versions, got the alias "blue"/);
  });

  test('fails when the version is the function itself (unqualified)', () => {
    const stack = newStack();
    const fn = fnIn(stack);
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', { version: fn as any, strategy: canary() }))
      .toThrow(/version must be a Lambda version \(a function is not a version\), got the function the construct Test\/Fn\. Pass fn.currentVersion/);
  });

  test('fails when the version is not a version number', () => {
    const stack = newStack();
    const version = lambda.Version.fromVersionAttributes(stack, 'V', { lambda: fnIn(stack), version: 'live' });
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', { version, strategy: canary() })).toThrow(/version must be a published version number, got "live"/);
  });

  test('fails when the version belongs to an alias or a version rather than to the function', () => {
    const stack = newStack();
    const fn = fnIn(stack);
    const blue = new lambda.Alias(stack, 'Blue', { aliasName: 'blue', version: fn.currentVersion });
    const version = lambda.Version.fromVersionAttributes(stack, 'V', { lambda: blue, version: '3' });
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', { version, strategy: canary() }))
      .toThrow(/version.lambda must be the unqualified function, not an alias or a version of it: CodeDeploy shifts an alias of that function/);
    const qualified = lambda.Version.fromVersionAttributes(stack, 'Q', {
      lambda: lambda.Function.fromFunctionArn(stack, 'QF', 'arn:aws:lambda:eu-west-1:123456789012:function:orders:live'), version: '3',
    });
    expect(() => new ProgressiveLambdaAlias(stack, 'Live2', { version: qualified, strategy: canary() }))
      .toThrow(/version.lambda must be the unqualified function.*got "arn:aws:lambda:eu-west-1:123456789012:function:orders:live"/);
  });

  test('fails when the version names another function than version.lambda', () => {
    const stack = newStack();
    const real = lambda.Version.fromVersionArn(stack, 'V', 'arn:aws:lambda:eu-west-1:123456789012:function:orders:3');
    const mixed = Object.create(real, { functionArn: { value: 'arn:aws:lambda:eu-west-1:123456789012:function:payments:3' } });
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', { version: mixed, strategy: canary() }))
      .toThrow(/version must be a version of arn:aws:lambda:eu-west-1:123456789012:function:orders, the function it names in version.lambda, got "arn:aws:lambda:eu-west-1:123456789012:function:payments:3"/);
  });

  test('an imported published version is accepted', () => {
    const stack = newStack();
    const version = lambda.Version.fromVersionArn(stack, 'V', 'arn:aws:lambda:eu-west-1:123456789012:function:orders:3');
    new ProgressiveLambdaAlias(stack, 'Live', { version, strategy: canary() });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Alias', { FunctionName: 'orders', FunctionVersion: '3', Name: 'live' });
  });
});

describe('keepPreviousVersionFor: the keep-window hook', () => {
  test('the default 5 minutes become an AfterAllowTraffic hook that holds the deployment while the alarms judge', () => {
    const { template, stack, live } = alias();
    const [id, fn] = functionNamed(template, 'Keeps the deployment of Test/Live open');
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.Timeout).toBe(900);
    expect(fn.Properties.Environment.Variables).toEqual({
      KEEP_MS: '300000',
      ALARM_NAMES: expect.anything(),
      POLL_MS: '30000',
    });
    // The names of the alarms CodeDeploy watches (Ref of an alarm is its name).
    expect(fn.Properties.Environment.Variables.ALARM_NAMES).toEqual({
      'Fn::Join': ['', ['["', { Ref: stack.getLogicalId(live.alarms[0].node.defaultChild as any) }, '","', { Ref: stack.getLogicalId(live.alarms[1].node.defaultChild as any) }, '"]']],
    });
    template.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ AfterAllowTrafficHook: { Ref: id } }) } });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: id }, MaximumRetryAttempts: 0 });
    expect(live.keepWindowFunction).toBeDefined();
    const last = live.plan.phases[live.plan.phases.length - 1];
    expect([last.name, last.trafficPercent, last.duration.toSeconds(), last.checks, last.timeToDetect?.toSeconds()])
      .toEqual(['Full traffic, previous version kept', 100, 300, ['error-rate', 'latency-p99'], 180]);
    expect(last.note).toBe('the AfterAllowTraffic hook holds the deployment open while the rollback alarms judge the new version; an alarm rolls the alias back');
    expect(live.plan.previousVersionReleasedAfter.toSeconds()).toBe(600);
    expect(live.plan.worstCaseExposure).toBe(300);
  });

  test('its IAM names the deployment group, the alarms and itself only', () => {
    const { template, stack, live } = alias();
    const [id] = functionNamed(template, 'Keeps the deployment');
    const groupArn = stack.resolve(live.deploymentGroup.deploymentGroupArn);
    const statements = statementsOf(template, id);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'codedeploy:GetDeployment', Resource: groupArn }),
      expect.objectContaining({ Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Resource: groupArn }),
      expect.objectContaining({ Action: 'cloudwatch:DescribeAlarms', Resource: live.alarms.map(a => stack.resolve(a.alarmArn)) }),
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [id, 'Arn'] } }),
    ]));
    expect(statements).toHaveLength(4);
    // Its policies are deployed before the alias update whose hook needs them.
    const policyIds = Object.keys(template.findResources('AWS::IAM::Policy')).filter(k => k.includes('KeepWindow'));
    expect(policyIds).toHaveLength(2);
    const aliasDeps = (Object.values(template.findResources('AWS::Lambda::Alias'))[0] as any).DependsOn;
    expect(aliasDeps).toEqual(expect.arrayContaining(policyIds));
  });

  test('a keep window of 0 creates no hook, and the plan says the deployment ends at the switch', () => {
    const { template, live } = alias({ strategy: canary(Duration.seconds(0)) });
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).toHaveLength(1);
    template.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.not(Match.objectLike({ AfterAllowTrafficHook: Match.anyValue() })) } });
    expect(live.keepWindowFunction).toBeUndefined();
    expect(live.plan.phases[live.plan.phases.length - 1]).toMatchObject({ name: 'Full traffic', trafficPercent: 100, note: 'keepPreviousVersionFor is 0: the deployment ends when the alias points to the new version' });
    expect(live.plan.notes).toContain('CodeDeploy stops watching the alarms once the deployment ends; the previous version stays published for a manual rollback.');
  });

  test('a keep window shorter than the alarms need is held, and the plan says it is not judged', () => {
    const { live } = alias({ strategy: canary(Duration.minutes(2)) });
    const last = live.plan.phases[live.plan.phases.length - 1];
    expect([last.duration.toSeconds(), last.checks, last.timeToDetect]).toEqual([120, [], undefined]);
    expect(last.note).toBe('the AfterAllowTraffic hook holds the deployment open, but for less than the 3m the alarms need to fire: a failure that starts now may not be caught before the deployment ends');
    expect(live.plan.toMarkdown()).toContain('| 100% | 5m | 2m | - | not detected | unbounded |');
  });

  test('55 minutes is the longest window', () => {
    const { template } = alias({ strategy: canary(Duration.minutes(55)) });
    const [, fn] = functionNamed(template, 'Keeps the deployment');
    expect(fn.Properties.Environment.Variables.KEEP_MS).toBe('3300000');
  });

  test('fails when the keep window is longer than the hook can hold', () => {
    expect(() => alias({ strategy: canary(Duration.minutes(56)) }))
      .toThrow(/strategy.keepPreviousVersionFor must be at most 55 minutes for a Lambda alias: the AfterAllowTraffic hook that keeps the deployment open must report to CodeDeploy within 60 minutes of its start, and 5 are kept for its last alarm check and report, got 56m\. Shorten it to 55 minutes or less, or set it to Duration\.seconds\(0\)/);
  });

  test('fails when a post-traffic hook of yours competes with the keep window', () => {
    const stack = newStack();
    const post = fnIn(stack, 'Post');
    expect(() => alias({ postTrafficHook: post }, stack))
      .toThrow(/postTrafficHook cannot be set while strategy.keepPreviousVersionFor \(5m\) holds the deployment open: CodeDeploy runs one AfterAllowTraffic hook, and the keep window uses it, got Test\/Post\. Set keepPreviousVersionFor: Duration.seconds\(0\)/);
  });

  test('an all-at-once deployment with an analysis is judged during the keep window', () => {
    const strategy = DeploymentStrategy.allAtOnce({ analysis: analysis(), keepPreviousVersionFor: Duration.minutes(5) });
    const { template, live } = alias({ strategy });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { TrafficRoutingConfig: { Type: 'AllAtOnce' } });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    expect(live.plan.phases).toHaveLength(1);
    expect(live.plan.phases[0]).toMatchObject({ trafficPercent: 100, checks: ['error-rate', 'latency-p99'] });
    expect(live.plan.worstCaseExposure).toBe(300);
  });

  test('without an analysis the window is still held, so that stopping the deployment rolls back', () => {
    const { template, live } = alias({ strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.none('no traffic metrics yet') }) });
    const [id] = functionNamed(template, 'Keeps the deployment');
    expect(statementsOf(template, id).some((s: any) => s.Action === 'cloudwatch:DescribeAlarms')).toBe(false);
    expect(live.plan.phases[live.plan.phases.length - 1].note).toBe('the AfterAllowTraffic hook holds the deployment open; stopping it rolls the alias back');
  });
});

describe('SmokeTest.invoke on a Lambda alias', () => {
  test('a function invokes the new version before traffic, with the payload and the expected result', () => {
    const { template, stack, fn, live } = alias({
      smokeTest: SmokeTest.invoke({ payload: { path: '/ping' }, expectResult: { statusCode: 200 }, retries: 2, retryInterval: Duration.seconds(5) }),
    });
    const [id, smoke] = functionNamed(template, 'Smoke test of Test/Live');
    expect(smoke.Properties.Runtime).toBe('nodejs24.x');
    expect(smoke.Properties.Timeout).toBe(70); // deadline 3 × 10s + 2 × 5s, plus 30s to report
    const versionRef = stack.resolve(fn.currentVersion.functionArn);
    expect(smoke.Properties.Environment.Variables).toEqual({
      TARGET_FUNCTION: versionRef,
      PAYLOAD: '{"path":"/ping"}',
      EXPECT_RESULT: '{"statusCode":200}',
      TIMEOUT_MS: '10000',
      RETRIES: '2',
      RETRY_INTERVAL_MS: '5000',
      DEADLINE_MS: '40000',
    });
    template.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ BeforeAllowTrafficHook: { Ref: id } }) } });
    // Least privilege: invoke that version only, report to this deployment group only.
    const statements = statementsOf(template, id);
    expect(statements).toEqual(expect.arrayContaining([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: versionRef }),
      expect.objectContaining({ Action: 'codedeploy:GetDeployment', Resource: stack.resolve(live.deploymentGroup.deploymentGroupArn) }),
      expect.objectContaining({ Action: 'codedeploy:PutLifecycleEventHookExecutionStatus', Resource: stack.resolve(live.deploymentGroup.deploymentGroupArn) }),
    ]));
    expect(statements).toHaveLength(3);
    expect(live.smokeTestFunction!.node.path).toBe('Test/Live/SmokeTest');
    // The plan shows the check before traffic, for as long as it may take.
    expect(live.plan.phases[0]).toMatchObject({ name: 'Before traffic (BeforeAllowTraffic hook)', trafficPercent: 0 });
    expect(live.plan.phases[0].duration.toSeconds()).toBe(40);
    expect(live.plan.phases[0].note).toBe('smoke test: invoke the new version and check its result within 10s per attempt, 2 retries 5s apart, at most 40s in all');
    expect(live.plan.timeToFullTraffic.toSeconds()).toBe(340);
  });

  test('SmokeTest.lambda runs your function before traffic, with its timeout in the plan', () => {
    const stack = newStack();
    const mine = new lambda.Function(stack, 'Mine', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x'), timeout: Duration.minutes(2) });
    const { template, live } = alias({ smokeTest: SmokeTest.lambda(mine) }, stack);
    template.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.objectLike({ BeforeAllowTrafficHook: { Ref: stack.getLogicalId(mine.node.defaultChild as any) } }) } });
    expect(live.smokeTestFunction).toBe(mine);
    expect(live.plan.phases[0].duration.toSeconds()).toBe(120);
    expect(live.plan.phases[0].note).toBe('smoke test: your Lambda function, at most its timeout of 2m');
  });

  test('fails when the smoke test is an HTTP one: an alias has no test listener', () => {
    expect(() => alias({ smokeTest: SmokeTest.http({ path: '/health' }) }))
      .toThrow(/smokeTest cannot be SmokeTest.http here, got smoke test: GET \/health expects 200 on the test listener within 10s\. A Lambda alias has no test listener: use SmokeTest.invoke/);
  });

  test('fails when smokeTest and preTrafficHook both want the BeforeAllowTraffic hook', () => {
    const stack = newStack();
    expect(() => alias({ smokeTest: SmokeTest.invoke(), preTrafficHook: fnIn(stack, 'Pre') }, stack))
      .toThrow(/preTrafficHook cannot be set together with smokeTest: CodeDeploy runs one BeforeAllowTraffic hook, got Test\/Pre\. Keep one/);
  });
});

describe('bad input is refused before any child construct exists', () => {
  const cases: Array<[string, (stack: Stack) => Partial<ProgressiveLambdaAliasProps> | null, RegExp]> = [
    ['the props are null', () => null, /props must be an object, got null/],
    ['the strategy is a string', () => ({ strategy: 'canary' as any }), /strategy must be a DeploymentStrategy, got "canary"/],
    ['the version is null', () => ({ version: null as any }), /version must be a Lambda version, got null/],
    ['the alias name is a number', () => ({ aliasName: 42 as any }), /aliasName must be 1-128 letters, digits, "-" or "_", and not only digits, got 42/],
    ['the alias name is a token', () => ({ aliasName: Token.asString({ Ref: 'Name' }) }), /aliasName must be known at synth time: it names the alarms' Resource dimension, got an unresolved token/],
    ['the pre-traffic hook is a function name', () => ({ preTrafficHook: 'my-hook' as any }), /preTrafficHook must be a Lambda function, got "my-hook"\. Pass a lambda.IFunction/],
    ['the post-traffic hook is an empty object', () => ({ postTrafficHook: {} as any }), /postTrafficHook must be a Lambda function, got \{\}/],
    ['the smoke test is a string', () => ({ smokeTest: '/health' as any }), /smokeTest must be a SmokeTest, got "\/health"/],
    ['the application is a name', () => ({ application: 'my-app' as any }), /application must be a CodeDeploy Lambda application, got "my-app"/],
    ['the application is an ECS application', stack => ({ application: new codedeploy.EcsApplication(stack, 'Ecs') as any }), /application must be a CodeDeploy Lambda application, got the construct Test\/Ecs/],
    ['the deployment group name is too long', () => ({ deploymentGroupName: 'g'.repeat(101) }), /deploymentGroupName must be 1-100 characters/],
    ['the deployment group name is a number', () => ({ deploymentGroupName: 7 as any }), /deploymentGroupName must be 1-100 characters, got 7/],
    ['the notification topic is an ARN string', () => ({ notificationTopic: 'arn:aws:sns:eu-west-1:123456789012:t' as any }), /notificationTopic must be an SNS topic, got "arn:aws:sns:eu-west-1:123456789012:t"/],
    ['the alarm name prefix is a token', () => ({ alarmNamePrefix: Token.asString({ Ref: 'P' }) }), /alarmNamePrefix must be 1-180 letters, digits or "_.-\/" known at synth time/],
  ];
  test.each(cases)('fails when %s', (_, props, message) => {
    const stack = newStack();
    const fn = fnIn(stack);
    const given = props(stack);
    const all = given === null ? null : { version: fn.currentVersion, strategy: canary(), ...given };
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', all as any)).toThrow(message);
    expect(stack.node.tryFindChild('Live')!.node.children).toHaveLength(0);
  });

  test('fails when the keep window is refused, before anything is created', () => {
    const stack = newStack();
    const fn = fnIn(stack);
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', { version: fn.currentVersion, strategy: canary(Duration.hours(2)) })).toThrow(/at most 55 minutes/);
    expect(stack.node.tryFindChild('Live')!.node.children).toHaveLength(0);
  });

  test('a custom check works with the keep window too (it watches the same alarms)', () => {
    const { live } = alias({ strategy: canary(undefined, Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2 })] })) });
    expect(live.alarms).toHaveLength(1);
    expect(live.keepWindowFunction).toBeDefined();
  });
});

describe('the hook handler assets', () => {
  test('run from the sources, each hook is its handler transpiled to JavaScript, alone, with only the SDK clients it calls', () => {
    const { stack } = alias({ smokeTest: SmokeTest.invoke({ payload: {} }) });
    const assembly = (stack.node.scope as any).synth();
    const dirs = fs.readdirSync(assembly.directory).filter((d: string) => d.startsWith('asset.')).map((d: string) => path.join(assembly.directory, d));
    expect(dirs).toHaveLength(2);
    const sources = dirs.map((dir: string) => {
      expect(fs.readdirSync(dir)).toEqual(['index.js']);
      return fs.readFileSync(path.join(dir, 'index.js'), 'utf-8');
    });
    const invoke = sources.find((js: string) => js.includes('TARGET_FUNCTION'))!;
    const keep = sources.find((js: string) => js.includes('KEEP_MS'))!;
    for (const js of [invoke, keep]) {
      expect(js).toContain('exports.handler = handler');
      expect(js).not.toMatch(/: Promise<unknown>|: KeepResult/);
    }
    const clients = (js: string) => [...js.matchAll(/require\("(@aws-sdk\/[\w-]+)"\)/g)].map(m => m[1]).sort();
    expect(clients(invoke)).toEqual(['@aws-sdk/client-codedeploy', '@aws-sdk/client-lambda']);
    expect(clients(keep)).toEqual(['@aws-sdk/client-cloudwatch', '@aws-sdk/client-codedeploy', '@aws-sdk/client-lambda']);
  });
});
