import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Stage } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { AppConfigFlags, DeploymentStrategy, OpenFeatureFlags } from '../../src';
import { main, USAGE } from '../../src/cli/flags';
import { main as dispatch } from '../../src/cli/main';
import { awsShopFlags, shopFlags } from '../flags/fixtures';

interface Run { code: number; out: string[]; err: string[] }

function runIn(cwd: string, argv: string[], today = '2026-12-03'): Run {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(argv, { stdout: l => out.push(l), stderr: l => err.push(l), cwd, today });
  return { code, out, err };
}

/** A project folder: cdk.out from AppConfigFlags, dist/ from OpenFeatureFlags, and a source tree. */
function project(sources: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flags-cli-'));
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stack = new Stack(app, 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } });
  new AppConfigFlags(stack, 'Flags', { flagSet: awsShopFlags(), strategy: DeploymentStrategy.allAtOnce() });
  app.synth();
  const k8sApp = new cdk8s.App({ outdir: path.join(dir, 'dist') });
  new OpenFeatureFlags(new cdk8s.Chart(k8sApp, 'shop', { namespace: 'shop' }), 'flags', { flagSet: shopFlags() });
  k8sApp.synth();
  for (const [file, text] of Object.entries(sources)) {
    fs.mkdirSync(path.dirname(path.join(dir, 'src', file)), { recursive: true });
    fs.writeFileSync(path.join(dir, 'src', file), text);
  }
  return dir;
}

const EVERY_FLAG = {
  'checkout.ts': 'if (await client.getBooleanValue(\'new-checkout\', false)) {\n  render();\n}\n',
  'search/ranking.py': 'model = client.get_string_value("searchRanking", "bm25")\n',
  'search/page.go': 'size, _ := client.IntValue(ctx, "page_size", 20, evalCtx)\n',
  'web/banner.js': 'fetch(`http://localhost:2772/applications/shop/environments/production/configurations/shop?flag=banner`);\n',
  'ops/Recs.java': 'boolean off = client.getBooleanValue("recommendations-off", false);\n',
};

describe('cdk-progressive-delivery flags', () => {
  test('lists the declared flags of both outputs and exits 0 when every flag is evaluated and every evaluated key declared', () => {
    const dir = project(EVERY_FLAG);
    const r = runIn(dir, ['--src', 'src', 'cdk.out', 'dist']);
    expect(r.err).toStrictEqual([]);
    expect(r.code).toBe(0);
    expect(r.out).toStrictEqual([
      'cdk.out/manifest.json flag shop/banner type=permission owner=team-web age=unknown expires=permanent platforms=aws-appconfig,openfeature references=1',
      'cdk.out/manifest.json flag shop/new-checkout type=release owner=team-checkout age=32d expires=2027-02-01 platforms=aws-appconfig,openfeature references=1',
      'cdk.out/manifest.json flag shop/page_size type=operational owner=team-search age=unknown expires=2027-03-01 platforms=aws-appconfig,openfeature references=1',
      'cdk.out/manifest.json flag shop/recommendations-off type=kill-switch owner=team-sre age=unknown expires=permanent platforms=aws-appconfig,openfeature references=1',
      'cdk.out/manifest.json flag shop/searchRanking type=experiment owner=team-search age=unknown expires=2027-01-15 platforms=aws-appconfig,openfeature references=1',
      'flags: 5 flag(s) in 2 inventory(ies), 0 finding(s)',
    ]);
  });

  test('reports keys declared but never evaluated, and keys evaluated but not declared; exit 1', () => {
    const { ['ops/Recs.java']: _, ...rest } = EVERY_FLAG;
    const dir = project({ ...rest, 'legacy.ts': 'const x = await client.getStringDetails("old-layout", "a");\n' });
    const r = runIn(dir, ['--src', 'src', 'dist']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('dist/shop.k8s.yaml flag-unreferenced "recommendations-off" (shop, owner team-sre) is declared but never evaluated under src: ready to remove');
    expect(r.out).toContain('src/legacy.ts:1 flag-undeclared "old-layout" is evaluated here but declared in no flag set');
    expect(r.out[r.out.length - 1]).toBe('flags: 5 flag(s) in 1 inventory(ies), 2 finding(s)');
  });

  test('judges expiries on --today: expiring is a note, expired a finding', () => {
    const dir = project(EVERY_FLAG);
    const soon = runIn(dir, ['--src', 'src', '--today', '2027-01-05']);
    expect(soon.code).toBe(0);
    expect(soon.out).toContain('cdk.out/manifest.json flag-expiring "searchRanking" (shop, owner team-search) expires on 2027-01-15, in 10 day(s)');
    const late = runIn(dir, ['--src', 'src', '--today', '2027-02-03']);
    expect(late.code).toBe(1);
    expect(late.out).toContain('cdk.out/manifest.json flag-expired "new-checkout" (shop, owner team-checkout) expired on 2027-02-01, 2 day(s) ago: remove it or add a dated extension');
    expect(late.out).toContain('cdk.out/manifest.json flag-expired "searchRanking" (shop, owner team-search) expired on 2027-01-15, 19 day(s) ago: remove it or add a dated extension');
    expect(runIn(dir, ['--src', 'src', '--today', '2027-01-05', '--warning-days', '5']).out.some(l => l.includes('flag-expiring'))).toBe(false);
  });

  test('--help prints the usage and exits 0', () => {
    const r = runIn(os.tmpdir(), ['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toStrictEqual([USAGE]);
    expect(USAGE).toContain('Exit status: 0 clean, 1 findings, 2 could not run.');
  });

  test('exits 2 when it cannot run', () => {
    const dir = project(EVERY_FLAG);
    expect(runIn(dir, ['cdk.out'])).toStrictEqual({ code: 2, out: [], err: ['flags: --src DIR is required (the source tree that evaluates the flags)', 'Run with --help for usage.'] });
    expect(runIn(dir, ['--src', 'nowhere']).err).toStrictEqual(['flags: nowhere is not a directory']);
    expect(runIn(dir, ['--src', 'src', '--bogus']).err[0]).toBe('flags: unknown option --bogus');
    expect(runIn(dir, ['--src', 'src', '--today', '03/12/2026']).err[0]).toBe('flags: --today must be a date written YYYY-MM-DD, got 03/12/2026');
    expect(runIn(dir, ['--src', 'src', 'src'])).toMatchObject({ code: 2, err: [expect.stringContaining('flags: no flag inventory found in src')] });
    fs.writeFileSync(path.join(dir, 'cdk.out', 'manifest.json'), '{ not json');
    expect(runIn(dir, ['--src', 'src']).err[0]).toMatch(/^flags: cdk.out\/manifest.json: not valid JSON/);
  });
});

test('reads the inventory of a stage\'s nested cloud assembly', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flags-cli-stage-'));
  const app = new App({ outdir: path.join(dir, 'cdk.out') });
  const stage = new Stage(app, 'Prod');
  new AppConfigFlags(new Stack(stage, 'Shop', { env: { account: '123456789012', region: 'eu-west-1' } }), 'Flags', { flagSet: awsShopFlags(), strategy: DeploymentStrategy.allAtOnce() });
  app.synth();
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'a.ts'), 'client.getBooleanValue("new-checkout", false);\n');
  const r = runIn(dir, ['--src', 'src']);
  expect(r.code).toBe(1);
  expect(r.out[0]).toMatch(/^cdk.out\/assembly-Prod\/manifest.json flag shop\/banner type=permission/);
  expect(r.out[r.out.length - 1]).toBe('flags: 5 flag(s) in 1 inventory(ies), 4 finding(s)');
});

test('the tool dispatches "flags" to the command', () => {
  const out: string[] = [];
  const err: string[] = [];
  expect(dispatch(['flags', '--help'], l => out.push(l), l => err.push(l))).toBe(0);
  expect(out).toStrictEqual([USAGE]);
  expect(dispatch(['--help'], l => out.push(l), l => err.push(l))).toBe(0);
  expect(out[1]).toContain('  flags     List the declared feature flags and report flag debt, dead and unknown keys');
});
