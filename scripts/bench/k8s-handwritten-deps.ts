/**
 * Benchmark workload, floor for the library: the hand-written code of scripts/bench/k8s-handwritten.ts
 * with what `ArgoRollout`'s API makes any implementation use. Its containers are cdk8s-plus-28
 * `ContainerProps` and it exposes its Services as cdk8s-plus-28 `Service`s, so cdk8s-plus-28 is loaded
 * and the two Services of each application are cdk8s-plus `Service`s (the same manifests as the
 * hand-written ApiObjects); its durations are aws-cdk-lib `Duration`s, so aws-cdk-lib's core is loaded.
 * Everything else is the hand-written code, literals included.
 */
/* eslint-disable @typescript-eslint/no-require-imports, import/no-extraneous-dependencies */
import type * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type * as handwritten from './k8s-handwritten';
import { SynthResult } from './worker';

export function synth(n: number): SynthResult {
  const plus: typeof kplus = require('cdk8s-plus-28');
  // The same access the library variant makes: the first Duration loads aws-cdk-lib's core.
  void require('aws-cdk-lib').Duration;
  const code: typeof handwritten = require('./k8s-handwritten');
  return code.synthWith(n, (scope: Construct, id: string, selector: Record<string, string>) => {
    const svc = new plus.Service(scope, id, { ports: [{ port: code.SERVICE_PORT, targetPort: code.CONTAINER_PORT }] });
    for (const [k, v] of Object.entries(selector)) svc.selectLabel(k, v);
    return svc;
  });
}
