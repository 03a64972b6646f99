/**
 * Benchmark workload, floor for the library: the hand-written code of scripts/bench/k8s-handwritten.ts,
 * after loading the two libraries that `ArgoRollout`'s API is expressed in and that a user of the
 * library therefore loads whatever the implementation: cdk8s-plus-28 (containers are
 * `kplus.ContainerProps`, the Services are `kplus.Service`s) and aws-cdk-lib's core (durations are
 * aws-cdk-lib `Duration`s). Nothing from them is used: the difference to the hand-written variant is
 * the cost of loading them, which no implementation of the same API can avoid.
 */
/* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
import { SynthResult } from './worker';

export function synth(n: number): SynthResult {
  require('cdk8s-plus-28');
  // The same access the library variant makes: the first Duration loads aws-cdk-lib's core.
  void require('aws-cdk-lib').Duration;
  return require('./k8s-handwritten').synth(n);
}
