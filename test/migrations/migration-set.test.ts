import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration, Token } from 'aws-cdk-lib';
import {
  DatabaseConnection, DatabaseEngine, MigrationPhase, MigrationRunner, MigrationSet, MigrationSql, MigrationStep,
} from '../../src';

const engine = DatabaseEngine.postgres(16);
const connection = DatabaseConnection.fromSecretFields({ secretName: 'shop/db' });
const backfill = MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL' });

function release(): MigrationSet {
  return new MigrationSet({
    engine,
    connection,
    steps: [
      MigrationStep.expand({ id: 'add-column', sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN email_lower text;\nCREATE INDEX CONCURRENTLY users_el ON users (email_lower);') }),
      MigrationStep.backfill({ id: 'fill', sql: backfill }),
      MigrationStep.contract({ id: 'drop-old', sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN email_upper;') }),
    ],
  });
}

describe('the declaration a renderer reads', () => {
  test('each step has its phase, SQL, runner and timeouts', () => {
    const set = release();
    expect(set.steps.map(s => [s.id, s.phase, s.blocking, s.timeout.toMinutes()])).toEqual([
      ['add-column', MigrationPhase.EXPAND, true, 60], ['fill', MigrationPhase.BACKFILL, false, 360], ['drop-old', MigrationPhase.CONTRACT, false, 60],
    ]);
    expect(set.stepsIn(MigrationPhase.EXPAND).map(s => s.id)).toEqual(['add-column']);
    const runner = set.runnerFor(set.step('fill'));
    expect(runner.kind).toBe('psql');
    expect(runner.lockTimeout!.toSeconds()).toBe(5);
    expect(runner.statementTimeout!.toMinutes()).toBe(60);
    expect(runner.imageFor(engine)).toBe('postgres:16-alpine');
    expect(set.step('fill').sql!.backfill).toEqual({
      table: 'users', schema: undefined, keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL', batchSize: 1000, pause: Duration.millis(100),
    });
  });

  test('the psql script sets lock_timeout and statement_timeout before every DDL statement, and no statement timeout for the backfill', () => {
    const set = release();
    expect(set.script('add-column')).toBe([
      '-- Migration step "add-column" (expand) from add-column (inline SQL).',
      "SET lock_timeout = '5000ms';", "SET statement_timeout = '3600000ms';",
      'ALTER TABLE users ADD COLUMN email_lower text;',
      "SET lock_timeout = '5000ms';", "SET statement_timeout = '3600000ms';",
      'CREATE INDEX CONCURRENTLY users_el ON users (email_lower);', '',
    ].join('\n'));
    const fill = set.script('fill');
    expect(fill.split('\n').slice(0, 3)).toEqual(['-- Migration step "fill" (backfill) from fill (generated backfill).', "SET lock_timeout = '5000ms';", 'SET statement_timeout = 0;']);
    expect(fill).toContain('DO $backfill$');
  });

  test('the invocation: image, psql reading the script, libpq variables from the secret', () => {
    const inv = release().invocation('add-column');
    expect(inv).toEqual({
      image: 'postgres:16-alpine',
      command: ['psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--file=/migrations/add-column.sql'],
      environment: { PGSSLMODE: 'require', PGAPPNAME: 'migration-add-column' },
      secretEnvironment: [
        { name: 'PGHOST', key: 'host' }, { name: 'PGPORT', key: 'port' }, { name: 'PGUSER', key: 'username' },
        { name: 'PGPASSWORD', key: 'password' }, { name: 'PGDATABASE', key: 'dbname' },
      ],
      script: release().script('add-column'),
      scriptPath: '/migrations/add-column.sql',
    });
  });

  test('a URL secret: psql connects with DATABASE_URL through the shell; a named image is used as is', () => {
    const set = new MigrationSet({
      engine: DatabaseEngine.postgres(17),
      connection: DatabaseConnection.fromUrlSecret({ secretName: 'db-url', key: 'uri' }),
      runner: MigrationRunner.psql({ image: 'registry.example.com/psql:17', lockTimeout: Duration.seconds(2), statementTimeout: Duration.seconds(0) }),
      steps: [MigrationStep.expand({ id: 'a', sql: MigrationSql.inline('CREATE TABLE t (id int);') })],
    });
    const inv = set.invocation('a', '/sql/a.sql');
    expect(inv.image).toBe('registry.example.com/psql:17');
    expect(inv.command).toEqual(['sh', '-c', 'exec psql "$DATABASE_URL" --no-psqlrc --set=ON_ERROR_STOP=1 --file="$1"', 'psql', '/sql/a.sql']);
    expect(inv.secretEnvironment).toEqual([{ name: 'DATABASE_URL', key: 'uri' }]);
    expect(inv.script).toContain("SET lock_timeout = '2000ms';\nSET statement_timeout = '0ms';");
  });

  test('a command runner runs your command in your image; its declared SQL is still linted', () => {
    const prisma = MigrationRunner.command({ image: 'registry.example.com/api:1.4.2', command: ['npx', 'prisma', 'migrate', 'deploy'], setsLockTimeout: true });
    const set = new MigrationSet({
      engine,
      connection,
      runner: prisma,
      steps: [
        MigrationStep.expand({ id: 'prisma', sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN plan text;') }),
        MigrationStep.backfill({ id: 'fill', sql: backfill, runner: MigrationRunner.psql() }),
      ],
    });
    expect(set.invocation('prisma')).toEqual({
      image: 'registry.example.com/api:1.4.2',
      command: ['npx', 'prisma', 'migrate', 'deploy'],
      environment: { PGSSLMODE: 'require', PGAPPNAME: 'migration-prisma' },
      secretEnvironment: connection.secretEnvironment,
    });
    expect(set.invocation('fill').image).toBe('postgres:16-alpine');
    expect(() => new MigrationSet({
      engine,
      connection,
      runner: MigrationRunner.command({ image: 'api:1', command: ['flyway', 'migrate'] }),
      steps: [MigrationStep.expand({ id: 'flyway', sql: MigrationSql.inline('CREATE INDEX CONCURRENTLY i ON users (plan);') })],
    })).toThrow(/flyway \(inline SQL\):1 require-lock-timeout DDL runs without lock_timeout/);
  });

  test('SQL from a file: findings name the path and the line in the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sql-'));
    const file = path.join(dir, '002-expand.sql');
    fs.writeFileSync(file, '-- add the plan\nALTER TABLE users ADD COLUMN plan text;\n\nCREATE INDEX users_plan ON users (plan);\n');
    try {
      const sql = MigrationSql.fromFile(file);
      expect(sql.file).toBe(file);
      expect(() => new MigrationSet({ engine, connection, steps: [MigrationStep.expand({ id: 'plan', sql })] }))
        .toThrow(`${file}:4 require-concurrent-index-creation CREATE INDEX on public.users takes a SHARE lock`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('every finding of the set is listed in one error, with the fix', () => {
    expect(() => new MigrationSet({
      engine,
      connection,
      steps: [
        MigrationStep.expand({ id: 'one', sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN a;\nUPDATE users SET b = 1;') }),
        MigrationStep.contract({ id: 'two', sql: MigrationSql.inline('SELEC 1') }),
      ],
    })).toThrow([
      'MigrationSet: steps SQL must pass the migration lint (PostgreSQL 16), got 3 problems. Rewrite each statement as advised, or, where it is safe in context, '
      + 'suppress the finding with a comment on the statement: "-- lint-allow <rule-id>: <reason>".',
      '  two (inline SQL):1:1 syntax-error syntax error at or near "SELEC"',
      '  one (inline SQL):1 ban-drop-column DROP COLUMN public.users.a in an expand step breaks the previous version',
    ].join('\n'));
  });

  test('a suppression with a reason lets a statement through', () => {
    const set = new MigrationSet({
      engine,
      connection,
      steps: [MigrationStep.expand({ id: 'tiny', sql: MigrationSql.inline('-- lint-allow require-concurrent-index-creation: countries has 250 rows\nCREATE INDEX c ON countries (code);') })],
    });
    expect(set.steps).toHaveLength(1);
  });

  test('the plan lists the phases, when each runs, and the steps', () => {
    const set = release();
    expect(set.plan()).toEqual([
      { phase: 'expand', runs: expect.stringContaining('before any instance of the new version starts'), steps: ['add-column'], blocking: true, removes: [] },
      { phase: 'backfill', runs: expect.stringContaining('after the new version serves traffic'), steps: ['fill'], blocking: false, removes: [] },
      { phase: 'contract', runs: expect.stringContaining('can no longer serve or be rolled back to'), steps: ['drop-old'], blocking: false, removes: ['column public.users.email_upper (dropped) by drop-old'] },
    ]);
    const md = set.planMarkdown();
    expect(md).toContain('- `fill`: fill (generated backfill) (psql in postgres:16-alpine, lock_timeout 5s, statement_timeout none (one DO statement runs every batch), batches of 1000 keys of users with 100ms pauses; timeout 6h)');
    expect(md).toContain("not on the rollout's critical path");
    expect(md).toContain('Rollback: until contract runs, the previous version can come back, and it may need column public.users.email_upper (dropped) by drop-old. '
      + 'Once contract has run, rolling back to it breaks; roll forward instead.');
  });

  test('contractRemovals lists every drop and rename of the contract steps, in order, with its step', () => {
    const set = new MigrationSet({
      engine,
      connection,
      steps: [
        MigrationStep.contract({ id: 'one', sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN a, DROP COLUMN b;\nDROP TABLE shop.old_carts;') }),
        MigrationStep.contract({ id: 'two', sql: MigrationSql.inline('ALTER TABLE users RENAME COLUMN c TO d;\nDROP VIEW active_users;\nALTER TABLE users RENAME TO accounts;') }),
      ],
    });
    expect(set.contractRemovals).toEqual([
      'column public.users.a (dropped) by one', 'column public.users.b (dropped) by one', 'table shop.old_carts (dropped) by one',
      'column public.users.c (renamed to d) by two', 'view active_users (dropped) by two', 'table public.users (renamed to accounts) by two',
    ]);
  });

  test('the same declaration gives byte-identical SQL and scripts', () => {
    expect(release().script('fill')).toBe(release().script('fill'));
    expect(MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'a = 1' }).text)
      .toBe(MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'a = 1' }).text);
  });
});

describe('the batched backfill', () => {
  test('walks the key in batches with a commit and a pause per batch, identifiers quoted', () => {
    const sql = MigrationSql.batchedBackfill({ schema: 'Shop', table: 'orders', keyColumn: 'id', set: 'total_cents = total * 100', batchSize: 5000, pause: Duration.millis(250) }).text;
    expect(sql).toContain('  last_key "Shop"."orders"."id"%TYPE;');
    expect(sql).toContain('SELECT max(k) INTO batch_end FROM (SELECT "id" AS k FROM "Shop"."orders" ORDER BY "id" LIMIT 5000) AS batch;');
    expect(sql).toContain('      UPDATE "Shop"."orders" SET total_cents = total * 100 WHERE "id" > last_key AND "id" <= batch_end;');
    expect(sql).toContain('    COMMIT;\n    PERFORM pg_sleep(0.25);');
    expect(MigrationSql.batchedBackfill({ table: 'o', keyColumn: 'id', set: 'a = 1', pause: Duration.millis(0) }).text).not.toContain('pg_sleep');
  });

  test('picks a dollar-quote tag the fragments do not contain', () => {
    const sql = MigrationSql.batchedBackfill({ table: 'o', keyColumn: 'id', set: 'note = $backfill$x$backfill$' }).text;
    expect(sql).toContain('DO $backfill_1$');
  });

  test.each([
    ['the set list adds a statement', { set: 'a = 1; DROP TABLE users' }, 'adds statements of its own'],
    ['the set list does not parse', { set: 'a = = 1' }, 'does not parse (syntax error at or near "=")'],
    ['the set list brings its own WHERE', { set: 'a = 1 WHERE true' }, 'adds a WHERE, WITH, FROM or RETURNING clause of its own'],
    ['the set list joins another table', { set: 'a = o.b FROM other o' }, 'adds a WHERE, WITH, FROM or RETURNING clause of its own'],
    ['the condition returns rows', { where: 'a IS NULL RETURNING *' }, 'adds a WHERE, WITH, FROM or RETURNING clause of its own'],
    ['the batch size is zero', { batchSize: 0 }, 'batchSize must be at least 1 and at most 100000, got 0'],
    ['the batch size is NaN', { batchSize: NaN }, 'batchSize must be a finite number, got NaN'],
    ['the batch size is fractional', { batchSize: 10.5 }, 'batchSize must be a whole number, got 10.5'],
    ['the batch size covers a huge table', { batchSize: 1_000_000 }, 'batchSize must be at least 1 and at most 100000, got 1000000'],
    ['the pause is over a minute', { pause: Duration.minutes(2) }, 'pause must be at most one minute, got 2m'],
    ['the pause is not a Duration', { pause: 100 }, 'pause must be a Duration (for example Duration.minutes(5)), got 100'],
    ['the table is empty', { table: '' }, 'table must be a non-empty name, got ""'],
    ['the table is null', { table: null }, 'table must be a non-empty name, got null'],
    ['the key column is too long', { keyColumn: 'k'.repeat(64) }, 'keyColumn must be a PostgreSQL identifier of at most 63 bytes'],
    ['the table is a token', { table: Token.asString({ Ref: 'T' }) }, 'table must be known at synth time, got an unresolved token'],
    ['the set list is a token', { set: Token.asString({ Ref: 'S' }) }, 'set must be known at synth time to be checked, got an unresolved token'],
  ])('fails when %s', (_name, override, message) => {
    expect(() => MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'a = 1', ...(override as any) }))
      .toThrow(message);
  });
});

describe('bad input', () => {
  const step = MigrationStep.expand({ id: 'a', sql: MigrationSql.inline('CREATE TABLE t (id int);') });
  test.each([
    ['the engine is another database', () => DatabaseEngine.of('mysql', 8), 'DatabaseEngine.of: name is not supported: MySQL locks differently'],
    ['the engine is unknown', () => DatabaseEngine.of('oracle', 19), 'DatabaseEngine.of: name is not supported: only PostgreSQL migrations are linted and run, got "oracle"'],
    ['the PostgreSQL version is too old', () => DatabaseEngine.postgres(12), 'DatabaseEngine.postgres: majorVersion must be at least 13 and at most 18, got 12'],
    ['the PostgreSQL version is NaN', () => DatabaseEngine.postgres(NaN), 'majorVersion must be a finite number, got NaN'],
    ['the PostgreSQL version is a minor version', () => DatabaseEngine.postgres(16.2), 'majorVersion must be a whole number, got 16.2'],
    ['the PostgreSQL version is a token', () => DatabaseEngine.postgres(Token.asNumber({ Ref: 'V' })), 'majorVersion must be known at synth time, got an unresolved token'],
    ['the PostgreSQL version is a string', () => DatabaseEngine.postgres('16' as any), 'majorVersion must be a finite number, got "16"'],
    ['inline SQL is empty', () => MigrationSql.inline('  \n'), 'MigrationSql.inline: sql must contain at least one statement, got "  \\n"'],
    ['inline SQL is null', () => MigrationSql.inline(null as any), 'MigrationSql.inline: sql must be SQL text, got null'],
    ['inline SQL is a token', () => MigrationSql.inline(Token.asString({ Ref: 'Sql' })), 'sql must be known at synth time to be linted, got an unresolved token'],
    ['the SQL file does not exist', () => MigrationSql.fromFile('/nonexistent/001.sql'), 'MigrationSql.fromFile: path must name a readable file, got "/nonexistent/001.sql"'],
    ['the step id is not a name', () => MigrationStep.expand({ id: 'Add Column', sql: MigrationSql.inline('SELECT 1') }), 'MigrationStep.expand: id must be 1-63 lower-case letters'],
    ['the phase is unknown', () => MigrationStep.of({ id: 'a', phase: 'later' as any }), 'MigrationStep.of: phase must be one of expand, backfill, contract, got "later"'],
    ['the SQL is a string', () => MigrationStep.expand({ id: 'a', sql: 'SELECT 1' as any }), 'MigrationStep.expand: sql must be a MigrationSql, got "SELECT 1"'],
    ['an expand step is declared non-blocking', () => MigrationStep.of({ id: 'a', phase: MigrationPhase.EXPAND, blocking: false }), 'blocking applies to backfill steps only; an expand step is always blocking'],
    ['a batched backfill is declared as expand', () => MigrationStep.expand({ id: 'a', sql: backfill }), 'sql is a batched backfill, which belongs in a backfill step, not an expand step'],
    ['the step timeout is zero', () => MigrationStep.expand({ id: 'a', sql: MigrationSql.inline('SELECT 1'), timeout: Duration.seconds(0) }), 'timeout must be longer than zero'],
    ['the props are null', () => MigrationStep.contract(null as any), 'MigrationStep.contract: props must be an object, got null'],
    ['the steps are empty', () => new MigrationSet({ engine, connection, steps: [] }), 'MigrationSet: steps must list at least one step, got []'],
    ['a step is not a MigrationStep', () => new MigrationSet({ engine, connection, steps: [{ id: 'x' } as any] }), 'MigrationSet: steps[0] must be a MigrationStep, got {"id":"x"}'],
    ['the engine is a string', () => new MigrationSet({ engine: 'postgres' as any, connection, steps: [step] }), 'MigrationSet: engine must be a DatabaseEngine, got "postgres"'],
    ['the connection is missing', () => new MigrationSet({ engine, connection: undefined as any, steps: [step] }), 'MigrationSet: connection must be a DatabaseConnection, got undefined'],
    ['two steps share an id', () => new MigrationSet({ engine, connection, steps: [step, step] }), 'MigrationSet: steps[1].id must be unique in the set, got "a"'],
    ['the phases are out of order', () => new MigrationSet({
      engine,
      connection,
      steps: [MigrationStep.contract({ id: 'c', sql: MigrationSql.inline('SELECT 1') }), MigrationStep.expand({ id: 'e', sql: MigrationSql.inline('SELECT 1') })],
    }), 'MigrationSet: steps[1] must not come before a contract step: phases run expand, then backfill, then contract, got expand step "e" after contract step "c"'],
    ['a psql step has no SQL', () => new MigrationSet({ engine, connection, steps: [MigrationStep.expand({ id: 'a' })] }), 'MigrationSet: steps[0].sql is required with the psql runner'],
    ['a command runner would run a batched backfill', () => new MigrationSet({
      engine,
      connection,
      runner: MigrationRunner.command({ image: 'api:1', command: ['migrate'], setsLockTimeout: true }),
      steps: [MigrationStep.backfill({ id: 'b', sql: backfill })],
    }), 'MigrationSet: steps[0].runner must be the psql runner for a batched backfill'],
    ['the statement timeout is shorter than the lock timeout', () => MigrationRunner.psql({ lockTimeout: Duration.seconds(10), statementTimeout: Duration.seconds(5) }),
      'MigrationRunner.psql: statementTimeout must be zero (no limit) or at least lockTimeout (10s), got 5s'],
    ['the lock timeout is zero', () => MigrationRunner.psql({ lockTimeout: Duration.seconds(0) }), 'MigrationRunner.psql: lockTimeout must be longer than zero, got 0s'],
    ['the image has spaces', () => MigrationRunner.psql({ image: 'postgres 16' }), 'MigrationRunner.psql: image must be a container image reference without spaces, got "postgres 16"'],
    ['the command is empty', () => MigrationRunner.command({ image: 'api:1', command: [] }), 'MigrationRunner.command: command must be a non-empty list of strings, got []'],
    ['a command argument is a token', () => MigrationRunner.command({ image: 'api:1', command: [Token.asString({ Ref: 'C' })] }), 'command[0] must be known at synth time, got an unresolved token'],
    ['setsLockTimeout is a string', () => MigrationRunner.command({ image: 'api:1', command: ['m'], setsLockTimeout: 'yes' as any }), 'setsLockTimeout must be true or false, got "yes"'],
    ['the secret name is a token', () => DatabaseConnection.fromUrlSecret({ secretName: Token.asString({ Ref: 'S' }) }), 'DatabaseConnection.fromUrlSecret: secretName must be known at synth time, got an unresolved token'],
    ['the sslmode is unknown', () => DatabaseConnection.fromSecretFields({ secretName: 'db', sslMode: 'on' }), 'sslMode must be one of disable, allow, prefer, require, verify-ca, verify-full, got "on"'],
    ['the secret name is empty', () => DatabaseConnection.fromSecretFields({ secretName: '' }), 'secretName must be a non-empty string, got ""'],
  ])('fails when %s', (_name, build, message) => {
    expect(build).toThrow(message);
  });

  test('asking for a step that does not exist names the steps there are', () => {
    expect(() => release().script('nope')).toThrow('MigrationSet.step: id must name a step of the set, got "nope". Use one of add-column, fill, drop-old.');
    expect(() => release().invocation('add-column', 'relative.sql')).toThrow('MigrationSet.invocation: scriptPath must be an absolute path, got "relative.sql"');
  });
});
