/**
 * How long the migration lint takes on 1,000 statements, including the parser's start (a child
 * Node.js process that loads libpg-query's WebAssembly). Target: under one second.
 *
 * Each run lints a text never linted before in this process (the parse cache cannot help) and
 * reports wall time and CPU time; the script prints every run and the medians. CPU time is this
 * process's plus the parser child's (Linux counts a waited-for child's CPU in /proc/self/stat), and
 * stays meaningful on a loaded machine, where wall time mostly measures waiting for a core.
 * Not part of the test suite.
 *
 * Usage: npx ts-node --project tsconfig.dev.json scripts/bench-sql-lint.ts [runs=5] [statements=1000]
 */
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import { MigrationPhase, SqlLint } from '../src/migrations';

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

const times: number[] = [];
const cpus: number[] = [];
for (let r = 0; r < runs; r++) {
  const sql = statements(r);
  const started = performance.now();
  const cpuStarted = cpuMillis();
  const report = SqlLint.check(sql, { phase: MigrationPhase.EXPAND, file: `bench-${r}.sql` });
  const ms = performance.now() - started;
  const cpu = cpuMillis() - cpuStarted;
  times.push(ms);
  cpus.push(cpu);
  console.log(`run ${r + 1}: ${count} statements in ${ms.toFixed(0)} ms wall, ${cpu.toFixed(0)} ms CPU `
    + `(${report.findings.length} findings, ${report.syntaxErrors.length} syntax errors)`);
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`median: ${median(times).toFixed(0)} ms wall, ${median(cpus).toFixed(0)} ms CPU for ${count} statements including the parser start (target < 1000 ms)`);
