import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { analysis, canary, error, image, newStack, only, service } from './util';
import {
  Capacity, CodeDeployEcsHookEvent, DeploymentHook, DeploymentStrategy, EcsEngine, EcsLifecycleStage, ProgressiveFargateService, Promotion, SmokeTest,
} from '../../src';
import { appSpecHooks, checkDeploymentHooks } from '../../src/aws/private/hooks';

const arn = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;
const fnIn = (stack: Stack, name: string) => lambda.Function.fromFunctionArn(stack, name, arn(name));
const testTraffic = { testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16') };

describe('deployment hooks on ECS native', () => {
  test('a hook runs at each of the eight ECS lifecycle stages, in the order a deployment reaches them', () => {
    const stack = newStack();
    const stages = Object.values(EcsLifecycleStage);
    expect(stages).toEqual(['RECONCILE_SERVICE', 'PRE_SCALE_UP', 'POST_SCALE_UP', 'TEST_TRAFFIC_SHIFT', 'POST_TEST_TRAFFIC_SHIFT',
      'PRE_PRODUCTION_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT', 'POST_PRODUCTION_TRAFFIC_SHIFT']);
    // Declared in reverse: rendered in lifecycle order.
    const hooks = [...stages].reverse().map(s => DeploymentHook.ecs(s, fnIn(stack, s.toLowerCase())));
    const { template, svc } = service({ hooks, ...testTraffic }, stack);
    const rendered = only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LifecycleHooks;
    expect(rendered.map((h: any) => [h.LifecycleStages, h.HookTargetArn])).toEqual(stages.map(s => [[s], arn(s.toLowerCase())]));
    rendered.forEach((h: any) => expect(h.RoleArn).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Arn'] }));
    expect(svc.plan.notes).toContain('Hook at PRE_SCALE_UP: Test/pre_scale_up runs on every deployment; when it fails or times out, the deployment rolls back.');
    // PRE_PRODUCTION_TRAFFIC_SHIFT is unknown to cfn-lint 1.51: E3030 is ignored on the service, with the reason.
    expect(only(template, 'AWS::ECS::Service').Metadata['cfn-lint'].config).toEqual({
      ignore_checks: ['E3030'],
      ignore_reason: 'PRE_PRODUCTION_TRAFFIC_SHIFT is a valid ECS lifecycle stage (before each production traffic shift) that cfn-lint 1.51 does not list yet',
    });
  });

  test('without hooks nothing is added to the plan or the service', () => {
    const { template, svc } = service({});
    expect(only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LifecycleHooks).toBeUndefined();
    expect(svc.plan.notes.some(n => n.startsWith('Hook at'))).toBe(false);
  });

  test('fails when a hook is for the CodeDeploy engine', () => {
    const stack = newStack();
    expect(error(() => service({ hooks: [DeploymentHook.codeDeploy(CodeDeployEcsHookEvent.BEFORE_INSTALL, fnIn(stack, 'f'))] }, stack)).message)
      .toMatch(/hooks\[0\] is for the other engine: this service deploys with EcsEngine.native\(\), got DeploymentHook.codeDeploy\(BeforeInstall, Test\/f\)\. Use DeploymentHook.ecs/);
  });

  test('fails with a rolling strategy, which has no lifecycle hooks', () => {
    const stack = newStack();
    const strategy = DeploymentStrategy.rolling({ maxSurge: Capacity.percent(50), maxUnavailable: Capacity.percent(0), analysis: analysis() });
    expect(error(() => service({ strategy, hooks: [DeploymentHook.ecs(EcsLifecycleStage.PRE_SCALE_UP, fnIn(stack, 'f'))] }, stack)).message)
      .toMatch(/hooks\[0\] cannot run with a rolling strategy: ECS runs lifecycle hooks only in blue\/green, canary and linear deployments/);
  });

  test('fails at a test-traffic stage without a test listener', () => {
    const stack = newStack();
    expect(error(() => service({ hooks: [DeploymentHook.ecs(EcsLifecycleStage.TEST_TRAFFIC_SHIFT, fnIn(stack, 'f'))] }, stack)).message)
      .toMatch(/hooks\[0\] runs at TEST_TRAFFIC_SHIFT, which needs a test listener, and this service has none, got DeploymentHook.ecs\(TEST_TRAFFIC_SHIFT, Test\/f\)\. Set testTrafficFrom/);
  });
});

describe('deployment hooks on CodeDeploy', () => {
  test('each AppSpec hook event runs its function, in lifecycle order after the smoke test, with the rights to report', () => {
    const stack = newStack();
    const events = Object.values(CodeDeployEcsHookEvent).filter(e => e !== CodeDeployEcsHookEvent.AFTER_ALLOW_TEST_TRAFFIC);
    const hooks = [...events].reverse().map(e => DeploymentHook.codeDeploy(e, lambda.Function.fromFunctionAttributes(stack, e, {
      functionArn: arn(e), sameEnvironment: true, role: undefined,
    })));
    const { svc } = service({ engine: EcsEngine.codeDeploy(), smokeTest: SmokeTest.http({ path: '/health' }), hooks }, stack);
    const appSpec = JSON.parse(JSON.stringify(stack.resolve(svc.appSpec('arn:td'))));
    const text: string = appSpec['Fn::Join'][1].map((p: any) => typeof p === 'string' ? p : JSON.stringify(p)).join('');
    const order = ['BeforeInstall', 'AfterInstall', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AfterAllowTraffic'].map(e => text.indexOf(`"${e}"`));
    expect(order.every(i => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).toContain('"BeforeInstall":"BeforeInstall"');
    // Imported functions without a role: a warning says to grant the report call.
    Annotations.fromStack(stack).hasWarning('/Test/Api', Match.stringLikeRegexp('The role of Test/BeforeInstall is unknown'));
  });

  test('a hook function with a role may report on the deployment group only, and the group may invoke it', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Check', {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}'),
    });
    const hooks = [DeploymentHook.codeDeploy(CodeDeployEcsHookEvent.BEFORE_ALLOW_TRAFFIC, fn)];
    const { template } = service({ engine: EcsEngine.codeDeploy(), hooks }, stack);
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const report = statements.filter((st: any) => st.Action === 'codedeploy:PutLifecycleEventHookExecutionStatus');
    expect(report).toHaveLength(1);
    expect(JSON.stringify(report[0].Resource)).toContain(':deploymentgroup:');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]) },
    });
  });

  test('fails when a second function runs at the smoke test\'s AfterAllowTestTraffic', () => {
    const stack = newStack();
    expect(error(() => service({
      engine: EcsEngine.codeDeploy(),
      smokeTest: SmokeTest.http({ path: '/health' }),
      hooks: [DeploymentHook.codeDeploy(CodeDeployEcsHookEvent.AFTER_ALLOW_TEST_TRAFFIC, fnIn(stack, 'f'))],
    }, stack)).message).toMatch(/hooks\[0\] runs at the AppSpec event AfterAllowTestTraffic, which already runs the smokeTest: a CodeDeploy AppSpec runs one function per event/);
  });

  test('fails when two hooks share an AppSpec event, or a test-traffic event has no test listener', () => {
    const stack = newStack();
    const twice = [CodeDeployEcsHookEvent.AFTER_INSTALL, CodeDeployEcsHookEvent.AFTER_INSTALL].map((e, i) => DeploymentHook.codeDeploy(e, fnIn(stack, `f${i}`)));
    expect(error(() => service({ engine: EcsEngine.codeDeploy(), hooks: twice }, stack)).message)
      .toMatch(/hooks\[1\] runs at the AppSpec event AfterInstall, which already runs DeploymentHook.codeDeploy\(AfterInstall, Test\/f0\)/);
    expect(error(() => service({ engine: EcsEngine.codeDeploy(), hooks: [DeploymentHook.codeDeploy(CodeDeployEcsHookEvent.AFTER_ALLOW_TEST_TRAFFIC, fnIn(stack, 'g'))] }, stack)).message)
      .toMatch(/hooks\[0\] runs at AfterAllowTestTraffic, which needs a test listener, and this service has none/);
  });

  test('fails when a hook is for the ECS native engine', () => {
    const stack = newStack();
    expect(error(() => service({ engine: EcsEngine.codeDeploy(), hooks: [DeploymentHook.ecs(EcsLifecycleStage.PRE_SCALE_UP, fnIn(stack, 'f'))] }, stack)).message)
      .toMatch(/hooks\[0\] is for the other engine: this service deploys with EcsEngine.codeDeploy\(\), got DeploymentHook.ecs\(PRE_SCALE_UP, Test\/f\)\. Use DeploymentHook.codeDeploy/);
  });
});

describe('hook input as a plain-JS caller may pass it', () => {
  test('fails when hooks is not an array of DeploymentHook', () => {
    const ctx = { codeDeploy: false, rolling: false, testListener: true };
    expect(error(() => checkDeploymentHooks('X', null, ctx)).message).toBe('X: hooks must be an array of DeploymentHook, got null. Pass [DeploymentHook.ecs(stage, fn)] or [DeploymentHook.codeDeploy(event, fn)].');
    expect(error(() => checkDeploymentHooks('X', [{ stage: 'PRE_SCALE_UP' }], ctx)).message).toMatch(/^X: hooks\[0\] must be a DeploymentHook, got/);
  });

  test('fails when the stage, event or function is not what the factory takes', () => {
    const stack = newStack();
    expect(error(() => DeploymentHook.ecs('BAKE_TIME' as any, fnIn(stack, 'f'))).message)
      .toMatch(/^DeploymentHook.ecs: stage must be an EcsLifecycleStage, got "BAKE_TIME"\. Pass one of RECONCILE_SERVICE, PRE_SCALE_UP/);
    expect(error(() => DeploymentHook.codeDeploy('ApplicationStart' as any, fnIn(stack, 'g'))).message)
      .toMatch(/^DeploymentHook.codeDeploy: event must be a CodeDeployEcsHookEvent, got "ApplicationStart"\. Pass one of BeforeInstall/);
    expect(error(() => DeploymentHook.ecs(EcsLifecycleStage.PRE_SCALE_UP, null as any)).message)
      .toBe('DeploymentHook.ecs: fn must be a Lambda function (lambda.IFunction), got null. Pass a lambda.Function or lambda.Function.fromFunctionArn(...).');
  });

  test('the AppSpec hook list is ordered by event, whatever the input order', () => {
    expect(appSpecHooks([{ event: 'AfterAllowTraffic', functionName: 'c' }, { event: 'BeforeInstall', functionName: 'a' }, { event: 'AfterInstall', functionName: 'b' }]))
      .toEqual([{ BeforeInstall: 'a' }, { AfterInstall: 'b' }, { AfterAllowTraffic: 'c' }]);
  });

  test('fails at synth when a Lambda hook is added to the service after construction, which would shift the manual gate', () => {
    const stack = newStack();
    const svc = new ProgressiveFargateService(stack, 'Api', {
      image, containerPort: 8080, strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }),
    });
    svc.service.addLifecycleHook(new ecs.DeploymentLifecycleLambdaTarget(fnIn(stack, 'late'), 'Late', { lifecycleStages: [ecs.DeploymentLifecycleStage.PRE_SCALE_UP] }));
    expect(error(() => App.of(stack)!.synth()).message)
      .toMatch(/Test\/Api\/Service: the service renders 1 Lambda lifecycle hooks, expected 0: a hook added with addLifecycleHook after construction would be overwritten/);
  });

  test('a canary service takes hooks too', () => {
    const stack = newStack();
    const { template } = service({ strategy: canary(), hooks: [DeploymentHook.ecs(EcsLifecycleStage.PRODUCTION_TRAFFIC_SHIFT, fnIn(stack, 'f'))] }, stack);
    expect(only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LifecycleHooks[0].LifecycleStages).toEqual(['PRODUCTION_TRAFFIC_SHIFT']);
  });
});
