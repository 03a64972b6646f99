/**
 * Synth benchmark: the library against hand-written aws-cdk-lib / cdk8s code that defines the same
 * resources, in one run, alternating the variants, several repetitions per size.
 *
 * Each measurement is a fresh Node.js process (scripts/bench/worker.ts) that times loading its code
 * (and the libraries it pulls in), building the app and synthesizing it, and reports its peak
 * resident memory. Every variant runs as JavaScript: the workloads are transpiled once before the
 * first measurement, as the library itself is (lib/), so that no variant pays for the TypeScript
 * compiler while it is timed. Before timing, the harness checks once per size that every variant synthesizes
 * the same output, so the ratios compare equal work. Where the library's API itself has a cost,
 * floor variants measure it (FLOORS below). The library variants load the compiled package (lib/),
 * as its users do: `npm run bench` compiles it first.
 *
 * Usage: npm run bench [-- --reps 5 --only aws,aws-smoke,aws-migrations,k8s --label "newest aws-cdk-lib"]
 * --only takes a comma-separated list of workloads (all by default). --label names the run in its
 * report (the aws-cdk-lib version is always given): the table is printed and written to
 * bench-results/<label>.md, so that runs with different dependencies are kept side by side.
 * --check only checks that every variant synthesizes the library's output, and times nothing.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

interface Sample { readonly ms: number; readonly maxRssMb: number }

const args = process.argv.slice(2);
const reps = Number(argValue('--reps') ?? process.env.BENCH_REPS ?? 5);
const label = argValue('--label');
const checkOnly = args.includes('--check');
const SIZES: Record<string, number[]> = { 'aws': [1, 10, 50], 'aws-smoke': [1, 10, 50], 'aws-migrations': [1, 10, 50], 'k8s': [1, 100, 500] };
const only = argValue('--only')?.split(',');
const unknown = (only ?? []).filter(w => !(w in SIZES));
if (unknown.length > 0) {
  console.error(`bench: unknown workload(s) in --only: ${unknown.join(', ')}; the workloads are ${Object.keys(SIZES).join(', ')}`);
  process.exit(2);
}
const workloads = Object.keys(SIZES).filter(w => !only || only.includes(w));
const LABEL: Record<string, string> = {
  'aws': 'progressive ECS services (ECS-native canary + alarms) vs hand-written aws-cdk-lib',
  'aws-smoke': 'the same services with an HTTP smoke test (test listener, Lambda lifecycle hook) vs hand-written aws-cdk-lib',
  'aws-migrations': 'the same services with expand, batched backfill and contract migrations (PRE_SCALE_UP hook, task definitions, backfill rule; SQL lint in the library only) vs hand-written aws-cdk-lib',
  'k8s': 'Argo rollouts (Rollout + Services + AnalysisTemplate) vs plain cdk8s ApiObjects',
};
/** The aws-cdk-lib the variants run on (the project's pinned version, or another one installed for a run). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const awsCdkLibVersion: string = require('aws-cdk-lib/package.json').version;
/**
 * Floors, where the library's API itself has a cost: the hand-written code with what the API makes
 * any implementation use, cdk8s-plus-28 loaded and its Services built with it, and aws-cdk-lib's core
 * loaded (see scripts/bench/k8s-handwritten-deps.ts); and the hand-written code after loading only
 * aws-cdk-lib's core, which every strategy's Durations need (k8s-handwritten-duration.ts). Their
 * ratio to the hand-written code is the lowest any implementation of that API can reach.
 */
const FLOORS: Record<string, Record<string, string>> = {
  'aws': {},
  'aws-smoke': {},
  'aws-migrations': {},
  'k8s': { 'handwritten-deps': 'cdk8s-plus-28 with its Services + aws-cdk-lib core', 'handwritten-duration': 'aws-cdk-lib core' },
};
const root = path.join(__dirname, '..');
const worker = path.join(compileWorkloads(), 'worker.js');

function argValue(name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * Transpiles scripts/bench/*.ts to JavaScript in bench-results/js/, two levels below the repository
 * like scripts/bench/, so that their relative paths (`../../lib`) and node_modules resolve the same.
 * Transpiling while timing would charge each variant for the TypeScript compiler in proportion to
 * the length of its workload file, which is not what the benchmark compares.
 */
function compileWorkloads(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
  const ts: typeof import('typescript') = require('typescript');
  const src = path.join(__dirname, 'bench');
  const out = path.join(root, 'bench-results', 'js');
  fs.rmSync(out, { recursive: true, force: true });
  fs.mkdirSync(out, { recursive: true });
  for (const file of fs.readdirSync(src).filter(f => f.endsWith('.ts'))) {
    const js = ts.transpileModule(fs.readFileSync(path.join(src, file), 'utf-8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    fs.writeFileSync(path.join(out, file.replace(/\.ts$/, '.js')), js);
  }
  return out;
}

function run(workload: string, variant: string, n: number, mode: 'time' | 'digest'): any {
  // Each measurement writes its cloud assembly into a directory of its own, removed afterwards.
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const r = spawnSync(process.execPath, ['--expose-gc', worker, workload, variant, String(n), mode], {
    encoding: 'utf-8',
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, CDK_OUTDIR: outdir },
  });
  fs.rmSync(outdir, { recursive: true, force: true });
  if (r.status !== 0) {
    throw new Error(`${workload}/${variant}/${n} failed: ${r.stderr}`);
  }
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** The q-quantile of xs (0.5: the median), interpolating between the two nearest samples. */
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

function median(xs: number[]): number {
  return quantile(xs, 0.5);
}

/**
 * The ratios between two variants' runs of the same repetition, which ran back to back: their median
 * is the reported time ratio (drift on the machine between repetitions cancels out), and their middle
 * half shows how much the ratio moves from one repetition to the next.
 */
function pairedRatios(a: Sample[], b: Sample[]): number[] {
  return a.map((s, i) => s.ms / b[i].ms);
}

const rows: string[] = [];
for (const workload of workloads) {
  const base: Record<string, number> = {};
  for (const n of SIZES[workload]) {
    const floors = Object.keys(FLOORS[workload]);
    const variants = ['library', 'handwritten', ...floors];
    const lib = run(workload, 'library', n, 'digest');
    for (const v of variants.slice(1)) {
      const other = run(workload, v, n, 'digest');
      if (lib.digest !== other.digest) {
        throw new Error(`${workload} n=${n}: the ${v} variant does not synthesize the same output as the library (${other.digest} vs ${lib.digest})`);
      }
    }
    if (checkOnly) {
      console.error(`${workload} n=${n}: ${variants.length} variants synthesize the same output (${lib.resources} resources)`);
      continue;
    }
    const samples: Record<string, Sample[]> = Object.fromEntries(variants.map(v => [v, []]));
    for (let i = 0; i < reps; i++) {
      // alternate the order of the variants, so drift on the machine hits them alike
      const order = i % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) samples[v].push(run(workload, v, n, 'time'));
    }
    const t: Record<string, number> = Object.fromEntries(variants.map(v => [v, median(samples[v].map(s => s.ms))]));
    const m: Record<string, number> = Object.fromEntries(variants.map(v => [v, median(samples[v].map(s => s.maxRssMb))]));
    const ratio = (v: string) => median(pairedRatios(samples[v], samples.handwritten));
    const libRatios = pairedRatios(samples.library, samples.handwritten);
    const floorCell = floors.length === 0 ? 'n/a' : floors.map(f =>
      `${FLOORS[workload][f]}: ${t[f].toFixed(0)} ms, ${m[f].toFixed(0)} MB (time **${ratio(f).toFixed(2)}**, memory **${(m[f] / m.handwritten).toFixed(2)}**; `
      + `library ÷ this floor: time **${median(pairedRatios(samples.library, samples[f])).toFixed(2)}**, memory **${(m.library / m[f]).toFixed(2)}**)`).join('<br>');
    if (base.library === undefined) {
      base.library = t.library;
      base.handwritten = t.handwritten;
    }
    rows.push(`| ${workload} | ${n} | ${awsCdkLibVersion} | ${t.library.toFixed(0)} | ${t.handwritten.toFixed(0)} | **${ratio('library').toFixed(2)}** (${quantile(libRatios, 0.25).toFixed(2)}-${quantile(libRatios, 0.75).toFixed(2)}) | ${m.library.toFixed(0)} | ${m.handwritten.toFixed(0)} | **${(m.library / m.handwritten).toFixed(2)}** | ${(t.library / base.library).toFixed(1)}× / ${(t.handwritten / base.handwritten).toFixed(1)}× | ${lib.resources} | ${floorCell} |`);
    console.error(`${workload} n=${n} done`);
  }
}

if (checkOnly) {
  process.exit(0);
}
const report = [
  `Synth benchmark${label ? ` (${label})` : ''}: median of ${reps} alternating runs per size, each in a fresh process (Node.js ${process.version}, aws-cdk-lib ${awsCdkLibVersion}, ${os.cpus().length} CPUs, ${new Date().toISOString()}).`,
  ...workloads.map(w => `- ${w}: ${LABEL[w]}`),
  '',
  '| workload | n | aws-cdk-lib | library ms | hand-written ms | time ratio: median of the paired ratios (middle half) | library peak RSS MB | hand-written peak RSS MB | memory ratio | growth from smallest n (library / hand-written) | resources per variant | floors: hand-written code with the named libraries (ratio to hand-written; library ÷ floor) |',
  '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ...rows,
];
console.log(report.join('\n'));
const resultsDir = path.join(root, 'bench-results');
fs.mkdirSync(resultsDir, { recursive: true });
const resultsFile = path.join(resultsDir, `${(label ?? `aws-cdk-lib-${awsCdkLibVersion}`).replace(/[^\w.-]+/g, '-')}.md`);
fs.writeFileSync(resultsFile, report.join('\n') + '\n');
console.error(`bench: written to ${path.relative(process.cwd(), resultsFile)}`);
