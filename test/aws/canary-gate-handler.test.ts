import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { ECSClient, ListServiceDeploymentsCommand } from '@aws-sdk/client-ecs';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { GateConfig, GateEvent, handler, readConfig, productionWeight, readState, RETRY_SECONDS, runGate } from '../../src/aws/private/handlers/canary-gate';

const ecs = mockClient(ECSClient);
const ssm = mockClient(SSMClient);
const cloudwatch = mockClient(CloudWatchClient);

const SERVICE = 'arn:aws:ecs:eu-west-1:123456789012:service/c/api';
const OLD = 'arn:aws:ecs:eu-west-1:123456789012:service-revision/c/api/1';
const NEW = 'arn:aws:ecs:eu-west-1:123456789012:service-revision/c/api/2';
const DEPLOYMENT = 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/c/api/abc';
const START = 1_000_000;
const MINUTE = 60_000;

const config = (more: Partial<GateConfig> = {}): GateConfig => ({
  cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/c',
  parameterName: 'approval',
  waitMs: 60 * MINUTE,
  timeoutAction: 'ROLLBACK',
  alarmNames: ['api-error-rate', 'api-latency-p99'],
  alarmsOn: true,
  pollSeconds: 60,
  ...more,
});

/** A call with the new revision at `weight` percent; `started`: the gate started at START. */
const event = (weight: number | undefined, started = false): GateEvent => ({
  serviceArn: SERVICE,
  targetServiceRevisionArn: NEW,
  productionTrafficWeights: weight === undefined ? { [OLD]: 100 } : { [OLD]: 100 - weight, [NEW]: weight },
  hookDetails: started ? { gateStartedAt: String(START), gateDeployment: DEPLOYMENT } : undefined,
});

const alarm = (name: string, state: 'OK' | 'ALARM') => ({ AlarmName: name, StateValue: state as any });
let logs: string[];

beforeEach(() => {
  ecs.reset();
  ssm.reset();
  cloudwatch.reset();
  ecs.on(ListServiceDeploymentsCommand).resolves({
    serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, targetServiceRevisionArn: NEW, status: 'IN_PROGRESS' }],
  });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'none' } });
  cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('api-error-rate', 'OK'), alarm('api-latency-p99', 'OK')] });
  logs = [];
  jest.spyOn(console, 'log').mockImplementation((line: string) => { logs.push(line); });
});

afterEach(() => jest.restoreAllMocks());

describe('runGate', () => {
  test('0% (before the shift to the canary weight) succeeds at once without reading anything', async () => {
    await expect(runGate(event(0), config(), START)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    await expect(runGate(event(undefined), config(), START)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(ecs).not.toHaveReceivedAnyCommand();
    expect(ssm).not.toHaveReceivedAnyCommand();
    expect(JSON.parse(logs[0])).toEqual({ canaryGate: 'SUCCEEDED', reason: 'the new revision serves 0% of production traffic: the shift to the canary weight comes next' });
  });

  test('a call without production weights for the new revision holds (the gate fails closed), and the approval lets it through', async () => {
    const { productionTrafficWeights: _, ...noWeights } = event(10);
    await expect(runGate(noWeights, config(), START)).resolves.toEqual({
      hookStatus: 'IN_PROGRESS', callBackDelay: 60, hookDetails: { gateStartedAt: String(START), gateDeployment: DEPLOYMENT },
    });
    expect(JSON.parse(logs[0]).reason).toBe('the call carries no production traffic weight for the new revision, so the gate holds at this shift; '
      + `waiting up to ${60 * MINUTE}ms for approval of ${DEPLOYMENT} in approval`);
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: DEPLOYMENT } });
    await expect(runGate({ ...noWeights, hookDetails: { gateStartedAt: String(START), gateDeployment: DEPLOYMENT } }, config(), START + MINUTE))
      .resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    // A weight that is not a number, or no target revision: unknown too.
    for (const e of [{ ...event(10), productionTrafficWeights: { [NEW]: 'ten' as any } }, { ...event(10), targetServiceRevisionArn: undefined }]) {
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: 'none' } });
      await expect(runGate(e, config(), START)).resolves.toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 60 });
    }
  });

  test('productionWeight reads the map: left out is 0%, numbers as strings are read, anything else is unknown', () => {
    expect(productionWeight({ targetServiceRevisionArn: NEW, productionTrafficWeights: { [OLD]: 100 } })).toBe(0);
    expect(productionWeight({ targetServiceRevisionArn: NEW, productionTrafficWeights: { [NEW]: 12.5 } })).toBe(12.5);
    expect(productionWeight({ targetServiceRevisionArn: NEW, productionTrafficWeights: { [NEW]: '12.5' as any } })).toBe(12.5);
    expect(productionWeight({ targetServiceRevisionArn: NEW, productionTrafficWeights: { [NEW]: null as any } })).toBeUndefined();
    expect(productionWeight({ targetServiceRevisionArn: NEW, productionTrafficWeights: { [NEW]: '' as any } })).toBeUndefined();
    expect(productionWeight({ targetServiceRevisionArn: NEW })).toBeUndefined();
    expect(productionWeight({ targetServiceRevisionArn: NEW, productionTrafficWeights: [] as any })).toBeUndefined();
    expect(productionWeight({ productionTrafficWeights: { [NEW]: 10 } })).toBeUndefined();
  });

  test('100% succeeds at once', async () => {
    await expect(runGate(event(100), config(), START)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(ssm).not.toHaveReceivedAnyCommand();
    expect(JSON.parse(logs[0]).reason).toBe('the new revision already serves 100% of production traffic');
  });

  test('at the canary weight, the first call starts the gate: IN_PROGRESS with gateStartedAt for this deployment', async () => {
    await expect(runGate(event(10), config(), START)).resolves.toEqual({
      hookStatus: 'IN_PROGRESS', callBackDelay: 60, hookDetails: { gateStartedAt: String(START), gateDeployment: DEPLOYMENT },
    });
    expect(ecs).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, {
      cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/c', service: SERVICE, status: ['IN_PROGRESS', 'ROLLBACK_IN_PROGRESS'],
    });
    expect(ssm).not.toHaveReceivedAnyCommand();
    expect(JSON.parse(logs[0])).toEqual({ canaryGate: 'IN_PROGRESS', reason: `the canary (10%) has baked; waiting up to 3600000ms for approval of ${DEPLOYMENT} in approval` });
  });

  test('the deployment ARN in the parameter approves: SUCCEEDED', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: DEPLOYMENT } });
    await expect(runGate(event(10, true), config(), START + MINUTE)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(ssm).toHaveReceivedCommandWith(GetParameterCommand, { Name: 'approval' });
    expect(JSON.parse(logs[0]).reason).toBe(`${DEPLOYMENT} approved in approval`);
  });

  test('reject:<ARN> in the parameter rejects: FAILED', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: `reject:${DEPLOYMENT}` } });
    await expect(runGate(event(10, true), config(), START + MINUTE)).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(JSON.parse(logs[0])).toEqual({ canaryGate: 'FAILED', reason: `${DEPLOYMENT} rejected in approval` });
  });

  test('any other value (none, another deployment\'s ARN) keeps waiting, with the same start', async () => {
    for (const value of ['none', 'arn:aws:ecs:eu-west-1:123456789012:service-deployment/c/api/older', `reject:${DEPLOYMENT}x`]) {
      ssm.on(GetParameterCommand).resolves({ Parameter: { Value: value } });
      await expect(runGate(event(10, true), config(), START + 5 * MINUTE)).resolves.toEqual({
        hookStatus: 'IN_PROGRESS', callBackDelay: 60, hookDetails: { gateStartedAt: String(START), gateDeployment: DEPLOYMENT },
      });
    }
    expect(JSON.parse(logs[0]).reason).toBe(`waiting for approval of ${DEPLOYMENT} in approval (300s of 3600s)`);
  });

  test('a rollback alarm in ALARM while the gate holds fails it, naming the alarm, before reading the parameter', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('api-error-rate', 'ALARM'), alarm('api-latency-p99', 'OK')] });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: DEPLOYMENT } });
    await expect(runGate(event(10, true), config(), START + MINUTE)).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(cloudwatch).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['api-error-rate', 'api-latency-p99'], AlarmTypes: ['MetricAlarm'] });
    expect(ssm).not.toHaveReceivedAnyCommand();
    expect(JSON.parse(logs[0]).reason).toBe('rollback alarm(s) in ALARM while the gate holds: api-error-rate');
  });

  test('with the alarms off (break glass) the alarms are not read', async () => {
    cloudwatch.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('api-error-rate', 'ALARM')] });
    await expect(runGate(event(10, true), config({ alarmsOn: false }), START + MINUTE)).resolves.toMatchObject({ hookStatus: 'IN_PROGRESS' });
    expect(cloudwatch).not.toHaveReceivedAnyCommand();
  });

  test('a failed read of the alarms or the parameter is logged and the gate keeps waiting', async () => {
    cloudwatch.on(DescribeAlarmsCommand).rejects(new Error('Throttling'));
    ssm.on(GetParameterCommand).rejects(new Error('AccessDenied'));
    await expect(runGate(event(10, true), config(), START + MINUTE)).resolves.toEqual({
      hookStatus: 'IN_PROGRESS', callBackDelay: 60, hookDetails: { gateStartedAt: String(START), gateDeployment: DEPLOYMENT },
    });
    expect(logs.slice(0, 2).map(l => JSON.parse(l))).toEqual([
      { canaryGate: 'warning', reason: 'could not read the rollback alarms: Throttling' },
      { canaryGate: 'warning', reason: 'could not read approval: AccessDenied' },
    ]);
  });

  test('a rollback deployment succeeds at once, without reading the parameter or the alarms', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [{ serviceDeploymentArn: DEPLOYMENT, targetServiceRevisionArn: OLD, status: 'ROLLBACK_IN_PROGRESS' }],
    });
    const rollback = { ...event(10, true), targetServiceRevisionArn: OLD, productionTrafficWeights: { [OLD]: 90, [NEW]: 10 } };
    await expect(runGate(rollback, config(), START + MINUTE)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(ssm).not.toHaveReceivedAnyCommand();
    expect(cloudwatch).not.toHaveReceivedAnyCommand();
    expect(JSON.parse(logs[0]).reason).toBe(`${DEPLOYMENT} is rolling back: a rollback is never held`);
  });

  test('picks the deployment whose target is the new revision among several', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: 'other', targetServiceRevisionArn: OLD, status: 'ROLLBACK_IN_PROGRESS' },
        { serviceDeploymentArn: DEPLOYMENT, targetServiceRevisionArn: NEW, status: 'IN_PROGRESS' },
      ],
    });
    await expect(runGate(event(10), config(), START)).resolves.toMatchObject({ hookStatus: 'IN_PROGRESS', hookDetails: { gateDeployment: DEPLOYMENT } });
  });

  test('a failed ListServiceDeployments answers IN_PROGRESS shortly, with a warning, never FAILED', async () => {
    ecs.on(ListServiceDeploymentsCommand).rejects(new Error('Rate exceeded'));
    await expect(runGate(event(10, true), config(), START + MINUTE)).resolves.toEqual({ hookStatus: 'IN_PROGRESS', callBackDelay: RETRY_SECONDS });
    expect(RETRY_SECONDS).toBe(15);
    expect(JSON.parse(logs[0]).reason).toBe('warning: could not read the service deployment, looking again in 15s: Rate exceeded');
  });

  test('without an answer after the wait, ROLLBACK fails and CONTINUE succeeds', async () => {
    await expect(runGate(event(10, true), config({ timeoutAction: 'ROLLBACK' }), START + 60 * MINUTE)).resolves.toEqual({ hookStatus: 'FAILED' });
    expect(JSON.parse(logs[0]).reason).toBe('no answer within 3600000ms: rolls back (timeout action ROLLBACK)');
    await expect(runGate(event(10, true), config({ timeoutAction: 'CONTINUE' }), START + 60 * MINUTE)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
    expect(JSON.parse(logs[1]).reason).toBe('no answer within 3600000ms: continues (timeout action CONTINUE)');
    // One minute earlier it still waits.
    await expect(runGate(event(10, true), config(), START + 59 * MINUTE)).resolves.toMatchObject({ hookStatus: 'IN_PROGRESS' });
  });

  test('an approval that arrives at the end of the wait still wins over the timeout action', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: DEPLOYMENT } });
    await expect(runGate(event(10, true), config(), START + 61 * MINUTE)).resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  });

  test('reads the facts from executionDetails too, and finds the deployment by resourceArn', async () => {
    ecs.on(ListServiceDeploymentsCommand).resolves({
      serviceDeployments: [
        { serviceDeploymentArn: 'arn:other', targetServiceRevisionArn: NEW, status: 'IN_PROGRESS' },
        { serviceDeploymentArn: DEPLOYMENT, targetServiceRevisionArn: NEW, status: 'IN_PROGRESS' },
      ],
    });
    const { serviceArn, targetServiceRevisionArn, productionTrafficWeights } = event(10);
    const nested: GateEvent = {
      executionDetails: { serviceArn, targetServiceRevisionArn, productionTrafficWeights }, resourceArn: DEPLOYMENT, hookDetails: {},
    };
    await expect(runGate(nested, config(), START)).resolves.toEqual({
      hookStatus: 'IN_PROGRESS', callBackDelay: 60, hookDetails: { gateStartedAt: String(START), gateDeployment: DEPLOYMENT },
    });
    expect(ecs).toHaveReceivedCommandWith(ListServiceDeploymentsCommand, { service: SERVICE });
    await expect(runGate({ ...nested, executionDetails: { ...nested.executionDetails, productionTrafficWeights: {} } }, config(), START))
      .resolves.toEqual({ hookStatus: 'SUCCEEDED' });
  });

  test('hookDetails as a JSON string carry the start too', async () => {
    const e = { ...event(10), hookDetails: JSON.stringify({ gateStartedAt: String(START), gateDeployment: DEPLOYMENT }) };
    await expect(runGate(e, config(), START + 60 * MINUTE)).resolves.toEqual({ hookStatus: 'FAILED' });
  });

  test('a start recorded for another deployment does not count: the gate starts again', async () => {
    const e = { ...event(10), hookDetails: { gateStartedAt: '1', gateDeployment: 'arn:older' } };
    await expect(runGate(e, config(), START)).resolves.toEqual({
      hookStatus: 'IN_PROGRESS', callBackDelay: 60, hookDetails: { gateStartedAt: String(START), gateDeployment: DEPLOYMENT },
    });
  });
});

describe('readState', () => {
  test('reads objects and JSON strings, and ignores anything else', () => {
    expect(readState({ gateStartedAt: '5' })).toEqual({ gateStartedAt: '5' });
    expect(readState('{"gateStartedAt":"5"}')).toEqual({ gateStartedAt: '5' });
    expect(readState('not json')).toEqual({});
    expect(readState(undefined)).toEqual({});
    expect(readState([1])).toEqual({});
  });
});

describe('readConfig', () => {
  const env = {
    CLUSTER: 'c',
    PARAMETER_NAME: 'approval',
    WAIT_MS: '82800000',
    TIMEOUT_ACTION: 'CONTINUE',
    ALARM_NAMES: '["a","b"]',
    ALARMS_ON: 'false',
    POLL_SECONDS: '60',
  };

  test('reads the environment', () => {
    expect(readConfig(env)).toEqual({
      cluster: 'c', parameterName: 'approval', waitMs: 82_800_000, timeoutAction: 'CONTINUE', alarmNames: ['a', 'b'], alarmsOn: false, pollSeconds: 60,
    });
  });

  test.each([
    ['WAIT_MS', 'soon'], ['TIMEOUT_ACTION', 'LATER'], ['ALARM_NAMES', '{"a":1}'], ['ALARM_NAMES', 'not json'], ['ALARMS_ON', 'yes'],
    ['POLL_SECONDS', '0'], ['CLUSTER', ''],
  ])('throws with the values when %s is %s', (name, value) => {
    expect(() => readConfig({ ...env, [name]: value })).toThrow(
      `CLUSTER and PARAMETER_NAME must be set, WAIT_MS and POLL_SECONDS positive numbers, TIMEOUT_ACTION ROLLBACK or CONTINUE, ALARM_NAMES a JSON array of names and ALARMS_ON true or false, got ${JSON.stringify({ ...env, [name]: value })}`);
  });
});

describe('handler', () => {
  test('reads the environment and answers ECS', async () => {
    const saved = process.env;
    process.env = { ...saved, CLUSTER: 'c', PARAMETER_NAME: 'approval', WAIT_MS: '60000', TIMEOUT_ACTION: 'ROLLBACK', ALARM_NAMES: '[]', ALARMS_ON: 'true', POLL_SECONDS: '30' };
    try {
      await expect(handler(event(10))).resolves.toMatchObject({ hookStatus: 'IN_PROGRESS', callBackDelay: 30 });
    } finally {
      process.env = saved;
    }
  });
});
