/** The lint-sql command run as a process, as CI runs it: its stdout lines and exit codes. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', MAIN, ...args], {
    cwd: ROOT, encoding: 'utf-8', env: { ...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.dev.json') },
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, lines: r.stdout.split('\n').filter(l => l.length > 0) };
}

let dir: string;
function file(name: string, sql: string): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, sql);
  return p;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lint-sql-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

test('prints file:line rule-id message per finding and exits 1', () => {
  const a = file('a.sql', "SET lock_timeout = '2s';\n\nCREATE INDEX users_email ON users (email);\nALTER TABLE users DROP COLUMN legacy;\n");
  const r = run('lint-sql', a);
  expect(r.status).toBe(1);
  expect(r.lines).toHaveLength(2);
  expect(r.lines[0]).toMatch(new RegExp(`^${a}:3 require-concurrent-index-creation CREATE INDEX on public.users takes a SHARE lock`));
  expect(r.lines[1]).toMatch(new RegExp(`^${a}:4 ban-drop-column DROP COLUMN public.users.legacy in an expand step`));
});

test('--phase contract accepts the drop; a clean file exits 0 with no output', () => {
  const a = file('contract.sql', "SET lock_timeout = '2s';\nALTER TABLE users DROP COLUMN legacy;\n");
  const r = run('lint-sql', '--phase', 'contract', a);
  expect(r.stdout).toBe('');
  expect(r.status).toBe(0);
  const eq = run('lint-sql', '--phase=contract', '--postgres=13', a);
  expect(eq.status).toBe(0);
});

test('--runner-sets-lock-timeout and --transaction-per-file describe the runner', () => {
  const a = file('runner.sql', 'CREATE INDEX CONCURRENTLY users_plan ON users (plan);\n');
  expect(run('lint-sql', a).lines).toEqual([expect.stringMatching(new RegExp(`^${a}:1 require-lock-timeout `))]);
  expect(run('lint-sql', '--runner-sets-lock-timeout', a)).toMatchObject({ status: 0, stdout: '' });
  const tx = run('lint-sql', '--runner-sets-lock-timeout', '--transaction-per-file', a);
  expect(tx.status).toBe(1);
  expect(tx.lines).toEqual([expect.stringMatching(new RegExp(`^${a}:1 ban-concurrent-index-creation-in-transaction `))]);
});

test('--postgres chooses the advice: DETACH CONCURRENTLY exists from 14', () => {
  const a = file('detach.sql', "SET lock_timeout = '2s';\nALTER TABLE events DETACH PARTITION events_2020;\n");
  expect(run('lint-sql', '--postgres', '14', a).lines[0]).toContain('Use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+');
  expect(run('lint-sql', '--postgres', '13', a).lines[0]).toContain('PostgreSQL 13 has no concurrent detach');
});

test('fails when a file does not parse: exit 2 with the parser position', () => {
  const good = file('good.sql', 'SELECT 1;\n');
  const bad = file('bad.sql', 'SELECT 1;\n  ALTER TABLE users ADD COLUMN;\n');
  const r = run('lint-sql', good, bad);
  expect(r.status).toBe(2);
  expect(r.lines).toEqual([`${bad}:2:31 syntax-error syntax error at or near ";"`]);
});

test('fails when a file cannot be read: exit 2, the reason on stderr', () => {
  const r = run('lint-sql', path.join(dir, 'missing.sql'));
  expect(r.status).toBe(2);
  expect(r.stderr).toContain(`${path.join(dir, 'missing.sql')}: cannot read: ENOENT`);
});

test('fails when the arguments are wrong: exit 2 with the reason', () => {
  expect(run('lint-sql').stderr).toContain('lint-sql: no FILE given');
  expect(run('lint-sql', '--phase', 'later', 'x.sql')).toMatchObject({ status: 2, stderr: expect.stringContaining('--phase must be expand, backfill or contract, got "later"') });
  expect(run('lint-sql', '--postgres', '9', 'x.sql')).toMatchObject({ status: 2, stderr: expect.stringContaining('--postgres must be a major version from 13 to 18, got "9"') });
  expect(run('lint-sql', '--fast', 'x.sql')).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown option "--fast"') });
  expect(run('nope')).toMatchObject({ status: 2, stderr: expect.stringContaining('unknown command "nope"') });
});

test('--help describes the command and exits 0', () => {
  const r = run('lint-sql', '--help');
  expect(r.status).toBe(0);
  expect(r.stdout).toContain('Usage: cdk-progressive-delivery lint-sql [--phase expand|backfill|contract] [--postgres N] FILE...');
  const top = run('--help');
  expect(top.status).toBe(0);
  expect(top.stdout).toContain('lint-sql  Lint SQL migration files');
});
