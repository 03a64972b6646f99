/**
 * Benchmark workload, hand-written variant with a smoke test: the services of
 * scripts/bench/aws-handwritten.ts, each with a test listener and its rule, and a smoke-test Lambda
 * function that ECS runs as a lifecycle hook (GET /health must answer 200), written with aws-cdk-lib
 * alone. scripts/bench/aws-smoke-library.ts declares the same with the library.
 */
import { synthWith } from './aws-handwritten';
import { SynthResult } from './worker';

export function synth(n: number): SynthResult {
  return synthWith(n, true);
}
