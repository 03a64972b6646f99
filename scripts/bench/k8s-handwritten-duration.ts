/**
 * Benchmark workload, second floor for the library: the hand-written code of
 * scripts/bench/k8s-handwritten.ts after loading only aws-cdk-lib's core, which a deployment strategy
 * needs for its `Duration`s on every target. Nothing from it is used: the difference to the
 * hand-written variant is the cost of loading it.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
import { SynthResult } from './worker';

export function synth(n: number): SynthResult {
  // The same access the library variant makes: the first Duration loads aws-cdk-lib's core.
  void require('aws-cdk-lib').Duration;
  return require('./k8s-handwritten').synth(n);
}
