import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { error, newStack, only, service } from './util';
import {
  Analysis, ApprovalTimeoutAction, CanaryStep, DeploymentHook, DeploymentStrategy, EcsEngine, EcsLifecycleStage, Promotion, SmokeTest,
} from '../../src';

const manual = (keep = Duration.minutes(30)) => DeploymentStrategy.blueGreen({ promotion: Promotion.manual(), keepPreviousVersionFor: keep });
const hooksOf = (template: any) => only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LifecycleHooks;

describe('ECS native manual promotion (PAUSE lifecycle hook)', () => {
  test('a manual promotion pauses at POST_TEST_TRAFFIC_SHIFT for 24 hours and rolls back by default', () => {
    const { template } = service({ strategy: manual(), testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16') });
    expect(hooksOf(template)).toEqual([
      { TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: 1440, Action: 'ROLLBACK' } },
    ]);
  });

  test('approvalWaitTime sets the PAUSE timeout and approvalTimeoutAction its action', () => {
    const { template } = service({
      engine: EcsEngine.native({ approvalWaitTime: Duration.hours(2), approvalTimeoutAction: ApprovalTimeoutAction.CONTINUE }),
      strategy: manual(),
    });
    expect(hooksOf(template)).toEqual([
      { TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: 120, Action: 'CONTINUE' } },
    ]);
  });

  test('the PAUSE hook follows the Lambda hooks (smoke test, user hooks) without replacing them', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Check', 'arn:aws:lambda:eu-west-1:123456789012:function:check');
    const { template } = service({
      strategy: manual(),
      smokeTest: SmokeTest.http({ path: '/health' }),
      hooks: [DeploymentHook.ecs(EcsLifecycleStage.POST_SCALE_UP, fn)],
    }, stack);
    const hooks = hooksOf(template);
    expect(hooks.map((h: any) => [h.TargetType ?? 'AWS_LAMBDA', h.LifecycleStages[0]])).toEqual([
      ['AWS_LAMBDA', 'POST_TEST_TRAFFIC_SHIFT'], ['AWS_LAMBDA', 'POST_SCALE_UP'], ['PAUSE', 'POST_TEST_TRAFFIC_SHIFT'],
    ]);
    expect(hooks[1].HookTargetArn).toBe('arn:aws:lambda:eu-west-1:123456789012:function:check');
  });

  test('cfn-lint ignores the rules that do not know PAUSE hooks on the service only, with the reason', () => {
    const { template } = service({ strategy: manual() });
    const svc = only(template, 'AWS::ECS::Service');
    expect(svc.Metadata['cfn-lint']).toEqual({
      config: {
        ignore_checks: ['E3002', 'E3003'],
        ignore_reason: expect.stringContaining('cfn-lint 1.51 does not know yet'),
      },
    });
    const others = Object.values(template.toJSON().Resources).filter((r: any) => r.Metadata?.['cfn-lint'] !== undefined);
    expect(others).toHaveLength(1);
  });

  test('without a manual promotion there is no PAUSE hook and no cfn-lint suppression', () => {
    const { template } = service({ strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.automatic(Duration.seconds(0)), postPromotionAnalysis: Analysis.none('manual QA') }) });
    const svc = only(template, 'AWS::ECS::Service');
    expect(svc.Properties.DeploymentConfiguration.LifecycleHooks).toBeUndefined();
    expect(svc.Metadata?.['cfn-lint']).toBeUndefined();
  });

  test('the plan shows the gate, what its timeout does, and that the CloudFormation update waits', () => {
    const { svc } = service({ strategy: manual(), testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16') });
    expect(svc.plan.phases[0]).toMatchObject({
      name: 'Preview (test listener only)',
      trafficPercent: 0,
      manualGate: true,
      note: 'paused (ECS PAUSE hook at POST_TEST_TRAFFIC_SHIFT); rolls back unless continued within 1d',
    });
    expect(svc.plan.notes.join('\n')).toContain('The CloudFormation update that starts the deployment waits while it is paused');
    const cont = service({ engine: EcsEngine.native({ approvalTimeoutAction: ApprovalTimeoutAction.CONTINUE }), strategy: manual() }).svc;
    expect(cont.plan.phases[0].note).toContain('continues by itself after 1d unless rolled back');
  });

  test('the runbook prints the commands to continue or roll back the paused deployment', () => {
    const { svc } = service({ strategy: manual() });
    const md = svc.runbook.toMarkdown();
    expect(md).toContain('Promote the new version (continue the paused deployment)');
    expect(md).toContain('aws ecs continue-service-deployment --hook-id "$HOOK" --action CONTINUE');
    expect(md).toContain('aws ecs continue-service-deployment --hook-id "$HOOK" --action ROLLBACK');
    expect(md).toContain("lifecycleHookDetails[?targetType=='PAUSE' && status=='AWAITING_ACTION'].hookId");
    expect(md).not.toContain('ECS native has no manual gate');
  });

  test('fails when approvalWaitTime is set without a manual promotion', () => {
    expect(error(() => service({ engine: EcsEngine.native({ approvalWaitTime: Duration.hours(1) }) })).message)
      .toMatch(/engine.approvalWaitTime is only used with a manual gate: a blue\/green strategy with Promotion.manual\(\), a headerPreview with manualGate, or a CanaryStep.withManualGate, got 1h\. Remove it, or use DeploymentStrategy.blueGreen\(\{ promotion: Promotion.manual\(\) \}\), HeaderPreview.of\(\{ \.\.\., manualGate: true \}\) or CanaryStep.withManualGate\(weight, bakeTime\)\./);
  });

  test('fails when approvalTimeoutAction is set without a manual promotion', () => {
    expect(error(() => service({ engine: EcsEngine.native({ approvalTimeoutAction: ApprovalTimeoutAction.CONTINUE }) })).message)
      .toMatch(/engine.approvalTimeoutAction is only used with a manual gate: a blue\/green strategy with Promotion.manual\(\), a headerPreview with manualGate, or a CanaryStep.withManualGate, got ApprovalTimeoutAction.CONTINUE/);
  });

  test('fails when approvalWaitTime is not whole minutes or longer than ECS allows', () => {
    expect(error(() => service({ engine: EcsEngine.native({ approvalWaitTime: Duration.seconds(90) }), strategy: manual() })).message)
      .toMatch(/engine.approvalWaitTime must be a whole number of minutes: it becomes the ECS PAUSE hook timeout \(timeoutInMinutes\), got 1m 30s/);
    expect(error(() => service({ engine: EcsEngine.native({ approvalWaitTime: Duration.days(15) }), strategy: manual() })).message)
      .toMatch(/engine.approvalWaitTime must be at most 20160 minutes \(14d\), the limit of the ECS PAUSE hook timeout/);
  });

  test('fails when approvalTimeoutAction or approvalWaitTime is not what a plain-JS caller should pass', () => {
    expect(error(() => EcsEngine.native({ approvalTimeoutAction: 'LATER' as any })).message)
      .toMatch(/EcsEngine.native: approvalTimeoutAction must be an ApprovalTimeoutAction, got "LATER"\. Pass ApprovalTimeoutAction.ROLLBACK/);
    expect(error(() => EcsEngine.native({ approvalWaitTime: 60 as any })).message).toMatch(/EcsEngine.native: approvalWaitTime must be a Duration/);
  });

  test('fails when a canary step has a manual gate with CodeDeploy, whose traffic shifts on a timer (ECS native renders it: fargate-canary-gate.test.ts)', () => {
    const strategy = DeploymentStrategy.canary({ steps: [CanaryStep.withManualGate(10, Duration.minutes(10))], analysis: Analysis.none('manual check') });
    expect(error(() => service({ strategy, engine: EcsEngine.codeDeploy() })).message).toMatch(
      /strategy.steps\[0\] cannot wait for a manual approval with CodeDeploy: traffic shifts on a timer, got CanaryStep.withManualGate\. Use CanaryStep.of, or, on an ECS service, DeploymentStrategy.blueGreen\(\{ promotion: Promotion.manual\(\) \}\)/);
  });
});
