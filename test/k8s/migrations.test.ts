import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { canaryStrategy, CONTAINERS, ofKind, rolloutOf, synthValid } from './util';
import {
  Analysis, ArgoRollout, DatabaseConnection, DatabaseEngine, DeploymentStrategy, MetricProvider, MigrationRunner, MigrationSet, MigrationSql,
  MigrationStep, Promotion, TrafficRouting,
} from '../../src';

const prometheus = MetricProvider.prometheus({ address: 'http://prometheus.monitoring:9090' });
const nginx = TrafficRouting.nginx({ stableIngress: 'api' });

function migrations(backfill: 'blocking' | 'background' | 'none' = 'blocking'): MigrationSet {
  return new MigrationSet({
    engine: DatabaseEngine.postgres(16),
    connection: DatabaseConnection.fromSecretFields({ secretName: 'shop-db' }),
    steps: [
      MigrationStep.expand({ id: 'add-email-lower', sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN IF NOT EXISTS email_lower text;') }),
      ...(backfill === 'none' ? [] : [MigrationStep.backfill({
        id: 'fill-email-lower',
        blocking: backfill === 'blocking',
        sql: MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL' }),
      })]),
      MigrationStep.contract({ id: 'drop-email-upper', sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN IF EXISTS email_upper;'), timeout: Duration.minutes(10) }),
    ],
  });
}

function canary(props: Partial<ConstructorParameters<typeof ArgoRollout>[2]> = {}, chart = cdk8s.Testing.chart()) {
  const rollout = new ArgoRollout(chart, 'api', {
    strategy: canaryStrategy(), containers: CONTAINERS, trafficRouting: nginx, metrics: prometheus, migrations: migrations(), ...props,
  });
  return { chart, rollout, manifests: synthValid(chart) };
}

describe('canary with migrations', () => {
  const { rollout, manifests } = canary();
  const templates = ofKind(manifests, 'AnalysisTemplate');
  const byName = new Map(templates.map(t => [t.metadata.name, t]));
  const canarySpec = rolloutOf(manifests).spec.strategy.canary;

  test('expand and contract run as the first step, before the first setWeight; the blocking backfill after the last canary step', () => {
    const steps = canarySpec.steps;
    expect(steps).toHaveLength(9);
    expect(Object.keys(steps[0])).toEqual(['analysis']);
    expect(steps.slice(1, 6)).toEqual([
      { setWeight: 5 }, { pause: { duration: '10m' } },
      { setWeight: 25 }, { pause: { duration: '10m' } }, { pause: {} },
    ]);
    // The blocking backfill runs after the last canary step, before the judged keep window at 100%.
    expect(Object.keys(steps[6])).toEqual(['analysis']);
    expect(steps.slice(7)).toEqual([{ setWeight: 100 }, { pause: { duration: '30m' } }]);
    expect(steps.findIndex((s: any) => s.setWeight !== undefined)).toBe(1);
    const first = byName.get(steps[0].analysis.templates[0].templateName);
    expect(first.spec.metrics[0].provider.job.spec.template.spec.initContainers.map((c: any) => c.name)).toEqual(['add-email-lower']);
    expect(first.spec.metrics[0].provider.job.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['drop-email-upper']);
    const last = byName.get(steps[6].analysis.templates[0].templateName);
    expect(last.spec.metrics[0].provider.job.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['fill-email-lower']);
    expect(last.spec.metrics[0].provider.job.spec.template.spec.initContainers).toBeUndefined();
  });

  test('the background analysis still starts at the first setWeight', () => {
    expect(canarySpec.analysis.startingStep).toBe(2);
    expect(canarySpec.steps[canarySpec.analysis.startingStep - 1]).toEqual({ setWeight: 5 });
  });

  test('the Job runs once, within the steps\' timeouts, with the script in MIGRATION_SCRIPT and the Secret\'s keys', () => {
    const t = byName.get(canarySpec.steps[0].analysis.templates[0].templateName);
    expect(t.spec.args).toBeUndefined();
    const metric = t.spec.metrics[0];
    expect(metric).toMatchObject({ name: 'migrations', count: 1, failureLimit: 0 });
    const job = metric.provider.job.spec;
    expect(job.backoffLimit).toBe(0);
    expect(job.activeDeadlineSeconds).toBe(3600 + 600);
    expect(job.template.spec.restartPolicy).toBe('Never');
    const expand = job.template.spec.initContainers[0];
    expect(expand.image).toBe('postgres:16-alpine');
    expect(expand.command).toEqual([
      'sh', '-c', 'mkdir -p /tmp/migration && printf \'%s\' "$MIGRATION_SCRIPT" > "$0" && exec "$@"', '/tmp/migration/add-email-lower.sql',
      'psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--file=/tmp/migration/add-email-lower.sql',
    ]);
    expect(expand.env.slice(0, 3)).toEqual([
      { name: 'PGSSLMODE', value: 'require' },
      { name: 'PGAPPNAME', value: 'migration-add-email-lower' },
      { name: 'MIGRATION_SCRIPT', value: migrations().script('add-email-lower') },
    ]);
    expect(expand.env.slice(3)).toEqual(['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE'].map((name, i) => ({
      name, valueFrom: { secretKeyRef: { name: 'shop-db', key: ['host', 'port', 'username', 'password', 'dbname'][i] } },
    })));
  });

  test('the runbook says what the schema must still support on rollback', () => {
    expect(rollout.runbook.schema[1]).toContain('Contract removes column public.users.email_upper (dropped) by drop-email-upper');
    expect(rollout.runbook.toMarkdown()).toContain('**What the database schema must still support on rollback**');
  });

  test('the plan shows the migrations at 0% first, the blocking backfill before promotion, and the notes', () => {
    const plan = rollout.plan;
    expect(plan.phases[0]).toMatchObject({ name: 'Migrations: expand (add-email-lower), then contract (drop-email-upper)', trafficPercent: 0 });
    expect(plan.phases[0].note).toContain('before the first setWeight; no canary pod exists yet');
    const backfill = plan.phases[plan.phases.length - 2];
    expect(backfill).toMatchObject({ name: 'Migrations: blocking backfill (fill-email-lower)', trafficPercent: 25, checks: ['error-rate', 'latency-p99'] });
    expect(plan.phases[plan.phases.length - 1].trafficPercent).toBe(100);
    const notes = plan.notes.join('\n');
    expect(notes).toContain('a contract step belongs to the release after the one that stopped using the old shape');
    expect(notes).toContain('Argo Rollouts skips every step on the initial deploy');
    expect(notes).toContain('column public.users.email_upper (dropped) by drop-email-upper is gone');
  });
});

test('a command runner runs its command in its image, without a script', () => {
  const set = new MigrationSet({
    engine: DatabaseEngine.postgres(16),
    connection: DatabaseConnection.fromUrlSecret({ secretName: 'shop-db-url' }),
    runner: MigrationRunner.command({ image: 'registry.example.com/api:1.4.2', command: ['npx', 'prisma', 'migrate', 'deploy'], setsLockTimeout: true }),
    steps: [MigrationStep.expand({ id: 'prisma' })],
  });
  const { manifests } = canary({ migrations: set });
  const steps = rolloutOf(manifests).spec.strategy.canary.steps;
  expect(steps).toHaveLength(8);
  const t = ofKind(manifests, 'AnalysisTemplate').find(x => x.metadata.name === steps[0].analysis.templates[0].templateName);
  expect(t.spec.metrics[0].provider.job.spec.template.spec.containers).toEqual([{
    name: 'prisma',
    image: 'registry.example.com/api:1.4.2',
    command: ['npx', 'prisma', 'migrate', 'deploy'],
    env: [
      { name: 'PGAPPNAME', value: 'migration-prisma' },
      { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'shop-db-url', key: 'url' } } },
    ],
  }]);
});

test('fails when a non-blocking backfill is declared, naming what works instead', () => {
  expect(() => canary({ migrations: migrations('background') })).toThrow(
    'ArgoRollout: migrations cannot run a non-blocking backfill on Argo Rollouts: it has no hook after promotion that runs off the rollout\'s critical path, got fill-email-lower. '
    + 'Declare the backfill blocking: true (it then runs after the last canary step, before promotion), or run it from an Argo CD PostSync hook Job yourself.');
});

test('fails with a blue/green strategy: the preview starts before the pre-promotion analysis', () => {
  const chart = cdk8s.Testing.chart();
  expect(() => new ArgoRollout(chart, 'api', {
    strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }),
    containers: CONTAINERS,
    migrations: migrations('none'),
  })).toThrow('ArgoRollout: migrations cannot run before the new version starts with a blue/green rollout: Argo Rollouts starts the preview pods before the pre-promotion analysis, got DeploymentStrategy.blueGreen. '
    + 'Use a canary or linear strategy with trafficRouting (the migration runs as the first step, before any canary pod exists), or run the steps from an Argo CD PreSync hook Job yourself and leave migrations out, '
    + 'or accept that the preview runs on the old schema meanwhile with migrationsAfterPreviewStarts: true.');
  expect(chart.node.children).toHaveLength(0);
});

test('with migrationsAfterPreviewStarts, a blue/green rollout runs the Job in the pre-promotion analysis and the blocking backfill after promotion', () => {
  const chart = cdk8s.Testing.chart();
  const rollout = new ArgoRollout(chart, 'api', {
    strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }),
    containers: CONTAINERS,
    migrations: migrations('blocking'),
    migrationsAfterPreviewStarts: true,
  });
  const manifests = synthValid(chart);
  const bg = rolloutOf(manifests).spec.strategy.blueGreen;
  const templates = new Map(ofKind(manifests, 'AnalysisTemplate').map(t => [t.metadata.name, t]));
  const pre = bg.prePromotionAnalysis.templates.map((t: any) => templates.get(t.templateName).spec.metrics[0].provider.job.spec.template.spec);
  expect(pre).toHaveLength(1);
  expect(pre[0].initContainers.map((c: any) => c.name)).toEqual(['add-email-lower']);
  expect(pre[0].containers.map((c: any) => c.name)).toEqual(['drop-email-upper']);
  const post = bg.postPromotionAnalysis.templates.map((t: any) => templates.get(t.templateName).spec.metrics[0].provider.job.spec.template.spec);
  expect(post[0].containers.map((c: any) => c.name)).toEqual(['fill-email-lower']);
  expect(rollout.plan.phases[0].name).toContain('+ Migrations: expand (add-email-lower), then contract (drop-email-upper)');
  expect(rollout.plan.notes.join('\n')).toContain('until it ends, the new version runs on the schema before expand');
});

test('fails when migrationsAfterPreviewStarts is given without a blue/green strategy', () => {
  expect(() => canary({ migrationsAfterPreviewStarts: true })).toThrow(
    'ArgoRollout: migrationsAfterPreviewStarts only applies to migrations with a blue/green strategy, got true. Remove migrationsAfterPreviewStarts.');
  expect(() => canary({ migrationsAfterPreviewStarts: 'yes' as any })).toThrow('ArgoRollout: migrationsAfterPreviewStarts must be true or false, got "yes". Pass true to accept it, or leave it out.');
});

test('fails without traffic routing', () => {
  expect(() => canary({ trafficRouting: undefined, strategy: canaryStrategy({ keep: Duration.seconds(0) }) })).toThrow(
    'ArgoRollout: migrations needs trafficRouting: only with a traffic router does Argo Rollouts size the canary from the current setWeight, so that no canary pod exists before the first one, '
    + 'got TrafficRouting.none(). Pass trafficRouting, for example TrafficRouting.nginx({ stableIngress }).');
});

test('fails with a rolling strategy', () => {
  expect(() => canary({ trafficRouting: undefined, metrics: undefined, strategy: DeploymentStrategy.rolling({ analysis: Analysis.none('batch worker') }) }))
    .toThrow(/^ArgoRollout: migrations cannot run before the new version starts with a rolling strategy/);
});

test('fails when migrations is not a MigrationSet', () => {
  expect(() => canary({ migrations: 'expand.sql' as any })).toThrow('ArgoRollout: migrations must be a MigrationSet, got "expand.sql". Pass new MigrationSet({ engine, connection, steps }).');
});

test('the same declaration synthesizes byte-identical manifests', () => {
  expect(JSON.stringify(canary().manifests)).toBe(JSON.stringify(canary().manifests));
});
