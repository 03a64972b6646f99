/**
 * How long the migration lint takes on 1,000 statements, including the parser's start (loading
 * libpg-query's WebAssembly). Target: under one second.
 *
 * Each run is a fresh Node.js process that lints a text of its own, so that every run pays for
 * starting the parser (a process that linted before would have it loaded, and would have the text
 * cached). The clock starts just before the first `SqlLint.check` of the process, after the
 * library's modules are loaded. Each run reports wall time and CPU time: this process's, plus that
 * of a parser child if one was used (Linux counts a waited-for child's CPU in /proc/self/stat); CPU
 * time stays meaningful on a loaded machine, where wall time mostly measures waiting for a core. The
 * script prints every run and the medians. Not part of the test suite.
 *
 * Usage: npx ts-node --project tsconfig.dev.json scripts/bench-sql-lint.ts [runs=5] [statements=1000]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { MigrationPhase, SqlLint } from '../src/migrations';
import { lastParserPath } from '../src/migrations/private/parser';

// In a run's own process (`--one`), the first argument is the run's number.
const runs = Number(process.argv[2] ?? 5);
const count = Number(process.argv[3] ?? 1000);

/** A realistic mix of migration statements, each naming its own objects. */
function statements(run: number): string {
  const shapes = [
    (i: number) => `ALTER TABLE t${i} ADD COLUMN c${run}_${i} text;`,
    (i: number) => `CREATE INDEX CONCURRENTLY i${run}_${i} ON t${i} (c${i});`,
    (i: number) => `ALTER TABLE t${i} ADD CONSTRAINT k${run}_${i} CHECK (c${i} IS NOT NULL) NOT VALID;`,
    (i: number) => `ALTER TABLE t${i} VALIDATE CONSTRAINT k${run}_${i};`,
    (i: number) => `CREATE TABLE n${run}_${i} (id bigint PRIMARY KEY, body varchar(200) NOT NULL DEFAULT '', created timestamptz DEFAULT now());`,
    (i: number) => `-- lint-allow require-concurrent-index-creation: t${i} is small\nCREATE INDEX j${run}_${i} ON t${i} (c${i});`,
    (i: number) => `ALTER TABLE t${i} ADD CONSTRAINT f${run}_${i} FOREIGN KEY (u${i}) REFERENCES users (id) NOT VALID;`,
    (i: number) => `ALTER TABLE t${i} ALTER COLUMN d${i} SET DEFAULT 0;`,
  ];
  const out = ["SET lock_timeout = '2s';"];
  for (let i = 1; out.length < count; i++) out.push(shapes[i % shapes.length](i));
  return out.join('\n');
}

/** CPU milliseconds used so far by this process and its waited-for children. */
function cpuMillis(): number {
  const own = process.cpuUsage();
  let children = 0;
  try {
    // Fields after the command name: ... utime(14) stime(15) cutime(16) cstime(17), in clock ticks (100/s).
    const fields = fs.readFileSync('/proc/self/stat', 'utf-8').split(') ')[1].split(' ');
    children = ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    children = NaN; // not Linux
  }
  return (own.user + own.system) / 1000 + children;
}

interface Run { readonly ms: number; readonly cpu: number; readonly findings: number; readonly syntaxErrors: number; readonly parser?: string }

/** One run, in this process: lints `count` statements and prints the figures as JSON. */
function runOnce(run: number): void {
  const sql = statements(run);
  const started = performance.now();
  const cpuStarted = cpuMillis();
  const report = SqlLint.check(sql, { phase: MigrationPhase.EXPAND, file: `bench-${run}.sql` });
  const ms = performance.now() - started;
  const cpu = cpuMillis() - cpuStarted;
  const out: Run = { ms, cpu, findings: report.findings.length, syntaxErrors: report.syntaxErrors.length, parser: lastParserPath };
  console.log(JSON.stringify(out));
}

if (process.argv[4] === '--one') {
  runOnce(runs);
} else {
  const times: number[] = [];
  const cpus: number[] = [];
  for (let r = 0; r < runs; r++) {
    // The same script in a fresh process, through ts-node's transpiler (the project's tsconfig).
    const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', __filename, String(r), String(count), '--one'], {
      encoding: 'utf-8',
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.dev.json') },
    });
    if (child.status !== 0) throw new Error(`run ${r + 1} failed: ${child.stderr}`);
    const result = JSON.parse(child.stdout.trim().split('\n').pop()!) as Run;
    times.push(result.ms);
    cpus.push(result.cpu);
    console.log(`run ${r + 1}: ${count} statements in ${result.ms.toFixed(0)} ms wall, ${result.cpu.toFixed(0)} ms CPU, parser in ${result.parser === 'thread' ? 'this thread' : `a ${result.parser}`} `
      + `(${result.findings} findings, ${result.syntaxErrors} syntax errors)`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`median: ${median(times).toFixed(0)} ms wall, ${median(cpus).toFixed(0)} ms CPU for ${count} statements including the parser start (target < 1000 ms)`);
}
