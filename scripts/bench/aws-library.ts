/**
 * Benchmark workload, library variant: n progressive ECS services declared with
 * `ProgressiveFargateService` (ECS-native 10% canary, error-rate and p99 latency rollback alarms),
 * sharing one VPC and one cluster. scripts/bench/aws-handwritten.ts defines the same resources with
 * aws-cdk-lib alone. scripts/bench/aws-smoke-library.ts adds an HTTP smoke test to each service, and
 * scripts/bench/aws-migrations-library.ts database migrations.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { SynthResult } from './worker';
// lib/ is the compiled package, which the bench task builds before it runs.
// eslint-disable-next-line import/no-unresolved
import { Analysis, CanaryStep, DeploymentStrategy, EcsEngine, HealthCheck, MigrationSet, ProgressiveFargateService, SmokeTest } from '../../lib';

export function synth(n: number): SynthResult {
  return synthWith(n);
}

/**
 * The same services, each with `smokeTest` when it is given, and with the migrations `migrations(i)`
 * declares for service i when it is given.
 */
export function synthWith(n: number, smokeTest?: SmokeTest, migrations?: (i: number) => MigrationSet): SynthResult {
  // At n = 50 the stack holds about 1,000 resources, past CloudFormation's 500 per stack, which
  // aws-cdk-lib refuses at synth time; the benchmark measures synthesis, so the check is turned off.
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Bench');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');

  const strategy = DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(10))],
    analysis: Analysis.of({
      checks: [
        HealthCheck.errorRate({ maxPercent: 1 }),
        HealthCheck.latency({ percentile: 99, max: Duration.millis(500) }),
      ],
      failureLimit: 2,
    }),
    keepPreviousVersionFor: Duration.minutes(15),
  });

  for (let i = 0; i < n; i++) {
    new ProgressiveFargateService(stack, `Service${i}`, {
      cluster,
      image,
      containerPort: 8080,
      strategy,
      engine: EcsEngine.native(),
      smokeTest,
      migrations: migrations?.(i),
    });
  }

  const template = app.synth().getStackByName(stack.stackName).template;
  return { comparable: JSON.stringify(template), resources: Object.keys(template.Resources).length };
}
