// Declares one canary strategy and prints the plan of what it will do: no infrastructure is synthesized.
import { Duration } from 'aws-cdk-lib';
import { Analysis, CanaryStep, DeploymentStrategy, HealthCheck } from '../../src';

const strategy = DeploymentStrategy.canary({
  steps: [
    CanaryStep.of(5, Duration.minutes(10)),
    CanaryStep.withManualGate(25, Duration.minutes(10)),
    CanaryStep.of(50, Duration.minutes(10)),
  ],
  analysis: Analysis.of({
    checks: [
      HealthCheck.errorRate({ maxPercent: 1 }),
      HealthCheck.latency({ percentile: 99, max: Duration.millis(500) }),
    ],
    interval: Duration.minutes(1),
    failureLimit: 2,
    minRequests: 20,
  }),
  keepPreviousVersionFor: Duration.minutes(30),
});

const plan = strategy.plan();
console.log(plan.toMarkdown());
console.log('```mermaid');
console.log(plan.toMermaid().trimEnd());
console.log('```');
