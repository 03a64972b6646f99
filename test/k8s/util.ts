import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { validateManifests } from './manifest-validator';
import { Analysis, CanaryStep, DeploymentStrategy, HealthCheck } from '../../src';

/** A canary with the usual checks: 5% then 25%, 10 minutes each. */
export function canaryStrategy(extra: { keep?: Duration; minRequests?: number } = {}): DeploymentStrategy {
  return DeploymentStrategy.canary({
    steps: [CanaryStep.of(5, Duration.minutes(10)), CanaryStep.withManualGate(25, Duration.minutes(10))],
    analysis: Analysis.of({
      checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
      interval: Duration.minutes(1),
      failureLimit: 2,
      minRequests: extra.minRequests ?? 20,
    }),
    keepPreviousVersionFor: extra.keep ?? Duration.minutes(30),
  });
}

export const CONTAINERS = [{ image: 'registry.example.com/api:1.2.3', portNumber: 8080 }];

/** Synthesizes the chart, checks every object against the schemas and returns the manifests. */
export function synthValid(chart: cdk8s.Chart): any[] {
  const manifests = cdk8s.Testing.synth(chart);
  expect(validateManifests(manifests)).toEqual([]);
  return manifests;
}

export function ofKind(manifests: any[], kind: string): any[] {
  return manifests.filter(m => m.kind === kind);
}

export function rolloutOf(manifests: any[]): any {
  const r = ofKind(manifests, 'Rollout');
  expect(r).toHaveLength(1);
  return r[0];
}
