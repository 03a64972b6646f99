/**
 * CloudFormation custom resource that deploys an ECS service's task definition with CodeDeploy: on
 * Create and Update, when the service's PRIMARY task set runs another revision than `TaskDefinition`,
 * it calls CodeDeploy `CreateDeployment` with the AppSpec in `AppSpec`, and answers CloudFormation only
 * when the deployment has ended: SUCCESS when it succeeded, FAILED (which rolls the stack back, and
 * CloudFormation's rollback deploys the previous revision the same way) when it failed or was stopped.
 * Deleting the resource changes nothing.
 *
 * A wait longer than one invocation continues in a new asynchronous invocation carrying the deployment
 * id. Environment: POLL_MS, MAX_WAIT_MS. This file is bundled alone as the function's code; the AWS SDK
 * comes with the Lambda Node.js runtime.
 */
import * as https from 'https';
// eslint-disable-next-line import/no-extraneous-dependencies
import { CodeDeployClient, CreateDeploymentCommand, GetDeploymentCommand } from '@aws-sdk/client-codedeploy';
// eslint-disable-next-line import/no-extraneous-dependencies
import { DescribeServicesCommand, ECSClient } from '@aws-sdk/client-ecs';
// eslint-disable-next-line import/no-extraneous-dependencies
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';

/** The resource's properties. */
export interface DeploymentProps {
  readonly TaskDefinition: string;
  readonly ApplicationName: string;
  readonly DeploymentGroupName: string;
  readonly Cluster: string;
  readonly Service: string;
  readonly AppSpec: string;
}

/** A CloudFormation custom resource request, and the same with the deployment when the wait continues. */
export interface DeploymentEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: DeploymentProps;
  /** Set by the invocation that continues the wait. */
  readonly DeploymentId?: string;
  /** When the wait started (epoch milliseconds), set with DeploymentId. */
  readonly WaitStartedAt?: number;
}

/** The parts of the Lambda context the handler reads. */
export interface DeploymentContext {
  readonly invokedFunctionArn: string;
  getRemainingTimeInMillis(): number;
}

/** What the handler needs from the outside world besides the AWS clients (replaced in tests). */
export interface Outside {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** PUTs the response body to CloudFormation's presigned URL. */
  respond(url: string, body: string): Promise<void>;
}

/** How the invocation ended. */
export interface DeploymentResult {
  readonly outcome: 'SUCCESS' | 'FAILED' | 'continued';
  readonly detail: string;
}

const codedeploy = new CodeDeployClient({});
const ecs = new ECSClient({});
const lambda = new LambdaClient({});

const realOutside: Outside = {
  now: () => Date.now(),
  sleep: ms => new Promise(resolve => setTimeout(resolve, ms)),
  // The presigned S3 URL is signed without a content type: send none, as CloudFormation's own helper does.
  respond: (url, body) => new Promise((resolve, reject) => {
    const req = https.request(url, { method: 'PUT', headers: { 'content-type': '', 'content-length': Buffer.byteLength(body) } }, res => {
      res.resume();
      res.on('end', () => (res.statusCode !== undefined && res.statusCode < 300 ? resolve()
        : reject(new Error(`CloudFormation response failed with HTTP ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end(body);
  }),
};

/** Time kept in each invocation for the last calls (response or continuation). */
export const INVOCATION_MARGIN_MS = 30_000;
const ENDED_OK = ['Succeeded'];
const ENDED_BAD = ['Failed', 'Stopped'];

async function answer(event: DeploymentEvent, outside: Outside, status: 'SUCCESS' | 'FAILED', reason: string,
  physicalId: string, data?: Record<string, string>): Promise<DeploymentResult> {
  await outside.respond(event.ResponseURL, JSON.stringify({
    Status: status,
    Reason: reason.slice(0, 3000),
    PhysicalResourceId: physicalId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    Data: data,
  }));
  return { outcome: status, detail: reason };
}

/** The task definition of the service's PRIMARY task set (the one serving production traffic). */
export async function runningTaskDefinition(cluster: string, service: string): Promise<string | undefined> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }));
  const svc = out.services?.[0];
  return svc?.taskSets?.find(t => t.status === 'PRIMARY')?.taskDefinition ?? svc?.taskDefinition;
}

/** Handles one request (or continues the wait for one). */
export async function handle(event: DeploymentEvent, context: DeploymentContext, config: { pollMs: number; maxWaitMs: number },
  outside: Outside = realOutside): Promise<DeploymentResult> {
  const props = event.ResourceProperties;
  const physicalId = event.PhysicalResourceId ?? `${props.ApplicationName}/${props.DeploymentGroupName}`;
  if (event.RequestType === 'Delete') {
    return answer(event, outside, 'SUCCESS', 'nothing to undo: the service keeps running its current revision', physicalId);
  }
  let deploymentId = event.DeploymentId;
  const startedAt = event.WaitStartedAt ?? outside.now();
  if (deploymentId === undefined) {
    const running = await runningTaskDefinition(props.Cluster, props.Service);
    if (running === props.TaskDefinition) {
      return answer(event, outside, 'SUCCESS', `the service already runs ${props.TaskDefinition}`, physicalId, { DeploymentId: '' });
    }
    const created = await codedeploy.send(new CreateDeploymentCommand({
      applicationName: props.ApplicationName,
      deploymentGroupName: props.DeploymentGroupName,
      revision: { revisionType: 'AppSpecContent', appSpecContent: { content: props.AppSpec } },
      description: `CloudFormation ${event.RequestType} of ${event.LogicalResourceId} (stack ${event.StackId})`,
    }));
    deploymentId = created.deploymentId!;
    console.log(JSON.stringify({ deployment: deploymentId, from: running, to: props.TaskDefinition }));
  }
  const invocationEnd = outside.now() + context.getRemainingTimeInMillis() - INVOCATION_MARGIN_MS;
  for (;;) {
    const info = (await codedeploy.send(new GetDeploymentCommand({ deploymentId }))).deploymentInfo;
    const status = info?.status;
    if (status !== undefined && ENDED_OK.includes(status)) {
      return answer(event, outside, 'SUCCESS', `CodeDeploy deployment ${deploymentId} succeeded`, physicalId, { DeploymentId: deploymentId });
    }
    if (status !== undefined && ENDED_BAD.includes(status)) {
      const why = info?.errorInformation ? `${info.errorInformation.code}: ${info.errorInformation.message}` : 'no error information';
      return answer(event, outside, 'FAILED', `CodeDeploy deployment ${deploymentId} ${status} (${why}); CodeDeploy rolled the service back`, physicalId);
    }
    if (outside.now() - startedAt >= config.maxWaitMs) {
      return answer(event, outside, 'FAILED', `CodeDeploy deployment ${deploymentId} is still ${status} after ${Math.round(config.maxWaitMs / 60_000)} minutes, `
        + 'longer than CloudFormation waits for a custom resource; stop it (aws deploy stop-deployment) or let it finish', physicalId);
    }
    if (outside.now() + config.pollMs > invocationEnd) {
      await lambda.send(new InvokeCommand({
        FunctionName: context.invokedFunctionArn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ ...event, DeploymentId: deploymentId, WaitStartedAt: startedAt })),
      }));
      return { outcome: 'continued', detail: `deployment ${deploymentId} is ${status}; the wait continues in a new invocation` };
    }
    await outside.sleep(config.pollMs);
  }
}

/** Reads the configuration from the environment. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): { pollMs: number; maxWaitMs: number } {
  const pollMs = Number(env.POLL_MS ?? '15000');
  const maxWaitMs = Number(env.MAX_WAIT_MS ?? '3600000');
  if (!Number.isFinite(pollMs) || pollMs <= 0 || !Number.isFinite(maxWaitMs) || maxWaitMs <= 0) {
    throw new Error(`POLL_MS and MAX_WAIT_MS must be positive numbers, got ${JSON.stringify({ POLL_MS: env.POLL_MS, MAX_WAIT_MS: env.MAX_WAIT_MS })}`);
  }
  return { pollMs, maxWaitMs };
}

/** Handles one invocation and always answers CloudFormation (or continues the wait). */
export async function run(event: DeploymentEvent, context: DeploymentContext, outside: Outside): Promise<DeploymentResult> {
  let result: DeploymentResult;
  try {
    result = await handle(event, context, readConfig(), outside);
  } catch (e) {
    // Answer rather than leave CloudFormation waiting for an hour.
    const physicalId = event.PhysicalResourceId ?? 'deployment-failed';
    result = await answer(event, outside, 'FAILED', `${(e as Error).message}`, physicalId);
  }
  console.log(JSON.stringify({ outcome: result.outcome, detail: result.detail }));
  return result;
}

/** The Lambda entry point: two arguments only, as the runtime may pass a callback third. */
export async function handler(event: DeploymentEvent, context: DeploymentContext): Promise<DeploymentResult> {
  return run(event, context, realOutside);
}
