/**
 * Canary gate (Amazon ECS lifecycle hook at PRE_PRODUCTION_TRAFFIC_SHIFT of an ECS native canary):
 * holds the final production traffic shift of `CanaryStep.withManualGate` until someone approves it.
 * ECS calls the hook before each production traffic shift of a canary, so the hook tells the two
 * apart by the weight the new revision (the target revision) serves:
 *
 * - 0% (before the shift to the canary weight; a revision the weights leave out serves 0%) or 100%:
 *   SUCCEEDED at once.
 * - unknown (the call carries no weight for the new revision): the gate holds as at the canary step
 *   (fails closed); the approval then lets this shift and the next one through.
 * - between the two (the canary has been shifted and baked; the final shift comes next): the gate.
 *   It answers IN_PROGRESS, polling every POLL_SECONDS, until the approval parameter holds the
 *   deployment's ARN (SUCCEEDED: traffic goes to 100%) or `reject:<ARN>` (FAILED: ECS rolls back),
 *   a rollback alarm is in ALARM (FAILED), or WAIT_MS pass (the timeout action: ROLLBACK answers
 *   FAILED, CONTINUE answers SUCCEEDED). When the gate started travels in `hookDetails`.
 *
 * A rollback deployment is never held (ECS runs the traffic-shift hooks again on rollback), and a
 * failed read of the deployment answers IN_PROGRESS to look again shortly, never FAILED. A failed
 * read of the alarms or the parameter is logged and the gate keeps waiting (ECS watches the same
 * alarms itself).
 *
 * Environment: CLUSTER, PARAMETER_NAME, WAIT_MS, TIMEOUT_ACTION (ROLLBACK | CONTINUE), ALARM_NAMES
 * (JSON array), ALARMS_ON (true | false), POLL_SECONDS. This file is bundled alone as the function's
 * code; the AWS SDK comes with the Lambda Node.js runtime.
 */
// eslint-disable-next-line import/no-extraneous-dependencies
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
// eslint-disable-next-line import/no-extraneous-dependencies
import { ECSClient, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
// eslint-disable-next-line import/no-extraneous-dependencies
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';

/** The configuration read from the environment. */
export interface GateConfig {
  readonly cluster: string;
  readonly parameterName: string;
  readonly waitMs: number;
  readonly timeoutAction: 'ROLLBACK' | 'CONTINUE';
  readonly alarmNames: string[];
  readonly alarmsOn: boolean;
  readonly pollSeconds: number;
}

/** The state carried between calls in `hookDetails`. */
export interface GateState {
  /** When the gate started to wait (epoch milliseconds), as a string. */
  readonly gateStartedAt?: string;
  /** The deployment the gate waits for (a later deployment never inherits the start). */
  readonly gateDeployment?: string;
}

/** The deployment facts of an ECS lifecycle hook call. */
export interface GateDetails {
  readonly serviceArn?: string;
  readonly targetServiceRevisionArn?: string;
  /** Production traffic per service revision ARN, in percent. */
  readonly productionTrafficWeights?: Record<string, number>;
}

/**
 * The parts of the ECS lifecycle hook payload the gate reads. The ECS guide lists the deployment
 * facts at the top level; the calls ECS makes carry them in `executionDetails`, with the service
 * deployment's ARN as `resourceArn`: both shapes are read.
 */
export interface GateEvent extends GateDetails {
  readonly executionDetails?: GateDetails;
  /** The service deployment's ARN. */
  readonly resourceArn?: string;
  readonly hookDetails?: GateState | string;
}

/** The answer to ECS. */
export interface GateResponse {
  readonly hookStatus: 'SUCCEEDED' | 'FAILED' | 'IN_PROGRESS';
  readonly callBackDelay?: number;
  readonly hookDetails?: GateState;
}

/** How long to wait before looking again after a failed read of the deployment, in seconds. */
export const RETRY_SECONDS = 15;

const ecs = new ECSClient({});
const ssm = new SSMClient({});
const cloudwatch = new CloudWatchClient({});

function answer(response: GateResponse, reason: string): GateResponse {
  console.log(JSON.stringify({ canaryGate: response.hookStatus, reason }));
  return response;
}

/** The state in `hookDetails`: an object, or the same as a JSON string. */
export function readState(details: unknown): GateState {
  if (details === undefined || details === null || details === '') return {};
  if (typeof details === 'string') {
    try {
      return readState(JSON.parse(details));
    } catch {
      return {};
    }
  }
  return typeof details === 'object' && !Array.isArray(details) ? details as GateState : {};
}

/** Names of the alarms in ALARM among `names`. */
export async function firingAlarms(names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const firing: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm'], NextToken: nextToken }));
    for (const alarm of page.MetricAlarms ?? []) {
      if (alarm.StateValue === 'ALARM') firing.push(alarm.AlarmName ?? '(unnamed)');
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return firing.sort();
}

/**
 * The deployment in progress (or rolling back) of this call: the one named by `resourceArn`, else
 * the one whose target is the call's target revision, else the only one.
 */
async function findDeployment(config: GateConfig, event: GateEvent, facts: GateDetails): Promise<{ arn?: string; status?: string } | undefined> {
  const out = await ecs.send(new ListServiceDeploymentsCommand({
    cluster: config.cluster,
    service: facts.serviceArn,
    status: ['IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'],
  }));
  const all = out.serviceDeployments ?? [];
  const match = all.find(d => event.resourceArn !== undefined && d.serviceDeploymentArn === event.resourceArn)
    ?? all.find(d => d.targetServiceRevisionArn === facts.targetServiceRevisionArn)
    ?? (all.length === 1 ? all[0] : undefined);
  return match === undefined ? undefined : { arn: match.serviceDeploymentArn, status: match.status };
}

/**
 * The new revision's share of production traffic in the call, in percent: from the weights map
 * (a revision the map leaves out serves 0%), or undefined when the call has no map or names no
 * target revision, or the weight is not a number.
 */
export function productionWeight(facts: GateDetails): number | undefined {
  const weights = facts.productionTrafficWeights;
  const target = facts.targetServiceRevisionArn;
  if (target === undefined || weights === null || typeof weights !== 'object' || Array.isArray(weights)) return undefined;
  if (!(target in weights)) return 0;
  const raw: unknown = weights[target];
  const weight = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  return Number.isFinite(weight) ? weight : undefined;
}

/** One call of the hook. */
export async function runGate(event: GateEvent, config: GateConfig, now: number = Date.now()): Promise<GateResponse> {
  const facts: GateDetails = event.executionDetails ?? event;
  const target = facts.targetServiceRevisionArn;
  const weight = productionWeight(facts);
  if (weight !== undefined && weight <= 0) {
    return answer({ hookStatus: 'SUCCEEDED' }, `the new revision serves ${weight}% of production traffic: the shift to the canary weight comes next`);
  }
  if (weight !== undefined && weight >= 100) {
    return answer({ hookStatus: 'SUCCEEDED' }, 'the new revision already serves 100% of production traffic');
  }
  // Between the two, or unknown: a call that does not say which step it is holds like the canary
  // step (the gate fails closed): the approval then also lets the other shift through.
  const step = weight === undefined ? 'the call carries no production traffic weight for the new revision, so the gate holds at this shift' : `the canary (${weight}%) has baked`;
  let deployment;
  try {
    deployment = await findDeployment(config, event, facts);
  } catch (e) {
    return answer({ hookStatus: 'IN_PROGRESS', callBackDelay: RETRY_SECONDS },
      `warning: could not read the service deployment, looking again in ${RETRY_SECONDS}s: ${(e as Error).message}`);
  }
  if (deployment === undefined || deployment.arn === undefined) {
    return answer({ hookStatus: 'IN_PROGRESS', callBackDelay: RETRY_SECONDS },
      `warning: no deployment in progress targets ${target}, looking again in ${RETRY_SECONDS}s`);
  }
  if (deployment.status === 'ROLLBACK_IN_PROGRESS') {
    return answer({ hookStatus: 'SUCCEEDED' }, `${deployment.arn} is rolling back: a rollback is never held`);
  }
  const state = readState(event.hookDetails);
  const startedAt = state.gateDeployment === deployment.arn ? Number(state.gateStartedAt) : NaN;
  const hold: GateState = { gateStartedAt: String(Number.isFinite(startedAt) ? startedAt : now), gateDeployment: deployment.arn };
  const waiting = (reason: string) => answer({ hookStatus: 'IN_PROGRESS', callBackDelay: config.pollSeconds, hookDetails: hold }, reason);
  if (!Number.isFinite(startedAt)) {
    return waiting(`${step}; waiting up to ${config.waitMs}ms for approval of ${deployment.arn} in ${config.parameterName}`);
  }
  if (config.alarmsOn) {
    let firing: string[] = [];
    try {
      firing = await firingAlarms(config.alarmNames);
    } catch (e) {
      console.log(JSON.stringify({ canaryGate: 'warning', reason: `could not read the rollback alarms: ${(e as Error).message}` }));
    }
    if (firing.length > 0) {
      return answer({ hookStatus: 'FAILED' }, `rollback alarm(s) in ALARM while the gate holds: ${firing.join(', ')}`);
    }
  }
  let value: string | undefined;
  try {
    value = (await ssm.send(new GetParameterCommand({ Name: config.parameterName }))).Parameter?.Value;
  } catch (e) {
    console.log(JSON.stringify({ canaryGate: 'warning', reason: `could not read ${config.parameterName}: ${(e as Error).message}` }));
  }
  if (value === deployment.arn) {
    return answer({ hookStatus: 'SUCCEEDED' }, `${deployment.arn} approved in ${config.parameterName}`);
  }
  if (value === `reject:${deployment.arn}`) {
    return answer({ hookStatus: 'FAILED' }, `${deployment.arn} rejected in ${config.parameterName}`);
  }
  if (now - startedAt >= config.waitMs) {
    return config.timeoutAction === 'CONTINUE'
      ? answer({ hookStatus: 'SUCCEEDED' }, `no answer within ${config.waitMs}ms: continues (timeout action CONTINUE)`)
      : answer({ hookStatus: 'FAILED' }, `no answer within ${config.waitMs}ms: rolls back (timeout action ROLLBACK)`);
  }
  return waiting(`waiting for approval of ${deployment.arn} in ${config.parameterName} (${Math.round((now - startedAt) / 1000)}s of ${config.waitMs / 1000}s)`);
}

/** Reads the configuration from the environment; throws on a broken one, naming the values. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): GateConfig {
  const waitMs = Number(env.WAIT_MS);
  const pollSeconds = Number(env.POLL_SECONDS ?? '60');
  let alarmNames: unknown;
  try {
    alarmNames = JSON.parse(env.ALARM_NAMES ?? '[]');
  } catch {
    alarmNames = undefined;
  }
  const action = env.TIMEOUT_ACTION;
  if (!env.CLUSTER || !env.PARAMETER_NAME || !Number.isFinite(waitMs) || waitMs <= 0 || !Number.isFinite(pollSeconds) || pollSeconds <= 0
    || (action !== 'ROLLBACK' && action !== 'CONTINUE') || !Array.isArray(alarmNames) || !alarmNames.every(n => typeof n === 'string')
    || (env.ALARMS_ON !== 'true' && env.ALARMS_ON !== 'false')) {
    throw new Error('CLUSTER and PARAMETER_NAME must be set, WAIT_MS and POLL_SECONDS positive numbers, TIMEOUT_ACTION ROLLBACK or CONTINUE, '
      + `ALARM_NAMES a JSON array of names and ALARMS_ON true or false, got ${JSON.stringify({
        CLUSTER: env.CLUSTER,
        PARAMETER_NAME: env.PARAMETER_NAME,
        WAIT_MS: env.WAIT_MS,
        TIMEOUT_ACTION: env.TIMEOUT_ACTION,
        ALARM_NAMES: env.ALARM_NAMES,
        ALARMS_ON: env.ALARMS_ON,
        POLL_SECONDS: env.POLL_SECONDS,
      })}`);
  }
  return {
    cluster: env.CLUSTER,
    parameterName: env.PARAMETER_NAME,
    waitMs,
    timeoutAction: action,
    alarmNames: alarmNames as string[],
    alarmsOn: env.ALARMS_ON === 'true',
    pollSeconds,
  };
}

export async function handler(event: GateEvent): Promise<GateResponse> {
  // A broken configuration throws: ECS rolls the deployment back rather than hold it unjudged.
  return runGate(event, readConfig());
}
