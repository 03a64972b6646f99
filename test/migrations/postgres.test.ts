/**
 * The generated migration SQL against a real PostgreSQL, run by psql exactly as the runner's
 * command runs it: expand, a batched backfill over 100,000 rows and contract, while a writer runs the
 * previous version's queries; lock behaviour read from pg_locks.
 *
 * The database: PGTEST_DATABASE_URL, or the server scripts/start-postgres.sh started (its URL file).
 * Without a reachable database and psql the tests are skipped with the reason printed, unless CI is
 * set: under CI a missing database fails the suite.
 */
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { Client } from 'pg';
import {
  DatabaseConnection, DatabaseEngine, MigrationPhase, MigrationRunner, MigrationSet, MigrationSql, MigrationStep,
} from '../../src';

const STATE_FILE = path.join(process.env.PGTEST_DIR ?? '/tmp/cdk-progressive-delivery-postgres', 'url');
const ON_CI = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
const ROWS = 100_000;
const BATCH = 1000;

function serverUrl(): string | undefined {
  if (process.env.PGTEST_DATABASE_URL) return process.env.PGTEST_DATABASE_URL;
  return fs.existsSync(STATE_FILE) ? fs.readFileSync(STATE_FILE, 'utf-8').trim() : undefined;
}

/** Why the tests cannot run here, or undefined when they can (checked synchronously, in a child). */
function unavailable(url: string | undefined): string | undefined {
  if (url === undefined) return 'no database: set PGTEST_DATABASE_URL or run scripts/start-postgres.sh';
  try {
    execFileSync('psql', ['--version'], { stdio: 'pipe' });
  } catch {
    return 'psql is not installed (the runner runs the SQL with psql)';
  }
  try {
    execFileSync('psql', [url, '--no-psqlrc', '-tAc', 'SELECT 1'], { stdio: 'pipe', timeout: 10_000 });
  } catch (e) {
    return `database ${url} is not reachable: ${String((e as any).stderr ?? e).trim()}`;
  }
  return undefined;
}

const URL_ = serverUrl();
const REASON = unavailable(URL_);
if (REASON !== undefined && !ON_CI) {
  // eslint-disable-next-line no-console
  console.warn(`Skipping the PostgreSQL migration tests: ${REASON}`);
}
const dbTest = REASON !== undefined && !ON_CI ? test.skip : test;

jest.setTimeout(180_000);

let admin: Client;
let dbUrl: string;
const dbName = `migrations_${process.pid}`;

beforeAll(async () => {
  if (REASON !== undefined) {
    if (ON_CI) throw new Error(`CI is set, so the PostgreSQL migration tests must run, but ${REASON}`);
    return;
  }
  admin = new Client({ connectionString: URL_ });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${dbName}`);
  await admin.query(`CREATE DATABASE ${dbName}`);
  const u = new URL(URL_!);
  u.pathname = `/${dbName}`;
  dbUrl = u.toString();
});

afterAll(async () => {
  if (admin) {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
});

/** Runs a step the way a target runs it: the invocation's command, env and script file. */
function runStep(set: MigrationSet, stepId: string): Promise<{ code: number; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migration-'));
  const inv = set.invocation(stepId, path.join(dir, `${stepId}.sql`));
  fs.writeFileSync(inv.scriptPath!, inv.script!);
  const secret: Record<string, string> = { url: dbUrl };
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', ...inv.environment };
  for (const v of inv.secretEnvironment) env[v.name] = secret[v.key];
  return new Promise(resolve => {
    const child = spawn(inv.command[0], inv.command.slice(1), { env });
    let stderr = '';
    child.stderr.on('data', d => { stderr += d; });
    child.stdout.on('data', () => undefined);
    child.on('close', code => {
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ code: code ?? -1, stderr });
    });
  });
}

/** The previous version: inserts, reads and updates users, with `name`, unaware of email_lower. */
class OldVersionWriter {
  public ok = 0;
  public errors: string[] = [];
  private running = true;
  private readonly done: Promise<void>;
  constructor(private readonly client: Client) {
    this.done = this.loop();
  }
  public async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
  private async loop(): Promise<void> {
    let i = 0;
    while (this.running) {
      i++;
      try {
        const r = await this.client.query('INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id', [`Writer${i}@Example.com`, `writer ${i}`]);
        await this.client.query('SELECT id, email, name FROM users WHERE id = $1', [r.rows[0].id]);
        await this.client.query('UPDATE users SET name = $1 WHERE id = $2', [`writer ${i} renamed`, r.rows[0].id]);
        this.ok++;
      } catch (e) {
        this.errors.push((e as Error).message);
      }
      await new Promise(res => setTimeout(res, 5));
    }
  }
}

function migrationSet(): MigrationSet {
  return new MigrationSet({
    engine: DatabaseEngine.postgres(15),
    connection: DatabaseConnection.fromUrlSecret({ secretName: 'test-db' }),
    runner: MigrationRunner.psql({ lockTimeout: Duration.seconds(2), statementTimeout: Duration.minutes(5) }),
    steps: [
      MigrationStep.expand({ id: 'add-email-lower', sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN email_lower text;') }),
      MigrationStep.expand({ id: 'index-email-lower', sql: MigrationSql.inline('CREATE INDEX CONCURRENTLY users_email_lower ON users (email_lower);') }),
      MigrationStep.backfill({
        id: 'fill-email-lower',
        sql: MigrationSql.batchedBackfill({
          table: 'users', keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL', batchSize: BATCH, pause: Duration.millis(0),
        }),
      }),
      MigrationStep.contract({ id: 'drop-name', sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN name;') }),
    ],
  });
}

dbTest('expand, batched backfill and contract on 100,000 rows while the previous version keeps writing', async () => {
  const set = migrationSet();
  expect(set.plan().map(p => `${p.phase}: ${p.steps.join(', ')}`)).toEqual([
    'expand: add-email-lower, index-email-lower', 'backfill: fill-email-lower', 'contract: drop-name',
  ]);
  const db = new Client({ connectionString: dbUrl });
  const writerClient = new Client({ connectionString: dbUrl });
  const blocker = new Client({ connectionString: dbUrl });
  const observer = new Client({ connectionString: dbUrl });
  await Promise.all([db.connect(), writerClient.connect(), blocker.connect(), observer.connect()]);
  try {
    await db.query('CREATE TABLE users (id bigserial PRIMARY KEY, email text NOT NULL, name text)');
    await db.query(`INSERT INTO users (email, name) SELECT 'User' || g || '@Example.com', 'user ' || g FROM generate_series(1, ${ROWS}) g`);
    await db.query('VACUUM ANALYZE users');

    const writer = new OldVersionWriter(writerClient);

    // Expand 1: the new column (a brief ACCESS EXCLUSIVE lock, metadata only).
    const add = await runStep(set, 'add-email-lower');
    expect(add).toMatchObject({ code: 0 });

    // Expand 2: the index, built while a transaction of the previous version holds a row lock on
    // users: CREATE INDEX CONCURRENTLY waits for it holding SHARE UPDATE EXCLUSIVE, never SHARE, so
    // the previous version's writes go on.
    await blocker.query('BEGIN');
    await blocker.query("UPDATE users SET name = 'held' WHERE id = 1");
    const index = runStep(set, 'index-email-lower');
    let locks: string[] = [];
    for (let i = 0; i < 200 && locks.length === 0; i++) {
      await new Promise(res => setTimeout(res, 50));
      const r = await observer.query(`SELECT l.mode FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE a.application_name = 'migration-index-email-lower' AND l.relation = 'users'::regclass AND l.granted ORDER BY l.mode`);
      locks = r.rows.map(x => x.mode);
    }
    expect(locks).toEqual(['ShareUpdateExclusiveLock']);
    const okBefore = writer.ok;
    await new Promise(res => setTimeout(res, 500));
    expect(writer.ok).toBeGreaterThan(okBefore); // writes continue while the index build waits
    await blocker.query('COMMIT');
    expect(await index).toMatchObject({ code: 0 });
    const valid = await db.query("SELECT indisvalid FROM pg_index WHERE indexrelid = 'users_email_lower'::regclass");
    expect(valid.rows[0].indisvalid).toBe(true);

    // Backfill: one DO statement, a commit per batch of 1,000 keys.
    const before = (await db.query('SELECT max(id) AS m FROM users')).rows[0].m;
    const backfill = await runStep(set, 'fill-email-lower');
    expect(backfill.code).toBe(0);
    const batches = Number(/backfill: done in (\d+) batches/.exec(backfill.stderr)?.[1]);
    const seeded = Math.ceil(ROWS / BATCH);
    expect(batches).toBeGreaterThanOrEqual(seeded);
    expect(batches).toBeLessThanOrEqual(Math.ceil(Number(before) / BATCH) + Math.ceil(writer.ok / BATCH) + 1);
    // The seeded rows (ids 1..100,000, untouched by the writer) were updated in exactly 100
    // transactions of 1,000 rows each: no transaction touched all of them.
    const tx = await db.query(`SELECT count(*)::int AS transactions, max(n)::int AS largest FROM
      (SELECT xmin, count(*) AS n FROM users WHERE id BETWEEN 2 AND ${ROWS} GROUP BY xmin) t`);
    expect(tx.rows[0]).toEqual({ transactions: seeded, largest: BATCH });
    const missing = await db.query('SELECT count(*)::int AS n FROM users WHERE id <= $1 AND email_lower IS DISTINCT FROM lower(email)', [before]);
    expect(missing.rows[0].n).toBe(0);

    await writer.stop();
    expect(writer.errors).toEqual([]);
    expect(writer.ok).toBeGreaterThan(10);

    // Contract, once the previous version is gone: the column only it used is dropped.
    expect(await runStep(set, 'drop-name')).toMatchObject({ code: 0 });
    const cols = await db.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'users' ORDER BY column_name");
    expect(cols.rows.map(r => r.column_name)).toEqual(['email', 'email_lower', 'id']);
    // The new version's query uses the index the expand step built.
    const plan = await db.query("EXPLAIN SELECT id FROM users WHERE email_lower = 'user5@example.com'");
    expect(plan.rows.map(r => r['QUERY PLAN']).join('\n')).toContain('users_email_lower');
  } finally {
    await blocker.query('ROLLBACK').catch(() => undefined);
    await Promise.all([db.end(), writerClient.end(), blocker.end(), observer.end()]);
  }
});

dbTest('lock_timeout set by the runner: a DDL statement that cannot get its lock fails fast instead of stalling the table', async () => {
  const set = new MigrationSet({
    engine: DatabaseEngine.postgres(15),
    connection: DatabaseConnection.fromUrlSecret({ secretName: 'test-db' }),
    runner: MigrationRunner.psql({ lockTimeout: Duration.millis(300) }),
    steps: [MigrationStep.of({ id: 'add-flag', phase: MigrationPhase.EXPAND, sql: MigrationSql.inline('ALTER TABLE accounts ADD COLUMN flag boolean;') })],
  });
  const db = new Client({ connectionString: dbUrl });
  const holder = new Client({ connectionString: dbUrl });
  await Promise.all([db.connect(), holder.connect()]);
  try {
    await db.query('CREATE TABLE accounts (id int PRIMARY KEY)');
    await holder.query('BEGIN');
    await holder.query('SELECT * FROM accounts'); // ACCESS SHARE, as a long-running read would hold
    const started = Date.now();
    const r = await runStep(set, 'add-flag');
    const took = Date.now() - started;
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('canceling statement due to lock timeout');
    expect(took).toBeLessThan(5000);
    await holder.query('ROLLBACK');
    expect(await runStep(set, 'add-flag')).toMatchObject({ code: 0 });
  } finally {
    await holder.query('ROLLBACK').catch(() => undefined);
    await Promise.all([db.end(), holder.end()]);
  }
});

dbTest('the batched backfill quotes any identifier and walks a text key', async () => {
  const set = new MigrationSet({
    engine: DatabaseEngine.postgres(15),
    connection: DatabaseConnection.fromUrlSecret({ secretName: 'test-db' }),
    steps: [
      MigrationStep.backfill({
        id: 'fill-odd-names',
        sql: MigrationSql.batchedBackfill({
          schema: 'Shop "EU"', table: 'Order Items', keyColumn: 'Key ID', set: '"Total €" = "Qty" * 2', where: '"Total €" IS NULL', batchSize: 7, pause: Duration.millis(1),
        }),
      }),
    ],
  });
  const db = new Client({ connectionString: dbUrl });
  await db.connect();
  try {
    await db.query('CREATE SCHEMA "Shop ""EU"""');
    await db.query('CREATE TABLE "Shop ""EU"""."Order Items" ("Key ID" text PRIMARY KEY, "Qty" int, "Total €" int)');
    await db.query('INSERT INTO "Shop ""EU"""."Order Items" SELECT \'k\' || lpad(g::text, 3, \'0\'), g, NULL FROM generate_series(1, 50) g');
    const r = await runStep(set, 'fill-odd-names');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('backfill: done in 8 batches');
    const rows = await db.query('SELECT count(*)::int AS n FROM "Shop ""EU"""."Order Items" WHERE "Total €" = "Qty" * 2');
    expect(rows.rows[0].n).toBe(50);
  } finally {
    await db.end();
  }
});
