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
   * `maxTimeToRollback` passes. Without the variable the step does nothing and passes.
   * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html
   * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html
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
