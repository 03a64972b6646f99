import { CfnResource, Stack, Token } from 'aws-cdk-lib';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct, IConstruct } from 'constructs';
import { fail, formatDuration, show } from '../../private/validate';
import { RolloutPlan } from '../../strategy/rollout-plan';
import { Runbook, RunbookProcedure, RunbookVariable } from '../../strategy/runbook';

/** What every AWS runbook is told about the deployment it describes. */
export interface AwsRunbookFacts {
  /** The construct path, the runbook's title. */
  readonly title: string;
  /** The plan the construct renders. */
  readonly plan: RolloutPlan;
  /** The rollback alarms' names (empty without checks). */
  readonly alarmNames: string[];
  /** Whether the alarms roll deployments back (false under break glass). */
  readonly alarmsOn: boolean;
  /** Why the alarms are off, under break glass. */
  readonly breakGlassReason?: string;
  /** What the database schema must still support on rollback (declared migrations). */
  readonly schema?: string[];
}

/** The facts of an ECS service's runbook. */
export interface EcsRunbookFacts extends AwsRunbookFacts {
  /** Variables CLUSTER and SERVICE (and, for CodeDeploy, APPLICATION and GROUP). */
  readonly variables: RunbookVariable[];
  /** Whether CodeDeploy (true) or ECS (false) runs the deployments. */
  readonly codeDeploy: boolean;
  /** CodeDeploy: whether a manual promotion waits for approval. */
  readonly manualPromotion: boolean;
  /** Whether the service replaces its tasks in place (rolling). */
  readonly rolling: boolean;
  /** The previous version's keep window, formatted. */
  readonly keep: string;
  /**
   * ECS native with a manual promotion: what the PAUSE hook does when nobody answers
   * ("rolls back unless continued within 1d").
   */
  readonly gate?: string;
  /**
   * ECS native with a header-only preview: the route (`header X-Preview: qa`), whether it ends with a
   * manual approval, and what its PAUSE hook does when nobody answers.
   */
  readonly preview?: { readonly route: string; readonly manualGate: boolean; readonly gate: string };
  /**
   * ECS native with a canary step's manual gate: the canary weight and what the gate does when nobody
   * answers ("rolls back unless approved within 23h"); the variables include APPROVAL_PARAMETER.
   */
  readonly canaryGate?: { readonly weight: number; readonly gate: string };
  /** CodeDeploy: whether the stack update starts the deployments (deployOnStackUpdate). */
  readonly stackDeploys?: boolean;
}

/** The facts of a Lambda alias's runbook. */
export interface LambdaRunbookFacts extends AwsRunbookFacts {
  /** Variables FUNCTION, ALIAS, APPLICATION and GROUP. */
  readonly variables: RunbookVariable[];
}

/** Finds the CodeDeploy deployment in progress of the deployment group in $APPLICATION / $GROUP. */
const CODEDEPLOY_IN_PROGRESS = 'DEPLOYMENT=$(aws deploy list-deployments --application-name "$APPLICATION" --deployment-group-name "$GROUP" '
  + '--include-only-statuses Created Queued InProgress Ready --query "deployments[0]" --output text)';

/** What rolls back by itself, from the plan and the alarms. */
function automatic(facts: AwsRunbookFacts, engine: string, extra: string[]): string[] {
  const out: string[] = [];
  if (facts.alarmNames.length === 0) {
    out.push('Nothing watches the new version: no health check is declared, so no alarm rolls a deployment back.');
  } else if (!facts.alarmsOn) {
    out.push(`Nothing: the rollback alarms are off for deployments (break glass: ${facts.breakGlassReason}). They stay defined (${facts.alarmNames.join(', ')}) but ${engine} ignores them.`);
  } else {
    const detect = facts.plan.phases.map(p => p.timeToDetect).filter(t => t !== undefined).map(t => formatDuration(t!));
    out.push(`${engine} rolls the deployment back when any of these alarms is in ALARM while it runs, keep window included: ${facts.alarmNames.join(', ')}`
      + (detect.length > 0 ? ` (worst-case detection ${detect[detect.length - 1]}).` : '.'));
  }
  return [...out, ...extra];
}

/** The runbook of a ProgressiveFargateService on the ECS native engine or CodeDeploy. */
export function ecsRunbook(facts: EcsRunbookFacts): Runbook {
  const breakGlass: RunbookProcedure = {
    title: 'Deploy a fix while a check is failing (break glass)',
    when: 'the previous version is the one failing (an incident), so the alarms, which judge the whole service, would roll the fix back',
    notes: [
      'Set `alarmRollback: AlarmRollback.breakGlass("<incident>")` on the service, deploy (`cdk deploy`), then set `AlarmRollback.enabled()` again and deploy once more.',
      'While it is set, nothing rolls a failing deployment back automatically.',
    ],
  };
  if (facts.codeDeploy) {
    const procedures: RunbookProcedure[] = [
      {
        title: 'Abort the deployment in progress and roll back',
        when: 'the new version misbehaves before the deployment completes (the previous task set still exists)',
        commands: [CODEDEPLOY_IN_PROGRESS, 'aws deploy stop-deployment --deployment-id "$DEPLOYMENT" --auto-rollback-enabled'],
      },
    ];
    if (facts.manualPromotion) {
      procedures.push({
        title: 'Promote the new version (approve)',
        when: 'the preview on the test listener looks right',
        commands: [CODEDEPLOY_IN_PROGRESS, 'aws deploy continue-deployment --deployment-id "$DEPLOYMENT" --deployment-wait-type READY_WAIT'],
      });
    }
    procedures.push(
      {
        title: 'Release the previous version now',
        when: `the new version is healthy and you do not want to wait for the keep window (${facts.keep}) to end`,
        commands: [CODEDEPLOY_IN_PROGRESS, 'aws deploy continue-deployment --deployment-id "$DEPLOYMENT" --deployment-wait-type TERMINATION_WAIT'],
      },
      {
        title: 'Watch the deployment',
        when: 'any time',
        commands: [CODEDEPLOY_IN_PROGRESS, 'aws deploy get-deployment --deployment-id "$DEPLOYMENT" --query "deploymentInfo.[status,errorInformation]"'],
      },
      {
        title: 'Roll back after the deployment completed',
        when: 'the previous task set is gone (after the keep window)',
        notes: ['Revert the change in source control and release it through the same pipeline: CodeDeploy shifts traffic back under the same strategy and checks.'],
      },
      breakGlass,
    );
    return Runbook.of({
      title: facts.title,
      target: facts.plan.target,
      automatic: automatic(facts, 'CodeDeploy', ['A stopped deployment (stop-deployment) rolls back too: auto-rollback is on for stops.']),
      variables: facts.variables,
      procedures,
      schema: facts.schema,
      notes: facts.stackDeploys ? ['The stack update starts each deployment and waits for it: a failed or stopped deployment fails the update, '
        + 'and CloudFormation rolls the stack back.'] : undefined,
    });
  }
  const inProgress = 'DEPLOYMENT=$(aws ecs list-service-deployments --cluster "$CLUSTER" --service "$SERVICE" --status IN_PROGRESS '
    + '--query "serviceDeployments[0].serviceDeploymentArn" --output text)';
  // The PAUSE hook waiting for an answer, in the deployment in progress.
  const pausedHook = 'HOOK=$(aws ecs describe-service-deployments --service-deployment-arns "$DEPLOYMENT" '
    + '--query "serviceDeployments[0].lifecycleHookDetails[?targetType==\'PAUSE\' && status==\'AWAITING_ACTION\'].hookId | [0]" --output text)';
  const gate: RunbookProcedure[] = facts.gate === undefined ? [] : [
    {
      title: 'Promote the new version (continue the paused deployment)',
      when: `the preview on the test listener looks right; the deployment is paused at POST_TEST_TRAFFIC_SHIFT and ${facts.gate}`,
      commands: [inProgress, pausedHook, 'aws ecs continue-service-deployment --hook-id "$HOOK" --action CONTINUE'],
    },
    {
      title: 'Reject the new version (roll back the paused deployment)',
      when: 'the preview on the test listener is wrong; the previous version never took production traffic',
      commands: [inProgress, pausedHook, 'aws ecs continue-service-deployment --hook-id "$HOOK" --action ROLLBACK'],
    },
  ];
  const preview: RunbookProcedure[] = facts.preview === undefined ? [] : [
    {
      title: facts.preview.manualGate ? 'Approve the new version after the header-only preview (continue)' : 'End the header-only preview early (continue)',
      when: `the new version looks right to requests with ${facts.preview.route} on the production listener; the deployment is paused at POST_TEST_TRAFFIC_SHIFT and ${facts.preview.gate}`,
      commands: [inProgress, pausedHook, 'aws ecs continue-service-deployment --hook-id "$HOOK" --action CONTINUE'],
    },
    {
      title: 'Reject the new version during the header-only preview (roll back)',
      when: `the new version is wrong for requests with ${facts.preview.route}; no user has reached it yet`,
      commands: [inProgress, pausedHook, 'aws ecs continue-service-deployment --hook-id "$HOOK" --action ROLLBACK'],
    },
  ];
  const canaryGate: RunbookProcedure[] = facts.canaryGate === undefined ? [] : [
    {
      title: 'Promote the canary (approve the gate)',
      when: `the canary at ${facts.canaryGate.weight}% looks right after its bake; the final traffic shift waits at PRE_PRODUCTION_TRAFFIC_SHIFT and ${facts.canaryGate.gate}`,
      commands: [inProgress, 'aws ssm put-parameter --name "$APPROVAL_PARAMETER" --value "$DEPLOYMENT" --type String --overwrite'],
      notes: ['The gate looks at the parameter about once a minute; the approval names this deployment only, so it never promotes a later one.'],
    },
    {
      title: 'Roll back the canary (reject)',
      when: `the canary at ${facts.canaryGate.weight}% is wrong; the previous version still serves the rest of the traffic`,
      commands: [inProgress, 'aws ssm put-parameter --name "$APPROVAL_PARAMETER" --value "reject:$DEPLOYMENT" --type String --overwrite'],
    },
  ];
  const paused = facts.gate !== undefined || facts.preview !== undefined || facts.canaryGate !== undefined;
  return Runbook.of({
    title: facts.title,
    target: facts.plan.target,
    automatic: automatic(facts, 'ECS', facts.rolling ? ['The deployment circuit breaker rolls back a deployment whose tasks keep failing to start.'] : []),
    variables: facts.variables,
    procedures: [
      ...gate,
      ...preview,
      ...canaryGate,
      {
        title: 'Abort the deployment in progress and roll back',
        when: facts.rolling ? 'the new tasks misbehave during the replacement' : `the new version misbehaves before the deployment completes (keep window: ${facts.keep})`,
        commands: [inProgress, 'aws ecs stop-service-deployment --service-deployment-arn "$DEPLOYMENT" --stop-type ROLLBACK'],
      },
      {
        title: 'Watch the deployment',
        when: 'any time',
        commands: [inProgress, 'aws ecs describe-service-deployments --service-deployment-arns "$DEPLOYMENT" --query "serviceDeployments[0].[status,statusReason,rollback]"'],
      },
      {
        title: 'Roll back after the deployment completed',
        when: 'the previous version is no longer kept',
        notes: ['Revert the change in source control and release it through the same pipeline: ECS replaces the version under the same strategy and checks.'],
      },
      ...(facts.alarmNames.length > 0 ? [breakGlass] : []),
    ],
    schema: facts.schema,
    notes: !paused ? ['ECS native has no manual gate here: there is nothing to approve or promote.']
      : ['While the deployment is paused, the CloudFormation update that started it waits too: answer before the wait ends.'],
  });
}

/** The runbook of a ProgressiveLambdaAlias. */
export function lambdaRunbook(facts: LambdaRunbookFacts): Runbook {
  return Runbook.of({
    title: facts.title,
    target: facts.plan.target,
    automatic: automatic(facts, 'CodeDeploy', ['A stopped deployment (stop-deployment) points the alias back to the previous version.']),
    variables: facts.variables,
    procedures: [
      {
        title: 'Abort the deployment in progress and roll back',
        when: 'the new version misbehaves while traffic shifts or during the keep window',
        commands: [CODEDEPLOY_IN_PROGRESS, 'aws deploy stop-deployment --deployment-id "$DEPLOYMENT" --auto-rollback-enabled'],
      },
      {
        title: 'Watch the deployment',
        when: 'any time',
        commands: [CODEDEPLOY_IN_PROGRESS, 'aws deploy get-deployment --deployment-id "$DEPLOYMENT" --query "deploymentInfo.[status,errorInformation]"'],
      },
      {
        title: 'Point the alias back to a previous version',
        when: 'the deployment completed and the new version misbehaves (every version stays published)',
        commands: [
          'aws lambda get-alias --function-name "$FUNCTION" --name "$ALIAS" --query FunctionVersion --output text',
          'aws lambda list-versions-by-function --function-name "$FUNCTION" --query "Versions[].Version" --output text',
          'aws lambda update-alias --function-name "$FUNCTION" --name "$ALIAS" --function-version "<previous version>"',
        ],
        notes: ['The next `cdk deploy` points the alias at the declared version again: revert the change in source control as well.'],
      },
    ],
    schema: facts.schema,
  });
}

/**
 * A runbook variable for a resource name: the literal when it is known at synth time, otherwise a
 * CloudFormation lookup of the resource's physical id in its stack (the name for clusters, functions,
 * CodeDeploy applications and deployment groups, the ARN for ECS services, which every command accepts).
 */
export function nameVariable(name: string, description: string, value: string, resource: IConstruct | undefined): RunbookVariable {
  if (!Token.isUnresolved(value)) {
    return { name, description, value };
  }
  const cfn = resource === undefined ? undefined
    : CfnResource.isCfnResource(resource) ? resource : resource.node.defaultChild;
  if (cfn === undefined || !CfnResource.isCfnResource(cfn)) {
    return { name, description, lookup: `echo "<${description}: see the AWS console>"` };
  }
  const stack = Stack.of(cfn);
  const stackName = Token.isUnresolved(stack.stackName) ? '<stack name>' : stack.stackName;
  const logicalId = stack.resolve(stack.getLogicalId(cfn)) as string;
  return {
    name,
    description,
    lookup: `aws cloudformation describe-stack-resource --stack-name ${stackName} --logical-resource-id ${logicalId} `
      + '--query StackResourceDetail.PhysicalResourceId --output text',
  };
}

/** The largest value of an advanced SSM String parameter, in characters. */
const SSM_ADVANCED_MAX = 8192;
/** The largest value of a standard SSM String parameter, in characters. */
const SSM_STANDARD_MAX = 4096;

/** Refuses an SSM parameter name SSM would reject (checked before any construct is created). */
export function requireRunbookParameterName(where: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || Token.isUnresolved(value) || value.length === 0 || value.length > 1011
    || !/^[a-zA-Z0-9_.\-/]+$/.test(value) || (value.includes('/') && !value.startsWith('/')) || /^\/?(aws|ssm)/i.test(value)) {
    fail(where, 'runbookParameterName', 'must be an SSM parameter name known at synth time: letters, digits and "_.-/", a path starting with "/", not starting with "aws" or "ssm"',
      typeof value === 'string' && Token.isUnresolved(value) ? 'an unresolved token' : show(value), 'Pass a name such as "/runbooks/checkout-api".');
  }
  return value;
}

/**
 * Publishes a runbook as an SSM String parameter next to the stack, so that operators find it with
 * `aws ssm get-parameter --name <name> --query Parameter.Value --output text`. A runbook longer than a
 * standard parameter holds uses the advanced tier.
 */
export function publishRunbook(scope: Construct, parameterName: string, runbook: Runbook): ssm.StringParameter {
  // Loaded here: only constructs that publish a runbook need aws-ssm.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ssmModule: typeof ssm = require('aws-cdk-lib/aws-ssm');
  const markdown = runbook.toMarkdown();
  if (markdown.length > SSM_ADVANCED_MAX) {
    fail(`${scope.node.path}`, 'runbookParameterName', `cannot hold the runbook: it is longer than an SSM parameter's ${SSM_ADVANCED_MAX} characters`,
      `${markdown.length} characters`, 'Remove runbookParameterName and read the construct\'s runbook at synth time instead.');
  }
  return new ssmModule.StringParameter(scope, 'Runbook', {
    parameterName,
    stringValue: markdown,
    description: `Runbook of ${runbook.title}: what rolls back by itself, and the commands to abort, promote or roll back`,
    tier: markdown.length > SSM_STANDARD_MAX ? ssmModule.ParameterTier.ADVANCED : ssmModule.ParameterTier.STANDARD,
  });
}
