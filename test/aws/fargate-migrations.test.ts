import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { canary, newStack, only, service } from './util';
import {
  Analysis, DatabaseConnection, DatabaseEngine, DeploymentStrategy, EcsEngine, MigrationRunner, MigrationSet, MigrationSql, MigrationStep, SmokeTest,
} from '../../src';

function migrations(extra: { blockingBackfill?: boolean; secondBackfill?: boolean } = {}): MigrationSet {
  return new MigrationSet({
    engine: DatabaseEngine.postgres(16),
    connection: DatabaseConnection.fromSecretFields({ secretName: 'shop/db' }),
    steps: [
      MigrationStep.expand({ id: 'add-email-lower', sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN IF NOT EXISTS email_lower text;') }),
      MigrationStep.backfill({
        id: 'fill-email-lower',
        blocking: extra.blockingBackfill,
        sql: MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL' }),
      }),
      ...(extra.secondBackfill ? [MigrationStep.backfill({
        id: 'fill-other',
        sql: MigrationSql.batchedBackfill({ table: 'orders', keyColumn: 'id', set: 'note = \'\'', where: 'note IS NULL' }),
      })] : []),
      MigrationStep.contract({ id: 'drop-email-upper', sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN IF EXISTS email_upper;') }),
    ],
  });
}

describe('ECS native with migrations', () => {
  const set = migrations();
  const { stack, svc, template } = service({ migrations: set });
  const json = template.toJSON();
  const resources = json.Resources as Record<string, any>;
  const logicalId = (c: any) => stack.getLogicalId(c.node.defaultChild);

  test('one Fargate task definition per step runs the runner\'s image and command, with the script in MIGRATION_SCRIPT and the secret\'s keys as ECS secrets', () => {
    expect(svc.migrationTaskDefinitions).toHaveLength(3);
    const td = resources[logicalId(svc.migrationTaskDefinitions[0])];
    const container = td.Properties.ContainerDefinitions[0];
    expect(container.Name).toBe('migration');
    expect(container.Image).toBe('postgres:16-alpine');
    expect(container.Essential).toBe(true);
    expect(container.Command).toEqual([
      'sh', '-c', 'mkdir -p /tmp/migration && printf \'%s\' "$MIGRATION_SCRIPT" > "$0" && exec "$@"', '/tmp/migration/add-email-lower.sql',
      'psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', '--file=/tmp/migration/add-email-lower.sql',
    ]);
    const env = Object.fromEntries(container.Environment.map((e: any) => [e.Name, e.Value]));
    expect(env).toEqual({ PGSSLMODE: 'require', PGAPPNAME: 'migration-add-email-lower', MIGRATION_SCRIPT: set.script('add-email-lower') });
    expect(container.Secrets.map((s: any) => s.Name)).toEqual(['PGHOST', 'PGPORT', 'PGUSER', 'PGPASSWORD', 'PGDATABASE']);
    expect(JSON.stringify(container.Secrets[3].ValueFrom)).toContain(':secret:shop/db:password::');
    expect(td.Properties.RequiresCompatibilities).toEqual(['FARGATE']);
  });

  test('the PRE_SCALE_UP hook runs expand and contract in order; the smoke-test slot is untouched', () => {
    const cfnService = only(template, 'AWS::ECS::Service');
    expect(cfnService.Properties.DeploymentConfiguration.LifecycleHooks).toEqual([{
      HookTargetArn: { 'Fn::GetAtt': [logicalId(svc.migrationHookFunction), 'Arn'] },
      LifecycleStages: ['PRE_SCALE_UP'],
      RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^ApiServiceMigrationHookRole/), 'Arn'] },
    }]);
    const fn = resources[logicalId(svc.migrationHookFunction)];
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    const vars = fn.Properties.Environment.Variables;
    expect(vars.POLL_SECONDS).toBe('30');
    const steps = JSON.stringify(vars.STEPS);
    expect(steps).toContain('"id\\":\\"add-email-lower\\"');
    expect(steps).toContain('"id\\":\\"drop-email-upper\\"');
    expect(steps).not.toContain('fill-email-lower');
    expect(steps.indexOf('add-email-lower')).toBeLessThan(steps.indexOf('drop-email-upper'));
    expect(steps).toContain('\\"timeoutMs\\":3600000');
    expect(JSON.stringify(vars.SECURITY_GROUPS)).toContain(stack.getLogicalId(svc.securityGroup.node.defaultChild as any));
  });

  test('the hook may run only the hook steps\' task definitions, pass only their roles, and read or stop tasks of its cluster', () => {
    const fnRole = resources[logicalId(svc.migrationHookFunction)].Properties.Role['Fn::GetAtt'][0];
    const policy = Object.values(resources).find((r: any) => r.Type === 'AWS::IAM::Policy'
      && r.Properties.Roles.some((x: any) => x.Ref === fnRole)) as any;
    const statements = policy.Properties.PolicyDocument.Statement;
    const tdRef = (i: number) => ({ Ref: logicalId(svc.migrationTaskDefinitions[i]) });
    expect(statements[0]).toEqual({
      Action: 'ecs:RunTask',
      Effect: 'Allow',
      Resource: [tdRef(0), tdRef(2)],
      Condition: { ArnEquals: { 'ecs:cluster': { 'Fn::GetAtt': [stack.getLogicalId(svc.cluster.node.defaultChild as any), 'Arn'] } } },
    });
    expect(statements[1].Action).toBe('iam:PassRole');
    expect(statements[1].Resource).toHaveLength(4);
    expect(statements[1].Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } });
    expect(statements[2].Action).toEqual(['ecs:DescribeTasks', 'ecs:StopTask']);
    expect(JSON.stringify(statements[2].Resource)).toContain(':task/');
    expect(statements).toHaveLength(3);
  });

  test('the non-blocking backfill runs as an ECS task when a deployment of this service completes', () => {
    const rule = resources[stack.getLogicalId(svc.backfillRule!.node.defaultChild as any)];
    expect(rule.Properties.EventPattern).toEqual({
      'source': ['aws.ecs'],
      'detail-type': ['ECS Deployment State Change'],
      'resources': [{ Ref: stack.getLogicalId(svc.service.node.defaultChild as any) }],
      'detail': { eventName: ['SERVICE_DEPLOYMENT_COMPLETED'] },
    });
    const target = rule.Properties.Targets[0];
    expect(target.EcsParameters).toMatchObject({
      TaskDefinitionArn: { Ref: logicalId(svc.migrationTaskDefinitions[1]) },
      LaunchType: 'FARGATE',
      TaskCount: 1,
      NetworkConfiguration: { AwsVpcConfiguration: { AssignPublicIp: 'DISABLED' } },
    });
    expect(target.RetryPolicy).toEqual({ MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 });
  });

  test('the runbook says what the schema must still support on rollback', () => {
    expect(svc.runbook.schema).toEqual([
      'The steps add-email-lower, drop-email-upper run in the PRE_SCALE_UP hook, before any task of the new revision starts; a failed step rolls the deployment back, and the steps before it stay applied; '
        + 'the backfill fill-email-lower runs after the deployment completes (ECS Deployment State Change SERVICE_DEPLOYMENT_COMPLETED, after the bake time), so a rollback during the rollout happens before it.',
      'A rollback returns to the previous version on the expanded schema (add-email-lower stay applied): it must keep working with the additions.',
      'Contract removes column public.users.email_upper (dropped) by drop-email-upper: the running version no longer uses them, so a rollback to it works; '
        + 'a version older than that needs them back, so roll forward from there.',
    ]);
    expect(svc.runbook.toMarkdown()).toContain('**What the database schema must still support on rollback**');
  });

  test('the plan shows the hook phase at 0% before the first step, and notes for backfill, contract and rollback', () => {
    expect(svc.plan.phases[0]).toMatchObject({
      name: 'Migrations: expand (add-email-lower), then contract (drop-email-upper)',
      trafficPercent: 0,
    });
    expect(svc.plan.phases[0].note).toContain('PRE_SCALE_UP hook, before any task of the new revision starts');
    expect(svc.plan.phases[0].note).toContain('at most 2h');
    expect(svc.plan.phases[1].trafficPercent).toBe(10);
    const notes = svc.plan.notes.join('\n');
    expect(notes).toContain('Backfill step fill-email-lower runs as an ECS task after the deployment completes (ECS Deployment State Change SERVICE_DEPLOYMENT_COMPLETED');
    expect(notes).toContain('a contract step belongs to the release after the one that stopped using the old shape');
    expect(notes).toContain('Rollback: once this deployment\'s contract steps ran, column public.users.email_upper (dropped) by drop-email-upper is gone');
    expect(svc.plan.toMarkdown()).toContain('Migrations: expand (add-email-lower), then contract (drop-email-upper)');
  });
});

test('a blocking backfill runs in the hook between expand and contract, and no rule is created', () => {
  const { stack, svc } = service({ migrations: migrations({ blockingBackfill: true }) });
  expect(svc.backfillRule).toBeUndefined();
  expect(svc.plan.phases[0].name).toBe('Migrations: expand (add-email-lower), then blocking backfill (fill-email-lower), then contract (drop-email-upper)');
  const fn = Template.fromStack(stack).toJSON().Resources[stack.getLogicalId(svc.migrationHookFunction!.node.defaultChild as any)];
  const steps = JSON.stringify(fn.Properties.Environment.Variables.STEPS);
  expect(steps.indexOf('add-email-lower')).toBeLessThan(steps.indexOf('fill-email-lower'));
  expect(steps.indexOf('fill-email-lower')).toBeLessThan(steps.indexOf('drop-email-upper'));
});

test('a command runner runs its command unchanged, without a script', () => {
  const set = new MigrationSet({
    engine: DatabaseEngine.postgres(16),
    connection: DatabaseConnection.fromUrlSecret({ secretName: 'shop/db-url' }),
    runner: MigrationRunner.command({ image: 'registry.example.com/api:1.4.2', command: ['npx', 'prisma', 'migrate', 'deploy'], setsLockTimeout: true }),
    steps: [MigrationStep.expand({ id: 'prisma' })],
  });
  const { stack, svc, template } = service({ migrations: set });
  const td = template.toJSON().Resources[stack.getLogicalId(svc.migrationTaskDefinitions[0].node.defaultChild as any)];
  const container = td.Properties.ContainerDefinitions[0];
  expect(container.Image).toBe('registry.example.com/api:1.4.2');
  expect(container.Command).toEqual(['npx', 'prisma', 'migrate', 'deploy']);
  expect(container.Environment).toEqual([{ Name: 'PGAPPNAME', Value: 'migration-prisma' }]);
  expect(container.Secrets.map((s: any) => s.Name)).toEqual(['DATABASE_URL']);
  expect(svc.plan.notes.join('\n')).not.toContain('Backfill');
});

test('the smoke test hook stays at POST_TEST_TRAFFIC_SHIFT beside the migration hook', () => {
  const { template } = service({ migrations: migrations(), smokeTest: SmokeTest.http({ path: '/health' }) });
  const hooks = only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.LifecycleHooks;
  expect(hooks.map((h: any) => h.LifecycleStages)).toEqual([['PRE_SCALE_UP'], ['POST_TEST_TRAFFIC_SHIFT']]);
});

test('fails when migrations is not a MigrationSet', () => {
  expect(() => service({ migrations: { steps: [] } as any })).toThrow(
    'ProgressiveFargateService Test/Api: migrations must be a MigrationSet, got {"steps":[]}. Pass new MigrationSet({ engine, connection, steps }).');
});

test('fails when the CodeDeploy engine would wait longer than CodeDeploy\'s hour for the BeforeInstall hook', () => {
  expect(() => service({ migrations: migrations(), engine: EcsEngine.codeDeploy() })).toThrow(
    'ProgressiveFargateService Test/Api: migrations must run in at most 55 minutes in the BeforeInstall hook: CodeDeploy fails the deployment when a hook has not reported within 60 minutes, '
    + 'and 5 are kept for starting the tasks and reporting; the hook steps\' timeouts add up to 2h, got add-email-lower 1h + drop-email-upper 1h. '
    + 'Give the expand, contract and blocking backfill steps timeouts that add up to 55 minutes or less (timeout: Duration.minutes(20)), '
    + 'make a long backfill non-blocking (it then runs after the deployment, without this limit), or use EcsEngine.native(), whose PRE_SCALE_UP hook has no such limit.');
});

test('fails when migrations are given to a rolling deployment', () => {
  expect(() => service({ migrations: migrations(), strategy: DeploymentStrategy.rolling({ analysis: Analysis.none('batch worker') }) })).toThrow(/migrations needs a blue\/green, canary or linear strategy/);
});

test('fails when two non-blocking backfill steps would run at once', () => {
  expect(() => service({ migrations: migrations({ secondBackfill: true }) })).toThrow(
    'ProgressiveFargateService Test/Api: migrations may hold at most one non-blocking backfill step on ECS: each runs as its own task started by the deployment-completed event, '
    + 'so two would run at the same time, not in the declared order, got fill-email-lower, fill-other. Keep one non-blocking backfill step and declare the others blocking: true (they then run in the hook, in order).');
});

test('fails before any construct exists: a refused service leaves nothing behind', () => {
  const stack = newStack();
  expect(() => service({ migrations: migrations(), engine: EcsEngine.codeDeploy() }, stack)).toThrow(/must run in at most 55 minutes in the BeforeInstall hook/);
  expect(stack.node.children).toHaveLength(0);
});

test('the same declaration synthesizes byte-identical templates', () => {
  const a = JSON.stringify(service({ migrations: migrations(), strategy: canary(10, Duration.minutes(10)) }).template.toJSON());
  const b = JSON.stringify(service({ migrations: migrations(), strategy: canary(10, Duration.minutes(10)) }).template.toJSON());
  expect(a).toBe(b);
});
