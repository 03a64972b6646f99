import { CfnResource, Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { newStack, service } from './util';
import {
  AlarmRollback, Analysis, CanaryStep, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveLambdaAlias, Promotion, SmokeTest,
} from '../../src';
import { ecsRunbook, lambdaRunbook } from '../../src/aws/private/runbook';

const plan = DeploymentStrategy.canary({
  steps: [CanaryStep.of(10, Duration.minutes(10))],
  analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
}).plan();
const ecsVariables = [
  { name: 'CLUSTER', description: 'the cluster', value: 'shop' },
  { name: 'SERVICE', description: 'the service', lookup: 'aws cloudformation describe-stack-resource --stack-name Shop --logical-resource-id ApiService --query StackResourceDetail.PhysicalResourceId --output text' },
];
const base = { title: 'Shop/Api', plan, alarmNames: ['api-error-rate'], alarmsOn: true, keep: '5m', rolling: false, manualPromotion: false };

describe('ECS runbooks', () => {
  test('ECS native: stop-service-deployment with ROLLBACK, the alarms by name and the break-glass path', () => {
    const md = ecsRunbook({ ...base, variables: ecsVariables, codeDeploy: false }).toMarkdown();
    expect(md).toContain('ECS rolls the deployment back when any of these alarms is in ALARM while it runs, keep window included: api-error-rate (worst-case detection 2m).');
    expect(md).toContain('DEPLOYMENT=$(aws ecs list-service-deployments --cluster "$CLUSTER" --service "$SERVICE" --status IN_PROGRESS --query "serviceDeployments[0].serviceDeploymentArn" --output text)');
    expect(md).toContain('aws ecs stop-service-deployment --service-deployment-arn "$DEPLOYMENT" --stop-type ROLLBACK');
    expect(md).toContain('CLUSTER=shop');
    expect(md).toContain('SERVICE=$(aws cloudformation describe-stack-resource --stack-name Shop --logical-resource-id ApiService');
    expect(md).toContain('Set `alarmRollback: AlarmRollback.breakGlass("<incident>")` on the service');
    expect(md).toContain('ECS native has no manual gate');
  });

  test('CodeDeploy: stop with auto-rollback, approve with READY_WAIT only for a manual promotion, end the keep window with TERMINATION_WAIT', () => {
    const variables = [...ecsVariables, { name: 'APPLICATION', description: 'app', value: 'shop-app' }, { name: 'GROUP', description: 'group', value: 'shop-group' }];
    const auto = ecsRunbook({ ...base, variables, codeDeploy: true }).toMarkdown();
    expect(auto).toContain('aws deploy stop-deployment --deployment-id "$DEPLOYMENT" --auto-rollback-enabled');
    expect(auto).toContain('aws deploy continue-deployment --deployment-id "$DEPLOYMENT" --deployment-wait-type TERMINATION_WAIT');
    expect(auto).not.toContain('READY_WAIT');
    const manual = ecsRunbook({ ...base, variables, codeDeploy: true, manualPromotion: true }).toMarkdown();
    expect(manual).toContain('aws deploy continue-deployment --deployment-id "$DEPLOYMENT" --deployment-wait-type READY_WAIT');
  });

  test('break glass: the runbook says that nothing rolls back, and why', () => {
    const md = ecsRunbook({ ...base, variables: ecsVariables, codeDeploy: false, alarmsOn: false, breakGlassReason: 'INC-42' }).toMarkdown();
    expect(md).toContain('Nothing: the rollback alarms are off for deployments (break glass: INC-42). They stay defined (api-error-rate) but ECS ignores them.');
  });

  test('rolling: the circuit breaker is named', () => {
    const md = ecsRunbook({ ...base, variables: ecsVariables, codeDeploy: false, rolling: true }).toMarkdown();
    expect(md).toContain('The deployment circuit breaker rolls back a deployment whose tasks keep failing to start.');
  });
});

describe('Lambda runbook', () => {
  test('stop-deployment, and update-alias back to a previous version', () => {
    const md = lambdaRunbook({
      ...base,
      variables: [
        { name: 'FUNCTION', description: 'f', value: 'checkout' },
        { name: 'ALIAS', description: 'a', value: 'live' },
        { name: 'APPLICATION', description: 'app', value: 'app' },
        { name: 'GROUP', description: 'g', value: 'group' },
      ],
    }).toMarkdown();
    expect(md).toContain('aws deploy stop-deployment --deployment-id "$DEPLOYMENT" --auto-rollback-enabled');
    expect(md).toContain('aws lambda update-alias --function-name "$FUNCTION" --name "$ALIAS" --function-version "<previous version>"');
    expect(md).toContain('FUNCTION=checkout');
  });
});

describe('the constructs expose their runbook with their resource names', () => {
  test('ProgressiveFargateService (ECS native): the cluster and service are looked up from the stack', () => {
    const { svc, stack } = service();
    const rb = svc.runbook;
    const cfnService = svc.service.node.defaultChild as CfnResource;
    const logicalId = stack.resolve(stack.getLogicalId(cfnService));
    expect(rb.target).toBe('ECS native');
    expect(rb.variables.find(v => v.name === 'SERVICE')!.lookup)
      .toBe(`aws cloudformation describe-stack-resource --stack-name ${stack.stackName} --logical-resource-id ${logicalId} --query StackResourceDetail.PhysicalResourceId --output text`);
    expect(rb.toMarkdown()).toContain('aws ecs stop-service-deployment --service-deployment-arn "$DEPLOYMENT" --stop-type ROLLBACK');
    expect(rb.automatic[0]).toContain(svc.alarmNames.join(', '));
  });

  test('ProgressiveFargateService (CodeDeploy): the deployment group is named, and a manual promotion can be approved', () => {
    const { svc } = service({
      engine: EcsEngine.codeDeploy({ deploymentGroupName: 'checkout-group' }),
      strategy: DeploymentStrategy.blueGreen({
        promotion: Promotion.manual(),
        postPromotionAnalysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
      }),
      smokeTest: SmokeTest.http({ path: '/health' }),
    });
    const rb = svc.runbook;
    expect(rb.variables.find(v => v.name === 'GROUP')).toEqual({ name: 'GROUP', description: "the CodeDeploy deployment group's name", value: 'checkout-group' });
    expect(rb.toMarkdown()).toContain('--deployment-wait-type READY_WAIT');
  });

  test('ProgressiveFargateService under break glass says nothing rolls back', () => {
    const { svc } = service({ alarmRollback: AlarmRollback.breakGlass('INC-7') });
    expect(svc.runbook.automatic[0]).toContain('break glass: INC-7');
  });

  test('ProgressiveLambdaAlias: the alias name is literal, the function looked up', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1'),
    });
    const live = new ProgressiveLambdaAlias(stack, 'Live', {
      version: fn.currentVersion,
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(5))],
        analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
      }),
    });
    const rb = live.runbook;
    expect(rb.variables.find(v => v.name === 'ALIAS')).toEqual({ name: 'ALIAS', description: "the alias' name", value: 'live' });
    expect(rb.variables.find(v => v.name === 'FUNCTION')!.lookup).toContain('describe-stack-resource');
    expect(rb.toMarkdown()).toContain('aws deploy stop-deployment --deployment-id "$DEPLOYMENT" --auto-rollback-enabled');
  });
});
