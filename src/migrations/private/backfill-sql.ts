/** Generation of the batched backfill's SQL (see MigrationSql.batchedBackfill). */

/** A resolved backfill declaration. */
export interface BackfillInput {
  readonly schema?: string;
  readonly table: string;
  readonly keyColumn: string;
  readonly set: string;
  readonly where?: string;
  readonly batchSize: number;
  readonly pauseMillis: number;
}

/** An identifier, double-quoted as PostgreSQL requires (an embedded quote is doubled). */
export function quoteIdent(name: string): string {
  return `"${name.split('"').join('""')}"`;
}

export function qualifiedTable(b: { schema?: string; table: string }): string {
  return b.schema === undefined ? quoteIdent(b.table) : `${quoteIdent(b.schema)}.${quoteIdent(b.table)}`;
}

/** The single UPDATE a batch runs, as a standalone statement: parsed to check the fragments. */
export function probeStatement(b: BackfillInput): string {
  return `UPDATE ${qualifiedTable(b)} SET ${b.set}${b.where === undefined ? '' : ` WHERE ${b.where}`}`;
}

/**
 * A DO block that walks the key in ascending order, `batchSize` keys at a time, updates that key
 * range, commits, and pauses. COMMIT inside DO needs PostgreSQL 11+ and a DO statement run outside a
 * transaction block (psql's default autocommit). Every batch is its own transaction, so row locks
 * are held for one batch at a time and a failure loses one batch of work, not the whole table.
 */
export function backfillSql(b: BackfillInput): string {
  const table = qualifiedTable(b);
  const key = quoteIdent(b.keyColumn);
  const keyType = `${table}.${key}%TYPE`;
  let tag = '$backfill$';
  for (let i = 1; [b.set, b.where ?? ''].some(f => f.includes(tag)); i++) {
    tag = `$backfill_${i}$`;
  }
  const extra = b.where === undefined ? '' : ` AND (${b.where})`;
  const nextBatch = (after: string) =>
    `SELECT max(k) INTO batch_end FROM (SELECT ${key} AS k FROM ${table}${after} ORDER BY ${key} LIMIT ${b.batchSize}) AS batch;`;
  const pause = b.pauseMillis > 0 ? [`    PERFORM pg_sleep(${b.pauseMillis / 1000});`] : [];
  return [
    `-- Batched backfill of ${table} by ${key}: ${b.batchSize} keys per batch, a commit per batch, ${b.pauseMillis} ms pause between batches.`,
    '-- A DO block with COMMIT (PostgreSQL 11+): run it outside a transaction block.',
    `DO ${tag}`,
    'DECLARE',
    `  last_key ${keyType};`,
    `  batch_end ${keyType};`,
    '  batches bigint := 0;',
    'BEGIN',
    `  ${nextBatch('')}`,
    '  WHILE batch_end IS NOT NULL LOOP',
    '    IF last_key IS NULL THEN',
    `      UPDATE ${table} SET ${b.set} WHERE ${key} <= batch_end${extra};`,
    '    ELSE',
    `      UPDATE ${table} SET ${b.set} WHERE ${key} > last_key AND ${key} <= batch_end${extra};`,
    '    END IF;',
    '    batches := batches + 1;',
    '    RAISE NOTICE \'backfill: batch % committed, keys up to %\', batches, batch_end;',
    '    COMMIT;',
    ...pause,
    '    last_key := batch_end;',
    `    ${nextBatch(` WHERE ${key} > last_key`)}`,
    '  END LOOP;',
    '  RAISE NOTICE \'backfill: done in % batches\', batches;',
    'END',
    `${tag};`,
    '',
  ].join('\n');
}
