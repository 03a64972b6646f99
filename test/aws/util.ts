import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Analysis, CanaryStep, DeploymentStrategy, HealthCheck, ProgressiveFargateService, ProgressiveFargateServiceProps } from '../../src';

export function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { account: '123456789012', region: 'eu-west-1' } });
}

export const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

export function analysis(extra: Partial<{ interval: Duration; failureLimit: number; minRequests: number }> = {}): Analysis {
  return Analysis.of({
    checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
    ...extra,
  });
}

export function canary(weight = 10, bake = Duration.minutes(10)): DeploymentStrategy {
  return DeploymentStrategy.canary({ steps: [CanaryStep.of(weight, bake)], analysis: analysis() });
}

export function service(props: Partial<ProgressiveFargateServiceProps> = {}, stack = newStack()):
{ stack: Stack; svc: ProgressiveFargateService; template: Template } {
  const svc = new ProgressiveFargateService(stack, 'Api', {
    image,
    containerPort: 8080,
    strategy: canary(),
    ...props,
  });
  return { stack, svc, template: Template.fromStack(stack) };
}

/** The single resource of a type, as plain JSON. */
export function only(template: Template, type: string): any {
  const all = Object.values(template.findResources(type));
  if (all.length !== 1) {
    throw new Error(`expected one ${type}, found ${all.length}`);
  }
  return all[0];
}

/** The error `fn` throws; fails the test when it throws none. */
export function error(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}
