import { fail } from '../private/validate';
import { requireArray, requirePercent, requireProps, requireString, SEGMENT_NAME, shown, VARIANT_NAME, ATTRIBUTE_NAME } from './private/checks';
import { Condition } from './targeting';

const VARIANT_FIX = 'Use the name of one of the flag\'s variants.';

/** Options for `TargetingRule.of`. */
export interface TargetingRuleProps {
  /** Every condition must hold for the rule to match (use `Condition.inSegment` for a segment). */
  readonly when: Condition[];
  /** The variant served when the rule matches. */
  readonly variant: string;
}

/**
 * Serves a variant to the contexts that satisfy every condition. Rules are evaluated in the order
 * declared, before the staged rollout or the split; the first match wins.
 */
export class TargetingRule {
  /** A rule serving `variant` when every condition holds. */
  public static of(props: TargetingRuleProps): TargetingRule {
    const where = 'TargetingRule.of';
    requireProps(where, props, 'Pass { when, variant }.');
    const when = requireArray(where, 'when', props.when, true, 'Pass at least one Condition.').map((c, i) => {
      if (!(c instanceof Condition)) {
        fail(where, `when[${i}]`, 'must be a Condition', shown(c), 'Build conditions with the Condition factories.');
      }
      return c;
    });
    const variant = requireString(where, 'variant', props.variant, { pattern: VARIANT_NAME, describe: 'must be a variant name' }, VARIANT_FIX);
    return new TargetingRule(when, variant);
  }

  /** The conditions, all of which must hold. */
  public readonly when: Condition[];
  /** The variant served. */
  public readonly variant: string;

  private constructor(when: Condition[], variant: string) {
    this.when = when;
    this.variant = variant;
  }
}

/** The kind of audience a rollout stage adds. */
export enum StageKind {
  /** The members of a named segment. */
  SEGMENT = 'SEGMENT',
  /** A sticky percentage of the contexts that carry the split key. */
  PERCENT = 'PERCENT',
}

/**
 * One audience of a staged rollout. Stages are cumulative: at a stage, every audience up to and
 * including it receives the rolled-out variant.
 */
export class RolloutStage {
  /** The members of a segment declared on the flag set, for example `internal`. */
  public static segment(name: string): RolloutStage {
    const n = requireString('RolloutStage.segment', 'name', name, { pattern: SEGMENT_NAME, describe: 'must be a segment name' },
      'Use the name of a Segment declared on the flag set.');
    return new RolloutStage(StageKind.SEGMENT, n, undefined);
  }

  /**
   * A sticky percentage of everyone (whole number, 1 to 100), bucketed by the split key; 100 is everyone,
   * including contexts without the split key.
   */
  public static percent(percent: number): RolloutStage {
    const p = requirePercent('RolloutStage.percent', 'percent', percent, 1, 'Pass a whole percentage from 1 to 100, for example 10.');
    return new RolloutStage(StageKind.PERCENT, undefined, p);
  }

  /** Everyone: the same as `percent(100)`. */
  public static everyone(): RolloutStage {
    return new RolloutStage(StageKind.PERCENT, undefined, 100);
  }

  /** The kind of audience. */
  public readonly kind: StageKind;
  /** The segment (segment stages only). */
  public readonly segmentName?: string;
  /** The percentage of everyone (percent stages only). */
  public readonly sharePercent?: number;

  private constructor(kind: StageKind, segmentName: string | undefined, percent: number | undefined) {
    this.kind = kind;
    this.segmentName = segmentName;
    this.sharePercent = percent;
  }

  /** A short name: the segment's name, `10%` or `everyone`. */
  public get label(): string {
    if (this.kind === StageKind.SEGMENT) return `segment ${this.segmentName}`;
    return this.sharePercent === 100 ? 'everyone' : `${this.sharePercent}%`;
  }
}

/** Options for `StagedRollout.of`. */
export interface StagedRolloutProps {
  /** The audiences in order, for example `internal` → `beta` → 10% → everyone. */
  readonly stages: RolloutStage[];
  /**
   * How many stages are enabled: 0 serves the default variant to everyone, 1 enables the first
   * stage, `stages.length` the last. Moving to the next stage is a one-line change deployed like
   * any other change.
   */
  readonly currentStage: number;
  /**
   * The variant being rolled out.
   * @default "on" for boolean flags; required for multi-variant flags
   */
  readonly variant?: string;
  /**
   * The context attribute percentages bucket by.
   * @default - the flag set's `splitKey`
   */
  readonly by?: string;
  /**
   * A seed for the bucketing: flags with the same seed put a user in the same bucket (AppConfig
   * `split … seed`, the flagd `fractional` bucketing value `seed + key`).
   * @default - the flag key: each flag buckets users independently
   */
  readonly seed?: string;
}

/**
 * Staged enablement as data: an ordered list of audiences and the current stage.
 */
export class StagedRollout {
  /** A staged rollout. */
  public static of(props: StagedRolloutProps): StagedRollout {
    const where = 'StagedRollout.of';
    requireProps(where, props, 'Pass { stages, currentStage }.');
    const stages = requireArray(where, 'stages', props.stages, true,
      'List the audiences in order, for example [RolloutStage.segment("internal"), RolloutStage.percent(10), RolloutStage.everyone()].')
      .map((s, i) => {
        if (!(s instanceof RolloutStage)) {
          fail(where, `stages[${i}]`, 'must be a RolloutStage', shown(s), 'Build stages with RolloutStage.segment, .percent or .everyone.');
        }
        return s;
      });
    let lastPercent = 0;
    const seen = new Set<string>();
    stages.forEach((s, i) => {
      if (lastPercent === 100) {
        fail(where, `stages[${i}]`, 'must not follow the stage that reaches everyone', s.label, 'End the stages with RolloutStage.everyone().');
      }
      if (s.kind === StageKind.PERCENT) {
        if (s.sharePercent! <= lastPercent) {
          fail(where, `stages[${i}].sharePercent`, `must be greater than the previous percentage (${lastPercent})`, shown(s.sharePercent),
            'Order percentage stages by strictly increasing percentage.');
        }
        lastPercent = s.sharePercent!;
      } else if (seen.has(s.segmentName!)) {
        fail(where, `stages[${i}]`, 'must not repeat a segment', shown(s.segmentName), 'List each segment once.');
      } else {
        seen.add(s.segmentName!);
      }
    });
    const current = props.currentStage;
    if (typeof current !== 'number' || !Number.isInteger(current) || current < 0 || current > stages.length) {
      fail(where, 'currentStage', `must be a whole number from 0 (not started) to ${stages.length} (the last stage)`, shown(current),
        'Set currentStage to the number of stages enabled.');
    }
    const variant = props.variant === undefined ? undefined
      : requireString(where, 'variant', props.variant, { pattern: VARIANT_NAME, describe: 'must be a variant name' }, VARIANT_FIX);
    const by = props.by === undefined ? undefined
      : requireString(where, 'by', props.by, { pattern: ATTRIBUTE_NAME, maxLength: 64, describe: 'must be an attribute name' }, 'Use a declared string attribute such as "userId".');
    const seed = props.seed === undefined ? undefined
      : requireString(where, 'seed', props.seed, { pattern: /^[a-zA-Z\d_.-]{1,64}$/, describe: 'must be 1-64 letters, digits, ".", "_" or "-"' }, 'Use a seed such as "checkout-2027".');
    return new StagedRollout(stages, current, variant, by, seed);
  }

  /** The audiences in order. */
  public readonly stages: RolloutStage[];
  /** How many stages are enabled. */
  public readonly currentStage: number;
  /** The variant being rolled out, when declared. */
  public readonly variant?: string;
  /** The attribute percentages bucket by, when declared. */
  public readonly by?: string;
  /** The bucketing seed, when declared. */
  public readonly seed?: string;

  private constructor(stages: RolloutStage[], currentStage: number, variant?: string, by?: string, seed?: string) {
    this.stages = stages;
    this.currentStage = currentStage;
    this.variant = variant;
    this.by = by;
    this.seed = seed;
  }
}

/** One variant's share of a percentage split. */
export class VariantShare {
  /** `percent` (whole number, 1 to 100) of the contexts receive `variant`. */
  public static of(variant: string, percent: number): VariantShare {
    const where = 'VariantShare.of';
    const v = requireString(where, 'variant', variant, { pattern: VARIANT_NAME, describe: 'must be a variant name' }, VARIANT_FIX);
    const p = requirePercent(where, 'percent', percent, 1, 'Pass a whole percentage from 1 to 100.');
    return new VariantShare(v, p);
  }

  /** The variant. */
  public readonly variant: string;
  /** Its share, in percent. */
  public readonly percent: number;

  private constructor(variant: string, percent: number) {
    this.variant = variant;
    this.percent = percent;
  }
}

/** Options for `PercentageSplit.of`. */
export interface PercentageSplitProps {
  /** The shares, summing to 100, in bucket order. */
  readonly shares: VariantShare[];
  /**
   * The context attribute the split buckets by.
   * @default - the flag set's `splitKey`
   */
  readonly by?: string;
  /**
   * A seed for the bucketing (see `StagedRolloutProps.seed`).
   * @default - the flag key
   */
  readonly seed?: string;
}

/**
 * A sticky split of the contexts carrying the split key between variants, for experiments
 * (contexts without the key get the default variant).
 */
export class PercentageSplit {
  /** A split whose shares sum to 100. */
  public static of(props: PercentageSplitProps): PercentageSplit {
    const where = 'PercentageSplit.of';
    requireProps(where, props, 'Pass { shares }.');
    const shares = requireArray(where, 'shares', props.shares, true, 'Pass at least two VariantShare.of(variant, percent).').map((s, i) => {
      if (!(s instanceof VariantShare)) {
        fail(where, `shares[${i}]`, 'must be a VariantShare', shown(s), 'Build shares with VariantShare.of(variant, percent).');
      }
      return s;
    });
    if (shares.length < 2) {
      fail(where, 'shares', 'must split between at least two variants', `${shares.length} share`, 'Add the other variant\'s share, or use a staged rollout.');
    }
    const total = shares.reduce((t, s) => t + s.percent, 0);
    if (total !== 100) {
      fail(where, 'shares', 'must sum to 100 percent', `${shares.map(s => `${s.variant} ${s.percent}`).join(' + ')} = ${total}`,
        'Adjust the shares so that they add up to 100.');
    }
    const names = shares.map(s => s.variant);
    const dup = names.find((n, i) => names.indexOf(n) !== i);
    if (dup !== undefined) {
      fail(where, 'shares', 'must not list a variant twice', shown(dup), 'Give each variant one share.');
    }
    const by = props.by === undefined ? undefined
      : requireString(where, 'by', props.by, { pattern: ATTRIBUTE_NAME, maxLength: 64, describe: 'must be an attribute name' }, 'Use a declared string attribute such as "userId".');
    const seed = props.seed === undefined ? undefined
      : requireString(where, 'seed', props.seed, { pattern: /^[a-zA-Z\d_.-]{1,64}$/, describe: 'must be 1-64 letters, digits, ".", "_" or "-"' }, 'Use a seed such as "checkout-2027".');
    return new PercentageSplit(shares, by, seed);
  }

  /** The shares in bucket order. */
  public readonly shares: VariantShare[];
  /** The attribute the split buckets by, when declared. */
  public readonly by?: string;
  /** The bucketing seed, when declared. */
  public readonly seed?: string;

  private constructor(shares: VariantShare[], by?: string, seed?: string) {
    this.shares = shares;
    this.by = by;
    this.seed = seed;
  }
}
