import * as fc from 'fast-check';
import { MigrationPhase, MigrationSql, SqlLint, SqlLintOptions } from '../../src';
import { parseAll } from '../../src/migrations/private/parser';

/** Findings as "line rule-id" for compact assertions. */
function lint(sql: string, options: SqlLintOptions = {}): string[] {
  const r = SqlLint.check(sql, { lockTimeoutSetByRunner: true, ...options });
  expect(r.syntaxErrors).toEqual([]);
  return r.findings.map(f => `${f.line} ${f.ruleId}`);
}

interface Case {
  readonly rule: string;
  /** Unsafe SQL; the finding is on the line marked by "-- here" (the line count starts at 1). */
  readonly bad: string;
  /** The documented safe rewrite: no finding. */
  readonly good: string;
  readonly phase?: MigrationPhase;
  readonly postgres?: number;
}

const CASES: Case[] = [
  {
    rule: 'require-concurrent-index-creation',
    bad: 'SELECT 1;\nCREATE INDEX users_email ON users (email); -- here',
    good: 'CREATE INDEX CONCURRENTLY users_email ON users (email);',
  },
  {
    rule: 'require-concurrent-index-deletion',
    bad: 'DROP INDEX users_email; -- here',
    good: 'DROP INDEX CONCURRENTLY users_email;',
  },
  {
    rule: 'require-concurrent-reindex',
    bad: 'REINDEX INDEX users_email; -- here',
    good: 'REINDEX INDEX CONCURRENTLY users_email;',
  },
  {
    rule: 'ban-concurrent-index-creation-in-transaction',
    bad: 'BEGIN;\nCREATE INDEX CONCURRENTLY users_email ON users (email); -- here\nCOMMIT;',
    good: 'BEGIN;\nSELECT 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY users_email ON users (email);',
  },
  {
    rule: 'ban-concurrent-operation-in-transaction',
    bad: 'BEGIN;\nDROP INDEX CONCURRENTLY users_email; -- here\nCOMMIT;',
    good: 'DROP INDEX CONCURRENTLY users_email;',
  },
  {
    rule: 'adding-field-with-default',
    bad: 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid(); -- here',
    good: 'ALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();\n'
      + 'ALTER TABLE users ADD COLUMN created timestamptz NOT NULL DEFAULT now();\nALTER TABLE users ADD COLUMN n int DEFAULT 0;\nALTER TABLE users ADD COLUMN tags text[] DEFAULT \'{}\'::text[];',
  },
  {
    rule: 'adding-field-with-default',
    bad: 'ALTER TABLE users ADD COLUMN doubled int GENERATED ALWAYS AS (n * 2) STORED; -- here',
    good: 'ALTER TABLE users ADD COLUMN doubled int;',
  },
  {
    rule: 'adding-field-with-default',
    bad: 'ALTER TABLE users ADD COLUMN seq bigserial; -- here',
    good: 'CREATE SEQUENCE users_seq;\nALTER TABLE users ADD COLUMN seq bigint;\nALTER TABLE users ALTER COLUMN seq SET DEFAULT nextval(\'users_seq\');',
  },
  {
    rule: 'adding-required-field',
    bad: 'ALTER TABLE users ADD COLUMN plan text NOT NULL; -- here',
    good: 'ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT \'free\';',
  },
  {
    rule: 'adding-not-nullable-field',
    bad: 'ALTER TABLE users ALTER COLUMN plan SET NOT NULL; -- here',
    good: 'ALTER TABLE users ADD CONSTRAINT plan_not_null CHECK (plan IS NOT NULL) NOT VALID;\n'
      + 'ALTER TABLE users VALIDATE CONSTRAINT plan_not_null;\nALTER TABLE users ALTER COLUMN plan SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT plan_not_null;',
  },
  {
    rule: 'adding-not-nullable-field',
    bad: 'ALTER TABLE users ADD CONSTRAINT plan_nn NOT NULL plan; -- here',
    good: 'ALTER TABLE users ADD CONSTRAINT plan_nn NOT NULL plan NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT plan_nn;\nALTER TABLE users ALTER COLUMN plan SET NOT NULL;',
    postgres: 18,
  },
  {
    rule: 'adding-foreign-key-constraint',
    bad: 'ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id); -- here',
    good: 'ALTER TABLE orders ADD CONSTRAINT orders_user FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_user;',
  },
  {
    rule: 'adding-foreign-key-constraint',
    bad: 'ALTER TABLE orders ADD COLUMN coupon_id bigint REFERENCES coupons (id); -- here',
    good: 'ALTER TABLE orders ADD COLUMN coupon_id bigint;\nALTER TABLE orders ADD CONSTRAINT orders_coupon FOREIGN KEY (coupon_id) REFERENCES coupons (id) NOT VALID;',
  },
  {
    rule: 'constraint-missing-not-valid',
    bad: 'ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0); -- here',
    good: 'ALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT age_positive;',
  },
  {
    rule: 'constraint-missing-not-valid',
    bad: 'BEGIN;\nALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT age_positive; -- here\nCOMMIT;',
    good: 'BEGIN;\nALTER TABLE users ADD CONSTRAINT age_positive CHECK (age > 0) NOT VALID;\nCOMMIT;\nALTER TABLE users VALIDATE CONSTRAINT age_positive;',
  },
  {
    rule: 'disallowed-unique-constraint',
    bad: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email); -- here',
    good: 'CREATE UNIQUE INDEX CONCURRENTLY users_email_idx ON users (email);\nALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;',
  },
  {
    rule: 'adding-serial-primary-key-field',
    bad: 'ALTER TABLE events ADD PRIMARY KEY (id); -- here',
    good: 'CREATE UNIQUE INDEX CONCURRENTLY events_pk_idx ON events (id);\nALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pk_idx;',
  },
  {
    rule: 'adding-exclusion-constraint',
    bad: 'ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during WITH &&); -- here',
    good: 'CREATE TABLE rooms (id int, during tstzrange, EXCLUDE USING gist (id WITH =, during WITH &&));',
  },
  {
    rule: 'changing-column-type',
    bad: 'ALTER TABLE users ALTER COLUMN age TYPE bigint; -- here',
    good: 'CREATE TABLE notes (id bigint, body varchar(100));\nSELECT 1;\n',
  },
  {
    rule: 'renaming-column',
    bad: 'ALTER TABLE users RENAME COLUMN name TO full_name; -- here',
    good: 'ALTER TABLE users ADD COLUMN full_name text;',
  },
  {
    rule: 'renaming-table',
    bad: 'ALTER TABLE users RENAME TO accounts; -- here',
    good: 'CREATE VIEW accounts AS SELECT * FROM users;',
  },
  {
    rule: 'ban-drop-column',
    bad: 'ALTER TABLE users DROP COLUMN legacy; -- here',
    good: 'ALTER TABLE users ALTER COLUMN legacy DROP NOT NULL;',
  },
  {
    rule: 'ban-drop-table',
    bad: 'DROP TABLE old_sessions; -- here',
    good: 'CREATE TABLE sessions (id bigint);',
  },
  {
    rule: 'ban-drop-object',
    bad: 'DROP VIEW active_users; -- here',
    good: 'CREATE VIEW active_users_v2 AS SELECT 1;',
  },
  {
    rule: 'ban-truncate-outside-contract',
    bad: 'TRUNCATE audit_log; -- here',
    good: 'CREATE TABLE scratch (id int);\nTRUNCATE scratch;',
  },
  {
    rule: 'ban-truncate-cascade',
    bad: 'TRUNCATE audit_log CASCADE; -- here',
    good: 'TRUNCATE audit_log;',
    phase: MigrationPhase.CONTRACT,
  },
  {
    rule: 'require-concurrent-partition-detach',
    bad: 'ALTER TABLE events DETACH PARTITION events_2020; -- here',
    good: 'ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;',
  },
  { rule: 'ban-vacuum-full', bad: 'VACUUM FULL users; -- here', good: 'VACUUM (ANALYZE) users;' },
  { rule: 'ban-cluster', bad: 'CLUSTER users USING users_pkey; -- here', good: 'ANALYZE users;' },
  { rule: 'ban-lock-table', bad: 'BEGIN;\nLOCK TABLE users IN ACCESS EXCLUSIVE MODE; -- here\nCOMMIT;', good: 'BEGIN;\nCOMMIT;' },
  {
    rule: 'require-batched-backfill',
    bad: 'UPDATE users SET email_lower = lower(email) WHERE email_lower IS NULL; -- here',
    good: MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL' }).text,
    phase: MigrationPhase.BACKFILL,
  },
  {
    rule: 'require-batched-backfill',
    bad: 'DELETE FROM sessions; -- here',
    good: 'DO $$ BEGIN RAISE NOTICE \'batched elsewhere\'; END $$;',
    phase: MigrationPhase.BACKFILL,
  },
  {
    rule: 'backfill-schema-change',
    bad: 'ALTER TABLE users ADD COLUMN x int; -- here',
    good: 'SELECT count(*) FROM users;',
    phase: MigrationPhase.BACKFILL,
  },
];

// One parser process for every case below (the parser caches results by text), instead of one per check.
beforeAll(() => {
  parseAll(CASES.flatMap(c => [c.bad, c.good]));
});

/** The line carrying "-- here". */
function markedLine(sql: string): number {
  return sql.split('\n').findIndex(l => l.includes('-- here')) + 1;
}

describe.each(CASES.map(c => [c.rule, c] as const))('%s', (_rule, c) => {
  test(`fires on ${c.bad.split('\n').find(l => l.includes('-- here'))}`, () => {
    expect(lint(c.bad, { phase: c.phase, postgres: c.postgres })).toContain(`${markedLine(c.bad)} ${c.rule}`);
  });
  test('never fires on the documented safe rewrite', () => {
    expect(lint(c.good, { phase: c.phase, postgres: c.postgres })).toEqual([]);
  });
});

describe('rules that depend on context', () => {
  test('objects created in the same migration are exempt where PostgreSQL makes them safe', () => {
    expect(lint([
      'CREATE TABLE carts (id bigint, user_id bigint);',
      'CREATE INDEX carts_user ON carts (user_id);',
      'ALTER TABLE carts ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();',
      'ALTER TABLE carts ADD CONSTRAINT carts_user FOREIGN KEY (user_id) REFERENCES users (id);',
      'ALTER TABLE carts ADD PRIMARY KEY (id);',
      'ALTER TABLE carts ALTER COLUMN user_id SET NOT NULL;',
      'DROP INDEX carts_user;',
    ].join('\n'))).toEqual([]);
  });

  test('a table an earlier expand step created is still new in later expand steps, but not in backfill or contract', () => {
    const r = SqlLint.checkFiles([
      { file: '001.sql', sql: 'CREATE TABLE carts (id bigint, user_id bigint);' },
      { file: '002.sql', sql: 'CREATE INDEX carts_user ON carts (user_id);\nALTER TABLE carts ADD PRIMARY KEY (id);' },
      { file: '003.sql', sql: 'DELETE FROM carts;', phase: MigrationPhase.BACKFILL },
      { file: '004.sql', sql: 'CREATE INDEX carts_id ON carts (id);', phase: MigrationPhase.CONTRACT },
    ], { lockTimeoutSetByRunner: true });
    expect(r.findings.map(f => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['003.sql:1 require-batched-backfill', '004.sql:1 require-concurrent-index-creation']);
  });

  test('a binary-coercible type change of a column declared earlier in the set is accepted; a rewriting one is not', () => {
    const r = SqlLint.checkFiles([
      { file: '001.sql', sql: 'ALTER TABLE notes ADD COLUMN n bigint, ADD COLUMN title varchar(50), ADD COLUMN body varchar(100), ADD COLUMN score numeric(6,2);' },
      {
        file: '002.sql',
        sql: 'ALTER TABLE notes ALTER COLUMN title TYPE text;\nALTER TABLE notes ALTER COLUMN body TYPE varchar(200);\n'
        + 'ALTER TABLE notes ALTER COLUMN score TYPE numeric(10,2);\nALTER TABLE notes ALTER COLUMN n TYPE int;\nALTER TABLE notes ALTER COLUMN body TYPE varchar(10);',
      },
    ], { lockTimeoutSetByRunner: true });
    expect(r.findings.map(f => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['002.sql:4 changing-column-type', '002.sql:5 changing-column-type']);
    expect(r.findings[0].problem).toBe('ALTER COLUMN public.notes.n TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock (int8 to int4 is not binary-coercible)');
  });

  test('SET NOT NULL is accepted after the CHECK NOT VALID and VALIDATE of an earlier file', () => {
    const r = SqlLint.checkFiles([
      { file: 'expand.sql', sql: 'ALTER TABLE users ADD CONSTRAINT plan_nn CHECK (plan IS NOT NULL) NOT VALID;' },
      { file: 'backfill.sql', sql: 'ALTER TABLE users VALIDATE CONSTRAINT plan_nn;', phase: MigrationPhase.EXPAND },
      { file: 'contract.sql', sql: 'ALTER TABLE users ALTER COLUMN plan SET NOT NULL;\nALTER TABLE users ALTER COLUMN other SET NOT NULL;', phase: MigrationPhase.CONTRACT },
    ], { lockTimeoutSetByRunner: true });
    expect(r.findings.map(f => `${f.file}:${f.line} ${f.ruleId}`)).toEqual(['contract.sql:2 adding-not-nullable-field']);
  });

  test('drops and renames are accepted in a contract step', () => {
    expect(lint('ALTER TABLE users DROP COLUMN legacy;\nDROP TABLE old_sessions;\nALTER TABLE users RENAME COLUMN a TO b;\nDROP VIEW v;\nTRUNCATE audit_log;',
      { phase: MigrationPhase.CONTRACT })).toEqual([]);
  });

  test('a contract step may not drop, rename or retype what an expand step of the same set adds', () => {
    const r = SqlLint.checkFiles([
      { file: 'expand.sql', sql: 'ALTER TABLE users ADD COLUMN email_lower text;\nCREATE TABLE prefs (id bigint);\nCREATE INDEX CONCURRENTLY users_el ON users (email_lower);' },
      {
        file: 'contract.sql',
        sql: 'ALTER TABLE users DROP COLUMN email;\nALTER TABLE users DROP COLUMN email_lower;\nDROP TABLE prefs;\n'
        + 'ALTER TABLE users RENAME COLUMN email_lower TO email;\nDROP INDEX CONCURRENTLY users_el;',
        phase: MigrationPhase.CONTRACT,
      },
    ], { lockTimeoutSetByRunner: true });
    expect(r.findings.map(f => `${f.file}:${f.line} ${f.ruleId}`)).toEqual([
      'contract.sql:2 contract-touches-new-object', 'contract.sql:3 contract-touches-new-object',
      'contract.sql:4 contract-touches-new-object', 'contract.sql:5 contract-touches-new-object',
    ]);
    expect(r.findings[0].problem).toContain('drops column public.users.email_lower, which an expand or backfill step of the same set adds');
  });

  test('require-lock-timeout fires once per file when the runner does not set it, and not after SET lock_timeout', () => {
    const r = SqlLint.check('CREATE INDEX CONCURRENTLY a ON users (x);\nCREATE INDEX CONCURRENTLY b ON users (y);', { file: 'f.sql' });
    expect(r.findings.map(f => `${f.line} ${f.ruleId}`)).toEqual(['1 require-lock-timeout']);
    expect(r.findings[0].message).toContain('every query on the table queues behind it');
    expect(SqlLint.check("SET lock_timeout = '2s';\nCREATE INDEX CONCURRENTLY a ON users (x);").findings).toEqual([]);
    expect(SqlLint.check('SET lock_timeout = 0;\nCREATE INDEX CONCURRENTLY a ON users (x);').findings.map(f => f.ruleId)).toEqual(['require-lock-timeout']);
    expect(SqlLint.check("SET lock_timeout = '0ms';\nCREATE INDEX CONCURRENTLY a ON users (x);").findings.map(f => f.ruleId)).toEqual(['require-lock-timeout']);
    expect(SqlLint.check("SET lock_timeout = '10ms';\nRESET lock_timeout;\nCREATE INDEX CONCURRENTLY a ON users (x);").findings.map(f => f.line)).toEqual([3]);
    expect(SqlLint.check("BEGIN;\nSET LOCAL lock_timeout = '1s';\nCREATE INDEX a ON t (x); -- lint-allow require-concurrent-index-creation: t is new\nCOMMIT;\nDROP INDEX CONCURRENTLY b;")
      .findings.map(f => `${f.line} ${f.ruleId}`)).toEqual(['5 require-lock-timeout']);
    expect(SqlLint.check('CREATE TABLE t (id int);\nCREATE INDEX ON t (id);').findings).toEqual([]);
  });

  test('a runner that wraps each file in a transaction makes CONCURRENTLY an error', () => {
    expect(lint('CREATE INDEX CONCURRENTLY a ON users (x);', { transactionPerFile: true })).toEqual(['1 ban-concurrent-index-creation-in-transaction']);
  });

  test('syntax the declared version does not have is a finding', () => {
    expect(lint('ALTER TABLE events DETACH PARTITION events_2020 CONCURRENTLY;', { postgres: 13 })).toEqual(['1 requires-newer-postgres']);
    expect(lint('ALTER TABLE users ADD CONSTRAINT nn NOT NULL plan NOT VALID;', { postgres: 17 })).toEqual(['1 requires-newer-postgres']);
    expect(lint('ALTER TABLE users ADD COLUMN d int GENERATED ALWAYS AS (n * 2) VIRTUAL;', { postgres: 16 })).toEqual(['1 requires-newer-postgres']);
    expect(SqlLint.check('ALTER TABLE events DETACH PARTITION e CONCURRENTLY;', { postgres: 13, lockTimeoutSetByRunner: true }).findings[0].problem)
      .toBe('DETACH PARTITION ... CONCURRENTLY needs PostgreSQL 14 or later; on 13 the statement fails');
  });

  test('PostgreSQL 18 suggests a virtual generated column', () => {
    const r = SqlLint.check('ALTER TABLE users ADD COLUMN d int GENERATED ALWAYS AS (n * 2) STORED;', { postgres: 18, lockTimeoutSetByRunner: true });
    expect(r.findings[0].rewrite).toContain('VIRTUAL generated column (PostgreSQL 18+, no rewrite)');
    expect(lint('ALTER TABLE users ADD COLUMN d int GENERATED ALWAYS AS (n * 2) VIRTUAL;', { postgres: 18 })).toEqual([]);
  });
});

describe('suppressions', () => {
  test('a comment naming the rule and a reason on the statement suppresses it', () => {
    expect(lint('-- lint-allow require-concurrent-index-creation: the table has 40 rows\nCREATE INDEX a ON countries (code);')).toEqual([]);
    expect(lint('CREATE INDEX a ON countries (code); -- lint-allow require-concurrent-index-creation: 40 rows')).toEqual([]);
    expect(lint('CREATE INDEX a ON countries /* lint-allow require-concurrent-index-creation: 40 rows */ (code);')).toEqual([]);
  });

  test('a suppression covers only its own statement and rule', () => {
    expect(lint('-- lint-allow require-concurrent-index-creation: small\nCREATE INDEX a ON countries (code);\nCREATE INDEX b ON users (code);'))
      .toEqual(['3 require-concurrent-index-creation']);
  });

  test('fails when a suppression names no known rule or gives no reason', () => {
    const r = SqlLint.check('-- lint-allow require-concurrent-index-creation\nCREATE INDEX a ON t (c);\n-- lint-allow no-such-rule: because\nSELECT 1;',
      { lockTimeoutSetByRunner: true });
    expect(r.findings.map(f => `${f.line} ${f.ruleId}`)).toEqual(['1 invalid-suppression', '2 require-concurrent-index-creation', '3 invalid-suppression']);
    expect(r.findings[0].problem).toBe('"lint-allow" comment gives no reason');
    expect(r.findings[2].problem).toBe('"lint-allow" comment names unknown rule "no-such-rule"');
  });

  test('fails when a suppression suppresses nothing', () => {
    expect(lint('-- lint-allow ban-drop-column: old\nCREATE INDEX CONCURRENTLY a ON t (c);')).toEqual(['1 unused-suppression']);
    expect(lint('SELECT 1;\n\n-- lint-allow ban-drop-column: trailing')).toEqual(['3 unused-suppression']);
  });
});

describe('input', () => {
  test('reports a syntax error with the parser position instead of throwing', () => {
    const r = SqlLint.check('SELECT 1;\nALTER TABLE users ADD COLUMN;', { file: 'x.sql' });
    expect(r.syntaxErrors).toEqual([{ file: 'x.sql', line: 2, column: 29, message: 'syntax error at or near ";"' }]);
    expect(r.findings).toEqual([]);
  });

  test('a table created earlier in the same file may be updated in one statement', () => {
    expect(lint('CREATE TABLE staging (id int);\nUPDATE staging SET id = 1;')).toEqual([]);
  });

  test('a NUL character is a syntax error at its position, not the end of what is linted', () => {
    expect(SqlLint.check('SELECT 1;\n  \0; DROP TABLE users;', { file: 'n.sql' }).syntaxErrors)
      .toEqual([{ file: 'n.sql', line: 2, column: 3, message: 'NUL character (0x00) in the SQL text: PostgreSQL does not accept it' }]);
  });

  test('lines count multi-byte characters correctly', () => {
    expect(lint("SELECT 'été';\n/* ünïcode */\nDROP TABLE gäste;")).toEqual(['3 ban-drop-table']);
  });

  test('fails when the options are not what they should be', () => {
    expect(() => SqlLint.check(42 as any)).toThrow('SqlLint.check: sql must be SQL text, got 42. Pass the statements as a string.');
    expect(() => SqlLint.check('SELECT 1', { phase: 'later' as any })).toThrow('SqlLint.checkFiles: options.phase must be one of expand, backfill, contract, got "later".');
    expect(() => SqlLint.check('SELECT 1', { postgres: 12 })).toThrow('SqlLint.checkFiles: options.postgres must be at least 13 and at most 18, got 12.');
    expect(() => SqlLint.check('SELECT 1', { postgres: NaN })).toThrow('options.postgres must be a finite number, got NaN.');
    expect(() => SqlLint.check('SELECT 1', { lockTimeoutSetByRunner: 'yes' as any })).toThrow('options.lockTimeoutSetByRunner must be true or false, got "yes".');
    expect(() => SqlLint.checkFiles([null as any])).toThrow('SqlLint.checkFiles: files[0] must be { file, sql }, got null.');
  });

  test('lists every rule with a summary', () => {
    const ids = SqlLint.rules().map(r => r.id);
    for (const c of CASES) expect(ids).toContain(c.rule);
    expect(SqlLint.rules().every(r => r.summary.length > 4)).toBe(true);
  });

  test('never throws on arbitrary input: a parse error is reported instead', () => {
    const fragments = fc.constantFrom('CREATE', 'INDEX', 'ALTER TABLE', 't', 'ADD COLUMN', 'x', 'int', 'DEFAULT', 'random()', ';', '(', ')', '--',
      'lint-allow', ':', '\n', "'", '$$', 'DO', 'BEGIN', 'COMMIT', 'DROP', 'CONCURRENTLY', 'é', '/*', '*/', 'NOT VALID', 'VALIDATE CONSTRAINT');
    const input = fc.oneof(fc.string({ maxLength: 60 }), fc.array(fragments, { maxLength: 25 }).map(a => a.join(' ')));
    fc.assert(fc.property(fc.array(input, { minLength: 20, maxLength: 20 }), texts => {
      // Twenty texts per parser process keep the property cheap.
      const r = SqlLint.checkFiles(texts.map((sql, i) => ({ file: `f${i}.sql`, sql })));
      for (const e of r.syntaxErrors) {
        expect(e.line).toBeGreaterThanOrEqual(1);
        expect(e.column).toBeGreaterThanOrEqual(1);
      }
      for (const f of r.findings) expect(f.line).toBeGreaterThanOrEqual(1);
    }), { numRuns: 15 });
  });
});
