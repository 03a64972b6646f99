import { Token } from 'aws-cdk-lib';
import { fail, show } from '../private/validate';

/**
 * Whether the rollback alarms of a `ProgressiveFargateService` stop and roll back its deployments.
 *
 * On ECS the alarms judge the whole service: each takes the worst of the blue and green target
 * groups, so while a canary or linear step splits traffic, the previous version's errors count too.
 * When the previous version is the one failing (an incident), a fix cannot pass those checks:
 * `AlarmRollback.breakGlass(reason)` deploys it with the alarms turned off, visibly (a synth warning,
 * a plan note and an explicit "off" in the template), and `AlarmRollback.enabled()` turns them back on.
 */
export class AlarmRollback {
  /**
   * The alarms stop and roll back a deployment when any of them is in ALARM (the default).
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
   */
  public static enabled(): AlarmRollback {
    return new AlarmRollback(true, undefined);
  }

  /**
   * Break glass: deployments run with the rollback alarms turned off, to ship a fix while a check
   * is failing. The alarms stay defined and listed; ECS native renders
   * `DeploymentConfiguration.Alarms.Enable: false`, CodeDeploy `AlarmConfiguration.Enabled: false`
   * without the stop-on-alarm rollback. Nothing rolls such a deployment back automatically (the
   * circuit breaker of a rolling deployment still does): set `AlarmRollback.enabled()` again in the
   * next deployment.
   * @param reason why the alarms are off (an incident number, a ticket), shown in the warning and the plan
   * @see https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DeploymentAlarms.html
   * @see https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_AlarmConfiguration.html
   */
  public static breakGlass(reason: string): AlarmRollback {
    if (typeof reason !== 'string' || reason.trim().length === 0 || Token.isUnresolved(reason)) {
      fail('AlarmRollback.breakGlass', 'reason', 'must be a non-empty text known at synth time', Token.isUnresolved(reason) ? 'an unresolved token' : show(reason),
        'Say why the alarms are off, for example "INC-123: deploy the fix while the old version fails".');
    }
    return new AlarmRollback(false, reason.trim());
  }

  /** Whether the alarms roll deployments back. */
  public readonly isEnabled: boolean;
  /** Why the alarms are off (break glass only). */
  public readonly reason?: string;

  private constructor(isEnabled: boolean, reason: string | undefined) {
    this.isEnabled = isEnabled;
    this.reason = reason;
  }
}
