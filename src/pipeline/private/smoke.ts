import { CfnOutput, Duration, Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { ProgressiveFargateService } from '../../aws/progressive-fargate-service';
import { SmokeTest } from '../../aws/smoke-test';
import { toSeconds } from '../../private/duration';
import { fail } from '../../private/validate';
import { SmokeTestNetwork } from '../pipeline-environment';

/** One HTTP request of a smoke test: what the pipeline step asks of the environment's endpoint. */
export interface HttpCheck {
  readonly path: string;
  readonly expectStatus: number;
  readonly timeoutSeconds: number;
}

/** What the pipeline knows of a service's smoke test. */
export interface ServiceSmokeTest {
  readonly service: ProgressiveFargateService;
  /** The HTTP requests; empty for `SmokeTest.lambda`, which the pipeline cannot run as a step. */
  readonly checks: HttpCheck[];
  /** The declaration. */
  readonly declaration: SmokeTest;
}

/**
 * The smoke test a service carries, or undefined when it has none: the declaration the service
 * exposes. `SmokeTest.lambda` (your function) has no requests the pipeline can run as a step.
 */
export function smokeTestOf(where: string, service: ProgressiveFargateService): ServiceSmokeTest | undefined {
  const declared = service.smokeTest;
  if (declared === undefined) {
    return undefined;
  }
  return { service, declaration: declared, checks: checksOfDeclaration(where, service, declared) };
}

/** The request fields a pipeline step runs (GET and a status check); anything else is refused, not dropped. */
function checksOf(where: string, service: ProgressiveFargateService, requests: unknown[], timeoutSeconds: number, retries: number): HttpCheck[] {
  if (retries > 0) {
    fail(where, `smoke test of ${service.node.path}`, 'declares retries, which the pipeline step does not make', `retries: ${retries}`,
      'Declare the smoke test without retries, or set smokeTests: false on the environment and run your own check in extraGates.');
  }
  return requests.map(raw => {
    const r = (raw ?? {}) as { [key: string]: unknown };
    const extra = Object.keys(r).filter(k => !['method', 'path', 'expectStatus'].includes(k) && r[k] !== undefined);
    const method = r.method === undefined ? 'GET' : String(r.method);
    if (method !== 'GET' || extra.length > 0) {
      fail(where, `smoke test of ${service.node.path}`, 'declares what the pipeline step does not check (it sends GET and compares the status)',
        JSON.stringify({ method, ...(extra.length > 0 ? { fields: extra } : {}) }),
        'Keep the pipeline\'s check to GET and status, or set smokeTests: false on the environment and run your own check in extraGates.');
    }
    return {
      path: String(r.path ?? '/'),
      expectStatus: Number(r.expectStatus ?? 200),
      timeoutSeconds,
    };
  });
}

/** The requests of a `SmokeTest.http` declaration (one request, or each of `requests` when declared). */
function checksOfDeclaration(where: string, service: ProgressiveFargateService, smokeTest: SmokeTest): HttpCheck[] {
  if (smokeTest.function !== undefined) {
    return [];
  }
  const list: unknown[] = smokeTest.requests ?? [{ path: smokeTest.path, expectStatus: smokeTest.expectStatus }];
  const retries = smokeTest.retries ?? 0;
  return checksOf(where, service, list, toSeconds(smokeTest.timeout ?? Duration.seconds(10)), retries);
}

/** The production endpoint of a service (`http(s)://<load balancer DNS name>:<port>`), with what is needed to reach it. */
interface Endpoint {
  readonly url: string;
  readonly https: boolean;
  readonly internal: boolean | undefined;
}

function endpointOf(where: string, service: ProgressiveFargateService): Endpoint {
  const listener = service.listener as elbv2.IApplicationListener;
  const port = (listener as { port?: unknown }).port;
  if (typeof port !== 'number') {
    fail(where, `smoke test of ${service.node.path}`, 'needs the port of the production listener, which an imported listener does not tell', 'an imported listener',
      'Set smokeTests: false on the environment and run your own check in extraGates.');
  }
  const cfnListener = listener.node.defaultChild as elbv2.CfnListener | undefined;
  const https = cfnListener?.protocol === 'HTTPS';
  const cfnLb = service.loadBalancer.node.defaultChild as elbv2.CfnLoadBalancer | undefined;
  const scheme = cfnLb?.scheme;
  const internal = cfnLb === undefined || scheme === undefined || Token.isUnresolved(scheme) ? undefined : scheme === 'internal';
  return { url: `${https ? 'https' : 'http'}://${service.loadBalancer.loadBalancerDnsName}:${port}`, https, internal };
}

/** The shell commands of one smoke-test step: each request, its status compared, a clear line in the log. */
export function smokeCommands(checks: HttpCheck[], https: boolean): string[] {
  return checks.map(c => {
    const url = `"$ENDPOINT"'${c.path}'`;
    // The certificate names the service's domain, not the load balancer's DNS name the step uses.
    const insecure = https ? ' --insecure' : '';
    return `status=$(curl --silent --output /dev/null --write-out '%{http_code}'${insecure} --max-time ${c.timeoutSeconds} ${url} || true); `
      + `echo "GET $ENDPOINT${c.path} answered $status, expected ${c.expectStatus}"; test "$status" = "${c.expectStatus}"`;
  });
}

/**
 * The pipeline step that runs a service's smoke test against the environment's production listener,
 * after the environment deployed. Adds a stack output with the endpoint to the service's stack.
 */
export function smokeStep(where: string, id: string, smoke: ServiceSmokeTest, network: SmokeTestNetwork | undefined): pipelines.CodeBuildStep {
  const service = smoke.service;
  if (smoke.checks.length === 0) {
    fail(where, `smoke test of ${service.node.path}`, 'is your own Lambda function (SmokeTest.lambda), a deployment hook that a pipeline step cannot run',
      'SmokeTest.lambda', 'Declare SmokeTest.http on the service, or set smokeTests: false on the environment and run your own check in extraGates.');
  }
  const endpoint = endpointOf(where, service);
  if (endpoint.internal === true && network === undefined) {
    fail(where, `smoke test of ${service.node.path}`, 'cannot reach an internal load balancer from CodeBuild outside the VPC', 'internal load balancer, no smokeTestNetwork',
      'Set smokeTestNetwork: { vpc } to a VPC of the pipeline\'s account and region that reaches the load balancer, or use an internet-facing load balancer.');
  }
  const outputId = 'ReleasePipelineEndpoint';
  const output = (service.node.tryFindChild(outputId) as CfnOutput | undefined) ?? new CfnOutput(service, outputId, {
    description: `Production endpoint of ${service.node.path}, requested by the release pipeline's smoke test`,
    value: endpoint.url,
  });
  return new pipelines.CodeBuildStep(id, {
    commands: smokeCommands(smoke.checks, endpoint.https),
    envFromCfnOutputs: { ENDPOINT: output },
    vpc: network?.vpc,
    subnetSelection: network?.subnets,
    securityGroups: network?.securityGroups,
  });
}
