import { Aws, CfnOutput } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { ProgressiveFargateService } from '../../aws/progressive-fargate-service';
import { toSeconds } from '../../private/duration';
import { RollbackDrill } from '../rollback-drill';

function output(service: ProgressiveFargateService, id: string, value: string, description: string): CfnOutput {
  return (service.node.tryFindChild(id) as CfnOutput | undefined) ?? new CfnOutput(service, id, { value, description });
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
