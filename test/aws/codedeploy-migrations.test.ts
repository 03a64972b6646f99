import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { canary, newStack, only, service } from './util';
import {
  CodeDeployEcsHookEvent, DatabaseConnection, DatabaseEngine, DeploymentHook, EcsEngine, MigrationSet, MigrationSql, MigrationStep,
  ProgressiveLambdaAlias, ProgressiveLambdaAliasProps,
  SmokeTest,
} from '../../src';

/** A release's migrations whose hook steps fit in CodeDeploy's hour. */
function migrations(extra: { blockingBackfill?: boolean; secondBackfill?: boolean; expandTimeout?: Duration } = {}): MigrationSet {
  return new MigrationSet({
    engine: DatabaseEngine.postgres(16),
    connection: DatabaseConnection.fromSecretFields({ secretName: 'shop/db' }),
    steps: [
      MigrationStep.expand({
        id: 'add-email-lower',
        timeout: extra.expandTimeout ?? Duration.minutes(20),
        sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN IF NOT EXISTS email_lower text;'),
      }),
      MigrationStep.backfill({
        id: 'fill-email-lower',
        blocking: extra.blockingBackfill,
        timeout: Duration.minutes(10),
        sql: MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL' }),
      }),
      ...(extra.secondBackfill ? [MigrationStep.backfill({
        id: 'fill-other',
        sql: MigrationSql.batchedBackfill({ table: 'orders', keyColumn: 'id', set: 'note = \'\'', where: 'note IS NULL' }),
      })] : []),
      MigrationStep.contract({ id: 'drop-email-upper', timeout: Duration.minutes(5), sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN IF EXISTS email_upper;') }),
    ],
  });
}

const logicalId = (stack: Stack, c: any) => stack.getLogicalId(c.node.defaultChild);

describe('CodeDeploy ECS with migrations', () => {
  const set = migrations();
  const { stack, svc, template } = service({ migrations: set, engine: EcsEngine.codeDeploy(), smokeTest: SmokeTest.http({ path: '/health' }) });
  const resources = template.toJSON().Resources as Record<string, any>;
  const hookId = logicalId(stack, svc.migrationHookFunction);
  const groupId = logicalId(stack, svc.deploymentGroup);

  test('no ECS lifecycle hook: the service is deployed by CodeDeploy', () => {
    const cfnService = only(template, 'AWS::ECS::Service');
    expect(cfnService.Properties.DeploymentController).toEqual({ Type: 'CODE_DEPLOY' });
    expect(cfnService.Properties.DeploymentConfiguration.LifecycleHooks).toBeUndefined();
  });

  test('the AppSpec runs the migration hook at BeforeInstall, before the smoke test at AfterAllowTestTraffic', () => {
    const appSpec = stack.resolve(svc.appSpec('arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7'));
    expect(appSpec).toEqual({
      'Fn::Join': ['', [
        '{"version":0.0,"Resources":[{"TargetService":{"Type":"AWS::ECS::Service","Properties":{"TaskDefinition":"arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7",'
          + '"LoadBalancerInfo":{"ContainerName":"app","ContainerPort":8080}}}}],"Hooks":[{"BeforeInstall":"',
        { Ref: hookId },
        '"},{"AfterAllowTestTraffic":"',
        { Ref: logicalId(stack, svc.smokeTestFunction) },
        '"}]}',
      ]],
    });
    // The stack output carries the same AppSpec.
    const output = Object.values(template.toJSON().Outputs as Record<string, any>).find((o: any) => o.Description?.startsWith('AppSpec'));
    expect(JSON.stringify(output.Value)).toContain('BeforeInstall');
  });

  test('the hook function runs the expand and contract steps in order, polls every 15 s, and may run for 15 minutes without retries', () => {
    const fn = resources[hookId];
    expect(fn.Properties.Runtime).toBe('nodejs24.x');
    expect(fn.Properties.Timeout).toBe(900);
    const vars = fn.Properties.Environment.Variables;
    expect(vars.POLL_SECONDS).toBe('15');
    expect(vars.NEXT_HOOK).toBeUndefined();
    const steps = JSON.stringify(vars.STEPS);
    expect(steps).toContain('\\"id\\":\\"add-email-lower\\"');
    expect(steps).toContain('\\"timeoutMs\\":1200000');
    expect(steps).toContain('\\"timeoutMs\\":300000');
    expect(steps).not.toContain('fill-email-lower');
    expect(steps.indexOf('add-email-lower')).toBeLessThan(steps.indexOf('drop-email-upper'));
    expect(JSON.stringify(vars.SECURITY_GROUPS)).toContain(logicalId(stack, svc.securityGroup));
    const config = Object.values(resources).find((r: any) => r.Type === 'AWS::Lambda::EventInvokeConfig'
      && r.Properties.FunctionName.Ref === hookId) as any;
    expect(config.Properties.MaximumRetryAttempts).toBe(0);
  });

  test('the hook may run only the hook steps\' tasks, report only to this deployment group, and invoke only itself to continue', () => {
    const roleId = resources[hookId].Properties.Role['Fn::GetAtt'][0];
    const policies = Object.entries(resources).filter(([, r]: [string, any]) => r.Type === 'AWS::IAM::Policy'
      && r.Properties.Roles.some((x: any) => x.Ref === roleId));
    const statements = policies.flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement);
    const tdRef = (i: number) => ({ Ref: logicalId(stack, svc.migrationTaskDefinitions[i]) });
    expect(statements.find((st: any) => st.Action === 'ecs:RunTask').Resource).toEqual([tdRef(0), tdRef(2)]);
    expect(statements.find((st: any) => st.Action === 'iam:PassRole').Resource).toHaveLength(4);
    expect(statements.find((st: any) => JSON.stringify(st.Action) === JSON.stringify(['ecs:DescribeTasks', 'ecs:StopTask']))).toBeDefined();
    const report = statements.find((st: any) => JSON.stringify(st.Action) === JSON.stringify(['codedeploy:GetDeployment', 'codedeploy:PutLifecycleEventHookExecutionStatus']));
    expect(JSON.stringify(report.Resource)).toContain(':deploymentgroup:');
    expect(JSON.stringify(report.Resource)).toContain(groupId);
    const invoke = statements.filter((st: any) => st.Action === 'lambda:InvokeFunction');
    expect(invoke).toEqual([{ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [hookId, 'Arn'] } }]);
    expect(statements).toHaveLength(5);
  });

  test('the deployment group\'s role may invoke the hook', () => {
    const groupRole = resources[groupId].Properties.ServiceRoleArn['Fn::GetAtt'][0];
    const policy = Object.values(resources).find((r: any) => r.Type === 'AWS::IAM::Policy'
      && r.Properties.Roles.some((x: any) => x.Ref === groupRole)) as any;
    const resourcesAllowed = JSON.stringify(policy.Properties.PolicyDocument.Statement
      .filter((st: any) => st.Action === 'lambda:InvokeFunction').map((st: any) => st.Resource));
    expect(resourcesAllowed).toContain(hookId);
  });

  test('the background backfill starts when a deployment of this deployment group succeeds', () => {
    const rule = resources[logicalId(stack, svc.backfillRule)];
    expect(rule.Properties.EventPattern).toMatchObject({
      'source': ['aws.codedeploy'],
      'detail-type': ['CodeDeploy Deployment State-change Notification'],
      'detail': { state: ['SUCCESS'] },
    });
    expect(JSON.stringify(rule.Properties.EventPattern.resources)).toContain(':deploymentgroup:');
    expect(rule.Properties.Description).toBe('Starts the backfill fill-email-lower of Test/Api when a CodeDeploy deployment of its deployment group succeeds');
    expect(rule.Properties.Targets[0].EcsParameters.TaskDefinitionArn).toEqual({ Ref: logicalId(stack, svc.migrationTaskDefinitions[1]) });
  });

  test('the plan shows the BeforeInstall phase at 0% before the smoke test, and the backfill on success', () => {
    expect(svc.plan.phases.map(p => p.name).slice(0, 2)).toEqual(['Migrations: expand (add-email-lower), then contract (drop-email-upper)', 'Test traffic only']);
    expect(svc.plan.phases[0].trafficPercent).toBe(0);
    expect(svc.plan.phases[0].note).toBe('BeforeInstall hook, before CodeDeploy creates the replacement task set (the original task set serves all traffic); one ECS task per step; '
      + 'takes as long as the steps run (at most 25m); a failed step rolls the deployment back; the hook reports to CodeDeploy with PutLifecycleEventHookExecutionStatus');
    const notes = svc.plan.notes.join('\n');
    expect(notes).toContain('Backfill step fill-email-lower runs as an ECS task after the CodeDeploy deployment succeeds (CodeDeploy Deployment State-change Notification SUCCESS, after the termination wait)');
    expect(notes).toContain('Contract steps (drop-email-upper) run in the BeforeInstall hook of this deployment');
    expect(notes).toContain('A CodeDeploy rollback deployment runs no migration step: its BeforeInstall hook reports Succeeded at once');
  });

  test('the runbook names the moment and what the schema must still support on rollback', () => {
    expect(svc.runbook.schema[0]).toBe('The steps add-email-lower, drop-email-upper run in the BeforeInstall hook, before CodeDeploy creates the replacement task set '
      + '(the original task set serves all traffic); a failed step rolls the deployment back, and the steps before it stay applied; the backfill fill-email-lower runs after the CodeDeploy '
      + 'deployment succeeds (CodeDeploy Deployment State-change Notification SUCCESS, after the termination wait), so a rollback during the rollout happens before it.');
    expect(svc.runbook.schema.slice(1)).toEqual(set.rollbackSchemaNotes());
  });
});

test('a blocking backfill runs in the BeforeInstall hook between expand and contract, and no rule is created', () => {
  const { stack, svc, template } = service({ migrations: migrations({ blockingBackfill: true }), engine: EcsEngine.codeDeploy() });
  expect(svc.backfillRule).toBeUndefined();
  template.resourceCountIs('AWS::Events::Rule', 0);
  const steps = JSON.stringify(template.toJSON().Resources[logicalId(stack, svc.migrationHookFunction)].Properties.Environment.Variables.STEPS);
  expect(steps.indexOf('add-email-lower')).toBeLessThan(steps.indexOf('fill-email-lower'));
  expect(steps.indexOf('fill-email-lower')).toBeLessThan(steps.indexOf('drop-email-upper'));
  expect(svc.plan.phases[0].note).toContain('at most 35m');
});

test('a set with only a background backfill renders no hook and no BeforeInstall entry', () => {
  const set = new MigrationSet({
    engine: DatabaseEngine.postgres(16),
    connection: DatabaseConnection.fromSecretFields({ secretName: 'shop/db' }),
    steps: [MigrationStep.backfill({ id: 'fill', sql: MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'a = 1', where: 'a IS NULL' }) })],
  });
  const { stack, svc } = service({ migrations: set, engine: EcsEngine.codeDeploy() });
  expect(svc.migrationHookFunction).toBeUndefined();
  expect(JSON.stringify(stack.resolve(svc.appSpec()))).not.toContain('BeforeInstall');
  expect(svc.backfillRule).toBeDefined();
});

test('the step timeouts change the hook and the plan', () => {
  const a = service({ migrations: migrations({ expandTimeout: Duration.minutes(20) }), engine: EcsEngine.codeDeploy() });
  const b = service({ migrations: migrations({ expandTimeout: Duration.minutes(50) }), engine: EcsEngine.codeDeploy() });
  const steps = (x: typeof a) => JSON.stringify(x.template.toJSON().Resources[logicalId(x.stack, x.svc.migrationHookFunction)]
    .Properties.Environment.Variables.STEPS);
  expect(steps(a)).toContain('1200000');
  expect(steps(b)).toContain('3000000');
  expect(b.svc.plan.phases[0].note).toContain('at most 55m');
});

test('fails when the hook steps\' timeouts add up to more than 55 minutes', () => {
  expect(() => service({ migrations: migrations({ expandTimeout: Duration.minutes(51) }), engine: EcsEngine.codeDeploy() })).toThrow(
    /^ProgressiveFargateService Test\/Api: migrations must run in at most 55 minutes in the BeforeInstall hook: .* add up to 56m, got add-email-lower 51m \+ drop-email-upper 5m\. /);
});

test('fails when two non-blocking backfills would run at once after the deployment succeeds', () => {
  expect(() => service({ migrations: migrations({ secondBackfill: true }), engine: EcsEngine.codeDeploy() })).toThrow(
    'ProgressiveFargateService Test/Api: migrations may hold at most one non-blocking backfill step on CodeDeploy: each runs as its own task started by the deployment-succeeded event, '
    + 'so two would run at the same time, not in the declared order, got fill-email-lower, fill-other. Keep one non-blocking backfill step and declare the others blocking: true (they then run in the hook, in order).');
});

test('the same declaration synthesizes byte-identical templates', () => {
  const synth = () => JSON.stringify(service({ migrations: migrations(), engine: EcsEngine.codeDeploy() }).template.toJSON());
  expect(synth()).toBe(synth());
});

test('a refused CodeDeploy service leaves nothing behind', () => {
  const stack = newStack();
  expect(() => service({ migrations: migrations({ expandTimeout: Duration.hours(1) }), engine: EcsEngine.codeDeploy() }, stack)).toThrow(/55 minutes/);
  expect(stack.node.children).toHaveLength(0);
  expect(Template.fromStack(stack).toJSON().Resources).toBeUndefined();
});

describe('Lambda alias with migrations', () => {
  function alias(props: Partial<ProgressiveLambdaAliasProps> & { withCluster?: boolean } = {}) {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    const { withCluster = true, ...rest } = props;
    const live = new ProgressiveLambdaAlias(stack, 'Live', {
      version: fn.currentVersion,
      strategy: canary(),
      migrations: migrations(),
      ...(withCluster ? { migrationCluster: cluster } : {}),
      ...rest,
    });
    return { stack, vpc, cluster, fn, live, template: Template.fromStack(stack) };
  }

  describe('with a smoke test', () => {
    const { stack, live, template, cluster } = alias({ smokeTest: SmokeTest.invoke({ payload: { ping: true }, deadline: Duration.minutes(2) }) });
    const resources = template.toJSON().Resources as Record<string, any>;
    const hookId = logicalId(stack, live.migrationHookFunction);

    test('the migration hook is the BeforeAllowTraffic hook, and hands over to the smoke test', () => {
      const aliasResource = resources[logicalId(stack, live.alias)];
      expect(aliasResource.UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook).toEqual({ Ref: hookId });
      const vars = resources[hookId].Properties.Environment.Variables;
      expect(vars.NEXT_HOOK).toEqual({ 'Fn::GetAtt': [logicalId(stack, live.smokeTestFunction), 'Arn'] });
      expect(vars.CLUSTER).toEqual({ 'Fn::GetAtt': [logicalId(stack, cluster), 'Arn'] });
      expect(JSON.stringify(vars.SECURITY_GROUPS)).toContain(logicalId(stack, live.migrationSecurityGroup));
      expect(JSON.stringify(vars.STEPS).indexOf('add-email-lower')).toBeLessThan(JSON.stringify(vars.STEPS).indexOf('drop-email-upper'));
    });

    test('the hook may invoke the smoke test and itself; the smoke test may report; both are in place before the alias moves', () => {
      const roleId = resources[hookId].Properties.Role['Fn::GetAtt'][0];
      const statements = Object.values(resources).filter((r: any) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === roleId))
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      const invoked = statements.filter((st: any) => st.Action === 'lambda:InvokeFunction').map((st: any) => st.Resource['Fn::GetAtt'][0]).sort();
      expect(invoked).toEqual([hookId, logicalId(stack, live.smokeTestFunction)].sort());
      const smokeRole = resources[logicalId(stack, live.smokeTestFunction)].Properties.Role['Fn::GetAtt'][0];
      const smokeStatements = Object.values(resources).filter((r: any) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === smokeRole))
        .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
      expect(smokeStatements.some((st: any) => st.Action === 'codedeploy:PutLifecycleEventHookExecutionStatus')).toBe(true);
      const dependsOn = resources[logicalId(stack, live.alias)].DependsOn as string[];
      expect(dependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^LiveMigrationHookContinue/), expect.stringMatching(/^LiveMigrationHookServiceRoleDefaultPolicy/),
        expect.stringMatching(/^LiveSmokeTestServiceRoleDefaultPolicy/)]));
    });

    test('the migration tasks run in the cluster with a new outbound-only security group; the backfill starts when a deployment succeeds', () => {
      expect(live.migrationTaskDefinitions).toHaveLength(3);
      const sg = resources[logicalId(stack, live.migrationSecurityGroup)];
      expect(sg.Properties.SecurityGroupEgress).toEqual([{ CidrIp: '0.0.0.0/0', Description: 'Allow all outbound traffic by default', IpProtocol: '-1' }]);
      expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
      const rule = resources[logicalId(stack, live.backfillRule)];
      expect(rule.Properties.EventPattern).toMatchObject({ source: ['aws.codedeploy'], detail: { state: ['SUCCESS'] } });
      expect(JSON.stringify(rule.Properties.EventPattern.resources)).toContain(logicalId(stack, live.deploymentGroup));
      expect(rule.Properties.Targets[0].EcsParameters.TaskDefinitionArn).toEqual({ Ref: logicalId(stack, live.migrationTaskDefinitions[1]) });
    });

    test('the plan runs the migrations at 0% before the smoke test, and says how they share the hook', () => {
      expect(live.plan.phases.map(p => p.name).slice(0, 2)).toEqual(['Migrations: expand (add-email-lower), then contract (drop-email-upper)', 'Before traffic (BeforeAllowTraffic hook)']);
      expect(live.plan.phases[0].note).toContain('BeforeAllowTraffic hook, before any traffic shifts to the new version');
      const notes = live.plan.notes.join('\n');
      expect(notes).toContain('shares CodeDeploy\'s one BeforeAllowTraffic hook with the migrations: the migration hook invokes it with CodeDeploy\'s event after the last step succeeds');
      expect(notes).toContain('Backfill step fill-email-lower runs as an ECS task after the CodeDeploy deployment succeeds (CodeDeploy Deployment State-change Notification SUCCESS, after the keep window)');
      expect(notes).toContain('The migration steps run on every deployment of this alias');
    });

    test('the runbook names the moment and what the schema must still support', () => {
      expect(live.runbook.schema[0]).toMatch(/^The steps add-email-lower, drop-email-upper run in the BeforeAllowTraffic hook, before any traffic shifts to the new version/);
      expect(live.runbook.toMarkdown()).toContain('**What the database schema must still support on rollback**');
    });
  });

  test('without a smoke test, the hook reports itself: no NEXT_HOOK', () => {
    const { stack, live, template } = alias();
    expect(live.smokeTestFunction).toBeUndefined();
    expect(template.toJSON().Resources[logicalId(stack, live.migrationHookFunction)].Properties.Environment.Variables.NEXT_HOOK).toBeUndefined();
    expect(live.plan.notes.join('\n')).not.toContain('shares CodeDeploy');
  });

  test('your preTrafficHook runs after the steps: the hook hands over to it, and it may report', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    const mine = new lambda.Function(stack, 'MyCheck', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    const live = new ProgressiveLambdaAlias(stack, 'Live', {
      version: fn.currentVersion, strategy: canary(), migrations: migrations(), migrationCluster: cluster, preTrafficHook: mine,
    });
    const resources = Template.fromStack(stack).toJSON().Resources as Record<string, any>;
    const hookId = logicalId(stack, live.migrationHookFunction);
    expect(resources[hookId].Properties.Environment.Variables.NEXT_HOOK).toEqual({ 'Fn::GetAtt': [logicalId(stack, mine), 'Arn'] });
    expect(resources[logicalId(stack, live.alias)].UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook).toEqual({ Ref: hookId });
    const mineRole = resources[logicalId(stack, mine)].Properties.Role['Fn::GetAtt'][0];
    const statements = Object.values(resources).filter((r: any) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((x: any) => x.Ref === mineRole))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([expect.objectContaining({ Action: 'codedeploy:PutLifecycleEventHookExecutionStatus' })]);
  });

  test('a set with only a background backfill renders no hook: the smoke test keeps the BeforeAllowTraffic slot', () => {
    const set = new MigrationSet({
      engine: DatabaseEngine.postgres(16),
      connection: DatabaseConnection.fromSecretFields({ secretName: 'shop/db' }),
      steps: [MigrationStep.backfill({ id: 'fill', sql: MigrationSql.batchedBackfill({ table: 'users', keyColumn: 'id', set: 'a = 1', where: 'a IS NULL' }) })],
    });
    const { stack, live, template } = alias({ migrations: set, smokeTest: SmokeTest.invoke({ payload: {} }) });
    expect(live.migrationHookFunction).toBeUndefined();
    expect(live.backfillRule).toBeDefined();
    const aliasResource = template.toJSON().Resources[logicalId(stack, live.alias)];
    expect(aliasResource.UpdatePolicy.CodeDeployLambdaAliasUpdate.BeforeAllowTrafficHook).toEqual({ Ref: logicalId(stack, live.smokeTestFunction) });
    expect(live.plan.notes.join('\n')).not.toContain('shares CodeDeploy');
  });

  test('the same declaration synthesizes byte-identical templates', () => {
    const synth = () => JSON.stringify(alias({ smokeTest: SmokeTest.invoke({ payload: {} }) }).template.toJSON());
    expect(synth()).toBe(synth());
  });

  test('migrationSubnets and migrationSecurityGroup change where the tasks run', () => {
    const base = alias();
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    const sg = new ec2.SecurityGroup(stack, 'DbClients', { vpc });
    const live = new ProgressiveLambdaAlias(stack, 'Live', {
      version: fn.currentVersion,
      strategy: canary(),
      migrations: migrations(),
      migrationCluster: cluster,
      migrationSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      migrationSecurityGroup: sg,
    });
    const vars = Template.fromStack(stack).toJSON().Resources[logicalId(stack, live.migrationHookFunction)].Properties.Environment.Variables;
    expect(live.migrationSecurityGroup).toBe(sg);
    expect(JSON.stringify(vars.SECURITY_GROUPS)).toContain(logicalId(stack, sg));
    expect(JSON.stringify(vars.SUBNETS)).toContain('PublicSubnet');
    const baseVars = base.template.toJSON().Resources[logicalId(base.stack, base.live.migrationHookFunction)].Properties.Environment.Variables;
    expect(JSON.stringify(baseVars.SUBNETS)).toContain('PrivateSubnet');
    // The security group passed, and no other.
    Template.fromStack(stack).resourceCountIs('AWS::EC2::SecurityGroup', 1);
  });

  test('fails when migrations are given without migrationCluster', () => {
    expect(() => alias({ withCluster: false })).toThrow(
      'ProgressiveLambdaAlias Test/Live: migrationCluster is required with migrations: the steps run as Fargate tasks in an ECS cluster, in its VPC, got undefined. '
      + 'Pass the ECS cluster (ecs.Cluster or ecs.Cluster.fromClusterAttributes with its vpc) whose VPC reaches the database.');
  });

  test('fails when the placement props are given without migrations', () => {
    expect(() => alias({ migrations: undefined })).toThrow(
      'ProgressiveLambdaAlias Test/Live: migrationCluster only applies with migrations: it places the migration tasks, got the construct Test/Cluster. Remove migrationCluster, or declare migrations.');
    expect(() => alias({ migrations: undefined, withCluster: false, migrationSubnets: {} })).toThrow(/migrationSubnets only applies with migrations/);
  });

  test('fails when the placement props have the wrong type', () => {
    expect(() => alias({ migrationCluster: 'shop' as any })).toThrow('ProgressiveLambdaAlias Test/Live: migrationCluster must be an ECS cluster with its VPC (ecs.ICluster), got "shop". ');
    expect(() => alias({ migrationSubnets: ['subnet-1'] as any })).toThrow(/migrationSubnets must be a subnet selection \(ec2.SubnetSelection\), got \["subnet-1"\]/);
    expect(() => alias({ migrationSecurityGroup: 'sg-1' as any })).toThrow(/migrationSecurityGroup must be a security group \(ec2.ISecurityGroup\), got "sg-1"/);
  });

  test('fails when migrations is not a MigrationSet', () => {
    expect(() => alias({ migrations: 'expand.sql' as any })).toThrow('ProgressiveLambdaAlias Test/Live: migrations must be a MigrationSet, got "expand.sql". Pass new MigrationSet({ engine, connection, steps }).');
  });

  test('fails when the steps and the smoke test\'s deadline do not fit in CodeDeploy\'s hour', () => {
    const long = migrations({ expandTimeout: Duration.minutes(45) });
    expect(alias({ migrations: long }).live.migrationHookFunction).toBeDefined();
    expect(() => alias({ migrations: long, smokeTest: SmokeTest.invoke({ payload: {}, deadline: Duration.minutes(10) }) })).toThrow(
      /^ProgressiveLambdaAlias Test\/Live: migrations must run in at most 55 minutes in the BeforeAllowTraffic hook: .* the hook steps' timeouts and the pre-traffic check add up to 1h, got add-email-lower 45m \+ drop-email-upper 5m \+ the pre-traffic check 10m\. Give/);
  });
});

describe('CodeDeploy ECS migrations beside your hooks', () => {
  test('fails when a hook of yours asks for BeforeInstall, which the migrations take; other events are kept in AppSpec order', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Check', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') });
    const hook = (event: CodeDeployEcsHookEvent) => [DeploymentHook.codeDeploy(event, fn)];
    expect(() => service({ migrations: migrations(), engine: EcsEngine.codeDeploy(), hooks: hook(CodeDeployEcsHookEvent.BEFORE_INSTALL) }, stack))
      .toThrow('hooks[0] runs at the AppSpec event BeforeInstall, which already runs the migrations: a CodeDeploy AppSpec runs one function per event');
    const { stack: s2, svc } = service(
      { migrations: migrations(), engine: EcsEngine.codeDeploy(), hooks: hook(CodeDeployEcsHookEvent.AFTER_INSTALL) }, stack);
    const joined = JSON.stringify(s2.resolve(svc.appSpec('arn:aws:ecs:eu-west-1:123456789012:task-definition/api:7')));
    expect(joined.indexOf('BeforeInstall')).toBeGreaterThan(0);
    expect(joined.indexOf('AfterInstall')).toBeGreaterThan(joined.indexOf('BeforeInstall'));
  });
});
