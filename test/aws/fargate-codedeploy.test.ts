import { Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { analysis, canary, newStack, only, service } from './util';
import { Analysis, CanaryStep, Comparison, DeploymentStrategy, EcsEngine, HealthCheck, Promotion, SmokeTest } from '../../src';

describe('CodeDeploy engine', () => {
  test('the service uses the CODE_DEPLOY controller and no ECS strategy', () => {
    const { template } = service({ engine: EcsEngine.codeDeploy() });
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentController: { Type: 'CODE_DEPLOY' } });
    const config = only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration;
    expect(config.Strategy).toBeUndefined();
    expect(config.Alarms).toBeUndefined();
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
  });

  test('a one-step canary becomes a TimeBasedCanary deployment config', () => {
    const { template } = service({ engine: EcsEngine.codeDeploy(), strategy: canary(15, Duration.minutes(6)) });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      ComputePlatform: 'ECS',
      TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 15, CanaryInterval: 6 } },
    });
  });

  test('linear becomes a TimeBasedLinear deployment config', () => {
    const { template, svc } = service({
      engine: EcsEngine.codeDeploy(),
      strategy: DeploymentStrategy.linear({ stepPercent: 2, interval: Duration.minutes(3), analysis: analysis() }),
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      TrafficRoutingConfig: { Type: 'TimeBasedLinear', TimeBasedLinear: { LinearPercentage: 2, LinearInterval: 3 } },
    });
    expect(svc.plan.target).toBe('CodeDeploy');
  });

  test('blue/green and all-at-once become an AllAtOnce deployment config', () => {
    for (const strategy of [DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis() }), DeploymentStrategy.allAtOnce()]) {
      const { template } = service({ engine: EcsEngine.codeDeploy(), strategy });
      template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', { TrafficRoutingConfig: { Type: 'AllAtOnce' } });
    }
  });

  test('without a smoke test or testTrafficFrom, the deployment group has no test traffic route and there is no test listener', () => {
    for (const strategy of [canary(), DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), DeploymentStrategy.allAtOnce()]) {
      const { template, svc } = service({ engine: EcsEngine.codeDeploy(), strategy });
      const pair = only(template, 'AWS::CodeDeploy::DeploymentGroup').Properties.LoadBalancerInfo.TargetGroupPairInfoList[0];
      expect(pair.ProdTrafficRoute).toBeDefined();
      expect(pair.TestTrafficRoute).toBeUndefined();
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      expect(svc.testListener).toBeUndefined();
    }
  });

  test('a manual promotion without a test listener is planned as a wait with no traffic, and says how to preview', () => {
    const { svc } = service({ engine: EcsEngine.codeDeploy(), strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }) });
    expect(svc.plan.phases[0]).toMatchObject({
      name: 'Preview (no traffic, no test listener)',
      manualGate: true,
      note: 'stops unless approved within 1d; set testTrafficFrom to reach the new version on a test listener before approving',
    });
    const withTestTraffic = service({
      engine: EcsEngine.codeDeploy(), strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }), testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16'),
    }).svc;
    expect(withTestTraffic.plan.phases[0]).toMatchObject({ name: 'Preview (test listener only)', manualGate: true, note: 'stops unless approved within 1d' });
  });

  test('with a smoke test, the deployment group has both target groups, both listeners, the termination wait, the alarms and auto-rollback', () => {
    const stack = newStack();
    const { template, svc } = service({
      engine: EcsEngine.codeDeploy(),
      internetFacing: false,
      smokeTest: SmokeTest.http(),
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: analysis(), keepPreviousVersionFor: Duration.minutes(45),
      }),
      alarmNamePrefix: 'api',
    }, stack);
    const ref = (c: any) => ({ Ref: Stack.of(c).getLogicalId(c.node.defaultChild) });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      AlarmConfiguration: { Enabled: true, Alarms: [{ Name: ref(svc.alarms[0]) }, { Name: ref(svc.alarms[1]) }] },
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM'] },
      BlueGreenDeploymentConfiguration: {
        DeploymentReadyOption: { ActionOnTimeout: 'CONTINUE_DEPLOYMENT', WaitTimeInMinutes: 0 },
        TerminateBlueInstancesOnDeploymentSuccess: { Action: 'TERMINATE', TerminationWaitTimeInMinutes: 45 },
      },
      LoadBalancerInfo: {
        TargetGroupPairInfoList: [{
          ProdTrafficRoute: { ListenerArns: [ref(svc.listener)] },
          TestTrafficRoute: { ListenerArns: [ref(svc.testListener)] },
          TargetGroups: [
            { Name: { 'Fn::GetAtt': [ref(svc.blueTargetGroup).Ref, 'TargetGroupName'] } },
            { Name: { 'Fn::GetAtt': [ref(svc.greenTargetGroup).Ref, 'TargetGroupName'] } },
          ],
        }],
      },
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'api-error-rate' });
  });

  test('without checks there is no alarm rollback, but failures and stops still roll back', () => {
    const { template } = service({ engine: EcsEngine.codeDeploy(), strategy: DeploymentStrategy.allAtOnce() });
    const group = only(template, 'AWS::CodeDeploy::DeploymentGroup').Properties;
    expect(group.AutoRollbackConfiguration).toEqual({ Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('a manual promotion becomes an approval wait, 24 hours by default', () => {
    const { template, svc } = service({ engine: EcsEngine.codeDeploy(), strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }) });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({ DeploymentReadyOption: { ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 1440 } }),
    });
    expect(svc.plan.waitsForApproval).toBe(true);
  });

  test('approvalWaitTime sets the approval wait', () => {
    const { template } = service({
      engine: EcsEngine.codeDeploy({ approvalWaitTime: Duration.hours(2) }),
      strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }),
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({ DeploymentReadyOption: { ActionOnTimeout: 'STOP_DEPLOYMENT', WaitTimeInMinutes: 120 } }),
    });
  });

  test('application and deploymentGroupName are used', () => {
    const stack = newStack();
    const application = new codedeploy.EcsApplication(stack, 'App', { applicationName: 'shop' });
    const { template, svc } = service({ engine: EcsEngine.codeDeploy({ application, deploymentGroupName: 'api-dg' }) }, stack);
    template.resourceCountIs('AWS::CodeDeploy::Application', 1);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { ApplicationName: { Ref: stack.getLogicalId(application.node.defaultChild as any) }, DeploymentGroupName: 'api-dg' });
    expect(svc.application).toBe(application);
    expect(svc.deploymentGroup).toBeDefined();
    expect(svc.deploymentConfig).toBeDefined();
  });

  test('more than 10 checks are combined into one composite alarm for CodeDeploy', () => {
    const checks = Array.from({ length: 11 }, (_, i) => HealthCheck.custom({
      name: `c${i}`, threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatch: { namespace: 'App', metricName: `M${i}` },
    }));
    const { template, svc } = service({
      engine: EcsEngine.codeDeploy(),
      alarmNamePrefix: 'api',
      strategy: DeploymentStrategy.allAtOnce({ analysis: Analysis.of({ checks }), keepPreviousVersionFor: Duration.minutes(5) }),
    });
    template.resourceCountIs('AWS::CloudWatch::Alarm', 11);
    template.hasResourceProperties('AWS::CloudWatch::CompositeAlarm', {
      AlarmName: 'api-any',
      AlarmDescription: 'Any rollback alarm of the service (CodeDeploy takes at most 10 alarms).',
    });
    const group = only(template, 'AWS::CodeDeploy::DeploymentGroup').Properties;
    expect(group.AlarmConfiguration.Alarms).toHaveLength(1);
    expect(svc.compositeAlarm).toBeDefined();
  });

  test('outputs the AppSpec with the task definition, container and the smoke test hook', () => {
    const stack = newStack();
    const { template, svc } = service({ engine: EcsEngine.codeDeploy(), internetFacing: false, smokeTest: SmokeTest.http({ path: '/health' }) }, stack);
    const resolved = JSON.stringify(stack.resolve(svc.appSpec()));
    expect(resolved).toContain('{\\"version\\":0.0,\\"Resources\\":[{\\"TargetService\\":{\\"Type\\":\\"AWS::ECS::Service\\",\\"Properties\\":{\\"TaskDefinition\\":\\"');
    expect(resolved).toContain('\\"LoadBalancerInfo\\":{\\"ContainerName\\":\\"app\\",\\"ContainerPort\\":8080}');
    expect(resolved).toContain('\\"Hooks\\":[{\\"AfterAllowTestTraffic\\":\\"');
    expect(resolved).toContain(stack.getLogicalId(svc.smokeTestFunction!.node.defaultChild as any));
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).some(k => k.includes('AppSpec'))).toBe(true);
    expect(JSON.stringify(stack.resolve(svc.appSpec('arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7')))).toContain('task-definition/api:7');
  });

  test('the AppSpec has no hooks without a smoke test', () => {
    const stack = newStack();
    const { svc } = service({ engine: EcsEngine.codeDeploy() }, stack);
    expect(JSON.stringify(stack.resolve(svc.appSpec()))).not.toContain('Hooks');
  });

  test('the smoke test may report to this deployment group only, and the deployment group may invoke it', () => {
    const stack = newStack();
    const { template, svc } = service({ engine: EcsEngine.codeDeploy(), internetFacing: false, smokeTest: SmokeTest.http() }, stack);
    const fnRole = (svc.smokeTestFunction as any).role;
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(fnRole.node.defaultChild) }],
      PolicyDocument: {
        Statement: [{
          Action: 'codedeploy:PutLifecycleEventHookExecutionStatus',
          Effect: 'Allow',
          Resource: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
        }],
      },
    });
    const group = svc.deploymentGroup as codedeploy.EcsDeploymentGroup;
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: stack.getLogicalId(group.role.node.defaultChild as any) }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'lambda:InvokeFunction' })]) },
    });
    // The hook reaches the CodeDeploy API over HTTPS.
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Smoke test'),
      SecurityGroupEgress: Match.arrayWith([Match.objectLike({ CidrIp: '0.0.0.0/0', FromPort: 443, ToPort: 443 })]),
    });
  });

  test('a notification topic becomes a CodeDeploy trigger, and the deployment group may publish to it', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    const { template } = service({ engine: EcsEngine.codeDeploy(), notificationTopic: topic }, stack);
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      TriggerConfigurations: [{
        TriggerName: 'deployment-events',
        TriggerTargetArn: { Ref: stack.getLogicalId(topic.node.defaultChild as any) },
        TriggerEvents: Match.arrayWith(['DeploymentFailure', 'DeploymentRollback']),
      }],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Resource: { Ref: stack.getLogicalId(topic.node.defaultChild as any) } })]) },
    });
    template.resourceCountIs('AWS::Events::Rule', 0);
  });
});
