import { CustomResource, Duration } from 'aws-cdk-lib';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { handlerCode } from './handler-code';
import { fail, formatDuration } from '../../private/validate';
import { withPlanNotes } from '../../strategy/private/plan-phases';
import { RolloutPlan } from '../../strategy/rollout-plan';

/**
 * CodeDeploy ECS deployments started by CloudFormation (`EcsEngine.codeDeploy({ deployOnStackUpdate: true })`):
 * one handler (handlers/codedeploy-deployment) behind a custom resource that deploys each new revision
 * of the task definition and answers CloudFormation when the deployment ends. The CODE_DEPLOY service
 * names the task definition family (aws-cdk-lib renders it so), so a new revision leaves the service
 * resource unchanged and only the custom resource acts.
 */

/** How long CloudFormation waits for a custom resource (ServiceTimeout, at most 3600 seconds). */
export const CUSTOM_RESOURCE_MAX_WAIT = Duration.hours(1);
/** What the plan may take: the rest of the hour is kept for the replacement tasks to start. */
export const STACK_DEPLOYMENT_MAX_PLAN = Duration.minutes(45);
/** Poll period of the deployment. */
const POLL = Duration.seconds(15);

/** The note the plan gets. */
export const STACK_DEPLOYMENT_NOTE = 'CloudFormation starts the deployment: a stack update that changes the task definition deploys it with CodeDeploy '
  + 'and waits for the deployment, and a failed or stopped deployment fails the update, which rolls the stack back.';

/** Refuses a deployment CloudFormation would stop waiting for; returns the plan with its note. */
export function checkStackDeployment(where: string, plan: RolloutPlan, approvalWait: Duration | undefined): RolloutPlan {
  const last = plan.phases[plan.phases.length - 1];
  // The plan does not count approval waits.
  const planMinutes = last.start.toMinutes({ integral: false }) + last.duration.toMinutes({ integral: false });
  const minutes = planMinutes + (approvalWait?.toMinutes() ?? 0);
  if (minutes > STACK_DEPLOYMENT_MAX_PLAN.toMinutes()) {
    fail(where, 'engine.deployOnStackUpdate', `needs a deployment that ends within ${formatDuration(STACK_DEPLOYMENT_MAX_PLAN)}: CloudFormation waits at most `
      + `${formatDuration(CUSTOM_RESOURCE_MAX_WAIT)} for the custom resource that runs it, and the rest is kept for the new tasks to start`,
    `a plan of ${formatDuration(Duration.seconds(Math.round(planMinutes * 60)))}${approvalWait ? ` with an approval wait of ${formatDuration(approvalWait)}` : ''}`,
    'Shorten the steps, keepPreviousVersionFor or approvalWaitTime, or start the deployments from a pipeline (appSpec()), or use EcsEngine.native(), whose deployments CloudFormation runs for up to 33 hours.');
  }
  return withPlanNotes(plan, [STACK_DEPLOYMENT_NOTE]);
}

/** What the deployment resources are wired to. */
export interface StackDeploymentTargets {
  readonly service: ecs.FargateService;
  readonly cluster: ecs.ICluster;
  readonly taskDefinition: ecs.TaskDefinition;
  readonly application: codedeploy.IEcsApplication;
  readonly deploymentGroup: codedeploy.IEcsDeploymentGroup;
  readonly deploymentConfig: codedeploy.IEcsDeploymentConfig;
  /** The AppSpec of the current task definition. */
  readonly appSpec: string;
}

/** Creates the handler and the deployment resource; returns the handler. */
export function createStackDeployment(scope: Construct, t: StackDeploymentTargets): lambda.Function {
  const fn = new lambda.Function(scope, 'StackDeployment', {
    description: `Deploys each new task definition of ${scope.node.path} with CodeDeploy during the stack update, and waits for it`,
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: handlerCode('codedeploy-deployment'),
    timeout: Duration.minutes(15),
    // A failed invocation already answered CloudFormation; a retry would deploy again.
    retryAttempts: 0,
    environment: { POLL_MS: String(POLL.toMilliseconds()), MAX_WAIT_MS: String(CUSTOM_RESOURCE_MAX_WAIT.toMilliseconds()) },
  });
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['ecs:DescribeServices'], resources: [t.service.serviceArn] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'], resources: [t.deploymentGroup.deploymentGroupArn] }));
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['codedeploy:GetDeploymentConfig'], resources: [t.deploymentConfig.deploymentConfigArn] }));
  fn.addToRolePolicy(new iam.PolicyStatement({
    actions: ['codedeploy:GetApplicationRevision', 'codedeploy:RegisterApplicationRevision'], resources: [t.application.applicationArn],
  }));
  // Continuing the wait in a new invocation: a separate policy, because the function depends on its
  // role's default policy and cannot be named in it.
  const selfInvoke = new iam.Policy(scope, 'StackDeploymentContinue', {
    statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] })],
    roles: [fn.role!],
  });

  const deployment = new CustomResource(scope, 'Deployment', {
    serviceToken: fn.functionArn,
    resourceType: 'Custom::CodeDeployEcsDeployment',
    serviceTimeout: CUSTOM_RESOURCE_MAX_WAIT,
    properties: {
      TaskDefinition: t.taskDefinition.taskDefinitionArn,
      ApplicationName: t.application.applicationName,
      DeploymentGroupName: t.deploymentGroup.deploymentGroupName,
      Cluster: t.cluster.clusterName,
      Service: t.service.serviceArn,
      AppSpec: t.appSpec,
    },
  });
  deployment.node.addDependency(selfInvoke);
  return fn;
}
