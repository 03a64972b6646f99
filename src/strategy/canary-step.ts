import { Duration } from 'aws-cdk-lib';
import { requireDuration, requireNumber, requireThousandths } from '../private/validate';

/**
 * One step of a canary: the share of traffic sent to the new version and how long it bakes there
 * while the analysis runs. A step may also wait for a manual approval once it has baked.
 */
export class CanaryStep {
  /** Send `weight` percent of traffic to the new version and bake for `bakeTime`. */
  public static of(weight: number, bakeTime: Duration): CanaryStep {
    return new CanaryStep('CanaryStep.of', weight, bakeTime, false);
  }

  /**
   * Send `weight` percent of traffic to the new version, bake for `bakeTime` with the analysis
   * running, then hold until someone approves the next step.
   *
   * What each target does: Argo Rollouts renders `setWeight` then `pause: {}` after the bake's pause
   * (promoted with `kubectl argo rollouts promote`). ECS native (`ProgressiveFargateService` with
   * `EcsEngine.native()`, one step only) renders a Lambda lifecycle hook at
   * PRE_PRODUCTION_TRAFFIC_SHIFT that holds the final shift to 100% until the service's
   * `approvalParameter` names the deployment (or `reject:<deployment>` rolls it back), for
   * `EcsEngine.native({ approvalWaitTime })` (23 hours by default, at most 23 h 50 min), while the
   * rollback alarms keep judging the canary. CodeDeploy (ECS and Lambda) and AppConfig refuse it:
   * their traffic shifts on a timer.
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/lambda-lifecycle-hooks.html
   * @see https://argoproj.github.io/argo-rollouts/features/canary/#pause-duration
   */
  public static withManualGate(weight: number, bakeTime: Duration): CanaryStep {
    return new CanaryStep('CanaryStep.withManualGate', weight, bakeTime, true);
  }

  /** Percent of traffic sent to the new version during this step. */
  public readonly weight: number;
  /** How long the step lasts (with a manual gate: before approval is requested). */
  public readonly bakeTime: Duration;
  /** Whether the step holds for a manual approval after baking. */
  public readonly manualGate: boolean;

  private constructor(where: string, weight: number, bakeTime: Duration, manualGate: boolean) {
    this.weight = requireThousandths(where, 'weight', requireNumber(where, 'weight', weight, { min: 1, max: 99 },
      'Pass a weight between 1 and 99; the rollout goes to 100% by itself after the last step.'), 'Round the weight to three decimal places, for example 2.5.');
    this.bakeTime = requireDuration(where, 'bakeTime', bakeTime);
    this.manualGate = manualGate;
  }
}
