import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { analysis, newStack, only, service } from './util';
import {
  ApprovalTimeoutAction, CanaryStep, DeploymentHook, DeploymentStrategy, EcsEngine, EcsLifecycleStage, HeaderPreview, RequestMatch, SmokeTest,
} from '../../src';

type PreviewProps = Partial<{ match: RequestMatch; duration: Duration; manualGate: boolean }>;
const previewOf = (preview: PreviewProps = {}) => HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(20), ...preview });
const previewCanary = (preview: PreviewProps = {}, keep = Duration.minutes(5)) => DeploymentStrategy.canary({
  steps: [CanaryStep.of(10, Duration.minutes(10))], analysis: analysis(), keepPreviousVersionFor: keep, headerPreview: previewOf(preview),
});
const hooksOf = (template: any) => only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LifecycleHooks;
const rules = (template: any) => Object.values(template.findResources('AWS::ElasticLoadBalancingV2::ListenerRule')) as any[];
const forwardBlueGreen = {
  Type: 'forward',
  ForwardConfig: {
    TargetGroups: [
      { TargetGroupArn: { Ref: Match.stringLikeRegexp('ApiBlueTargetGroup') }, Weight: 100 },
      { TargetGroupArn: { Ref: Match.stringLikeRegexp('ApiGreenTargetGroup') }, Weight: 0 },
    ],
  },
};

describe('header-only preview on ECS native', () => {
  test('renders a header rule on the production listener just before the production rule, as the ECS test listener rule', () => {
    const { template, svc } = service({ strategy: previewCanary() });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    expect(svc.testListener).toBeUndefined();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('ApiLoadBalancerListener') },
      Priority: 1,
      Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Preview', Values: ['qa'] } }],
      Actions: [forwardBlueGreen],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('ApiLoadBalancerListener') },
      Priority: 2,
      Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/*'] } }],
      Actions: [forwardBlueGreen],
    });
    expect(rules(template)).toHaveLength(2);
    const lb = only(template, 'AWS::ECS::Service').Properties.LoadBalancers[0];
    expect(lb.AdvancedConfiguration).toEqual({
      AlternateTargetGroupArn: { Ref: expect.stringMatching(/^ApiGreenTargetGroup/) },
      ProductionListenerRule: { Ref: expect.stringMatching(/^ApiProductionListenerRule/) },
      TestListenerRule: { Ref: expect.stringMatching(/^ApiHeaderPreviewRule/) },
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/AlternateTargetRole/), 'Arn'] },
    });
    expect(svc.testListenerRule).toBeDefined();
  });

  test('a prefix match becomes an ALB wildcard comparison string', () => {
    const { template } = service({ strategy: previewCanary({ match: RequestMatch.headerPrefix('X-Tester', 'team-') }) });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      Priority: 1, Conditions: [{ Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Tester', Values: ['team-*'] } }],
    });
  });

  test('on a shared listener the header rule carries the service\'s conditions and takes priority - 1', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const lb = new elbv2.ApplicationLoadBalancer(stack, 'Shared', { vpc });
    const listener = lb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    const { template } = service({
      strategy: previewCanary(),
      vpc,
      listener,
      priority: 10,
      conditions: [elbv2.ListenerCondition.hostHeaders(['api.example.com']), elbv2.ListenerCondition.pathPatterns(['/api/*'])],
    }, stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', {
      ListenerArn: { Ref: Match.stringLikeRegexp('SharedHttp') },
      Priority: 9,
      Conditions: [
        { Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com'] } },
        { Field: 'path-pattern', PathPatternConfig: { Values: ['/api/*'] } },
        { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: 'X-Preview', Values: ['qa'] } },
      ],
      Actions: [forwardBlueGreen],
    });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::ListenerRule', { ListenerArn: { Ref: Match.stringLikeRegexp('SharedHttp') }, Priority: 10 });
  });

  test('a PAUSE hook holds the test-traffic stage for the preview, then continues by itself', () => {
    const { template } = service({ strategy: previewCanary() });
    expect(hooksOf(template)).toEqual([
      { TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: 20, Action: 'CONTINUE' } },
    ]);
    expect(only(template, 'AWS::ECS::Service').Metadata['cfn-lint'].config.ignore_checks).toEqual(['E3002', 'E3003']);
  });

  test('with manualGate the PAUSE hook waits the preview plus the approval wait (24h by default) and rolls back', () => {
    expect(hooksOf(service({ strategy: previewCanary({ manualGate: true }) }).template)).toEqual([
      { TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: 1460, Action: 'ROLLBACK' } },
    ]);
    const engine = EcsEngine.native({ approvalWaitTime: Duration.hours(2), approvalTimeoutAction: ApprovalTimeoutAction.CONTINUE });
    expect(hooksOf(service({ strategy: previewCanary({ manualGate: true }), engine }).template)).toEqual([
      { TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: 140, Action: 'CONTINUE' } },
    ]);
  });

  test('a linear strategy gets the same header rule and PAUSE hook', () => {
    const strategy = DeploymentStrategy.linear({
      stepPercent: 25, interval: Duration.minutes(5), analysis: analysis(), headerPreview: previewOf({ duration: Duration.minutes(15) }),
    });
    const { template, svc } = service({ strategy });
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Strategy: 'LINEAR' }) });
    expect(hooksOf(template)).toEqual([
      { TargetType: 'PAUSE', LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'], TimeoutConfiguration: { TimeoutInMinutes: 15, Action: 'CONTINUE' } },
    ]);
    expect(svc.plan.phases[0].name).toBe('Header-only preview (header X-Preview: qa)');
  });

  test('the HTTP smoke test sends the header to the production listener, before the PAUSE hook', () => {
    const { template, svc } = service({ strategy: previewCanary(), smokeTest: SmokeTest.http({ requests: [{ path: '/health', headers: { Accept: 'text/plain' } }] }) });
    template.resourceCountIs('AWS::ElasticLoadBalancingV2::Listener', 1);
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((f: any) => f.Properties.Environment?.Variables?.REQUESTS) as any;
    const env = fn.Properties.Environment.Variables;
    expect(JSON.parse(env.REQUESTS)).toEqual([{ method: 'GET', path: '/health', headers: { 'Accept': 'text/plain', 'X-Preview': 'qa' }, expectStatus: 200 }]);
    expect(env.BASE_URL).toEqual({ 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [expect.stringMatching(/ApiLoadBalancer/), 'DNSName'] }, ':80']] });
    expect(fn.Properties.Description).toBe('Smoke test of Test/Api: HTTP requests on the production listener with X-Preview: qa');
    template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { FromPort: 80, ToPort: 80, Description: 'Smoke test to the header preview route' });
    expect(hooksOf(template).map((h: any) => [h.TargetType ?? 'AWS_LAMBDA', h.LifecycleStages[0]])).toEqual([
      ['AWS_LAMBDA', 'POST_TEST_TRAFFIC_SHIFT'], ['PAUSE', 'POST_TEST_TRAFFIC_SHIFT'],
    ]);
    expect(svc.plan.phases[0].note).toContain('smoke test: GET /health expects 200 on the production listener with X-Preview: qa');
  });

  test('hooks at the test-traffic stages are allowed: the header rule is the test route', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Check', 'arn:aws:lambda:eu-west-1:123456789012:function:check');
    const { template } = service({ strategy: previewCanary(), hooks: [DeploymentHook.ecs(EcsLifecycleStage.TEST_TRAFFIC_SHIFT, fn)] }, stack);
    expect(hooksOf(template).map((h: any) => [h.TargetType ?? 'AWS_LAMBDA', h.LifecycleStages[0]])).toEqual([
      ['AWS_LAMBDA', 'TEST_TRAFFIC_SHIFT'], ['PAUSE', 'POST_TEST_TRAFFIC_SHIFT'],
    ]);
  });

  test('the plan shows the header-only phase with its exposure, before the traffic steps', () => {
    const { svc } = service({ strategy: previewCanary() });
    expect(svc.plan.phases.map(p => [p.name, p.trafficPercent, p.duration.toMinutes(), p.manualGate])).toEqual([
      ['Header-only preview (header X-Preview: qa)', 0, 20, false],
      ['Step 1', 10, 10, false],
      ['Full traffic, previous version kept', 100, 5, false],
    ]);
    expect(svc.plan.phases[0].note).toBe('no users; only requests with header X-Preview: qa (the value compared without regard to case) reach the new version, '
      + 'on the production listener; ECS PAUSE hook at POST_TEST_TRAFFIC_SHIFT: continues by itself after 20m unless rolled back');
    expect(svc.plan.phases[0].checks).toEqual([]);
    expect(svc.plan.phases[1].start.toMinutes()).toBe(20);
    expect(svc.plan.notes).toContain('The CloudFormation update that starts the deployment waits while the header-only preview holds it: '
      + 'continue or roll it back early with aws ecs continue-service-deployment (see the runbook).');
    const gated = service({ strategy: previewCanary({ manualGate: true }) }).svc.plan.phases[0];
    expect(gated.manualGate).toBe(true);
    expect(gated.note).toContain('ECS PAUSE hook at POST_TEST_TRAFFIC_SHIFT: waits for approval after the preview and rolls back unless continued within 1d 20m');
  });

  test('the runbook says how to end the preview early or roll it back', () => {
    const md = service({ strategy: previewCanary() }).svc.runbook.toMarkdown();
    expect(md).toContain('**End the header-only preview early (continue)**');
    expect(md).toContain('When: the new version looks right to requests with header X-Preview: qa on the production listener; the deployment is paused at POST_TEST_TRAFFIC_SHIFT and continues by itself after 20m unless rolled back');
    expect(md).toContain('**Reject the new version during the header-only preview (roll back)**');
    expect(md).toContain('aws ecs continue-service-deployment --hook-id "$HOOK" --action CONTINUE');
    expect(md).toContain('aws ecs continue-service-deployment --hook-id "$HOOK" --action ROLLBACK');
    expect(md).not.toContain('ECS native has no manual gate');
    expect(service({ strategy: previewCanary({ manualGate: true }) }).svc.runbook.toMarkdown()).toContain('**Approve the new version after the header-only preview (continue)**');
  });
});

describe('header-only preview refusals', () => {
  const where = 'ProgressiveFargateService Test/Api: ';
  test('fails when the match is a regular expression or a cookie, which an ALB http-header condition cannot express', () => {
    expect(() => service({ strategy: previewCanary({ match: RequestMatch.headerRegex('X-Preview', '^(qa|dev)$') }) }))
      .toThrow(`${where}strategy.headerPreview.match cannot be expressed by the ALB http-header condition the preview renders: its comparison strings match whole values with the wildcards * and ?, not regular expressions, got header X-Preview matching /^(qa|dev)$/. Use RequestMatch.header(name, value) (an exact value) or RequestMatch.headerPrefix(name, prefix).`);
    expect(() => service({ strategy: previewCanary({ match: RequestMatch.cookie('preview', 'qa') }) }))
      .toThrow(`${where}strategy.headerPreview.match cannot be expressed by an ALB listener rule: it has no cookie condition, and a wildcard on the Cookie header would also match other cookies that contain the same text, got cookie preview=qa.`);
  });

  test('fails when the value has an ALB wildcard character, the name is Host or too long, or the value too long', () => {
    expect(() => service({ strategy: previewCanary({ match: RequestMatch.header('X-Preview', 'q?a') }) }))
      .toThrow(`${where}strategy.headerPreview.match must not contain "*" or "?": an ALB http-header condition reads them as wildcards, with no way to match them literally, got header X-Preview: q?a. Use a value without "*" and "?", for example "qa".`);
    expect(() => service({ strategy: previewCanary({ match: RequestMatch.headerPrefix('X-Preview', 'a*') }) })).toThrow('must not contain "*" or "?"');
    expect(() => service({ strategy: previewCanary({ match: RequestMatch.header('host', 'preview.example.com') }) }))
      .toThrow(`${where}strategy.headerPreview.match cannot match the Host header: an ALB http-header condition refuses it (host names have their own condition), got header host: preview.example.com.`);
    expect(() => service({ strategy: previewCanary({ match: RequestMatch.header(`X-${'a'.repeat(39)}`, 'qa') }) }))
      .toThrow(`${where}strategy.headerPreview.match must name a header of at most 40 characters (the ALB http-header condition's limit), got 41 characters. Use a shorter header name, such as "X-Preview".`);
    expect(() => service({ strategy: previewCanary({ match: RequestMatch.header('X-Preview', 'v'.repeat(129)) }) }))
      .toThrow(`${where}strategy.headerPreview.match must be at most 128 characters (the ALB comparison string limit), got 129 characters. Use a shorter value.`);
    expect(() => service({ strategy: previewCanary({ match: RequestMatch.headerPrefix('X-Preview', 'v'.repeat(128)) }) }))
      .toThrow(`${where}strategy.headerPreview.match must be at most 128 characters with the "*" that makes it a prefix (the ALB comparison string limit), got 129 characters.`);
  });

  test('fails when a separate test listener is asked for: ECS switches one test listener rule per service', () => {
    expect(() => service({ strategy: previewCanary(), testTrafficFrom: ec2.Peer.ipv4('10.0.0.0/16') }))
      .toThrow(`${where}testTrafficFrom cannot be combined with a header-only preview: the header-only preview's rule on the production listener (header X-Preview: qa) is the service's test route, and ECS switches one test listener rule per service; a separate test listener would never reach the new version, got set. Remove testTrafficFrom: whoever reaches the production listener reaches the new version during the preview by sending the header.`);
    expect(() => service({ strategy: previewCanary(), testListenerPort: 9001 }))
      .toThrow(`${where}testListenerPort cannot be combined with a header-only preview: the header-only preview's rule on the production listener (header X-Preview: qa) is the service's test route, and ECS switches one test listener rule per service, so no test listener is created, got 9001. Remove testListenerPort.`);
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const lb = new elbv2.ApplicationLoadBalancer(stack, 'Shared', { vpc });
    const listener = lb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    const testListener = lb.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    expect(() => service({ strategy: previewCanary(), vpc, listener, testListener, priority: 10, conditions: [elbv2.ListenerCondition.pathPatterns(['/api/*'])] }, stack))
      .toThrow(`${where}testListener cannot be combined with a header-only preview: the header-only preview's rule on the production listener (header X-Preview: qa) is the service's test route, and ECS switches one test listener rule per service, got Test/Shared/Test. Remove testListener (the preview needs none), or remove headerPreview to keep the shared test listener.`);
  });

  test('fails when the priority leaves no room for the header rule or the conditions no room for the header value', () => {
    const conditions = (n: number) => [elbv2.ListenerCondition.pathPatterns(Array.from({ length: n }, (_, i) => `/p${i}/*`).slice(0, 3)),
      ...(n > 3 ? [elbv2.ListenerCondition.hostHeaders(Array.from({ length: n - 3 }, (_, i) => `h${i}.example.com`))] : [])];
    expect(() => service({ strategy: previewCanary(), priority: 1, conditions: conditions(1) }))
      .toThrow(`${where}priority must be at least 2 with a header-only preview: the preview's rule takes the priority just before the production rule (priority - 1), got 1. Pass a priority of 2 or more, with priority - 1 free on the listener too.`);
    expect(() => service({ strategy: previewCanary(), priority: 5, conditions: conditions(5) }))
      .toThrow(`${where}conditions must have at most 4 values in all with a header-only preview: the preview's rule adds the header value to them, and an ALB listener rule takes at most 5, got 5 values.`);
    expect(() => service({ strategy: previewCanary(), priority: 5, conditions: conditions(4) })).not.toThrow();
  });

  test('fails when the HTTP smoke test cannot reach the production listener with the header', () => {
    const smokeTest = SmokeTest.http({ path: '/health' });
    const fix = 'Use SmokeTest.lambda(fn), whose function sends the header itself to the listener you choose, or remove smokeTest.';
    expect(() => service({ strategy: previewCanary(), smokeTest, certificate: elbv2.ListenerCertificate.fromArn('arn:aws:acm:eu-west-1:123456789012:certificate/abc') }))
      .toThrow(`${where}smokeTest cannot reach an HTTPS production listener with a header-only preview: the HTTP smoke test would connect to the load balancer's DNS name, which the certificate does not name, got SmokeTest.http with a header-only preview. ${fix}`);
    expect(() => service({ strategy: previewCanary(), smokeTest, internetFacing: true }))
      .toThrow(`${where}smokeTest cannot reach the production listener of an internet-facing load balancer from its security group with a header-only preview: the request leaves the VPC through the NAT gateway, got SmokeTest.http with a header-only preview. Leave internetFacing unset (an internal load balancer), or: ${fix}`);
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const lb = new elbv2.ApplicationLoadBalancer(stack, 'Shared', { vpc });
    const listener = lb.addListener('Http', { port: 80, defaultAction: elbv2.ListenerAction.fixedResponse(404) });
    expect(() => service({ strategy: previewCanary(), smokeTest, vpc, listener, priority: 10, conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])] }, stack))
      .toThrow(`${where}smokeTest cannot reach a shared production listener with a header-only preview: the HTTP smoke test sends its requests with the preview header to the production listener, and the construct neither knows how a listener it did not create is reached nor opens it, got SmokeTest.http with a header-only preview. ${fix}`);
    expect(() => service({ strategy: previewCanary(), smokeTest: SmokeTest.http({ requests: [{ path: '/', headers: { 'x-preview': 'other' } }] }) }))
      .toThrow(`${where}smokeTest.requests[0].headers must not set X-Preview: with a header-only preview the smoke test sends it itself (X-Preview: qa) on every request, to reach the new version, got x-preview: other. Remove x-preview from the request's headers.`);
  });

  test('fails when the smoke test\'s requests no longer fit in the function\'s environment once the header is added', () => {
    // The largest body that still fits without the header.
    let smokeTest: SmokeTest | undefined;
    for (let n = 3000; smokeTest === undefined; n--) {
      try {
        smokeTest = SmokeTest.http({ requests: [{ path: '/', method: 'POST', body: 'x'.repeat(n) }] });
      } catch {
        // too large without the header: try a smaller body
      }
    }
    expect(() => service({ strategy: previewCanary(), smokeTest }))
      .toThrow(`${where}smokeTest.requests (with the header-only preview's header added to each) must fit in 3000 characters of JSON: it is passed to the hook function in its environment, which Lambda limits to 4 KB, got 30`);
  });

  test('a smoke test function of your own is accepted on any listener: it sends the header itself', () => {
    const stack = newStack();
    const fn = lambda.Function.fromFunctionArn(stack, 'Smoke', 'arn:aws:lambda:eu-west-1:123456789012:function:smoke');
    const { template } = service({ strategy: previewCanary(), smokeTest: SmokeTest.lambda(fn), internetFacing: true }, stack);
    expect(hooksOf(template).map((h: any) => h.TargetType ?? h.HookTargetArn)).toEqual(['arn:aws:lambda:eu-west-1:123456789012:function:smoke', 'PAUSE']);
  });

  test('fails when the preview duration is not whole minutes or longer than a PAUSE hook waits', () => {
    expect(() => service({ strategy: previewCanary({ duration: Duration.seconds(90) }) }))
      .toThrow(`${where}strategy.headerPreview.duration must be a whole number of minutes: it becomes the ECS PAUSE hook timeout (timeoutInMinutes) that holds the preview, got 1m 30s. Use Duration.minutes(2).`);
    expect(() => service({ strategy: previewCanary({ duration: Duration.days(15) }) }))
      .toThrow(`${where}strategy.headerPreview.duration must be at most 20160 minutes (14d), the limit of the ECS PAUSE hook timeout (timeoutInMinutes) that holds the preview, got 15d. Shorten it.`);
    expect(() => service({ strategy: previewCanary({ duration: Duration.minutes(13 * 1440 + 1), manualGate: true }) }))
      .toThrow(`${where}strategy.headerPreview.duration + engine.approvalWaitTime must add up to at most 20160 minutes (14d): one ECS PAUSE hook holds the preview and then waits for the approval, and its timeout is limited to that, got 14d 1m. Shorten the preview or the approval wait.`);
  });

  test('fails when the approval wait of the preview\'s manual gate is not whole minutes', () => {
    expect(() => service({ strategy: previewCanary({ manualGate: true }), engine: EcsEngine.native({ approvalWaitTime: Duration.seconds(90) }) }))
      .toThrow(`${where}engine.approvalWaitTime must be a whole number of minutes: it becomes the ECS PAUSE hook timeout (timeoutInMinutes), got 1m 30s. Use Duration.minutes(2).`);
  });

  test('fails when the preview and the bakes exceed the CloudFormation window of an ECS deployment', () => {
    expect(() => service({ strategy: previewCanary({ duration: Duration.hours(30) }, Duration.hours(4)) }))
      .toThrow(`${where}strategy (canary bake + keepPreviousVersionFor + header preview) must add up to at most 33 hours: CloudFormation rejects an ECS deployment whose bakeTimeInMinutes + canaryBakeTimeInMinutes + PAUSE hook timeout exceeds 33 hours, because its operations time out after 36, got 1d 10h 10m.`);
    expect(() => service({ strategy: previewCanary({ duration: Duration.hours(1), manualGate: true }, Duration.hours(9)) }))
      .toThrow('strategy (canary bake + keepPreviousVersionFor + header preview) must add up to at most 33 hours');
  });

  test('fails when the manual-gate options are set for a preview without manualGate', () => {
    expect(() => service({ strategy: previewCanary(), engine: EcsEngine.native({ approvalWaitTime: Duration.hours(1) }) }))
      .toThrow(`${where}engine.approvalWaitTime is only used with a manual gate: a blue/green strategy with Promotion.manual(), a headerPreview with manualGate, or a CanaryStep.withManualGate, got 1h.`);
  });

  test('fails for plain-JavaScript bad inputs to the preview, with the field and the fix', () => {
    const any = (v: unknown) => v as any;
    expect(() => HeaderPreview.of(any({ match: 'X-Preview: qa', duration: Duration.minutes(5) })))
      .toThrow('HeaderPreview.of: match must be a RequestMatch, got "X-Preview: qa". Pass RequestMatch.header("X-Preview", "1").');
    expect(() => HeaderPreview.of(any({ match: RequestMatch.header('X-Preview', 'qa'), duration: 300 }))).toThrow('HeaderPreview.of: duration');
    expect(() => HeaderPreview.of(any({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(5), manualGate: 'yes' })))
      .toThrow('HeaderPreview.of: manualGate must be true or false, got "yes". Pass true to wait for an approval after the preview.');
    expect(() => RequestMatch.header(any(null), 'qa')).toThrow('RequestMatch.header: name must be a string known at synth time, got null.');
    expect(() => service({ strategy: any({ headerPreview: previewOf() }) })).toThrow(`${where}strategy must be a DeploymentStrategy`);
  });
});
