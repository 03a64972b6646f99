import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { newStack, only, service } from './util';
import { EcsEngine, SmokeTest } from '../../src';

describe('smoke tests', () => {
  test('SmokeTest.http creates a Node.js function in the VPC that requests the test listener', () => {
    const stack = newStack();
    const { template, svc } = service({ internetFacing: false, testListenerPort: 9100, smokeTest: SmokeTest.http({ path: '/health', expectStatus: 204, timeout: Duration.seconds(5) }) }, stack);
    const fn = only(template, 'AWS::Lambda::Function').Properties;
    expect(fn.Runtime).toBe('nodejs24.x');
    expect(fn.Handler).toBe('index.handler');
    expect(fn.Timeout).toBe(35);
    expect(fn.VpcConfig.SubnetIds).toHaveLength(2);
    expect(fn.Environment.Variables).toEqual({
      TARGET_URL: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [stack.getLogicalId((svc.loadBalancer as any).node.defaultChild), 'DNSName'] }, ':9100/health']] },
      EXPECT_STATUS: '204',
      TIMEOUT_MS: '5000',
    });
  });

  test('the smoke test may reach the test listener and nothing else', () => {
    const stack = newStack();
    const { template } = service({ internetFacing: false, smokeTest: SmokeTest.http() }, stack);
    const groups = template.findResources('AWS::EC2::SecurityGroup', { Properties: { GroupDescription: Match.stringLikeRegexp('^Smoke test') } });
    const [id, group] = Object.entries(groups)[0] as [string, any];
    expect(group.Properties.SecurityGroupEgress).toBeUndefined(); // only the rule to the load balancer, below
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { GroupId: { 'Fn::GetAtt': [id, 'GroupId'] }, FromPort: 9000, ToPort: 9000 });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { SourceSecurityGroupId: { 'Fn::GetAtt': [id, 'GroupId'] }, FromPort: 9000, ToPort: 9000 });
  });

  test('with the native engine the smoke test is a lifecycle hook after test traffic shifts, invoked by its own role', () => {
    const stack = newStack();
    const { template, svc } = service({ internetFacing: false, smokeTest: SmokeTest.http() }, stack);
    const fnId = stack.getLogicalId(svc.smokeTestFunction!.node.defaultChild as any);
    const hooks = only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LifecycleHooks;
    expect(hooks).toEqual([{ HookTargetArn: { 'Fn::GetAtt': [fnId, 'Arn'] }, LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/SmokeTestHookRole/), 'Arn'] } }]);
    template.hasResourceProperties('AWS::IAM::Role', { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] } });
    expect(svc.plan.phases[0]).toMatchObject({ trafficPercent: 0, note: 'smoke test: GET / on the test listener expects 200 within 10s' });
  });

  test('no IAM statement of the smoke test allows a mutating action on every resource', () => {
    const { template } = service({ internetFacing: false, smokeTest: SmokeTest.http() });
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy')) as any[]) {
      for (const s of policy.Properties.PolicyDocument.Statement) {
        expect(s.Resource).not.toEqual('*');
      }
    }
  });

  test('SmokeTest.lambda uses your function as the hook and creates none', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Mine', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>({hookStatus:"SUCCEEDED"})') });
    const { template, svc } = service({ smokeTest: SmokeTest.lambda(fn) }, stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(svc.smokeTestFunction).toBe(fn);
    expect(JSON.stringify(only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LifecycleHooks)).toContain(Stack.of(fn).getLogicalId(fn.node.defaultChild as any));
  });

  test('an HTTP smoke test may target an internet-facing load balancer when testTrafficFrom names the NAT addresses', () => {
    const { template } = service({ smokeTest: SmokeTest.http(), testTrafficFrom: ec2.Peer.ipv4('203.0.113.10/32') });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '203.0.113.10/32', FromPort: 9000 })]),
    });
  });

  test('SmokeTest.http defaults to GET / expecting 200 within 10 seconds', () => {
    const t = SmokeTest.http();
    expect([t.path, t.expectStatus, t.timeout!.toSeconds()]).toEqual(['/', 200, 10]);
  });
});

describe('SmokeTest.lambda with CodeDeploy', () => {
  test('your function may report to the deployment group', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Mine', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    const { template } = service({ engine: EcsEngine.codeDeploy(), smokeTest: SmokeTest.lambda(fn) }, stack);
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(fn.role!.node.defaultChild as any) }],
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'codedeploy:PutLifecycleEventHookExecutionStatus' })] },
    });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('smoke-test function'));
  });

  test('warns when the role of an imported function is unknown', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Imported', 'arn:aws:lambda:eu-west-1:123456789012:function:smoke');
    service({ engine: EcsEngine.codeDeploy(), smokeTest: SmokeTest.lambda(fn) }, stack);
    Annotations.fromStack(stack).hasWarning('/Test/Api', Match.stringLikeRegexp("smoke-test function's role is unknown.*grant it yourself"));
  });
});

describe('the smoke-test handler asset', () => {
  test('run from the sources, the asset is the handler transpiled to JavaScript, alone', () => {
    const { stack } = service({ internetFacing: false, smokeTest: SmokeTest.http() });
    const assembly = (stack.node.scope as any).synth();
    const assets = fs.readdirSync(assembly.directory).filter((d: string) => d.startsWith('asset.'));
    expect(assets).toHaveLength(1);
    const dir = path.join(assembly.directory, assets[0]);
    expect(fs.readdirSync(dir)).toEqual(['index.js']);
    const js = fs.readFileSync(path.join(dir, 'index.js'), 'utf-8');
    expect(js).toContain('PutLifecycleEventHookExecutionStatusCommand');
    expect(js).toContain('exports.handler = handler');
    expect(js).not.toMatch(/: Promise<unknown>/);
  });
});
