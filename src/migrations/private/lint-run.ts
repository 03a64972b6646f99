import { LintSession } from './lint-engine';
import { parseAll } from './parser';
import { MigrationPhase } from '../migration-phase';
import type { SqlFinding, SqlLintReport, SqlSyntaxError } from '../sql-lint';

/** Lints checked input: files in order, one parser process for all of them. */
export interface LintInput {
  readonly file: string;
  readonly sql: string;
  readonly phase: MigrationPhase;
  readonly lockTimeoutSetByRunner?: boolean;
  readonly transactionPerFile?: boolean;
}

/** A lint report with what the contract files drop or rename (for the rollback runbook). */
export interface LintRun extends SqlLintReport {
  readonly removals: Array<{ readonly file: string; readonly what: string }>;
}

export function lintInOrder(files: LintInput[],
  options: { postgres: number; lockTimeoutSetByRunner: boolean; transactionPerFile: boolean }): LintRun {
  const parsed = parseAll(files.map(f => f.sql));
  const session = new LintSession(options);
  const findings: SqlFinding[] = [];
  const syntaxErrors: SqlSyntaxError[] = [];
  files.forEach((f, i) => {
    const own = {
      ...(f.lockTimeoutSetByRunner === undefined ? {} : { lockTimeoutSetByRunner: f.lockTimeoutSetByRunner }),
      ...(f.transactionPerFile === undefined ? {} : { transactionPerFile: f.transactionPerFile }),
    };
    const r = session.lintFile(f.file, f.sql, f.phase, parsed[i], own);
    if (r.syntaxError) syntaxErrors.push(r.syntaxError);
    const sorted = [...r.findings].sort((a, b) => a.line - b.line);
    findings.push(...sorted.map(x => ({ ...x, message: `${x.problem}. ${x.rewrite}` })));
  });
  return { findings, syntaxErrors, removals: session.removals };
}

