/**
 * Runs every examples/<name>/main.ts in its own process (as `cdk synth` / `cdk8s synth` would),
 * with CloudFormation written to examples/<name>/cdk.out and manifests to examples/<name>/dist,
 * prints what each printed (its rollout plans), then checks the output:
 * cfn-lint on every template, the AppConfig feature-flag documents against the documented schema,
 * schema validation on every manifest (a FeatureFlag's definitions against flagd's schema too).
 *
 * Usage: npm run example [-- <name> ...]
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const examplesDir = path.join(root, 'examples');
const only = process.argv.slice(2);
const names = fs.readdirSync(examplesDir)
  .filter(n => fs.existsSync(path.join(examplesDir, n, 'main.ts')))
  .filter(n => only.length === 0 || only.includes(n))
  .sort();

if (names.length === 0) {
  console.error(`No example matches ${only.join(', ')}`);
  process.exit(1);
}

const failures: string[] = [];
const outputs: string[] = [];
for (const name of names) {
  const dir = path.join(examplesDir, name);
  const cdkOut = path.join(dir, 'cdk.out');
  const dist = path.join(dir, 'dist');
  fs.rmSync(cdkOut, { recursive: true, force: true });
  fs.rmSync(dist, { recursive: true, force: true });
  console.log(`\n## examples/${name}\n`);
  const run = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--project', path.join(root, 'tsconfig.dev.json'), 'main.ts'], {
    cwd: dir,
    stdio: 'inherit',
    env: { ...process.env, CDK_OUTDIR: cdkOut, CDK8S_OUTDIR: dist },
  });
  if (run.status !== 0) {
    failures.push(`${name}: main.ts exited with ${run.status}`);
    continue;
  }
  console.log(`output: ${describeOutput(cdkOut, dist)}`);
  failures.push(...checkOutput(name, cdkOut, dist));
  outputs.push(`${name}: ${describeOutput(cdkOut, dist)}`);
}

if (failures.length > 0) {
  console.error(`\n${failures.length} example check(s) failed:\n${failures.map(f => `- ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(`\n${names.length} example(s) synthesized and checked; their output:\n${outputs.map(o => `- ${o}`).join('\n')}`);

/** Where an example's output went, relative to the repository, with the files written there. */
function describeOutput(cdkOut: string, dist: string): string {
  const listed = (dir: string, pattern: RegExp) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter(f => pattern.test(f)).sort() : []);
  const templates = listed(cdkOut, /\.template\.json$/);
  const manifests = listed(dist, /\.ya?ml$/);
  const parts: string[] = [];
  if (templates.length > 0) parts.push(`CloudFormation in ${path.relative(root, cdkOut)}/ (${templates.join(', ')})`);
  if (manifests.length > 0) parts.push(`Kubernetes manifests in ${path.relative(root, dist)}/ (${manifests.join(', ')})`);
  return parts.length > 0 ? parts.join('; ') : 'nothing written (it prints its plans only)';
}

/**
 * AppConfig feature-flag documents (hosted configuration versions holding `{ version: "1", flags }`)
 * against the documented AWS.AppConfig.FeatureFlags schema, as transcribed for the tests.
 */
function checkFlagDocuments(name: string, templates: string[]): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = require('ajv').default;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const addFormats = require('ajv-formats').default;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(fs.readFileSync(path.join(root, 'test', 'aws', 'appconfig-feature-flags.schema.json'), 'utf-8')));
  const problems: string[] = [];
  let documents = 0;
  for (const file of templates) {
    const resources = JSON.parse(fs.readFileSync(file, 'utf-8')).Resources ?? {};
    for (const [id, r] of Object.entries<any>(resources)) {
      if (r.Type !== 'AWS::AppConfig::HostedConfigurationVersion' || typeof r.Properties?.Content !== 'string') continue;
      let doc: any;
      try {
        doc = JSON.parse(r.Properties.Content);
      } catch {
        continue;
      }
      if (doc?.version !== '1' || doc.flags === undefined) continue;
      documents++;
      if (!validate(doc)) problems.push(...validate.errors.map((e: any) => `${name}: ${id}: AppConfig feature flags ${e.instancePath} ${e.message}`));
    }
  }
  if (documents > 0) console.log(`AppConfig feature flags: ${documents} document(s) checked against the documented schema`);
  return problems;
}

function checkOutput(name: string, cdkOut: string, dist: string): string[] {
  const problems: string[] = [];
  const templates = fs.existsSync(cdkOut)
    ? fs.readdirSync(cdkOut).filter(f => f.endsWith('.template.json')).map(f => path.join(cdkOut, f))
    : [];
  if (fs.existsSync(path.join(cdkOut, 'manifest.json'))) {
    // Error annotations (cdk-nag findings among them) do not stop app.synth(); they fail the example here.
    const manifest = JSON.parse(fs.readFileSync(path.join(cdkOut, 'manifest.json'), 'utf-8'));
    let errors = 0;
    for (const artifact of Object.values<any>(manifest.artifacts ?? {})) {
      for (const [construct, entries] of Object.entries<any>(artifact.metadata ?? {})) {
        for (const entry of entries as Array<{ type: string; data: unknown }>) {
          if (entry.type === 'aws:cdk:error') {
            errors++;
            problems.push(`${name}: ${construct}: ${String(entry.data).split('\n')[0]}`);
          }
        }
      }
    }
    console.log(`annotations: ${errors} error(s) (cdk-nag AwsSolutions findings included)`);
  }
  if (templates.length > 0) {
    const lint = spawnSync('cfn-lint', ['--format', 'parseable', ...templates], { encoding: 'utf-8' });
    if (lint.error) {
      problems.push(`${name}: cfn-lint could not run (${lint.error.message}); it is required to check the templates`);
    } else {
      const errors = lint.stdout.split('\n').filter(l => /:E\d+:/.test(l));
      const warnings = lint.stdout.split('\n').filter(l => /:W\d+:/.test(l));
      console.log(`cfn-lint: ${templates.length} template(s), ${errors.length} error(s), ${warnings.length} warning(s)`);
      warnings.forEach(w => console.log(`  warning ${path.relative(root, w)}`));
      errors.forEach(e => problems.push(`${name}: cfn-lint ${path.relative(root, e)}`));
      // cfn-lint's exit code is a bit mask: 1 = it failed to run, 2 = errors, 4 = warnings, 8 = informational.
      if ((lint.status ?? 1) % 4 !== 0 && errors.length === 0) {
        problems.push(`${name}: cfn-lint exited with ${lint.status}: ${lint.stderr}`);
      }
    }
  }
  problems.push(...checkFlagDocuments(name, templates));
  const manifests = fs.existsSync(dist) ? fs.readdirSync(dist).filter(f => /\.ya?ml$/.test(f)).map(f => path.join(dist, f)) : [];
  if (manifests.length > 0) {
    const validator = path.join(root, 'scripts', 'validate-manifests.ts');
    const check = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin.js'), '--project', path.join(root, 'tsconfig.dev.json'), validator, ...manifests], {
      stdio: 'inherit',
    });
    if (check.status !== 0) {
      problems.push(`${name}: manifest schema validation failed`);
    }
  }
  return problems;
}
