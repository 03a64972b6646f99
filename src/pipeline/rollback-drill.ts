import { Duration } from 'aws-cdk-lib';
import { fail, formatDuration, requireDuration, show } from '../private/validate';

/** Options for `RollbackDrill.forcedAlarm`. */
export interface ForcedAlarmDrillProps {
  /**
   * The longest acceptable time from forcing the alarm to a completed rollback; the drill step fails
   * beyond it (1 minute to 1 hour).
   * @default Duration.minutes(15)
   */
  readonly maxTimeToRollback?: Duration;
}

/**
 * A rollback drill, run on demand in a non-production environment: the team starts the pipeline with
 * the variable `ROLLBACK_DRILL=true` and sees a deployment roll back automatically, and how long it took.
 */
export class RollbackDrill {
  /** The name of the pipeline variable that requests a drill. */
  public static readonly VARIABLE = 'ROLLBACK_DRILL';

  /**
   * For each `ProgressiveFargateService` of the environment: after the environment deployed and its
   * smoke tests passed, a CodeBuild step forces a new deployment of the same version
   * (`aws ecs update-service --force-new-deployment`), holds the service's first rollback alarm in
   * ALARM (`aws cloudwatch set-alarm-state`, repeated until ECS reacts, since the alarm's next
   * evaluation would reset it) and waits until ECS reports the deployment rolled back
   * (`list-service-deployments`: ROLLBACK_SUCCESSFUL). It prints the time from the forced alarm to the
   * completed rollback and fails when the rollback fails, the deployment succeeds instead, or
   * `maxTimeToRollback` passes.
   *
   * For each `ProgressiveLambdaAlias` with rollback alarms: CodeDeploy shifts an alias between two
   * different versions only, so the step publishes a new version of the code the alias serves
   * (`aws lambda publish-version --code-sha256`, which refuses other code; the function's description
   * is changed for the publish, since Lambda publishes nothing unchanged, and restored at once),
   * starts a CodeDeploy deployment from the alias' version to it with the deployment group's own
   * hooks, holds the alias' first rollback alarm in ALARM and waits until the deployment failed and
   * the alias serves its previous version alone again. The drill's version stays published.
   *
   * Without the variable the steps do nothing and pass.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
   * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_PublishVersion.html
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-resources.html
   */
  public static forcedAlarm(props: ForcedAlarmDrillProps = {}): RollbackDrill {
    const where = 'RollbackDrill.forcedAlarm';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { maxTimeToRollback } or nothing.');
    }
    const max = requireDuration(where, 'maxTimeToRollback', props.maxTimeToRollback ?? Duration.minutes(15));
    if (max.toSeconds() < 60 || max.toSeconds() > 3600) {
      fail(where, 'maxTimeToRollback', 'must be between 1 minute and 1 hour', formatDuration(max), 'Pass for example Duration.minutes(15).');
    }
    return new RollbackDrill(max);
  }

  /** The longest acceptable time from the forced alarm to a completed rollback. */
  public readonly maxTimeToRollback: Duration;

  private constructor(maxTimeToRollback: Duration) {
    this.maxTimeToRollback = maxTimeToRollback;
  }
}
