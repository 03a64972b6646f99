import { Duration, Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { handlerCode } from './handler-code';
import { ecsLambdaHook } from './hooks';
import { CanaryGate } from './render';

/**
 * The canary gate of `CanaryStep.withManualGate` on ECS native (handlers/canary-gate): an SSM
 * parameter that carries the answer, and the Lambda hook at PRE_PRODUCTION_TRAFFIC_SHIFT that reads
 * it. Loaded only by a service with a canary gate.
 */

/** How often the gate looks at the parameter and the alarms while it holds, in seconds. */
export const CANARY_GATE_POLL_SECONDS = 60;

/** The ECS stage the gate runs at. */
export const CANARY_GATE_STAGE = 'PRE_PRODUCTION_TRAFFIC_SHIFT';

/** What the gate is wired to. */
export interface CanaryGateContext {
  readonly cluster: ecs.ICluster;
  /** The rollback alarms the gate reads while it holds (ECS watches the same). */
  readonly alarms: cloudwatch.IAlarm[];
  readonly alarmNames: string[];
  /** False under break glass: the gate then ignores the alarms, as ECS does. */
  readonly alarmsOn: boolean;
}

/** The gate's resources. */
export interface CanaryGateResources {
  readonly parameter: ssm.StringParameter;
  readonly function: lambda.Function;
  readonly hook: ecs.IDeploymentLifecycleHookTarget;
}

/** Creates the approval parameter, the gate function and its hook target. */
export function createCanaryGate(scope: Construct, gate: CanaryGate, ctx: CanaryGateContext): CanaryGateResources {
  const stack = Stack.of(scope);
  const parameter = new ssm.StringParameter(scope, 'ApprovalParameter', {
    stringValue: 'none',
    description: `Canary gate of ${scope.node.path}: write the in-progress service deployment's ARN to promote the canary to 100%, or reject:<that ARN> to roll it back`,
  });
  const fn = new lambda.Function(scope, 'CanaryGate', {
    description: `Canary gate of ${scope.node.path}: holds the final traffic shift at PRE_PRODUCTION_TRAFFIC_SHIFT until approved`,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: handlerCode('canary-gate'),
    timeout: Duration.minutes(1),
    environment: {
      CLUSTER: ctx.cluster.clusterArn,
      PARAMETER_NAME: parameter.parameterName,
      WAIT_MS: String(gate.wait.toMilliseconds()),
      TIMEOUT_ACTION: gate.action,
      ALARM_NAMES: stack.toJsonString(ctx.alarmNames),
      ALARMS_ON: String(ctx.alarmsOn),
      POLL_SECONDS: String(CANARY_GATE_POLL_SECONDS),
    },
  });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: [parameter.parameterArn] }));
  if (ctx.alarms.length > 0 && ctx.alarmsOn) {
    // The rollback alarms are metric alarms, which DescribeAlarms accepts by ARN (composite alarms would need "*").
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: ctx.alarms.map(a => a.alarmArn) }));
  }
  return { parameter, function: fn, hook: ecsLambdaHook(fn, 'CanaryGateHook', CANARY_GATE_STAGE) };
}

/**
 * Lets the gate find the service's deployment in progress. A policy of its own: the service depends
 * on the gate function (its hook) and the function on its role's default policy, so the service's ARN
 * cannot be named there. The gate answers 0% and 100% without this call, so a deployment that runs
 * before the policy exists is not held by it.
 */
export function grantListDeployments(scope: Construct, fn: lambda.Function, service: ecs.BaseService): iam.Policy {
  return new iam.Policy(scope, 'CanaryGateDeployments', {
    statements: [new iam.PolicyStatement({ actions: ['ecs:ListServiceDeployments'], resources: [service.serviceArn] })],
    roles: [fn.role!],
  });
}
