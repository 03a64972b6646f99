/**
 * Benchmark workload, library variant with a smoke test: the services of scripts/bench/aws-library.ts,
 * each with an HTTP smoke test of the new version on the test listener (`SmokeTest.http`).
 * scripts/bench/aws-smoke-handwritten.ts defines the same resources with aws-cdk-lib alone.
 */
import { synthWith } from './aws-library';
import { SynthResult } from './worker';
// lib/ is the compiled package, which the bench task builds before it runs.
// eslint-disable-next-line import/no-unresolved
import { SmokeTest } from '../../lib';

export function synth(n: number): SynthResult {
  return synthWith(n, SmokeTest.http({ path: '/health' }));
}
