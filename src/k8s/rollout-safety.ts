import { Duration } from 'aws-cdk-lib';
import { requireResolved } from './private/inputs';
import { fail, formatDuration, requireDuration, show } from '../private/validate';

/**
 * Where Argo Rollouts may place the new version's pods relative to the previous version's
 * (`antiAffinity` of the canary or blue/green strategy): it injects a pod anti-affinity against the
 * previous ReplicaSet, so that the new version does not land on the nodes the old one runs on, and a
 * bad node cannot take both versions down.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/anti-affinity/anti-affinity/
 */
export class AntiAffinity {
  /**
   * The scheduler prefers other nodes, with this weight (1 to 100) against other preferences; pods
   * still start when no other node fits (`preferredDuringSchedulingIgnoredDuringExecution`).
   * @param weight 1 to 100; default 100
   */
  public static preferred(weight?: number): AntiAffinity {
    requireResolved('AntiAffinity.preferred', 'weight', weight);
    // Only an absent weight takes the default: null is refused like any other non-number.
    weight = weight === undefined ? 100 : weight;
    if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 1 || weight > 100) {
      fail('AntiAffinity.preferred', 'weight', 'must be a whole number between 1 and 100 (the controller refuses other weights)', show(weight),
        'Pass a weight such as 100.');
    }
    return new AntiAffinity(weight);
  }

  /**
   * Pods of the new version never share a node with the previous version's
   * (`requiredDuringSchedulingIgnoredDuringExecution`): a cluster without enough free nodes leaves
   * them Pending, and the progress deadline then aborts the update.
   */
  public static required(): AntiAffinity {
    return new AntiAffinity(undefined);
  }

  /** The weight of a preferred anti-affinity; undefined when required. */
  public readonly weight?: number;

  private constructor(weight: number | undefined) {
    this.weight = weight;
  }

  /** Whether the anti-affinity is a hard requirement. */
  public get isRequired(): boolean {
    return this.weight === undefined;
  }

  /** "preferred (weight 100)" or "required". */
  public toString(): string {
    return this.isRequired ? 'required' : `preferred (weight ${this.weight})`;
  }
}

/**
 * What happens to the new version's pods when an update is aborted (`abortScaleDownDelaySeconds`):
 * all traffic is back on the stable version at once; the aborted pods are then scaled down after a
 * delay, or kept for debugging.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/scaledown-aborted-rs/
 */
export class AbortScaleDown {
  /** Scale the aborted pods down this long after the abort (at least one second). */
  public static after(delay: Duration): AbortScaleDown {
    const d = requireDuration('AbortScaleDown.after', 'delay', delay);
    const s = d.toSeconds();
    if (s > 2_147_483_647) {
      fail('AbortScaleDown.after', 'delay', 'must fit Argo Rollouts\' 32-bit seconds field', formatDuration(d), 'Pass a shorter delay.');
    }
    return new AbortScaleDown(s);
  }

  /**
   * Keep the aborted pods running (without traffic) until the next update or a manual scale-down,
   * to debug them; they cost as much as the stable version while they run.
   */
  public static never(): AbortScaleDown {
    return new AbortScaleDown(0);
  }

  /** Seconds after the abort; 0 means never (Argo Rollouts' meaning of 0). */
  public readonly seconds: number;

  private constructor(seconds: number) {
    this.seconds = seconds;
  }

  /** Whether the aborted pods are kept. */
  public get isNever(): boolean {
    return this.seconds === 0;
  }
}
