/**
 * What each kind of app loads: the Kubernetes libraries (cdk8s, cdk8s-plus-28) load with the first
 * Kubernetes construct, so an AWS app never loads them. Checked in a fresh process, whose module cache
 * holds exactly what the app loaded.
 */
import { execFileSync } from 'child_process';
import * as path from 'path';

const SRC = JSON.stringify(path.join(__dirname, '..', 'src'));

function loadedBy(body: string): Record<string, boolean> {
  const script = `
    const lib = require(${SRC});
    const cdk = require('aws-cdk-lib');
    const loaded = () => ({
      cdk8s: Object.keys(require.cache).some(k => /node_modules\\/cdk8s\\/lib\\//.test(k)),
      'cdk8s-plus-28': Object.keys(require.cache).some(k => /node_modules\\/cdk8s-plus-28\\//.test(k)),
    });
    ${body}
  `;
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    encoding: 'utf-8', env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.dev.json') },
  });
  return JSON.parse(out.trim().split('\n').pop()!);
}

test('an AWS app does not load cdk8s or cdk8s-plus-28; the first Kubernetes construct does', () => {
  const result = loadedBy(`
    const ecs = require('aws-cdk-lib/aws-ecs');
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    new lib.ProgressiveFargateService(stack, 'Api', {
      image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
      containerPort: 80,
      strategy: lib.DeploymentStrategy.canary({
        steps: [lib.CanaryStep.of(10, cdk.Duration.minutes(10))],
        analysis: lib.Analysis.of({ checks: [lib.HealthCheck.errorRate({ maxPercent: 1 })] }),
      }),
    });
    const resources = Object.keys(app.synth().getStackByName('S').template.Resources).length;
    const afterAws = loaded();
    const cdk8s = require('cdk8s');
    const chart = new cdk8s.Chart(new cdk8s.App(), 'c');
    const beforeK8s = loaded();
    new lib.ArgoRollout(chart, 'api', {
      strategy: lib.DeploymentStrategy.allAtOnce(),
      containers: [{ image: 'registry.example.com/api:1', portNumber: 8080 }],
    });
    console.log(JSON.stringify({ resources: resources > 0, afterAws, beforeK8s: beforeK8s['cdk8s-plus-28'], afterK8s: loaded() }));
  `);
  expect(result).toStrictEqual({
    resources: true,
    afterAws: { 'cdk8s': false, 'cdk8s-plus-28': false },
    beforeK8s: false,
    afterK8s: { 'cdk8s': true, 'cdk8s-plus-28': true },
  });
});

test('a progressive Fargate service without migrations does not load the migration checks or the SQL parser; one with migrations does', () => {
  const service = JSON.stringify(path.join(__dirname, '..', 'src', 'aws', 'progressive-fargate-service'));
  const strategy = JSON.stringify(path.join(__dirname, '..', 'src', 'strategy'));
  const migrationsDir = JSON.stringify(path.join(__dirname, '..', 'src', 'migrations'));
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `
    const cdk = require('aws-cdk-lib');
    const ecs = require('aws-cdk-lib/aws-ecs');
    const { ProgressiveFargateService } = require(${service});
    const s = require(${strategy});
    const loaded = () => ({
      parser: Object.keys(require.cache).some(k => k.endsWith('/src/migrations/private/parser.ts')),
      ecsMigrations: Object.keys(require.cache).some(k => k.endsWith('/src/aws/private/migrations.ts')),
    });
    const app = new cdk.App();
    const stack = new cdk.Stack(app, 'S');
    const strategy = s.DeploymentStrategy.canary({
      steps: [s.CanaryStep.of(10, cdk.Duration.minutes(10))],
      analysis: s.Analysis.of({ checks: [s.HealthCheck.errorRate({ maxPercent: 1 })] }),
    });
    const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
    new ProgressiveFargateService(stack, 'Api', { image, containerPort: 80, strategy });
    const before = loaded();
    // Passing anything as migrations loads the checks, which refuse what is not a MigrationSet.
    let refused = '';
    try {
      new ProgressiveFargateService(stack, 'Other', { image, containerPort: 80, strategy, migrations: 'not a set' });
    } catch (e) { refused = e.message; }
    console.log(JSON.stringify({ before, after: loaded(), refused, migrationSetLoaded: Object.keys(require.cache).some(k => k.startsWith(${migrationsDir})) }));
  `], { encoding: 'utf-8', env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.dev.json') } });
  const result = JSON.parse(out.trim().split('\n').pop()!);
  expect(result.before).toStrictEqual({ parser: false, ecsMigrations: false });
  expect(result.after).toStrictEqual({ parser: true, ecsMigrations: true });
  expect(result.migrationSetLoaded).toBe(true);
  expect(result.refused).toContain('migrations must be a MigrationSet, got "not a set"');
});

test('an Argo rollout without migrations or feature flags does not load the migration checks, the SQL parser or the flag modules', () => {
  const rollout = JSON.stringify(path.join(__dirname, '..', 'src', 'k8s', 'argo-rollout'));
  const strategy = JSON.stringify(path.join(__dirname, '..', 'src', 'strategy'));
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', `
    const cdk = require('aws-cdk-lib');
    const cdk8s = require('cdk8s');
    const { ArgoRollout } = require(${rollout});
    const s = require(${strategy});
    const loaded = () => ({
      parser: Object.keys(require.cache).some(k => k.endsWith('/src/migrations/private/parser.ts')),
      migrationSet: Object.keys(require.cache).some(k => k.endsWith('/src/migrations/migration-set.ts')),
      argoMigrations: Object.keys(require.cache).some(k => k.endsWith('/src/k8s/private/migrations.ts')),
      flagPods: Object.keys(require.cache).some(k => k.endsWith('/src/k8s/private/feature-flag-pods.ts')),
    });
    const chart = new cdk8s.Chart(new cdk8s.App(), 'c');
    const strategy = s.DeploymentStrategy.allAtOnce();
    new ArgoRollout(chart, 'api', { strategy, containers: [{ image: 'registry.example.com/api:1', portNumber: 8080 }] });
    const before = loaded();
    const refusals = [];
    for (const extra of [{ migrations: 'not a set' }, { featureFlags: 'not flags' }]) {
      try {
        new ArgoRollout(chart, 'other' + refusals.length, { strategy, containers: [{ image: 'registry.example.com/api:1', portNumber: 8080 }], ...extra });
      } catch (e) { refusals.push(e.message); }
    }
    console.log(JSON.stringify({ before, after: loaded(), refusals }));
  `], { encoding: 'utf-8', env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', 'tsconfig.dev.json') } });
  const result = JSON.parse(out.trim().split('\n').pop()!);
  expect(result.before).toStrictEqual({ parser: false, migrationSet: false, argoMigrations: false, flagPods: false });
  expect(result.after).toStrictEqual({ parser: true, migrationSet: true, argoMigrations: true, flagPods: true });
  expect(result.refusals[0]).toContain('migrations must be a MigrationSet, got "not a set"');
  expect(result.refusals[1]).toContain('featureFlags must be an OpenFeatureFlags, got "not flags"');
});
