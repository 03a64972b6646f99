/**
 * `cdk-progressive-delivery lint-sql [--phase expand|backfill|contract] [--postgres N] FILE...`
 *
 * Lints SQL migration files with the library's migration lint (PostgreSQL's own parser) and prints
 * one `file:line rule-id message` line per finding. Exit 0 when clean, 1 on any finding, 2 when a
 * file cannot be read or parsed (printed as `file:line:column syntax-error message`) or the
 * arguments are wrong.
 */
import * as fs from 'fs';
import { MigrationPhase } from '../migrations/migration-phase';
import { MAX_POSTGRES, MIN_POSTGRES } from '../migrations/private/constants';
import { lintInOrder } from '../migrations/private/lint-run';

export const LINT_SQL_SUMMARY = 'Lint SQL migration files for locks and breaking changes (exit 0 clean, 1 findings, 2 could not run)';

const DEFAULT_POSTGRES = 16;

const HELP = `Usage: cdk-progressive-delivery lint-sql [--phase expand|backfill|contract] [--postgres N] FILE...

Parses each FILE with PostgreSQL's parser and reports statements that take locks a running
application queues behind, or that break the version still serving. The files are linted in the
order given, as consecutive steps of one migration (what an earlier file creates is known later).

Options:
  --phase PHASE   the phase the files run in: expand (default), backfill or contract
  --postgres N    PostgreSQL major version, ${MIN_POSTGRES} to ${MAX_POSTGRES} (default ${DEFAULT_POSTGRES})
  --runner-sets-lock-timeout
                  whatever runs the files sets lock_timeout before DDL (as the library's
                  psql runner does): no require-lock-timeout findings
  --transaction-per-file
                  whatever runs the files wraps each one in a transaction (as Flyway does)
  -h, --help      show this help

Output: one line per finding, "file:line rule-id message".
Suppress a finding with a comment on its statement: -- lint-allow <rule-id>: <reason>
Exit status: 0 no findings, 1 findings, 2 unreadable or unparsable input, or bad arguments.`;

/** Runs the command; returns the exit code. */
export function lintSql(args: string[], out: (line: string) => void, err: (line: string) => void): number {
  let phase = MigrationPhase.EXPAND;
  let postgres = DEFAULT_POSTGRES;
  let lockTimeoutSetByRunner = false;
  let transactionPerFile = false;
  const files: string[] = [];
  const usageError = (message: string) => {
    err(`lint-sql: ${message}\nRun "cdk-progressive-delivery lint-sql --help" for usage.`);
    return 2;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') {
      files.push(...args.slice(i + 1));
      break;
    }
    if (arg === '-h' || arg === '--help') {
      out(HELP);
      return 0;
    }
    if (arg === '--runner-sets-lock-timeout' || arg === '--transaction-per-file') {
      if (arg === '--runner-sets-lock-timeout') lockTimeoutSetByRunner = true; else transactionPerFile = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const option = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (option === '--phase' || option === '--postgres') {
      const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : args[++i];
      if (value === undefined) return usageError(`${option} needs a value`);
      if (option === '--phase') {
        if (!(Object.values(MigrationPhase) as string[]).includes(value)) {
          return usageError(`--phase must be expand, backfill or contract, got "${value}"`);
        }
        phase = value as MigrationPhase;
      } else {
        const n = Number(value);
        if (!/^\d+$/.test(value) || n < MIN_POSTGRES || n > MAX_POSTGRES) {
          return usageError(`--postgres must be a major version from ${MIN_POSTGRES} to ${MAX_POSTGRES}, got "${value}"`);
        }
        postgres = n;
      }
      continue;
    }
    if (arg.startsWith('-') && arg !== '-') return usageError(`unknown option "${arg}"`);
    files.push(arg);
  }
  if (files.length === 0) return usageError('no FILE given');

  let unreadable = false;
  const inputs: Array<{ file: string; sql: string; phase: MigrationPhase }> = [];
  for (const file of files) {
    try {
      inputs.push({ file, sql: fs.readFileSync(file === '-' ? 0 : file, 'utf-8'), phase });
    } catch (e) {
      err(`${file}: cannot read: ${(e as Error).message}`);
      unreadable = true;
    }
  }
  const report = lintInOrder(inputs, { postgres, lockTimeoutSetByRunner, transactionPerFile });
  for (const input of inputs) {
    for (const e of report.syntaxErrors.filter(x => x.file === input.file)) out(`${e.file}:${e.line}:${e.column} syntax-error ${e.message}`);
    for (const f of report.findings.filter(x => x.file === input.file)) out(`${f.file}:${f.line} ${f.ruleId} ${f.message}`);
  }
  if (unreadable || report.syntaxErrors.length > 0) return 2;
  return report.findings.length > 0 ? 1 : 0;
}
