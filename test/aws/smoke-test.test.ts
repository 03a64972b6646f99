import * as fs from 'fs';
import * as path from 'path';
import { Duration, Stack, Token } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { newStack, only, service } from './util';
import { EcsEngine, SmokeTest, SmokeTestKind } from '../../src';

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
      BASE_URL: { 'Fn::Join': ['', ['http://', { 'Fn::GetAtt': [stack.getLogicalId((svc.loadBalancer as any).node.defaultChild), 'DNSName'] }, ':9100']] },
      REQUESTS: '[{"method":"GET","path":"/health","expectStatus":204}]',
      TIMEOUT_MS: '5000',
      RETRIES: '0',
      RETRY_INTERVAL_MS: '5000',
      DEADLINE_MS: '5000',
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
    expect(svc.plan.phases[0]).toMatchObject({ trafficPercent: 0, note: 'smoke test: GET / expects 200 on the test listener within 10s' });
    // The phase lasts as long as the smoke test may take, and the steps start after it.
    expect(svc.plan.phases.map(p => [p.start.toSeconds(), p.duration.toSeconds()])).toEqual([[0, 10], [10, 600], [610, 300]]);
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
    expect([t.kind, t.path, t.expectStatus, t.timeout!.toSeconds(), t.retries, t.deadline!.toSeconds()]).toEqual([SmokeTestKind.HTTP, '/', 200, 10, 0, 10]);
    expect(t.requests).toEqual([{ method: 'GET', path: '/', expectStatus: 200 }]);
  });

  test('several requests with body and header checks and retries go to the function, and the plan lasts their deadline', () => {
    const stack = newStack();
    const smokeTest = SmokeTest.http({
      requests: [
        { path: '/health', expectBodyContains: '"ok"', expectHeaders: { 'content-type': 'application/json' } },
        { method: 'POST', path: '/orders', headers: { Host: 'api.example.com' }, body: '{"dryRun":true}', expectStatus: 201, expectBodyMatches: '^\\{"id":' },
      ],
      timeout: Duration.seconds(5),
      retries: 2,
      retryInterval: Duration.seconds(10),
    });
    // 2 requests × 3 attempts × 5s + 2 requests × 2 retries × 10s
    expect(smokeTest.deadline!.toSeconds()).toBe(70);
    const { template, svc } = service({ internetFacing: false, smokeTest, engine: EcsEngine.codeDeploy() }, stack);
    const fn = only(template, 'AWS::Lambda::Function').Properties;
    expect(fn.Timeout).toBe(100);
    expect(JSON.parse(fn.Environment.Variables.REQUESTS)).toEqual([
      { method: 'GET', path: '/health', expectStatus: 200, expectBodyContains: '"ok"', expectHeaders: { 'content-type': 'application/json' } },
      { method: 'POST', path: '/orders', headers: { Host: 'api.example.com' }, body: '{"dryRun":true}', expectStatus: 201, expectBodyMatches: '^\\{"id":' },
    ]);
    expect([fn.Environment.Variables.RETRIES, fn.Environment.Variables.RETRY_INTERVAL_MS, fn.Environment.Variables.DEADLINE_MS]).toEqual(['2', '10000', '70000']);
    expect(svc.plan.phases[0].duration.toSeconds()).toBe(70);
    expect(svc.plan.phases[0].note).toBe('smoke test: GET /health expects 200 and a body match and headers, POST /orders expects 201 and a body match on the test listener within 5s per attempt, 2 retries 10s apart, at most 1m 10s in all');
    expect(svc.plan.toMarkdown()).toContain('| Test traffic only (smoke test: GET /health');
  });

  test('an explicit deadline bounds the smoke test and the plan', () => {
    const t = SmokeTest.http({ path: '/health', retries: 20, deadline: Duration.minutes(2) });
    expect(t.deadline!.toSeconds()).toBe(120);
    const { svc } = service({ internetFacing: false, smokeTest: t });
    expect(svc.plan.phases[0].duration.toSeconds()).toBe(120);
  });

  test('fails when the smoke test invokes a Lambda function: a service has a test listener instead', () => {
    expect(() => service({ internetFacing: false, smokeTest: SmokeTest.invoke({ payload: {} }) }))
      .toThrow(/smokeTest cannot be SmokeTest.invoke here, got smoke test: invoke the new version within 10s\. SmokeTest.invoke checks a Lambda alias; use SmokeTest.http\(\{ requests \}\) or SmokeTest.lambda\(fn\)/);
  });
});

describe('SmokeTest factories refuse bad input', () => {
  const http = (props: any) => () => SmokeTest.http(props);
  test.each([
    ['the props are null', http(null), /SmokeTest.http: props must be an object, got null/],
    ['a prop is misspelt', http({ path: '/', expectedStatus: 204 }), /SmokeTest.http: expectedStatus is not a property of this declaration, got 204\. Use one of: path, expectStatus, requests, timeout, retries, retryInterval, deadline\./],
    ['a request property is misspelt', http({ requests: [{ path: '/', status: 204 }] }), /SmokeTest.http: requests\[0\].status is not a property of this declaration, got 204\. Use one of: path, method, headers/],
    ['path and requests are both set', http({ path: '/a', requests: [{ path: '/b' }] }), /SmokeTest.http: path cannot be set together with requests, got "\/a"\. Put path in the request it belongs to/],
    ['requests is a string', http({ requests: '/health' }), /requests must be an array of requests, got "\/health"/],
    ['requests is empty', http({ requests: [] }), /requests must contain 1 to 20 requests, got 0 requests/],
    ['requests has more than 20 entries', http({ requests: Array.from({ length: 21 }, () => ({})) }), /requests must contain 1 to 20 requests, got 21 requests/],
    // eslint-disable-next-line no-sparse-arrays
    ['requests is sparse', http({ requests: [{ path: '/' }, , { path: '/b' }] }), /requests\[1\] must be a request, got an empty slot\. Remove the hole/],
    ['a request is null', http({ requests: [null] }), /requests\[0\] must be a request, got null/],
    ['a request is a string', http({ requests: ['/health'] }), /requests\[0\] must be a request object, got "\/health"/],
    ['a path is a token', http({ path: Token.asString({ Ref: 'P' }) }), /path must be known at synth time, got an unresolved token/],
    ['a path is a number', http({ requests: [{ path: 42 }] }), /requests\[0\].path must be a string, got 42/],
    ['a path is too long', http({ path: `/${'a'.repeat(2048)}` }), /path must be at most 2048 characters, got 2049 characters/],
    ['a method is lower case', http({ requests: [{ method: 'get' }] }), /requests\[0\].method must be one of GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS, got "get"/],
    ['a GET has a body', http({ requests: [{ body: 'x' }] }), /requests\[0\].body cannot be sent with GET, got "x"\. Use POST, PUT, PATCH, DELETE to send a body/],
    ['a HEAD checks the body', http({ requests: [{ method: 'HEAD', expectBodyContains: 'ok' }] }), /requests\[0\].method cannot be HEAD when the body is checked/],
    ['a status is NaN', http({ expectStatus: NaN }), /expectStatus must be a finite number, got NaN/],
    ['a status is Infinity', http({ requests: [{ expectStatus: Infinity }] }), /requests\[0\].expectStatus must be a finite number, got Infinity/],
    ['a status is fractional', http({ expectStatus: 200.5 }), /expectStatus must be a whole number, got 200.5/],
    ['a status is a token', http({ expectStatus: Token.asNumber({ Ref: 'S' }) }), /expectStatus must be a number known at synth time, got an unresolved token\. Pass an HTTP status code such as 200\./],
    ['a header name has a space', http({ requests: [{ headers: { 'x header': 'a' } }] }), /requests\[0\].headers name must be an HTTP header name.*got "x header"/],
    ['a header value is a number', http({ requests: [{ headers: { 'x-a': 1 } }] }), /requests\[0\].headers\["x-a"\] must be a string, got 1/],
    ['a header value has a line break', http({ requests: [{ headers: { 'x-a': 'a\r\nb: c' } }] }), /requests\[0\].headers\["x-a"\] must not contain line breaks/],
    ['headers are empty', http({ requests: [{ expectHeaders: {} }] }), /requests\[0\].expectHeaders must name at least one header, got \{\}/],
    ['headers are an array', http({ requests: [{ headers: ['a'] }] }), /requests\[0\].headers must be an object of header names and texts, got \["a"\]/],
    ['a body pattern is not a regular expression', http({ requests: [{ expectBodyMatches: '(' }] }), /requests\[0\].expectBodyMatches must be a valid regular expression \(Invalid regular expression/],
    ['a body text is empty', http({ requests: [{ expectBodyContains: '' }] }), /requests\[0\].expectBodyContains must not be empty/],
    ['the timeout is a number', http({ timeout: 10 }), /SmokeTest.http: timeout must be a Duration \(for example Duration.minutes\(5\)\), got 10/],
    ['the timeout is NaN', http({ timeout: Duration.seconds(NaN) }), /SmokeTest.http: timeout must be a finite duration, got NaN seconds\. Pass timeout as a finite Duration/],
    ['the timeout is a token', http({ timeout: Duration.seconds(Token.asNumber({ Ref: 'T' })) }), /timeout must be a concrete duration known at synth time, got an unresolved token/],
    ['the timeout is longer than 5 minutes', http({ timeout: Duration.minutes(6) }), /timeout must be at most 5 minutes, got 6m/],
    ['retries is negative', http({ retries: -1 }), /retries must be at least 0 and at most 100, got -1/],
    ['retries is fractional', http({ retries: 1.5 }), /retries must be a whole number, got 1.5/],
    ['retryInterval is set without retries', http({ retryInterval: Duration.seconds(3) }), /retryInterval is only used with retries, got 3s\. Set retries, or remove retryInterval/],
    ['the deadline is shorter than one attempt', http({ timeout: Duration.seconds(30), deadline: Duration.seconds(10) }), /deadline must be at least the timeout of one attempt \(30s\), got 10s/],
    ['the deadline is longer than 14 minutes', http({ deadline: Duration.minutes(15) }), /deadline must be at most 14m: the hook function runs for at most 15 minutes, got 15m/],
    ['the worst case is longer than 14 minutes', http({ timeout: Duration.minutes(5), retries: 2 }), /deadline must be at most 14m: the hook function runs for at most 15 minutes\. By default it is the worst case .*, got 15m 10s\. Set a deadline of 14 minutes or less/],
    ['the requests do not fit in the environment', http({ requests: [{ method: 'POST', body: 'x'.repeat(3100) }] }), /requests must fit in 3000 characters of JSON: it is passed to the hook function in its environment, which Lambda limits to 4 KB, got 31\d\d characters/],
  ])('SmokeTest.http fails when %s', (_, build, message) => {
    expect(build).toThrow(message);
  });

  const invoke = (props: any) => () => SmokeTest.invoke(props);
  const circular: any = { a: 1 };
  circular.self = circular;
  test.each([
    ['the props are a string', invoke('{}'), /SmokeTest.invoke: props must be an object, got "\{\}"/],
    ['a prop is misspelt', invoke({ expectedResult: { ok: true } }), /SmokeTest.invoke: expectedResult is not a property of this declaration, got \{"ok":true\}\. Use one of: payload, expectResult, expectResultContains/],
    ['the payload holds a function', invoke({ payload: { run: () => 1 } }), /payload.run must be plain JSON \(no function values\), got a function/],
    ['the payload holds NaN', invoke({ payload: { n: NaN } }), /payload.n must be plain JSON \(finite numbers only\), got NaN/],
    ['the payload holds a token', invoke({ payload: { table: Token.asString({ Ref: 'T' }) } }), /payload.table must be plain JSON \(a value known at synth time\), got an unresolved token/],
    ['the payload holds a Duration', invoke({ payload: { wait: Duration.seconds(1) } }), /payload.wait must be plain JSON \(no constructs or Durations\), got 1s/],
    ['the payload is circular', invoke({ payload: circular }), /payload.self must be plain JSON \(no cycles\), got a circular reference/],
    // eslint-disable-next-line no-sparse-arrays
    ['the payload has a sparse array', invoke({ payload: [1, , 3] }), /payload\[1\] must be plain JSON \(no holes in arrays\), got an empty slot/],
    ['the payload holds undefined', invoke({ payload: { a: undefined } }), /payload.a must be plain JSON \(no undefined values\), got undefined/],
    ['the expected result holds a Date', invoke({ expectResult: { at: new Date(0) } }), /expectResult.at must be plain JSON \(plain objects only\), got an instance of Date/],
    ['the expected text is empty', invoke({ expectResultContains: '' }), /expectResultContains must not be empty/],
    ['the expected text is a number', invoke({ expectResultContains: 200 }), /expectResultContains must be a string, got 200/],
    ['retries is Infinity', invoke({ retries: Infinity }), /SmokeTest.invoke: retries must be a finite number, got Infinity/],
    ['the payload does not fit in the environment', invoke({ payload: { data: 'x'.repeat(3100) } }), /payload and expectResult must fit in 3000 characters of JSON/],
  ])('SmokeTest.invoke fails when %s', (_, build, message) => {
    expect(build).toThrow(message);
  });

  test('SmokeTest.invoke keeps a copy of plain JSON and computes its deadline', () => {
    const payload = { path: '/ping', list: [1, 2] };
    const t = SmokeTest.invoke({ payload, expectResult: { ok: true }, retries: 1, retryInterval: Duration.seconds(2), timeout: Duration.seconds(3) });
    payload.path = '/changed';
    expect([t.kind, t.payload, t.expectResult, t.deadline!.toSeconds()]).toEqual([SmokeTestKind.INVOKE, { path: '/ping', list: [1, 2] }, { ok: true }, 8]);
  });

  test('SmokeTest.lambda fails when it is given a function name', () => {
    expect(() => SmokeTest.lambda('my-hook' as any)).toThrow(/SmokeTest.lambda: fn must be a Lambda function, got "my-hook"\. Pass a lambda.IFunction\./);
    expect(() => SmokeTest.lambda(null as any)).toThrow(/SmokeTest.lambda: fn must be a Lambda function, got null/);
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
