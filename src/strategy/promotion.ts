import { Duration } from 'aws-cdk-lib';
import { requireDuration } from '../private/validate';

/** When a blue/green deployment switches production traffic to the new (green) version. */
export class Promotion {
  /**
   * Switch automatically once the preview has been up for `after` and its checks have passed.
   * `Duration.seconds(0)` switches as soon as the preview checks pass.
   */
  public static automatic(after: Duration): Promotion {
    return new Promotion(requireDuration('Promotion.automatic', 'after', after, { allowZero: true }), false);
  }

  /** Hold the preview until someone approves the switch. */
  public static manual(): Promotion {
    return new Promotion(Duration.seconds(0), true);
  }

  /** Minimum time the preview is up before an automatic switch (zero for manual promotion). */
  public readonly wait: Duration;
  /** Whether the switch waits for a manual approval. */
  public readonly isManual: boolean;

  private constructor(wait: Duration, isManual: boolean) {
    this.wait = wait;
    this.isManual = isManual;
  }
}
