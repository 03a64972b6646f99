import { fail, requireNumber } from '../private/validate';

/** A number of instances (tasks, pods) given either as a percentage of the desired count or as a count. */
export class Capacity {
  /** A percentage of the desired count, 0 to 100. */
  public static percent(value: number): Capacity {
    return new Capacity(requireNumber('Capacity.percent', 'value', value, { min: 0, max: 100, integer: true },
      'Pass a whole percentage between 0 and 100.'), true);
  }

  /** An absolute number of instances. */
  public static count(value: number): Capacity {
    return new Capacity(requireNumber('Capacity.count', 'value', value, { min: 0, max: 10_000, integer: true },
      'Pass a whole number of instances.'), false);
  }

  /** The number: a percentage when `isPercent`, otherwise a count. */
  public readonly value: number;
  /** Whether `value` is a percentage of the desired count. */
  public readonly isPercent: boolean;

  private constructor(value: number, isPercent: boolean) {
    this.value = value;
    this.isPercent = isPercent;
  }

  /** True when no instance at all is allowed (0 or 0%). */
  public get isZero(): boolean {
    return this.value === 0;
  }

  /** "25%" or "2". */
  public toString(): string {
    return this.isPercent ? `${this.value}%` : `${this.value}`;
  }

  /**
   * The percentage of `desiredCount` this capacity stands for; a count that is not an exact
   * percentage is refused rather than rounded.
   */
  public toPercentOf(desiredCount: number, field: string): number {
    if (this.isPercent) {
      return this.value;
    }
    const pct = (this.value * 100) / desiredCount;
    if (!Number.isInteger(pct)) {
      fail('Capacity', field, `is ${this.value} of ${desiredCount} instances, which is not a whole percentage`, `${pct}%`,
        'Give it as Capacity.percent(n), or choose a count that divides evenly.');
    }
    return pct;
  }
}
