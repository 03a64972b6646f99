import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { canary, image, newStack } from './util';
import { EcsEngine, ProgressiveFargateService, ProgressiveFargateServiceProps, SmokeTest } from '../../src';

interface Shared {
  stack: Stack;
  cluster: ecs.Cluster;
  loadBalancer: elbv2.ApplicationLoadBalancer;
  listener: elbv2.ApplicationListener;
  testListener: elbv2.ApplicationListener;
}

/** One VPC, cluster and internal ALB with a production listener (404 by default) and a test listener. */
function shared(): Shared {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc });
  const notFound = elbv2.ListenerAction.fixedResponse(404);
  const listener = loadBalancer.addListener('Http', { port: 80, defaultAction: notFound, open: false });
  const testListener = loadBalancer.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: notFound, open: false });
  return { stack, cluster, loadBalancer, listener, testListener };
}

const HOSTS = ['orders.example.com', 'users.example.com', 'search.example.com'];

function three(s: Shared, engine: EcsEngine): ProgressiveFargateService[] {
  return HOSTS.map((host, i) => new ProgressiveFargateService(s.stack, `Svc${i}`, {
    cluster: s.cluster,
    image,
    containerPort: 8080,
    strategy: canary(),
    engine,
    listener: s.listener,
    testListener: s.testListener,
    conditions: [elbv2.ListenerCondition.hostHeaders([host])],
    priority: 10 + i,
    alarmNamePrefix: `svc${i}`,
  }));
}

const ref = (stack: Stack, c: { node: { defaultChild?: any } }) => ({ Ref: stack.getLogicalId(c.node.defaultChild) });

describe('many services behind one load balancer', () => {
  test('native: three services get their own rules on the shared production and test listeners, and those are the rules ECS shifts', () => {
    const s = shared();
    const services = three(s, EcsEngine.native());
    const template = Template.fromStack(s.stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::LoadBalancer', 1);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 6);
    template.resourceCountIs('AWS::ECS::Service', 3);
    services.forEach((svc, i) => {
      expect(svc.loadBalancer).toBe(s.loadBalancer);
      expect(svc.listener).toBe(s.listener);
      expect(svc.testListener).toBe(s.testListener);
      const weighted = {
        Type: 'forward',
        ForwardConfig: {
          TargetGroups: [
            { TargetGroupArn: ref(s.stack, svc.blueTargetGroup), Weight: 100 },
            { TargetGroupArn: ref(s.stack, svc.greenTargetGroup!), Weight: 0 },
          ],
        },
      };
      for (const [rule, listener] of [[svc.productionListenerRule!, s.listener], [svc.testListenerRule!, s.testListener]] as const) {
        const props = Template.fromStack(s.stack).toJSON().Resources[s.stack.getLogicalId(rule.node.defaultChild as any)].Properties;
        expect(props).toEqual({
          ListenerArn: ref(s.stack, listener),
          Priority: 10 + i,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [HOSTS[i]] } }],
          Actions: [weighted],
        });
      }
      const service = template.toJSON().Resources[s.stack.getLogicalId(svc.service.node.defaultChild as any)].Properties;
      expect(service.LoadBalancers).toEqual([{
        ContainerName: 'app',
        ContainerPort: 8080,
        TargetGroupArn: ref(s.stack, svc.blueTargetGroup),
        AdvancedConfiguration: {
          AlternateTargetGroupArn: ref(s.stack, svc.greenTargetGroup!),
          ProductionListenerRule: ref(s.stack, svc.productionListenerRule!),
          TestListenerRule: ref(s.stack, svc.testListenerRule!),
          RoleArn: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^Svc${i}ServiceAlternateTargetRole`)), 'Arn'] },
        },
      }]);
    });
  });

  test('CodeDeploy: three services get rules that forward to their blue target group, and their deployment groups use the shared listeners', () => {
    const s = shared();
    const services = three(s, EcsEngine.codeDeploy());
    const template = Template.fromStack(s.stack);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 2);
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::ListenerRule', 6);
    template.resourceCountIs('AWS::CodeDeploy::DeploymentGroup', 3);
    const resources = template.toJSON().Resources;
    services.forEach((svc, i) => {
      for (const [rule, listener] of [[svc.productionListenerRule!, s.listener], [svc.testListenerRule!, s.testListener]] as const) {
        expect(resources[s.stack.getLogicalId(rule.node.defaultChild as any)].Properties).toEqual({
          ListenerArn: ref(s.stack, listener),
          Priority: 10 + i,
          Conditions: [{ Field: 'host-header', HostHeaderConfig: { Values: [HOSTS[i]] } }],
          Actions: [{ Type: 'forward', TargetGroupArn: ref(s.stack, svc.blueTargetGroup) }],
        });
      }
      const group = resources[s.stack.getLogicalId(svc.deploymentGroup!.node.defaultChild as any)].Properties;
      expect(group.BlueGreenDeploymentConfiguration).toBeDefined();
      expect(group.LoadBalancerInfo.TargetGroupPairInfoList).toEqual([{
        ProdTrafficRoute: { ListenerArns: [ref(s.stack, s.listener)] },
        TestTrafficRoute: { ListenerArns: [ref(s.stack, s.testListener)] },
        TargetGroups: [{ Name: Match.anyValue() }, { Name: Match.anyValue() }].map((_, j) => ({
          Name: { 'Fn::GetAtt': [s.stack.getLogicalId((j === 0 ? svc.blueTargetGroup : svc.greenTargetGroup!).node.defaultChild as any), 'TargetGroupName'] },
        })),
      }]);
    });
  });

  test.each([['native', EcsEngine.native()], ['CodeDeploy', EcsEngine.codeDeploy()]])(
    '%s: two services on one given load balancer, each with its own listener ports, do not clash', (_name, engine) => {
      const s = shared();
      const fn = new lambda.Function(s.stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
      const make = (id: string, listenerPort: number, testListenerPort: number) => new ProgressiveFargateService(s.stack, id, {
        cluster: s.cluster,
        image,
        containerPort: 8080,
        strategy: canary(),
        engine,
        loadBalancer: s.loadBalancer,
        listenerPort,
        testListenerPort,
        smokeTest: SmokeTest.lambda(fn),
      });
      const a = make('A', 8081, 9081);
      const b = make('B', 8082, 9082);
      const template = Template.fromStack(s.stack);
      template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 6);
      for (const [svc, port, testPort] of [[a, 8081, 9081], [b, 8082, 9082]] as const) {
        expect(svc.listener.node.path).toBe(`Test/${svc.node.id}/Listener`);
        expect(svc.testListener!.node.path).toBe(`Test/${svc.node.id}/TestListener`);
        const resources = template.toJSON().Resources;
        expect(resources[s.stack.getLogicalId(svc.listener.node.defaultChild as any)].Properties).toMatchObject({
          LoadBalancerArn: ref(s.stack, s.loadBalancer), Port: port, Protocol: 'HTTP',
        });
        expect(resources[s.stack.getLogicalId(svc.testListener!.node.defaultChild as any)].Properties).toMatchObject({
          LoadBalancerArn: ref(s.stack, s.loadBalancer), Port: testPort, Protocol: 'HTTP',
        });
      }
    });

  test('a service with its own test listener port beside a shared production listener', () => {
    const s = shared();
    const svc = new ProgressiveFargateService(s.stack, 'Svc', {
      cluster: s.cluster,
      image,
      containerPort: 8080,
      strategy: canary(),
      listener: s.listener,
      conditions: [elbv2.ListenerCondition.pathPatterns(['/orders/*'])],
      priority: 5,
      testListenerPort: 9100,
      testTrafficFrom: ec2.Peer.ipv4('10.1.0.0/16'),
    });
    const template = Template.fromStack(s.stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', {
      Port: 9100, DefaultActions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '404', ContentType: 'text/plain', MessageBody: 'Not found' } }],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: ref(s.stack, svc.testListener!), Priority: 5, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/orders/*'] } }],
    });
  });

  test('with conditions on listeners it creates, unmatched requests get a 404 and the rule has priority 1 by default', () => {
    const stack = newStack();
    const svc = new ProgressiveFargateService(stack, 'Api', {
      image, containerPort: 8080, strategy: canary(), conditions: [elbv2.ListenerCondition.pathPatterns(['/api/*'])],
    });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 80, DefaultActions: [Match.objectLike({ Type: 'fixed-response' })] });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: ref(stack, svc.listener), Priority: 1, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } }],
    });
  });

  test('the HTTP smoke test may send requests the service\'s rule matches: a path its patterns match, the Host header it expects', () => {
    const s = shared();
    const svc = new ProgressiveFargateService(s.stack, 'Svc', {
      cluster: s.cluster,
      image,
      containerPort: 8080,
      strategy: canary(),
      listener: s.listener,
      testListener: s.testListener,
      conditions: [elbv2.ListenerCondition.hostHeaders(['*.example.com']), elbv2.ListenerCondition.pathPatterns(['/orders', '/orders/*'])],
      priority: 3,
      smokeTest: SmokeTest.http({
        requests: [
          { path: '/orders/health', headers: { host: 'Orders.Example.com' } },
          { path: '/orders?id=1', method: 'POST', body: '{}', headers: { Host: 'orders.example.com:9000' }, expectStatus: 201 },
        ],
      }),
    });
    expect(svc.smokeTestFunction).toBeDefined();
    const fn = Object.values(Template.fromStack(s.stack).findResources('AWS::Lambda::Function')).find(r => r.Properties.Environment?.Variables?.BASE_URL)!;
    expect(fn.Properties.Environment.Variables.BASE_URL).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [expect.stringMatching(/^Alb/), 'DNSName'] }, ':9000']] });
    expect(JSON.parse(fn.Properties.Environment.Variables.REQUESTS).map((r: any) => r.path)).toEqual(['/orders/health', '/orders?id=1']);
  });
});

describe('sharing a load balancer: what is refused', () => {
  /** The props are built first; the refused service then leaves nothing in the stack. */
  function expectRefused(props: (s: Shared) => ProgressiveFargateServiceProps, message: string): void {
    const s = shared();
    const p = props(s);
    const before = s.stack.node.children.length;
    expect(() => new ProgressiveFargateService(s.stack, 'Svc', p)).toThrow(message);
    expect(s.stack.node.tryFindChild('Svc')).toBeUndefined();
    expect(s.stack.node.children.length).toBe(before);
  }
  const base = (s: Shared): ProgressiveFargateServiceProps => ({ cluster: s.cluster, image, containerPort: 8080, strategy: canary() });

  test('fails when a shared listener comes without conditions or priority', () => {
    expectRefused(s => ({ ...base(s), listener: s.listener, priority: 4 }),
      'ProgressiveFargateService Test/Svc: conditions must be given with a listener you pass: the service gets a rule on that listener, beside the rules of other services, got undefined.');
    expectRefused(s => ({ ...base(s), listener: s.listener, conditions: [elbv2.ListenerCondition.hostHeaders(['a.example.com'])] }),
      'ProgressiveFargateService Test/Svc: priority must be given with a listener you pass');
  });

  test('fails when the priority is out of range or not whole', () => {
    for (const priority of [0, 50001, 2.5, NaN]) {
      expectRefused(s => ({
        ...base(s), listener: s.listener, conditions: [elbv2.ListenerCondition.hostHeaders(['a.example.com'])], priority,
      }), 'ProgressiveFargateService Test/Svc: priority must be');
    }
  });

  test('fails when conditions are empty, sparse or not conditions', () => {
    expectRefused(s => ({ ...base(s), listener: s.listener, conditions: [], priority: 1 }),
      'ProgressiveFargateService Test/Svc: conditions must be a non-empty list of listener conditions, got [].');
    // eslint-disable-next-line no-sparse-arrays
    expectRefused(s => ({ ...base(s), listener: s.listener, conditions: [, elbv2.ListenerCondition.hostHeaders(['a'])] as any, priority: 1 }),
      'ProgressiveFargateService Test/Svc: conditions[0] must be a listener condition, got an empty slot.');
    expectRefused(s => ({ ...base(s), listener: s.listener, conditions: ['host-header: a.example.com'] as any, priority: 1 }),
      'ProgressiveFargateService Test/Svc: conditions[0] must be a listener condition, got "host-header: a.example.com".');
  });

  test('fails when the conditions carry more values than an ALB rule takes', () => {
    expectRefused(s => ({
      ...base(s),
      listener: s.listener,
      priority: 1,
      conditions: [elbv2.ListenerCondition.hostHeaders(['a.example.com', 'b.example.com']), elbv2.ListenerCondition.pathPatterns(['/a/*', '/b/*', '/c/*', '/d/*'])],
    }), 'ProgressiveFargateService Test/Svc: conditions must have at most 5 values in all: an ALB listener rule takes no more, got 6 values. Use fewer host names or path patterns');
  });

  test('fails when the listener is given with listenerPort or certificate', () => {
    expectRefused(s => ({
      ...base(s), listener: s.listener, listenerPort: 8080, conditions: [elbv2.ListenerCondition.hostHeaders(['a'])], priority: 1,
    }), 'ProgressiveFargateService Test/Svc: listenerPort only applies to the listener the construct creates, got 8080. Configure the listener you pass, or do not pass listener.');
  });

  test('fails when an imported listener comes without its load balancer', () => {
    expectRefused(s => ({
      ...base(s),
      listener: elbv2.ApplicationListener.fromApplicationListenerAttributes(s.stack, 'Imported', {
        listenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/shared/1234567890abcdef/1234567890abcdef',
        securityGroup: ec2.SecurityGroup.fromSecurityGroupId(s.stack, 'Sg', 'sg-12345678'),
      }),
      conditions: [elbv2.ListenerCondition.hostHeaders(['a'])],
      priority: 1,
    }), 'ProgressiveFargateService Test/Svc: loadBalancer must be given with an imported listener: the alarms and the test listener need the load balancer, got undefined.');
  });

  test('fails when the listener belongs to another load balancer than the one given', () => {
    expectRefused(s => ({
      ...base(s),
      loadBalancer: new elbv2.ApplicationLoadBalancer(s.stack, 'Other', { vpc: s.cluster.vpc }),
      listener: s.listener,
      conditions: [elbv2.ListenerCondition.hostHeaders(['a'])],
      priority: 1,
    }), 'ProgressiveFargateService Test/Svc: listener must belong to loadBalancer, got a listener of Test/Alb.');
  });

  test('fails when a listener it would create takes a port already used on the given load balancer', () => {
    expectRefused(s => ({ ...base(s), loadBalancer: s.loadBalancer }),
      'ProgressiveFargateService Test/Svc: listenerPort is already used on the load balancer by Test/Alb/Http, got 80. Share that listener: pass listener (and testListener) with conditions and a priority, or pick a free port.');
    expectRefused(s => ({
      ...base(s), loadBalancer: s.loadBalancer, listenerPort: 8080, testTrafficFrom: ec2.Peer.ipv4('10.0.0.0/8'),
    }), 'ProgressiveFargateService Test/Svc: testListenerPort is already used on the load balancer by Test/Alb/Test, got 9000.');
  });

  test('fails when an HTTP smoke-test request cannot match the service\'s rule', () => {
    const refused = (conditions: elbv2.ListenerCondition[], smokeTest: SmokeTest, message: string) => expectRefused(s => ({
      ...base(s), listener: s.listener, testListener: s.testListener, conditions, priority: 1, smokeTest,
    }), `ProgressiveFargateService Test/Svc: ${message}`);
    refused([elbv2.ListenerCondition.hostHeaders(['a.example.com'])], SmokeTest.http({ path: '/health' }),
      'smokeTest.requests[0] does not match the host-header condition of the service\'s rule, so it would not reach the new version, got GET /health. '
      + 'Send what the rule matches (a path its patterns match, a Host header for a host-header condition), or use SmokeTest.lambda(fn).');
    refused([elbv2.ListenerCondition.pathPatterns(['/orders/*'])], SmokeTest.http({ requests: [{ path: '/orders/health' }, { path: '/health' }] }),
      'smokeTest.requests[1] does not match the path-pattern condition of the service\'s rule, so it would not reach the new version, got GET /health.');
    refused([elbv2.ListenerCondition.hostHeaders(['a.example.com'])], SmokeTest.http({ requests: [{ path: '/', headers: { Host: 'b.example.com' } }] }),
      'smokeTest.requests[0] does not match the host-header condition of the service\'s rule, so it would not reach the new version, got GET / with headers {"Host":"b.example.com"}.');
    refused([elbv2.ListenerCondition.httpRequestMethods(['POST'])], SmokeTest.http({ path: '/' }),
      'smokeTest.requests[0] does not match the http-request-method condition of the service\'s rule');
    refused([elbv2.ListenerCondition.sourceIps(['10.0.0.0/8'])], SmokeTest.http({ path: '/' }),
      'smokeTest.requests[0] does not match the source-ip condition of the service\'s rule, so it would not reach the new version, got GET /. '
      + 'A source-ip condition cannot be checked here: use SmokeTest.lambda(fn).');
  });

  test('an HTTP smoke test matches http-header and query-string conditions when it sends them', () => {
    const s = shared();
    const svc = new ProgressiveFargateService(s.stack, 'Svc', {
      ...base(s),
      listener: s.listener,
      testListener: s.testListener,
      priority: 2,
      conditions: [elbv2.ListenerCondition.httpHeader('X-Tenant', ['acme-*']), elbv2.ListenerCondition.queryStrings([{ key: 'v', value: '2' }])],
      smokeTest: SmokeTest.http({ requests: [{ path: '/?v=2', headers: { 'x-tenant': 'acme-eu' } }] }),
    });
    expect(svc.smokeTestFunction).toBeDefined();
  });

  test('fails when a shared test listener comes with testListenerPort or testTrafficFrom', () => {
    const common = (s: Shared) => ({ ...base(s), listener: s.listener, testListener: s.testListener, conditions: [elbv2.ListenerCondition.hostHeaders(['a'])], priority: 1 });
    expectRefused(s => ({ ...common(s), testListenerPort: 9100 }),
      'ProgressiveFargateService Test/Svc: testListenerPort only applies to the test listener the construct creates, got 9100.');
    expectRefused(s => ({ ...common(s), testTrafficFrom: ec2.Peer.ipv4('10.0.0.0/8') }),
      'ProgressiveFargateService Test/Svc: testTrafficFrom only opens the test listener the construct creates, got set with testListener.');
  });

  test('fails when priority is given without conditions on listeners it creates', () => {
    expectRefused(s => ({ ...base(s), priority: 3 }),
      'ProgressiveFargateService Test/Svc: priority only applies with conditions, got 3. Pass conditions, or remove priority.');
  });
});
