import { Duration } from 'aws-cdk-lib';
import { analysis, error, only, service } from './util';
import { CanaryStep, DeploymentStrategy, EcsEngine, Promotion } from '../../src';

const strategy = (keep = Duration.minutes(20)) => DeploymentStrategy.canary({
  steps: [CanaryStep.of(10, Duration.minutes(10))], analysis: analysis(), keepPreviousVersionFor: keep,
});

describe('CodeDeploy deployments started by CloudFormation (deployOnStackUpdate)', () => {
  test('by default nothing starts deployments: no custom resource exists', () => {
    const { template, svc } = service({ engine: EcsEngine.codeDeploy(), strategy: strategy() });
    expect(Object.keys(template.findResources('Custom::CodeDeployEcsDeployment'))).toHaveLength(0);
    expect(svc.stackDeploymentFunction).toBeUndefined();
    expect(svc.plan.notes.join(' ')).not.toContain('CloudFormation starts the deployment');
    expect(svc.runbook.toMarkdown()).not.toContain('The stack update starts each deployment');
  });

  test('a custom resource deploys each new task definition with the AppSpec', () => {
    const { template, svc } = service({ engine: EcsEngine.codeDeploy({ deployOnStackUpdate: true }), strategy: strategy() });
    const deployment = only(template, 'Custom::CodeDeployEcsDeployment');
    expect(deployment.Properties).toMatchObject({
      TaskDefinition: { Ref: expect.stringMatching(/^ApiTaskDefinition/) },
      ApplicationName: { Ref: expect.stringMatching(/^ApiApplication/) },
      DeploymentGroupName: { Ref: expect.stringMatching(/^ApiDeploymentGroup/) },
      ServiceTimeout: '3600',
    });
    expect(JSON.stringify(deployment.Properties.AppSpec)).toContain('AWS::ECS::Service');
    expect(deployment.DependsOn).toEqual([expect.stringMatching(/^ApiStackDeploymentContinue/)]);
    // The service names the task definition family: a new revision changes only the custom resource.
    expect(only(template, 'AWS::ECS::Service').Properties.TaskDefinition).toEqual(expect.stringMatching(/^TestApiTaskDefinition/));
    expect(svc.stackDeploymentFunction).toBeDefined();
    expect(svc.runbook.toMarkdown()).toContain('The stack update starts each deployment and waits for it: a failed or stopped deployment fails the update');
    expect(svc.plan.notes).toContain('CloudFormation starts the deployment: a stack update that changes the task definition deploys it with CodeDeploy '
      + 'and waits for the deployment, and a failed or stopped deployment fails the update, which rolls the stack back.');
  });

  test('the handler runs on the current Node.js runtime with the exact rights it needs', () => {
    const { template } = service({ engine: EcsEngine.codeDeploy({ deployOnStackUpdate: true }), strategy: strategy() });
    const fns = Object.values(template.findResources('AWS::Lambda::Function')).filter((f: any) => String(f.Properties.Description).startsWith('Deploys each new task definition'));
    expect(fns).toHaveLength(1);
    expect((fns[0] as any).Properties).toMatchObject({ Runtime: 'nodejs24.x', Timeout: 900, Environment: { Variables: { POLL_MS: '15000', MAX_WAIT_MS: '3600000' } } });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const actions = (a: unknown) => statements.filter((s: any) => JSON.stringify(s.Action) === JSON.stringify(a));
    expect(actions(['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'])).toHaveLength(1);
    expect(JSON.stringify(actions(['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'])[0].Resource)).toContain(':deploymentgroup:');
    expect(actions('ecs:DescribeServices')[0].Resource).toEqual({ Ref: expect.stringMatching(/^ApiService/) });
    expect(actions('codedeploy:GetDeploymentConfig')).toHaveLength(1);
    expect(actions(['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'])).toHaveLength(1);
    expect(actions('lambda:InvokeFunction').some((s: any) => JSON.stringify(s.Resource).includes('ApiStackDeployment'))).toBe(true);
  });

  test('fails when the plan may outlast the hour CloudFormation waits for a custom resource', () => {
    expect(error(() => service({ engine: EcsEngine.codeDeploy({ deployOnStackUpdate: true }), strategy: strategy(Duration.minutes(40)) })).message)
      .toMatch(/engine.deployOnStackUpdate needs a deployment that ends within 45m: CloudFormation waits at most 1h for the custom resource that runs it.*got a plan of 50m\. Shorten the steps/);
  });

  test('fails when a manual promotion\'s approval wait makes the deployment too long', () => {
    expect(error(() => service({
      engine: EcsEngine.codeDeploy({ deployOnStackUpdate: true }),
      strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual(), keepPreviousVersionFor: Duration.minutes(10) }),
    })).message).toMatch(/got a plan of 10m with an approval wait of 1d\./);
    const ok = service({
      engine: EcsEngine.codeDeploy({ deployOnStackUpdate: true, approvalWaitTime: Duration.minutes(30) }),
      strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual(), keepPreviousVersionFor: Duration.minutes(10) }),
    });
    expect(Object.keys(ok.template.findResources('Custom::CodeDeployEcsDeployment'))).toHaveLength(1);
  });

  test('fails when deployOnStackUpdate is not a boolean', () => {
    expect(error(() => EcsEngine.codeDeploy({ deployOnStackUpdate: 'yes' as any })).message)
      .toBe('EcsEngine.codeDeploy: deployOnStackUpdate must be true or false, got "yes". Pass true to deploy each new task definition during the stack update.');
  });
});
