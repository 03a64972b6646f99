import { MigrationPhase } from './migration-phase';
import { MAX_POSTGRES, MIN_POSTGRES } from './private/constants';
import { lintInOrder } from './private/lint-run';
import { RULES } from './private/rules';
import { fail, requireNumber, show } from '../private/validate';

/** Options for `SqlLint.check` and `SqlLint.checkFiles`. */
export interface SqlLintOptions {
  /**
   * The phase the SQL runs in (for `checkFiles`: of every file without its own phase).
   * @default MigrationPhase.EXPAND
   */
  readonly phase?: MigrationPhase;
  /**
   * PostgreSQL major version the SQL runs on (13 to 18): chooses the advice where it differs.
   * @default 16
   */
  readonly postgres?: number;
  /**
   * The name findings give the SQL of `check`.
   * @default "<sql>"
   */
  readonly file?: string;
  /**
   * Whether whatever runs the SQL sets `lock_timeout` before DDL (as the psql runner does). When
   * false, DDL needs a `SET lock_timeout` earlier in the same file (rule require-lock-timeout).
   * @default false
   */
  readonly lockTimeoutSetByRunner?: boolean;
  /**
   * Whether each file runs inside one transaction (as Flyway does by default).
   * @default false
   */
  readonly transactionPerFile?: boolean;
}

/** One SQL file for `SqlLint.checkFiles`. */
export interface SqlLintFile {
  /** The name findings give the file. */
  readonly file: string;
  /** Its SQL. */
  readonly sql: string;
  /**
   * The phase it runs in.
   * @default - the phase of the options
   */
  readonly phase?: MigrationPhase;
}

/** One statement that can hurt a running application, and how to write it safely. */
export interface SqlFinding {
  /** The rule, for example "require-concurrent-index-creation" (squawk's id where the rule is the same). */
  readonly ruleId: string;
  /** The file (or the name given to inline SQL). */
  readonly file: string;
  /** The line of the statement (1-based). */
  readonly line: number;
  /** What the statement does: the lock it takes or the client it breaks. */
  readonly problem: string;
  /** The safe rewrite. */
  readonly rewrite: string;
  /** `problem. rewrite`, as the command line prints it. */
  readonly message: string;
}

/** Input the PostgreSQL parser refused. */
export interface SqlSyntaxError {
  /** The file. */
  readonly file: string;
  /** Line of the parser's position (1-based). */
  readonly line: number;
  /** Column of the parser's position (1-based, in characters). */
  readonly column: number;
  /** The parser's message. */
  readonly message: string;
}

/** The findings and parse errors of a lint run. */
export interface SqlLintReport {
  /** Findings in file order, then line order. */
  readonly findings: SqlFinding[];
  /** Files the parser refused (their statements are not linted). */
  readonly syntaxErrors: SqlSyntaxError[];
}

/** A rule of the lint. */
export interface SqlLintRule {
  /** The id, used in findings and suppressions. */
  readonly id: string;
  /** What it catches. */
  readonly summary: string;
}

const PHASES = Object.values(MigrationPhase) as string[];

/**
 * The migration lint: every statement parsed by PostgreSQL's own parser (libpg-query), checked for
 * locks a running application queues behind and for changes that break the version still serving.
 *
 * A finding is suppressed by a comment on its statement (on the lines above it, or inside it) that
 * names the rule and gives a reason: `-- lint-allow require-concurrent-index-creation: table is empty`.
 *
 * @see https://www.postgresql.org/docs/current/explicit-locking.html
 */
export class SqlLint {
  /** Lints one piece of SQL. Never throws on SQL it cannot parse: that is a syntax error in the report. */
  public static check(sql: string, options: SqlLintOptions = {}): SqlLintReport {
    const where = 'SqlLint.check';
    if (typeof sql !== 'string') {
      fail(where, 'sql', 'must be SQL text', show(sql), 'Pass the statements as a string.');
    }
    const file = options?.file === undefined ? '<sql>' : requireString(where, 'options.file', options.file);
    return SqlLint.checkFiles([{ file, sql, phase: options?.phase }], options);
  }

  /**
   * Lints files in order as the steps of one migration set: what an earlier file creates or
   * validates is known to the later ones (a contract file may not drop what an expand file adds).
   */
  public static checkFiles(files: SqlLintFile[], options: SqlLintOptions = {}): SqlLintReport {
    const where = 'SqlLint.checkFiles';
    if (options === null || typeof options !== 'object') {
      fail(where, 'options', 'must be an object', show(options), 'Pass {} or leave it out.');
    }
    if (!Array.isArray(files)) {
      fail(where, 'files', 'must be a list of { file, sql }', show(files), 'Pass the files in the order they run.');
    }
    const defaultPhase = options.phase === undefined ? MigrationPhase.EXPAND : requirePhase(where, 'options.phase', options.phase);
    const postgres = options.postgres === undefined ? 16 : requireNumber(where, 'options.postgres', options.postgres,
      { min: MIN_POSTGRES, max: MAX_POSTGRES, integer: true }, `Pass a PostgreSQL major version from ${MIN_POSTGRES} to ${MAX_POSTGRES}.`);
    const checked = files.map((f, i) => {
      if (f === null || typeof f !== 'object') fail(where, `files[${i}]`, 'must be { file, sql }', show(f), 'Pass the name and the SQL of each file.');
      return {
        file: requireString(where, `files[${i}].file`, f.file),
        sql: typeof f.sql === 'string' ? f.sql : fail(where, `files[${i}].sql`, 'must be SQL text', show(f.sql), 'Pass the statements as a string.'),
        phase: f.phase === undefined ? defaultPhase : requirePhase(where, `files[${i}].phase`, f.phase),
      };
    });
    const { findings, syntaxErrors } = lintInOrder(checked, {
      postgres,
      lockTimeoutSetByRunner: requireFlag(where, 'options.lockTimeoutSetByRunner', options.lockTimeoutSetByRunner),
      transactionPerFile: requireFlag(where, 'options.transactionPerFile', options.transactionPerFile),
    });
    return { findings, syntaxErrors };
  }

  /** Every rule, with what it catches. */
  public static rules(): SqlLintRule[] {
    return Object.entries(RULES).map(([id, r]) => ({ id, summary: r.summary }));
  }
}

function requirePhase(where: string, field: string, value: unknown): MigrationPhase {
  if (typeof value !== 'string' || !PHASES.includes(value)) {
    fail(where, field, `must be one of ${PHASES.join(', ')}`, show(value), 'Pass MigrationPhase.EXPAND, MigrationPhase.BACKFILL or MigrationPhase.CONTRACT.');
  }
  return value as MigrationPhase;
}

function requireString(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(where, field, 'must be a non-empty string', show(value), `Pass ${field} as a string.`);
  }
  return value;
}

function requireFlag(where: string, field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') fail(where, field, 'must be true or false', show(value), `Pass ${field} as a boolean.`);
  return value;
}
