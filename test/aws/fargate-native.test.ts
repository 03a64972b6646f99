import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { analysis, canary, image, newStack, only, service } from './util';
import { Analysis, CanaryStep, Capacity, DeploymentStrategy, EcsEngine, ProgressiveFargateService, Promotion, SmokeTest } from '../../src';

describe('ECS native engine', () => {
  test('the cluster it creates has Container Insights enabled; a cluster passed in is used as it is', () => {
    const created = service();
    created.template.hasResourceProperties('AWS::ECS::Cluster', {
      ClusterSettings: [{ Name: 'containerInsights', Value: 'enabled' }],
    });
    const stack = newStack();
    const cluster = new ecs.Cluster(stack, 'Mine');
    const passed = service({ cluster }, stack);
    expect(passed.svc.cluster).toBe(cluster);
    passed.template.resourceCountIs('AWS::ECS::Cluster', 1);
    expect(JSON.stringify(passed.template.findResources('AWS::ECS::Cluster'))).not.toContain('containerInsights');
  });

  test('a one-step canary becomes the CANARY strategy with its percent, bake and the previous-version bake time', () => {
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(12.5, Duration.minutes(7))], analysis: analysis(), keepPreviousVersionFor: Duration.minutes(20),
    });
    const { template } = service({ strategy });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 12.5, CanaryBakeTimeInMinutes: 7 },
        BakeTimeInMinutes: 20,
        MinimumHealthyPercent: 100,
        MaximumPercent: 200,
      }),
    });
  });

  test('linear becomes the LINEAR strategy with step percent and step bake', () => {
    const { template, svc } = service({
      strategy: DeploymentStrategy.linear({
        stepPercent: 25, interval: Duration.minutes(4), analysis: analysis(), keepPreviousVersionFor: Duration.minutes(3),
      }),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'LINEAR', LinearConfiguration: { StepPercent: 25, StepBakeTimeInMinutes: 4 }, BakeTimeInMinutes: 3 }),
    });
    expect(svc.plan.target).toBe('ECS native');
    expect(svc.plan.phases.map(p => p.trafficPercent)).toEqual([25, 50, 75, 100]);
  });

  test('blue/green becomes BLUE_GREEN with the bake time from keepPreviousVersionFor', () => {
    const { template } = service({
      strategy: DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis(), keepPreviousVersionFor: Duration.minutes(12) }),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 12 }),
    });
    expect(only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.CanaryConfiguration).toBeUndefined();
  });

  test('all-at-once becomes BLUE_GREEN without a preview phase in the plan', () => {
    const { template, svc } = service({ strategy: DeploymentStrategy.allAtOnce({ keepPreviousVersionFor: Duration.minutes(2) }) });
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN', BakeTimeInMinutes: 2 }) });
    expect(svc.plan.phases).toHaveLength(1);
    expect(svc.alarms).toHaveLength(0);
    expect(only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.Alarms).toEqual({ AlarmNames: [], Enable: false, Rollback: false });
  });

  test('rolling becomes ROLLING with surge and unavailability as healthy percents, the circuit breaker and alarms, and no green target group', () => {
    const { template, svc } = service({
      desiredCount: 4,
      strategy: DeploymentStrategy.rolling({ maxSurge: Capacity.count(1), maxUnavailable: Capacity.percent(25), analysis: analysis() }),
    });
    template.hasResourceProperties('AWS::ECS::Service', {
      DesiredCount: 4,
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'ROLLING',
        MaximumPercent: 125,
        MinimumHealthyPercent: 75,
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        Alarms: Match.objectLike({ Enable: true, Rollback: true }),
      }),
    });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 0);
    expect(svc.greenTargetGroup).toBeUndefined();
    expect(svc.testListener).toBeUndefined();
    expect(svc.plan.notes.join(' ')).toContain('circuit breaker');
  });

  test('circuitBreaker: false renders the rolling circuit breaker explicitly off', () => {
    const { template } = service({
      engine: EcsEngine.native({ circuitBreaker: false }),
      strategy: DeploymentStrategy.rolling({ analysis: Analysis.none('batch worker') }),
    });
    expect(only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: false, Rollback: false });
  });

  test.each([
    ['canary', canary()],
    ['linear', DeploymentStrategy.linear({ stepPercent: 10, interval: Duration.minutes(5), analysis: analysis() })],
    ['blue/green', DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis(), keepPreviousVersionFor: Duration.minutes(10) })],
    ['all-at-once', DeploymentStrategy.allAtOnce({ keepPreviousVersionFor: Duration.minutes(10) })],
  ])('%s renders the circuit breaker explicitly off (it rolls back on alarms), so no circuit-breaker warning applies', (_name, strategy) => {
    const { template, stack } = service({ strategy });
    expect(only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.DeploymentCircuitBreaker).toEqual({ Enable: false, Rollback: false });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('circuitBreaker'));
  });

  test('without a smoke test or testTrafficFrom, the service shifts the production listener rule only: no test listener, no test listener rule', () => {
    const strategies = [
      canary(),
      DeploymentStrategy.linear({ stepPercent: 25, interval: Duration.minutes(4), analysis: analysis() }),
      DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis() }),
      DeploymentStrategy.allAtOnce(),
    ];
    for (const strategy of strategies) {
      const { template, svc } = service({ strategy });
      const stack = svc.node.scope as any;
      const ref = (c: any) => ({ Ref: stack.getLogicalId(c.node.defaultChild) });
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 1);
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { ListenerArn: ref(svc.listener) });
      expect(svc.testListener).toBeUndefined();
      expect(svc.testListenerRule).toBeUndefined();
      const advanced = only(template, 'AWS::ECS::Service').Properties.LoadBalancers[0].AdvancedConfiguration;
      expect(advanced.AlternateTargetGroupArn).toEqual(ref(svc.greenTargetGroup));
      expect(advanced.ProductionListenerRule).toEqual(ref(svc.productionListenerRule));
      expect(advanced.TestListenerRule).toBeUndefined();
    }
  });

  test('with a smoke test there is a test listener, and the service uses the green target group as alternate with the production and test listener rules', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    const { template, svc } = service({ smokeTest: SmokeTest.lambda(fn) }, stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::TargetGroup', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 2);
    const ref = (c: any) => ({ Ref: stack.getLogicalId(c.node.defaultChild) });
    template.hasResourceProperties('AWS::ECS::Service', {
      LoadBalancers: [{
        ContainerName: 'app',
        ContainerPort: 8080,
        TargetGroupArn: ref(svc.blueTargetGroup),
        AdvancedConfiguration: Match.objectLike({
          AlternateTargetGroupArn: ref(svc.greenTargetGroup),
          ProductionListenerRule: ref(svc.productionListenerRule),
          TestListenerRule: ref(svc.testListenerRule),
        }),
      }],
    });
    for (const [rule, listener] of [[svc.productionListenerRule, svc.listener], [svc.testListenerRule, svc.testListener]] as const) {
      template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
        ListenerArn: ref(listener),
        Actions: [{
          Type: 'forward',
          ForwardConfig: {
            TargetGroups: [{ TargetGroupArn: ref(svc.blueTargetGroup), Weight: 100 }, { TargetGroupArn: ref(svc.greenTargetGroup), Weight: 0 }],
          },
        }],
        Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
        Priority: 1,
      });
      expect(rule).toBeDefined();
    }
  });

  test('testTrafficFrom alone creates the test listener and its rule', () => {
    const { template, svc } = service({ testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16') });
    const stack = svc.node.scope as any;
    const ref = (c: any) => ({ Ref: stack.getLogicalId(c.node.defaultChild) });
    expect(svc.testListener).toBeDefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { ListenerArn: ref(svc.testListener) });
    expect(only(template, 'AWS::ECS::Service').Properties.LoadBalancers[0].AdvancedConfiguration.TestListenerRule).toEqual(ref(svc.testListenerRule));
  });

  test('creates an internal ALB whose HTTP listener on 80 accepts the VPC; with a smoke test, a closed test listener on 9000', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    const { template } = service({ smokeTest: SmokeTest.lambda(fn) }, stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 9000, Protocol: 'HTTP' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiVpc'), 'CidrBlock'] }, FromPort: 80 })]),
    });
    expect(JSON.stringify(template.findResources('AWS::EC2::SecurityGroup'))).not.toContain('0.0.0.0/0","Description":"Clients');
    const ingress = JSON.stringify(template.findResources('AWS::EC2::SecurityGroup'));
    expect(ingress).not.toContain('"FromPort":9000');
  });

  test('listenerPort, testListenerPort, internetFacing, healthCheckPath, desiredCount and serviceName change the output', () => {
    const { template } = service({
      listenerPort: 8000, testListenerPort: 8001, internetFacing: false, healthCheckPath: '/ready', desiredCount: 5, serviceName: 'api', smokeTest: SmokeTest.http(),
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8000 });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 8001 });
    template.allResourcesProperties('AWS::ElasticLoadBalancingV2::TargetGroup', { HealthCheckPath: '/ready', Port: 8080, TargetType: 'ip' });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 5, ServiceName: 'api' });
  });

  test('a certificate makes the production listener HTTPS on 443', () => {
    const stack = newStack();
    const cert = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    const { template } = service({ certificate: elbv2.ListenerCertificate.fromCertificateManager(cert) }, stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' }],
    });
  });

  test('testTrafficFrom opens the test listener to that peer', () => {
    const { template } = service({ testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16') });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: Match.arrayWith([Match.objectLike({ CidrIp: '10.1.0.0/16', FromPort: 9000, ToPort: 9000 })]),
    });
  });

  test('uses the cluster, the VPC, the load balancer and the task definition it is given', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const lb = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc });
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('web', { image, portMappings: [{ containerPort: 3000 }] });
    const svc = new ProgressiveFargateService(stack, 'Api', { cluster, loadBalancer: lb, taskDefinition, containerPort: 3000, strategy: canary() });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::ECS::Cluster', 1);
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ECS::TaskDefinition', 1);
    expect(svc.cluster).toBe(cluster);
    expect(svc.loadBalancer).toBe(lb);
    expect(svc.taskDefinition).toBe(taskDefinition);
    template.hasResourceProperties('AWS::ECS::Service', { LoadBalancers: [Match.objectLike({ ContainerName: 'web', ContainerPort: 3000 })] });
  });

  test('an imported load balancer is named in the alarm dimensions by the full name taken from its ARN', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const lb = elbv2.ApplicationLoadBalancer.fromApplicationLoadBalancerAttributes(stack, 'Lb', {
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/my-lb/50dc6c495c0c9188', securityGroupId: 'sg-123', vpc,
    });
    const { template } = service({ vpc, loadBalancer: lb }, stack);
    const alarm = Object.values(template.findResources('AWS::CloudWatch::Alarm'))[0] as any;
    expect(JSON.stringify(alarm.Properties.Metrics)).toContain('{"Name":"LoadBalancer","Value":"app/my-lb/50dc6c495c0c9188"}');
  });

  test('cpu and memoryLimitMiB size the task created for the image', () => {
    const { template } = service({ cpu: 512, memoryLimitMiB: 1024 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '512', Memory: '1024' });
  });

  test('the default task is 256 CPU units and 512 MiB with a logged container mapping the port', () => {
    const { template } = service();
    template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Cpu: '256',
      Memory: '512',
      ContainerDefinitions: [Match.objectLike({ Name: 'app', PortMappings: [Match.objectLike({ ContainerPort: 8080 })], LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }) })],
    });
  });

  test('deployment alarms reference the alarms by literal name and roll back', () => {
    const { template, svc } = service({ alarmNamePrefix: 'checkout' });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Alarms: { AlarmNames: ['checkout-error-rate', 'checkout-latency-p99'], Enable: true, Rollback: true },
      }),
    });
    expect(svc.alarmNames).toEqual(['checkout-error-rate', 'checkout-latency-p99']);
  });

  test('a notification topic gets ECS deployment state changes of the service through EventBridge', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Topic');
    const { template, svc } = service({ notificationTopic: topic }, stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.ecs'], 'detail-type': ['ECS Deployment State Change'], 'resources': [{ Ref: stack.getLogicalId(svc.service.node.defaultChild as any) }] },
      Targets: [Match.objectLike({ Arn: { Ref: stack.getLogicalId(topic.node.defaultChild as any) } })],
    });
    expect(svc.notificationRule).toBeDefined();
  });

  test('without a topic there is no EventBridge rule', () => {
    const { template, svc } = service();
    template.resourceCountIs('AWS::Events::Rule', 0);
    expect(svc.notificationRule).toBeUndefined();
  });

  test('the plan counts the alarm delay in the detection time', () => {
    const { svc } = service({ strategy: canary(10, Duration.minutes(10)) });
    const step = svc.plan.phases[0];
    expect(step.trafficPercent).toBe(10);
    expect(step.timeToDetect?.toMinutes()).toBe(3); // 1m × (1 + 1) + 1m ingestion delay
    expect(svc.plan.notes[0]).toContain('1 minute of ingestion delay');
  });

  test('the service resource depends on the alarms; the roles inside the Service construct do not', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
    const { template, svc } = service({ smokeTest: SmokeTest.lambda(fn), testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16') }, stack);
    const alarmIds = svc.alarms.map(a => stack.getLogicalId(a.node.defaultChild as any));
    expect(alarmIds).toHaveLength(2);
    const serviceResource = only(template, 'AWS::ECS::Service');
    expect(serviceResource.DependsOn).toEqual(expect.arrayContaining(alarmIds));
    const roles = template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'ecs.amazonaws.com' } })] } } });
    // The alternate-target role that lets ECS shift the listener rules, and the role that invokes the smoke-test hook.
    expect(Object.keys(roles)).toEqual([expect.stringMatching(/AlternateTargetRole/), expect.stringMatching(/SmokeTestHookRole/)]);
    for (const role of Object.values(roles) as any[]) {
      for (const id of alarmIds) expect(role.DependsOn ?? []).not.toContain(id);
    }
  });

  test('the plan of a blue/green has a preview phase only when there is a test listener to preview on', () => {
    const strategy = DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis(), keepPreviousVersionFor: Duration.minutes(10) });
    const without = service({ strategy }).svc;
    expect(without.plan.phases.map(p => p.name)).toEqual(['Full traffic, previous version kept']);
    const withTestTraffic = service({ strategy, testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16') }).svc;
    expect(withTestTraffic.plan.phases.map(p => p.name)).toEqual(['Preview (test listener only)', 'Full traffic, previous version kept']);
  });

  test('appSpec() is refused with the native engine', () => {
    const { svc } = service();
    expect(() => svc.appSpec()).toThrow(/appSpec\(\) is only available with EcsEngine.codeDeploy\(\)/);
  });

  test('a blue/green with Analysis.none and automatic promotion renders with no alarms', () => {
    const { svc } = service({ strategy: DeploymentStrategy.blueGreen({ postPromotionAnalysis: Analysis.none('manual QA'), promotion: Promotion.automatic(Duration.seconds(0)) }) });
    expect(svc.alarms).toHaveLength(0);
    expect(svc.plan.notes.join(' ')).toContain('manual QA');
  });
});
