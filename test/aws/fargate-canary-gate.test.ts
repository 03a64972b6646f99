import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { analysis, error, newStack, only, service } from './util';
import {
  AlarmRollback, Analysis, ApprovalTimeoutAction, CanaryStep, DatabaseConnection, DatabaseEngine, DeploymentEvent, DeploymentHook, DeploymentStrategy,
  EcsEngine, EcsLifecycleStage, HeaderPreview, MigrationSet, MigrationSql, MigrationStep, Promotion, RequestMatch, SmokeTest,
} from '../../src';

const gated = (weight = 10, bake = Duration.minutes(10), keep = Duration.minutes(5), more: { headerPreview?: HeaderPreview } = {}) =>
  DeploymentStrategy.canary({
    steps: [CanaryStep.withManualGate(weight, bake)], analysis: analysis(), keepPreviousVersionFor: keep, ...more,
  });
const serviceOf = (template: Template) => only(template, 'AWS::ECS::Service');
const hooksOf = (template: Template) => serviceOf(template).Properties.DeploymentConfiguration.LifecycleHooks;
const gateFn = (template: Template) => Object.entries(template.findResources('AWS::Lambda::Function'))
  .find(([id]) => id.startsWith('ApiCanaryGate'))!;
const policy = (template: Template, prefix: string) => Object.entries(template.findResources('AWS::IAM::Policy'))
  .find(([id]) => id.startsWith(prefix))![1].Properties;

describe('CanaryStep.withManualGate on ECS native (Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT)', () => {
  test('renders one Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT targeting the gate function, with its own invoke role', () => {
    const { template } = service({ strategy: gated() });
    const [fnId] = gateFn(template);
    expect(hooksOf(template)).toEqual([{
      HookTargetArn: { 'Fn::GetAtt': [fnId, 'Arn'] },
      LifecycleStages: ['PRE_PRODUCTION_TRAFFIC_SHIFT'],
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ApiServiceCanaryGateHookRole/), 'Arn'] },
    }]);
    expect(serviceOf(template).Properties.DeploymentConfiguration.CanaryConfiguration).toEqual({ CanaryPercent: 10, CanaryBakeTimeInMinutes: 10 });
  });

  test('the gate function: current Node.js runtime, 1 minute, and its environment', () => {
    const { template, svc } = service({ strategy: gated() });
    const [, fn] = gateFn(template);
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.Timeout).toBe(60);
    expect(fn.Properties.Handler).toBe('index.handler');
    const paramId = template.getResourceId('AWS::SSM::Parameter', {});
    expect(fn.Properties.Environment.Variables).toEqual({
      CLUSTER: { 'Fn::GetAtt': [expect.stringMatching(/^ApiCluster/), 'Arn'] },
      PARAMETER_NAME: { Ref: paramId },
      WAIT_MS: String(23 * 3600 * 1000),
      TIMEOUT_ACTION: 'ROLLBACK',
      ALARM_NAMES: JSON.stringify(svc.alarmNames),
      ALARMS_ON: 'true',
      POLL_SECONDS: '60',
    });
    expect(svc.canaryGateFunction).toBeDefined();
  });

  test('approvalWaitTime and approvalTimeoutAction set the gate\'s wait and action', () => {
    const { template } = service({
      strategy: gated(), engine: EcsEngine.native({ approvalWaitTime: Duration.hours(2), approvalTimeoutAction: ApprovalTimeoutAction.CONTINUE }),
    });
    const vars = gateFn(template)[1].Properties.Environment.Variables;
    expect([vars.WAIT_MS, vars.TIMEOUT_ACTION]).toEqual(['7200000', 'CONTINUE']);
  });

  test('the approval parameter: a String parameter, "none" when created, described, exposed read-only', () => {
    const { template, svc } = service({ strategy: gated() });
    const param = only(template, 'AWS::SSM::Parameter');
    expect(param.Properties).toEqual({
      Type: 'String',
      Value: 'none',
      Description: 'Canary gate of Test/Api: write the in-progress service deployment\'s ARN to promote the canary to 100%, or reject:<that ARN> to roll it back',
    });
    expect(svc.approvalParameter).toBeDefined();
    expect(service().svc.approvalParameter).toBeUndefined();
    expect(service().svc.canaryGateFunction).toBeUndefined();
  });

  test('IAM: GetParameter on the parameter, DescribeAlarms on the rollback alarms, ListServiceDeployments on the service (a policy of its own)', () => {
    const { template } = service({ strategy: gated() });
    const paramId = template.getResourceId('AWS::SSM::Parameter', {});
    const serviceId = template.getResourceId('AWS::ECS::Service', {});
    const alarmIds = Object.keys(template.findResources('AWS::CloudWatch::Alarm')).sort();
    expect(policy(template, 'ApiCanaryGateServiceRoleDefaultPolicy').PolicyDocument.Statement).toEqual([
      {
        Action: 'ssm:GetParameter',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:eu-west-1:123456789012:parameter/', { Ref: paramId }]] },
      },
      { Action: 'cloudwatch:DescribeAlarms', Effect: 'Allow', Resource: alarmIds.map(id => ({ 'Fn::GetAtt': [id, 'Arn'] })) },
    ]);
    const deployments = policy(template, 'ApiCanaryGateDeployments');
    expect(deployments.PolicyDocument.Statement).toEqual([{ Action: 'ecs:ListServiceDeployments', Effect: 'Allow', Resource: { Ref: serviceId } }]);
    expect(deployments.Roles).toEqual([{ Ref: expect.stringMatching(/^ApiCanaryGateServiceRole/) }]);
  });

  test('without health checks, or under break glass, the gate reads no alarm (no DescribeAlarms permission, ALARMS_ON false)', () => {
    const unchecked = DeploymentStrategy.canary({ steps: [CanaryStep.withManualGate(10, Duration.minutes(10))], analysis: Analysis.none('manual check') });
    const none = service({ strategy: unchecked }).template;
    expect(gateFn(none)[1].Properties.Environment.Variables.ALARM_NAMES).toBe('[]');
    expect(policy(none, 'ApiCanaryGateServiceRoleDefaultPolicy').PolicyDocument.Statement.map((s: any) => s.Action)).toEqual(['ssm:GetParameter']);
    const glass = service({ strategy: gated(), alarmRollback: AlarmRollback.breakGlass('INC-1') }).template;
    expect(gateFn(glass)[1].Properties.Environment.Variables.ALARMS_ON).toBe('false');
    expect(policy(glass, 'ApiCanaryGateServiceRoleDefaultPolicy').PolicyDocument.Statement.map((s: any) => s.Action)).toEqual(['ssm:GetParameter']);
  });

  test('cfn-lint ignores E3030 (the unknown stage) on the service only, with the reason', () => {
    const { template } = service({ strategy: gated() });
    expect(serviceOf(template).Metadata).toEqual({
      'cfn-lint': {
        config: {
          ignore_checks: ['E3030'],
          ignore_reason: 'PRE_PRODUCTION_TRAFFIC_SHIFT is a valid ECS lifecycle stage (before each production traffic shift) that cfn-lint 1.51 does not list yet',
        },
      },
    });
    const others = Object.entries(template.toJSON().Resources).filter(([, r]: [string, any]) => r.Type !== 'AWS::ECS::Service' && r.Metadata?.['cfn-lint']);
    expect(others).toEqual([]);
    expect(serviceOf(service().template).Metadata).toBeUndefined();
  });

  test('a user hook at PRE_PRODUCTION_TRAFFIC_SHIFT renders at that stage, in stage order, with the same suppression', () => {
    const stack = newStack();
    const check = lambda.Function.fromFunctionArn(stack, 'Check', 'arn:aws:lambda:eu-west-1:123456789012:function:check');
    const late = lambda.Function.fromFunctionArn(stack, 'Late', 'arn:aws:lambda:eu-west-1:123456789012:function:late');
    const { template, svc } = service({
      hooks: [
        DeploymentHook.ecs(EcsLifecycleStage.PRODUCTION_TRAFFIC_SHIFT, late),
        DeploymentHook.ecs(EcsLifecycleStage.PRE_PRODUCTION_TRAFFIC_SHIFT, check),
      ],
    }, stack);
    expect(hooksOf(template).map((h: any) => [h.HookTargetArn, h.LifecycleStages])).toEqual([
      ['arn:aws:lambda:eu-west-1:123456789012:function:check', ['PRE_PRODUCTION_TRAFFIC_SHIFT']],
      ['arn:aws:lambda:eu-west-1:123456789012:function:late', ['PRODUCTION_TRAFFIC_SHIFT']],
    ]);
    expect(serviceOf(template).Metadata['cfn-lint'].config.ignore_checks).toEqual(['E3030']);
    expect(svc.plan.notes).toContain('Hook at PRE_PRODUCTION_TRAFFIC_SHIFT: Test/Check runs on every deployment; when it fails or times out, the deployment rolls back.');
  });

  test('a user hook and the canary gate at PRE_PRODUCTION_TRAFFIC_SHIFT both run there, with one suppression', () => {
    const stack = newStack();
    const check = lambda.Function.fromFunctionArn(stack, 'Check', 'arn:aws:lambda:eu-west-1:123456789012:function:check');
    const { template } = service({ strategy: gated(), hooks: [DeploymentHook.ecs(EcsLifecycleStage.PRE_PRODUCTION_TRAFFIC_SHIFT, check)] }, stack);
    expect(hooksOf(template).map((h: any) => [h.HookTargetArn, h.LifecycleStages])).toEqual([
      ['arn:aws:lambda:eu-west-1:123456789012:function:check', ['PRE_PRODUCTION_TRAFFIC_SHIFT']],
      [{ 'Fn::GetAtt': [gateFn(template)[0], 'Arn'] }, ['PRE_PRODUCTION_TRAFFIC_SHIFT']],
    ]);
    expect(serviceOf(template).Metadata['cfn-lint'].config.ignore_checks).toEqual(['E3030']);
  });

  test('ordering: migration, smoke test and user hooks, then the gate, then the PAUSE hook of a header-only preview at the right index', () => {
    const stack = newStack();
    const check = lambda.Function.fromFunctionArn(stack, 'Check', 'arn:aws:lambda:eu-west-1:123456789012:function:check');
    const { template } = service({
      strategy: gated(10, Duration.minutes(10), Duration.minutes(5), {
        headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(20), manualGate: true }),
      }),
      engine: EcsEngine.native({ approvalWaitTime: Duration.hours(2) }),
      smokeTest: SmokeTest.lambda(check),
      hooks: [DeploymentHook.ecs(EcsLifecycleStage.POST_SCALE_UP, check)],
      migrations: new MigrationSet({
        engine: DatabaseEngine.postgres(16),
        connection: DatabaseConnection.fromSecretFields({ secretName: 'shop/db' }),
        steps: [MigrationStep.expand({ id: 'add-col', sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN IF NOT EXISTS c int;') })],
      }),
    }, stack);
    const hooks = hooksOf(template);
    expect(hooks.map((h: any) => [h.TargetType ?? 'AWS_LAMBDA', h.LifecycleStages[0]])).toEqual([
      ['AWS_LAMBDA', 'PRE_SCALE_UP'], ['AWS_LAMBDA', 'POST_TEST_TRAFFIC_SHIFT'], ['AWS_LAMBDA', 'POST_SCALE_UP'],
      ['AWS_LAMBDA', 'PRE_PRODUCTION_TRAFFIC_SHIFT'], ['PAUSE', 'POST_TEST_TRAFFIC_SHIFT'],
    ]);
    expect(hooks[4].TimeoutConfiguration).toEqual({ TimeoutInMinutes: 140, Action: 'ROLLBACK' });
    expect(hooks[3].HookTargetArn).toEqual({ 'Fn::GetAtt': [gateFn(template)[0], 'Arn'] });
    // One cfn-lint entry with every rule and both reasons.
    expect(serviceOf(template).Metadata['cfn-lint'].config.ignore_checks).toEqual(['E3002', 'E3003', 'E3030']);
    expect(serviceOf(template).Metadata['cfn-lint'].config.ignore_reason).toMatch(/^PAUSE lifecycle hooks .*cfn-lint 1.51 does not know yet; PRE_PRODUCTION_TRAFFIC_SHIFT is a valid ECS lifecycle stage/);
  });

  test('the plan: the canary row holds for an approval after its bake, the note says the stack update waits', () => {
    const { svc } = service({ strategy: gated() });
    const step = svc.plan.phases.find(p => p.name === 'Step 1')!;
    expect(step.manualGate).toBe(true);
    expect(step.trafficPercent).toBe(10);
    expect(step.note).toMatch(/^holds after its bake for an approval \(Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT, approved through the approval parameter, rollback alarms still judged\); rolls back unless approved within 23h/);
    expect(svc.plan.notes).toContain('The CloudFormation update that starts the deployment waits while the canary gate holds: approve or reject the canary '
      + '(aws ssm put-parameter on the approval parameter, see the runbook) before the wait ends.');
    expect(svc.plan.waitsForApproval).toBe(true);
    // The exposure stays bounded: the alarms judge the canary while it holds.
    expect(svc.plan.worstCaseExposure).toBe(300);
    const cont = service({ strategy: gated(), engine: EcsEngine.native({ approvalTimeoutAction: ApprovalTimeoutAction.CONTINUE }) }).svc;
    expect(cont.plan.phases[0].note).toContain('continues by itself after 23h unless rejected');
    expect(cont.plan.toMarkdown()).toContain('| 10% | 0s | 10m + approval |');
  });

  test('the runbook: APPROVAL_PARAMETER, approve and reject through the parameter', () => {
    const { svc } = service({ strategy: gated() });
    const runbook = svc.runbook;
    expect(runbook.variables.map(v => v.name)).toEqual(['CLUSTER', 'SERVICE', 'APPROVAL_PARAMETER']);
    expect(runbook.variables[2].lookup).toMatch(/^aws cloudformation describe-stack-resource --stack-name Test --logical-resource-id ApiApprovalParameter[0-9A-F]+ --query StackResourceDetail.PhysicalResourceId --output text$/);
    const inProgress = 'DEPLOYMENT=$(aws ecs list-service-deployments --cluster "$CLUSTER" --service "$SERVICE" --status IN_PROGRESS '
      + '--query "serviceDeployments[0].serviceDeploymentArn" --output text)';
    const promote = runbook.procedures.find(p => p.title === 'Promote the canary (approve the gate)')!;
    expect(promote.commands).toEqual([inProgress, 'aws ssm put-parameter --name "$APPROVAL_PARAMETER" --value "$DEPLOYMENT" --type String --overwrite']);
    expect(promote.when).toBe('the canary at 10% looks right after its bake; the final traffic shift waits at PRE_PRODUCTION_TRAFFIC_SHIFT and rolls back unless approved within 23h');
    const reject = runbook.procedures.find(p => p.title === 'Roll back the canary (reject)')!;
    expect(reject.commands).toEqual([inProgress, 'aws ssm put-parameter --name "$APPROVAL_PARAMETER" --value "reject:$DEPLOYMENT" --type String --overwrite']);
    expect(runbook.toMarkdown()).not.toContain('ECS native has no manual gate');
    expect(service().svc.runbook.variables.map(v => v.name)).toEqual(['CLUSTER', 'SERVICE']);
  });

  test('a header-only preview with its own manual gate and a canary gate are told apart in the runbook', () => {
    const { svc } = service({
      strategy: gated(10, Duration.minutes(10), Duration.minutes(5), {
        headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(20), manualGate: true }),
      }),
      engine: EcsEngine.native({ approvalWaitTime: Duration.hours(2) }),
    });
    const titles = svc.runbook.procedures.map(p => p.title);
    expect(titles.slice(0, 4)).toEqual([
      'Approve the new version after the header-only preview (continue)', 'Reject the new version during the header-only preview (roll back)',
      'Promote the canary (approve the gate)', 'Roll back the canary (reject)',
    ]);
    expect(svc.plan.phases.map(p => [p.name, p.manualGate])).toEqual([
      ['Header-only preview (header X-Preview: qa)', true], ['Step 1', true], ['Full traffic, previous version kept', false],
    ]);
  });

  test('fails when a header-only preview\'s gate and the canary gate keep their default waits: both count in the 33 hours', () => {
    expect(error(() => service({
      strategy: gated(10, Duration.minutes(10), Duration.minutes(5), {
        headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(20), manualGate: true }),
      }),
    })).message).toBe('ProgressiveFargateService Test/Api: strategy (canary bake + canary gate wait (approvalWaitTime) + keepPreviousVersionFor + header preview) '
      + 'must add up to at most 33 hours: CloudFormation rejects an ECS deployment whose bakeTimeInMinutes + canaryBakeTimeInMinutes + the canary gate\'s wait + PAUSE hook timeout '
      + 'exceeds 33 hours, because its operations time out after 36, got 1d 23h 35m. Shorten the bakes, use fewer steps, or use EcsEngine.codeDeploy(), '
      + 'whose deployments do not run inside a CloudFormation operation.');
  });

  test('PAUSED is refused for a service whose only gate is the canary gate, saying why and what to use', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    expect(error(() => service({ strategy: gated(), notificationTopic: topic, notificationEvents: [DeploymentEvent.PAUSED] }, stack)).message).toBe(
      'ProgressiveFargateService Test/Api: notificationEvents cannot include PAUSED for a canary step\'s manual gate: ECS signals a pause only at a PAUSE hook awaiting action '
      + '(ECS Hook State Change HOOK_AWAITING_ACTION), and the canary gate is a Lambda hook that answers IN_PROGRESS while it holds, which emits no such event, '
      + 'got DeploymentEvent.PAUSED. Remove PAUSED; the gate\'s function logs one JSON line per answer (subscribe to its log group), and STARTED, ROLLED_BACK and COMPLETED still tell when the deployment starts and ends.');
    // The other events still render.
    const other = newStack();
    const ok = service({ strategy: gated(), notificationTopic: new sns.Topic(other, 'T'), notificationEvents: [DeploymentEvent.STARTED] }, other);
    expect(ok.svc.notificationRule).toBeDefined();
  });

  test('same input, same template', () => {
    const a = service({ strategy: gated() }).template.toJSON();
    const b = service({ strategy: gated() }).template.toJSON();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  test('linear strategies have no manual-gate steps: the options stay refused there', () => {
    expect(error(() => service({
      strategy: DeploymentStrategy.linear({ stepPercent: 10, interval: Duration.minutes(5), analysis: analysis() }),
      engine: EcsEngine.native({ approvalWaitTime: Duration.hours(1) }),
    })).message).toMatch(/engine.approvalWaitTime is only used with a manual gate: .* or a CanaryStep.withManualGate, got 1h\./);
  });

  test('fails when the engine is CodeDeploy: traffic shifts on a timer', () => {
    expect(error(() => service({ strategy: gated(), engine: EcsEngine.codeDeploy() })).message).toBe(
      'ProgressiveFargateService Test/Api: strategy.steps[0] cannot wait for a manual approval with CodeDeploy: traffic shifts on a timer, got CanaryStep.withManualGate. '
      + 'Use CanaryStep.of, or, on an ECS service, DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), which holds the new version on the test route until approved (either engine).');
  });

  test('fails when the wait is over 1430 minutes (ECS fails a Lambda hook after 1440 minutes of IN_PROGRESS)', () => {
    expect(error(() => service({ strategy: gated(), engine: EcsEngine.native({ approvalWaitTime: Duration.hours(24) }) })).message).toBe(
      'ProgressiveFargateService Test/Api: engine.approvalWaitTime must be at most 1430 minutes (23h 50m), the limit of the canary gate\'s wait '
      + '(an ECS Lambda hook fails after 1440 minutes of IN_PROGRESS, and the gate keeps 10 minutes for its last polls), got 1d. '
      + 'Shorten it, or: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), whose PAUSE hook waits up to 14 days.');
    expect(() => service({ strategy: gated(), engine: EcsEngine.native({ approvalWaitTime: Duration.minutes(1430) }) })).not.toThrow();
  });

  test('fails when the wait is under 1 minute or not whole minutes', () => {
    expect(error(() => EcsEngine.native({ approvalWaitTime: Duration.seconds(0) })).message)
      .toBe('EcsEngine.native: approvalWaitTime must be longer than zero, got 0s. Pass a positive Duration.');
    expect(error(() => service({ strategy: gated(), engine: EcsEngine.native({ approvalWaitTime: Duration.seconds(30) }) })).message)
      .toMatch(/engine.approvalWaitTime must be a whole number of minutes: it becomes the canary gate's wait \(.*\), got 30s\. Use Duration.minutes\(1\)\./);
    expect(error(() => service({ strategy: gated(), engine: EcsEngine.native({ approvalWaitTime: Duration.seconds(90) }) })).message)
      .toMatch(/engine.approvalWaitTime must be a whole number of minutes: it becomes the canary gate's wait \(.*\), got 1m 30s\. Use Duration.minutes\(2\)\./);
  });

  test('fails when canary bake + wait + keepPreviousVersionFor exceed the 33-hour CloudFormation window', () => {
    expect(error(() => service({ strategy: gated(10, Duration.hours(5), Duration.hours(6)) })).message).toBe(
      'ProgressiveFargateService Test/Api: strategy (canary bake + canary gate wait (approvalWaitTime) + keepPreviousVersionFor) must add up to at most 33 hours: '
      + 'CloudFormation rejects an ECS deployment whose bakeTimeInMinutes + canaryBakeTimeInMinutes + the canary gate\'s wait exceeds 33 hours, because its operations time out after 36, '
      + 'got 1d 10h. Shorten the bakes, use fewer steps, or use EcsEngine.codeDeploy(), whose deployments do not run inside a CloudFormation operation.');
    expect(() => service({ strategy: gated(10, Duration.hours(5), Duration.hours(5)) })).not.toThrow();
  });

  test('fails when approvalTimeoutAction or approvalWaitTime is a bad value from plain JavaScript', () => {
    for (const bad of ['LATER', null, 1, {}]) {
      expect(error(() => EcsEngine.native({ approvalTimeoutAction: bad as any })).message)
        .toMatch(/^EcsEngine.native: approvalTimeoutAction must be an ApprovalTimeoutAction, got .+\. Pass ApprovalTimeoutAction.ROLLBACK or ApprovalTimeoutAction.CONTINUE\.$/);
    }
    expect(error(() => EcsEngine.native({ approvalWaitTime: 60 as any })).message).toMatch(/^EcsEngine.native: approvalWaitTime must be a Duration/);
  });

  test('a blue/green manual promotion keeps its 24-hour PAUSE default (the 23-hour default is the canary gate\'s)', () => {
    const { template } = service({ strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual(), keepPreviousVersionFor: Duration.minutes(30) }), testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16') });
    expect(hooksOf(template)[0].TimeoutConfiguration).toEqual({ TimeoutInMinutes: 1440, Action: 'ROLLBACK' });
  });
});
