import * as fs from 'fs';
import { Duration, Token } from 'aws-cdk-lib';
import { backfillSql, BackfillInput, probeStatement } from './private/backfill-sql';
import { MAX_BATCH_SIZE } from './private/constants';
import { parseAll } from './private/parser';
import { toMillis } from '../private/duration';
import { fail, requireDuration, requireNumber, show } from '../private/validate';

/** Options for `MigrationSql.batchedBackfill`. */
export interface BatchedBackfillProps {
  /**
   * The table to fill, as named in the catalog (case-sensitive: lower case unless it was created with
   * a quoted name); quoted in the generated SQL.
   */
  readonly table: string;
  /**
   * The table's schema.
   * @default - the connection's `search_path`
   */
  readonly schema?: string;
  /**
   * The column whose ascending order splits the table into batches: unique and indexed (the
   * primary key) so that each batch finds its rows through the index.
   */
  readonly keyColumn: string;
  /**
   * The `SET` list of the UPDATE, SQL, for example `email_lower = lower(email)`.
   * @see https://www.postgresql.org/docs/current/sql-update.html
   */
  readonly set: string;
  /**
   * An extra condition on the rows to update, SQL, for example `email_lower IS NULL` (which also
   * makes a retried backfill skip the rows already done).
   * @default - every row of each batch
   */
  readonly where?: string;
  /**
   * Keys per batch: each batch is one transaction, holding row locks on at most this many rows.
   * @default 1000
   */
  readonly batchSize?: number;
  /**
   * Pause after each committed batch, leaving room for replication, autovacuum and the traffic.
   * @default Duration.millis(100)
   */
  readonly pause?: Duration;
}

/** A batched backfill as declared, with its defaults applied (for renderers and plans). */
export interface BatchedBackfillSpec {
  /** The table. */
  readonly table: string;
  /**
   * The table's schema.
   * @default - the connection's search_path
   */
  readonly schema?: string;
  /** The key column batches are cut along. */
  readonly keyColumn: string;
  /** The SET list. */
  readonly set: string;
  /**
   * The extra condition.
   * @default - none
   */
  readonly where?: string;
  /** Keys per batch. */
  readonly batchSize: number;
  /** Pause after each batch. */
  readonly pause: Duration;
}


/**
 * The SQL of one migration step: inline text, a file read at synth time, or a generated batched
 * backfill. Plain SQL only (no psql backslash commands): every statement is parsed by PostgreSQL's
 * parser and linted.
 */
export class MigrationSql {
  /** SQL given as text; findings name it `<step id> (inline SQL)` with lines counted in the text. */
  public static inline(sql: string): MigrationSql {
    const where = 'MigrationSql.inline';
    requireSqlText(where, 'sql', sql);
    return new MigrationSql(sql, undefined, undefined);
  }

  /**
   * SQL read from a file at synth time (a relative path is resolved from the working directory);
   * findings name the path as given and the line in the file.
   */
  public static fromFile(path: string): MigrationSql {
    const where = 'MigrationSql.fromFile';
    if (typeof path !== 'string' || path.length === 0 || Token.isUnresolved(path)) {
      fail(where, 'path', 'must be the path of a .sql file known at synth time',
        typeof path === 'string' && Token.isUnresolved(path) ? 'an unresolved token' : show(path), 'Pass a literal path, for example path.join(__dirname, "migrations/001-expand.sql").');
    }
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf-8');
    } catch (e) {
      return fail(where, 'path', 'must name a readable file', show(path), `Check the path (${(e as Error).message}).`);
    }
    requireSqlText(where, `contents of ${path}`, text);
    return new MigrationSql(text, path, undefined);
  }

  /**
   * A backfill that updates the table in key order, `batchSize` keys per transaction with a commit
   * and a pause after each batch: never one statement over the whole table. Generates a `DO` block
   * with `COMMIT` inside (PostgreSQL 11+), which must run outside a transaction block.
   *
   * @see https://www.postgresql.org/docs/current/plpgsql-transactions.html
   */
  public static batchedBackfill(props: BatchedBackfillProps): MigrationSql {
    const where = 'MigrationSql.batchedBackfill';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { table, keyColumn, set }.');
    }
    const table = requireIdentifier(where, 'table', props.table);
    const schema = props.schema === undefined ? undefined : requireIdentifier(where, 'schema', props.schema);
    const keyColumn = requireIdentifier(where, 'keyColumn', props.keyColumn);
    const set = requireFragment(where, 'set', props.set);
    const cond = props.where === undefined ? undefined : requireFragment(where, 'where', props.where);
    const batchSize = props.batchSize === undefined ? 1000 : requireNumber(where, 'batchSize', props.batchSize,
      { min: 1, max: MAX_BATCH_SIZE, integer: true }, `Pass a whole number of keys per batch from 1 to ${MAX_BATCH_SIZE} (1,000 to 10,000 is usual).`);
    const pause = props.pause === undefined ? Duration.millis(100)
      : requireDuration(where, 'pause', props.pause, { allowZero: true, allowFractionalSeconds: true });
    const pauseMillis = toMillis(pause);
    if (pauseMillis > 60_000) {
      fail(where, 'pause', 'must be at most one minute', show(pause), 'A pause is a breather between batches; slow the backfill with a smaller batchSize.');
    }
    const input: BackfillInput = { schema, table, keyColumn, set, where: cond, batchSize, pauseMillis };
    // The fragments are checked by the parser: together they must form exactly one UPDATE.
    const probe = probeStatement(input);
    const [parsed] = parseAll([probe]);
    const stmts = parsed.statements ?? [];
    const update = stmts.length === 1 ? stmts[0].stmt.UpdateStmt : undefined;
    const extraClause = update !== undefined && (
      ['returningClause', 'returningList', 'withClause', 'fromClause'].some(k => update[k] !== undefined)
      || (cond === undefined && update.whereClause !== undefined));
    if (parsed.error || update === undefined || extraClause) {
      const problem = parsed.error ? `does not parse (${parsed.error.message})`
        : update === undefined ? 'adds statements of its own' : 'adds a WHERE, WITH, FROM or RETURNING clause of its own';
      fail(where, 'set/where', `must form one UPDATE statement with the table, but ${probe} ${problem}`, show({ set, where: cond }),
        'Pass a SET list such as "email_lower = lower(email)" and a condition such as "email_lower IS NULL", without semicolons.');
    }
    return new MigrationSql(backfillSql(input), undefined, { table, schema, keyColumn, set, where: cond, batchSize, pause });
  }

  /** The SQL text (for a batched backfill: the generated DO block). */
  public readonly text: string;
  /**
   * The file the SQL was read from, as given.
   * @default - inline or generated SQL
   */
  public readonly file?: string;
  /**
   * The batched backfill this SQL was generated from.
   * @default - not a generated backfill
   */
  public readonly backfill?: BatchedBackfillSpec;

  private constructor(text: string, file: string | undefined, backfill: BatchedBackfillSpec | undefined) {
    this.text = text;
    this.file = file;
    this.backfill = backfill;
  }

  /** @internal How findings name this SQL. */
  public _source(stepId: string): string {
    if (this.file !== undefined) return this.file;
    return this.backfill !== undefined ? `${stepId} (generated backfill)` : `${stepId} (inline SQL)`;
  }
}

function requireSqlText(where: string, field: string, sql: unknown): string {
  if (typeof sql !== 'string') {
    fail(where, field, 'must be SQL text', show(sql), 'Pass the statements as a string.');
  }
  if (Token.isUnresolved(sql)) {
    fail(where, field, 'must be known at synth time to be linted', 'an unresolved token', 'Pass literal SQL, or read it with MigrationSql.fromFile.');
  }
  if (sql.trim().length === 0) {
    fail(where, field, 'must contain at least one statement', show(sql), 'Pass the SQL of the step.');
  }
  return sql;
}

function requireIdentifier(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(where, field, 'must be a non-empty name', show(value), `Pass the ${field} name as stored in the catalog, for example "users".`);
  }
  if (Token.isUnresolved(value)) {
    fail(where, field, 'must be known at synth time', 'an unresolved token', `Pass the ${field} name as a literal string.`);
  }
  if (Buffer.byteLength(value, 'utf-8') > 63 || value.includes('\0')) {
    fail(where, field, 'must be a PostgreSQL identifier of at most 63 bytes without NUL characters', show(value), `Pass the ${field} name as stored in the catalog.`);
  }
  return value;
}

function requireFragment(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    fail(where, field, 'must be a non-empty SQL expression', show(value), field === 'set'
      ? 'Pass the SET list, for example "email_lower = lower(email)".' : 'Pass a condition, for example "email_lower IS NULL", or leave it out.');
  }
  if (Token.isUnresolved(value)) {
    fail(where, field, 'must be known at synth time to be checked', 'an unresolved token', 'Pass literal SQL.');
  }
  return value;
}
