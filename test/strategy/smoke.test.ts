import { Duration } from 'aws-cdk-lib';
import { Analysis, CanaryStep, DeploymentStrategy, HealthCheck } from '../../src';

test('a canary plan reaches 100% after its steps', () => {
  const plan = DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(5))],
    analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
  }).plan();
  expect(plan.timeToFullTraffic.toMinutes()).toBe(5);
});
