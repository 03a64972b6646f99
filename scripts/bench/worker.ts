/**
 * One benchmark measurement in a fresh process: `worker <workload> <variant> <n> <time|digest>`.
 * The workload module `./<workload>-<variant>` exports `synth(n)`, which builds an app with n
 * services and synthesizes it. `time` prints the wall time of load + build + synth and the peak RSS;
 * `digest` prints a digest of what was synthesized, so the harness can check both variants agree.
 */
import { createHash } from 'crypto';
import { performance } from 'perf_hooks';

export interface SynthResult {
  /** What the comparison is made on: identical for variants that define the same resources. */
  readonly comparable: string;
  /** Number of resources / objects synthesized. */
  readonly resources: number;
}

const [workload, variant, count, mode] = process.argv.slice(2);
const n = Number(count);
(global as any).gc?.();
// The clock includes loading each variant's code and the libraries it uses: a user's synthesis pays
// for both, and the library loads some of its dependencies only when a construct first needs them.
const t0 = performance.now();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const mod: { synth(n: number): SynthResult } = require(`./${workload}-${variant}`);
const result = mod.synth(n);
const ms = performance.now() - t0;
if (mode === 'digest') {
  console.log(JSON.stringify({ digest: createHash('sha256').update(result.comparable).digest('hex').slice(0, 16), resources: result.resources }));
} else {
  console.log(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }));
}
