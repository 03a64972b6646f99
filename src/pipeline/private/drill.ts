import { Aws, CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { ProgressiveFargateService } from '../../aws/progressive-fargate-service';
import { ProgressiveLambdaAlias } from '../../aws/progressive-lambda-alias';
import { toSeconds } from '../../private/duration';
import { RollbackDrill } from '../rollback-drill';

function output(owner: Construct, id: string, value: string, description: string): CfnOutput {
  return (owner.node.tryFindChild(id) as CfnOutput | undefined) ?? new CfnOutput(owner, id, { value, description });
}

/** The shell commands of the drill of one service (the alarm name is a literal checked by the caller). */
export function drillCommands(alarmName: string, region: string, maxSeconds: number): string[] {
  const aws = `aws --region ${region}`;
  const newest = `${aws} ecs list-service-deployments --cluster "$CLUSTER" --service "$SERVICE" `
    + '--query \'sort_by(serviceDeployments,&createdAt)[-1].[serviceDeploymentArn,status]\' --output text';
  return [
    `if [ "$DRILL" != "true" ]; then echo "No rollback drill requested (start the pipeline with --variables name=${RollbackDrill.VARIABLE},value=true)"; exit 0; fi`,
    // The deployment that is current before the drill, so that its state is never taken for the drill's.
    `before=$(${newest} | cut -f1)`,
    `${aws} ecs update-service --cluster "$CLUSTER" --service "$SERVICE" --force-new-deployment --query service.serviceName --output text`,
    'forced=$(date +%s); status=""',
    `while [ $(( $(date +%s) - forced )) -lt ${maxSeconds} ]; do `
      + `out=$(${newest}); arn=$(echo "$out" | cut -f1); status=$(echo "$out" | cut -f2); `
      + 'if [ "$arn" = "$before" ]; then status=""; sleep 5; continue; fi; '
      + 'case "$status" in ROLLBACK_SUCCESSFUL|ROLLBACK_FAILED|SUCCESSFUL|STOPPED) break;; ROLLBACK_*) ;; '
      + `*) ${aws} cloudwatch set-alarm-state --alarm-name '${alarmName}' --state-value ALARM --state-reason 'Rollback drill';; esac; sleep 15; done`,
    'elapsed=$(( $(date +%s) - forced )); echo "Rollback drill of $SERVICE: deployment status ${status:-unknown} after ${elapsed}s"',
    'test "$status" = "ROLLBACK_SUCCESSFUL"',
  ];
}

/** The drill step of one service: runs only when the pipeline variable requests it. */
export function drillStep(
  id: string, service: ProgressiveFargateService, drill: RollbackDrill, account: string, region: string,
): pipelines.CodeBuildStep {
  const alarmName = service.alarmNames[0];
  return new pipelines.CodeBuildStep(id, {
    commands: drillCommands(alarmName, region, toSeconds(drill.maxTimeToRollback)),
    env: { DRILL: `#{variables.${RollbackDrill.VARIABLE}}` },
    envFromCfnOutputs: {
      CLUSTER: output(service, 'ReleasePipelineCluster', service.cluster.clusterName, `Cluster of ${service.node.path}, for the release pipeline's rollback drill`),
      SERVICE: output(service, 'ReleasePipelineService', service.service.serviceName, `Service ${service.node.path}, for the release pipeline's rollback drill`),
    },
    rolePolicyStatements: [
      new iam.PolicyStatement({
        actions: ['ecs:UpdateService', 'ecs:ListServiceDeployments'],
        resources: [`arn:${Aws.PARTITION}:ecs:${region}:${account}:service/*`],
      }),
      new iam.PolicyStatement({
        actions: ['cloudwatch:SetAlarmState'],
        resources: [`arn:${Aws.PARTITION}:cloudwatch:${region}:${account}:alarm:${alarmName}`],
      }),
    ],
  });
}

/** The lifecycle hooks CodeDeploy runs for the alias' deployments (the function names, as tokens), read from the alias' update policy. */
function aliasHooks(alias: ProgressiveLambdaAlias): { before?: string; after?: string } {
  const policy = (alias.alias.node.defaultChild as lambda.CfnAlias).cfnOptions.updatePolicy?.codeDeployLambdaAliasUpdate;
  const stack = Stack.of(alias);
  // The update policy holds lazy values that resolve to nothing when the group has no such hook.
  const present = (hook?: string) => (hook !== undefined && stack.resolve(hook) !== undefined ? hook : undefined);
  return { before: present(policy?.beforeAllowTrafficHook), after: present(policy?.afterAllowTrafficHook) };
}

/**
 * The shell commands of the drill of one Lambda alias (the alarm name is a literal checked by the caller).
 * CodeDeploy shifts an alias between two different versions only, so the drill publishes a new version
 * of the code the alias serves: `publish-version --code-sha256` refuses when the function's code is not
 * that code, and a version is published only when something changed, so the function's description
 * is changed for the publish and restored at once. The deployment carries the alias group's own hooks.
 */
export function lambdaDrillCommands(alarmName: string, region: string, maxSeconds: number, hooks: { before: boolean; after: boolean }): string[] {
  const aws = `aws --region ${region}`;
  const hookEntries = [
    ...(hooks.before ? ['{BeforeAllowTraffic: $PRE_HOOK}'] : []),
    ...(hooks.after ? ['{AfterAllowTraffic: $POST_HOOK}'] : []),
  ];
  const appSpec = '{version: 0.0, Resources: [{drill: {Type: \'AWS::Lambda::Function\', Properties: '
    + '{Name: $FUNCTION, Alias: $ALIAS, CurrentVersion: \'$current\', TargetVersion: \'$target\'}}}]'
    + (hookEntries.length > 0 ? `, Hooks: [${hookEntries.join(', ')}]` : '') + '}';
  const alias = `${aws} lambda get-alias --function-name "$FUNCTION" --name "$ALIAS" `
    + '--query \'[FunctionVersion, length(RoutingConfig.AdditionalVersionWeights || `{}`)]\' --output text';
  return [
    `if [ "$DRILL" != "true" ]; then echo "No rollback drill requested (start the pipeline with --variables name=${RollbackDrill.VARIABLE},value=true)"; exit 0; fi`,
    `current=$(${aws} lambda get-alias --function-name "$FUNCTION" --name "$ALIAS" --query FunctionVersion --output text)`,
    `sha=$(${aws} lambda get-function-configuration --function-name "$FUNCTION" --qualifier "$current" --query CodeSha256 --output text)`,
    `description=$(${aws} lambda get-function-configuration --function-name "$FUNCTION" --query "Description || ''" --output text)`,
    `${aws} lambda update-function-configuration --function-name "$FUNCTION" --description "Rollback drill of version $current" --query FunctionName --output text`,
    `${aws} lambda wait function-updated --function-name "$FUNCTION"`,
    // Published from the same code as the version the alias serves, or not at all; the description is restored either way.
    `target=$(${aws} lambda publish-version --function-name "$FUNCTION" --code-sha256 "$sha" --query Version --output text); published=$?; `
      + `${aws} lambda update-function-configuration --function-name "$FUNCTION" --description "$description" --query FunctionName --output text; `
      + 'test "$published" -eq 0',
    `appspec="${appSpec}"`,
    `id=$(${aws} deploy create-deployment --application-name "$APPLICATION" --deployment-group-name "$GROUP" `
      + '--description "Rollback drill" --revision "{\\"revisionType\\": \\"AppSpecContent\\", \\"appSpecContent\\": {\\"content\\": \\"$appspec\\"}}" '
      + '--query deploymentId --output text)',
    'forced=$(date +%s); status=""',
    `while [ $(( $(date +%s) - forced )) -lt ${maxSeconds} ]; do `
      + `status=$(${aws} deploy get-deployment --deployment-id "$id" --query deploymentInfo.status --output text); `
      + 'case "$status" in Succeeded) break;; '
      + `Failed|Stopped) if [ "$(${alias} | tr '\\t' ' ')" = "$current 0" ]; then status=ROLLED_BACK; break; fi;; `
      + `*) ${aws} cloudwatch set-alarm-state --alarm-name '${alarmName}' --state-value ALARM --state-reason 'Rollback drill';; esac; sleep 15; done`,
    'elapsed=$(( $(date +%s) - forced )); echo "Rollback drill of $FUNCTION:$ALIAS (version $target over $current): deployment $id ${status:-unknown} after ${elapsed}s"',
    'test "$status" = "ROLLED_BACK"',
  ];
}

/** The drill step of one Lambda alias: runs only when the pipeline variable requests it. */
export function lambdaDrillStep(
  id: string, alias: ProgressiveLambdaAlias, alarmName: string, drill: RollbackDrill, account: string, region: string,
): pipelines.CodeBuildStep {
  const hooks = aliasHooks(alias);
  const described = (what: string) => `${what} of ${alias.node.path}, for the release pipeline's rollback drill`;
  const outputs: Record<string, CfnOutput> = {
    FUNCTION: output(alias, 'ReleasePipelineFunction', alias.alias.version.lambda.functionName, described('Function')),
    ALIAS: output(alias, 'ReleasePipelineAlias', alias.alias.aliasName, described('Alias')),
    APPLICATION: output(alias, 'ReleasePipelineApplication', alias.application.applicationName, described('CodeDeploy application')),
    GROUP: output(alias, 'ReleasePipelineDeploymentGroup', alias.deploymentGroup.deploymentGroupName, described('CodeDeploy deployment group')),
  };
  if (hooks.before) outputs.PRE_HOOK = output(alias, 'ReleasePipelinePreTrafficHook', hooks.before, described('Pre-traffic hook'));
  if (hooks.after) outputs.POST_HOOK = output(alias, 'ReleasePipelinePostTrafficHook', hooks.after, described('Post-traffic hook'));
  const arn = (service: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${region}:${account}:${resource}`;
  return new pipelines.CodeBuildStep(id, {
    commands: lambdaDrillCommands(alarmName, region, toSeconds(drill.maxTimeToRollback),
      { before: hooks.before !== undefined, after: hooks.after !== undefined }),
    env: { DRILL: `#{variables.${RollbackDrill.VARIABLE}}` },
    envFromCfnOutputs: outputs,
    rolePolicyStatements: [
      // The names are the other stack's outputs, not known to this one: the account's functions and groups in the region.
      new iam.PolicyStatement({
        actions: ['lambda:GetAlias', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion'],
        resources: [arn('lambda', 'function:*')],
      }),
      new iam.PolicyStatement({
        actions: ['codedeploy:CreateDeployment', 'codedeploy:GetDeployment'],
        resources: [arn('codedeploy', 'deploymentgroup:*')],
      }),
      new iam.PolicyStatement({ actions: ['codedeploy:GetDeploymentConfig'], resources: [arn('codedeploy', 'deploymentconfig:*')] }),
      new iam.PolicyStatement({
        actions: ['codedeploy:RegisterApplicationRevision', 'codedeploy:GetApplicationRevision'],
        resources: [arn('codedeploy', 'application:*')],
      }),
      new iam.PolicyStatement({ actions: ['cloudwatch:SetAlarmState'], resources: [arn('cloudwatch', `alarm:${alarmName}`)] }),
    ],
  });
}
