/**
 * The rules of the migration lint: what each one catches, the lock it takes or the client it
 * breaks, and the safe rewrite. Ids are squawk's where the rule is the same (users know them).
 */
export interface RuleInfo {
  /** One line: what the rule catches. */
  readonly summary: string;
}

export const RULES: Record<string, RuleInfo> = {
  'require-concurrent-index-creation': { summary: 'CREATE INDEX without CONCURRENTLY on an existing table' },
  'require-concurrent-index-deletion': { summary: 'DROP INDEX without CONCURRENTLY' },
  'require-concurrent-reindex': { summary: 'REINDEX without CONCURRENTLY' },
  'ban-concurrent-index-creation-in-transaction': { summary: 'CREATE INDEX CONCURRENTLY inside a transaction block' },
  'ban-concurrent-operation-in-transaction': { summary: 'DROP INDEX / REINDEX / DETACH PARTITION CONCURRENTLY inside a transaction block' },
  'adding-field-with-default': { summary: 'ADD COLUMN with a volatile default, a serial or identity column, or a stored generated column (table rewrite)' },
  'adding-required-field': { summary: 'ADD COLUMN ... NOT NULL without a default' },
  'adding-not-nullable-field': { summary: 'SET NOT NULL without a validated CHECK (col IS NOT NULL) constraint' },
  'adding-foreign-key-constraint': { summary: 'a foreign key added without NOT VALID' },
  'constraint-missing-not-valid': { summary: 'a CHECK constraint added without NOT VALID, or validated in the transaction that added it' },
  'disallowed-unique-constraint': { summary: 'a UNIQUE constraint added without USING INDEX' },
  'adding-serial-primary-key-field': { summary: 'a PRIMARY KEY added without USING INDEX' },
  'adding-exclusion-constraint': { summary: 'an EXCLUDE constraint added to an existing table' },
  'changing-column-type': { summary: 'ALTER COLUMN ... TYPE that is not known to be binary-coercible' },
  'renaming-column': { summary: 'RENAME COLUMN outside a contract step' },
  'renaming-table': { summary: 'ALTER TABLE ... RENAME TO outside a contract step' },
  'ban-drop-column': { summary: 'DROP COLUMN outside a contract step' },
  'ban-drop-table': { summary: 'DROP TABLE outside a contract step' },
  'ban-drop-object': { summary: 'DROP of a view, function, type, sequence, schema, trigger, ... outside a contract step' },
  'ban-truncate-outside-contract': { summary: 'TRUNCATE outside a contract step' },
  'ban-truncate-cascade': { summary: 'TRUNCATE ... CASCADE' },
  'require-concurrent-partition-detach': { summary: 'DETACH PARTITION without CONCURRENTLY' },
  'ban-vacuum-full': { summary: 'VACUUM FULL' },
  'ban-cluster': { summary: 'CLUSTER' },
  'ban-lock-table': { summary: 'an explicit LOCK TABLE' },
  'require-batched-backfill': { summary: 'an UPDATE or DELETE on an existing table as one statement' },
  'require-lock-timeout': { summary: 'DDL without lock_timeout, when the runner does not set it' },
  'backfill-schema-change': { summary: 'DDL in a backfill step' },
  'contract-touches-new-object': { summary: 'a contract step drops, renames or retypes what an expand or backfill step of the same set adds' },
  'requires-newer-postgres': { summary: 'syntax the declared PostgreSQL version does not have (DETACH CONCURRENTLY before 14, NOT NULL NOT VALID or VIRTUAL columns before 18)' },
  'invalid-suppression': { summary: 'a lint-allow comment without a known rule id and a reason' },
  'unused-suppression': { summary: 'a lint-allow comment that suppresses nothing on its statement' },
};

/** The comment that suppresses a rule on one statement: `-- lint-allow <rule-id>[, <rule-id>]: <reason>`. */
export const SUPPRESSION_KEYWORD = 'lint-allow';
