import { Flag, FlagType } from './flag';
import { FlagPlan } from './flag-plan';
import { ATTRIBUTE_NAME, requireArray, requireFinite, requireProps, requireString, shown } from './private/checks';
import { daysBetween, requireDate, utcToday } from './private/dates';
import { ResolvedClause, ResolvedFlag, ResolvedSplit } from './private/resolved';
import { StageKind } from './rollout';
import { AttributeType, Condition, ConditionKind, ContextAttribute, Segment } from './targeting';
import { fail, requireName } from '../private/validate';

/** Options for `FlagSet.of`. */
export interface FlagSetProps {
  /**
   * The application the flags belong to: the AppConfig application and Kubernetes object names
   * derive from it (1-63 lower-case letters, digits or "-").
   */
  readonly name: string;
  /** The flags, with unique keys. */
  readonly flags: Flag[];
  /**
   * The context attributes rules, segments and splits may use.
   * @default - none: no rule, segment or percentage can be declared
   */
  readonly attributes?: ContextAttribute[];
  /**
   * Named audiences reused across flags.
   * @default - none
   */
  readonly segments?: Segment[];
  /**
   * The string attribute percentages bucket by, unless a rollout or split names another.
   * It must be declared in `attributes`.
   * @default "userId"
   */
  readonly splitKey?: string;
  /**
   * How many days before a temporary flag's expiry the flag set warns.
   * @default 14
   */
  readonly expiryWarningDays?: number;
  /**
   * The date expiries are judged against, `YYYY-MM-DD`. Rendered flag configurations never depend
   * on it; the debt errors, warnings and the plan do.
   * @default - the current date in UTC
   */
  readonly today?: string;
}

/** How close a flag is to its expiry. */
export enum FlagDebtStatus {
  /** Permanent type: never expires. */
  PERMANENT = 'PERMANENT',
  /** Expiry more than the warning window away. */
  OK = 'OK',
  /** Expiry within the warning window (a warning at synth). */
  EXPIRING = 'EXPIRING',
}

/** One flag's expiry, as judged on the flag set's `today`. */
export interface FlagDebt {
  /** The flag's key. */
  readonly key: string;
  /** Who answers for it. */
  readonly owner: string;
  /** Its type. */
  readonly type: FlagType;
  /** The status. */
  readonly status: FlagDebtStatus;
  /**
   * The date after which the flag is an error (the extension's date when extended).
   * @default - permanent
   */
  readonly expires?: string;
  /**
   * Days from today to the expiry (0 on the day itself).
   * @default - permanent
   */
  readonly daysLeft?: number;
  /** Whether an extension moved the expiry. */
  readonly extended: boolean;
}

const WHERE = 'FlagSet';

/**
 * One application's flags, with the attributes and segments their targeting uses. Checks the whole
 * set (unique keys, known attributes and segments, split keys) and the flag debt: a temporary flag
 * past its expiry is an error naming the flag, its owner and the date.
 */
export class FlagSet {
  /** A checked flag set. */
  public static of(props: FlagSetProps): FlagSet {
    return new FlagSet(props);
  }

  /** The application's name. */
  public readonly name: string;
  /** The flags, in declaration order. */
  public readonly flags: Flag[];
  /** The declared context attributes. */
  public readonly attributes: ContextAttribute[];
  /** The declared segments. */
  public readonly segments: Segment[];
  /** The default split key. */
  public readonly splitKey: string;
  /** The warning window, in days. */
  public readonly expiryWarningDays: number;
  /** The date expiries were judged against. */
  public readonly today: string;
  /** Every flag's expiry status. */
  public readonly debt: FlagDebt[];
  /** Flags close to their expiry, one message each. */
  public readonly warnings: string[];

  private constructor(props: FlagSetProps) {
    requireProps(WHERE, props, 'Pass { name, flags, ... }.');
    this.name = requireName(WHERE, 'name', props.name);
    const where = `${WHERE} "${this.name}"`;
    this.flags = requireArray(where, 'flags', props.flags, true, 'Declare at least one Flag.').map((f, i) => {
      if (!(f instanceof Flag)) {
        fail(where, `flags[${i}]`, 'must be a Flag', shown(f), 'Build flags with Flag.boolean, .string, .number or .object.');
      }
      return f;
    });
    const keys = new Map<string, number>();
    this.flags.forEach((f, i) => {
      if (keys.has(f.key)) {
        fail(where, `flags[${i}].key`, `must be unique in the flag set (flags[${keys.get(f.key)}] has it too)`, shown(f.key), 'Give each flag its own key.');
      }
      keys.set(f.key, i);
    });
    this.attributes = (props.attributes === undefined ? [] : requireArray(where, 'attributes', props.attributes, false, 'Pass a list of ContextAttribute.'))
      .map((a, i) => {
        if (!(a instanceof ContextAttribute)) {
          fail(where, `attributes[${i}]`, 'must be a ContextAttribute', shown(a), 'Build attributes with ContextAttribute.string, .number or .semver.');
        }
        return a;
      });
    const attrs = new Map<string, ContextAttribute>();
    this.attributes.forEach((a, i) => {
      if (attrs.has(a.name)) fail(where, `attributes[${i}].name`, 'must be unique', shown(a.name), 'Declare each attribute once.');
      attrs.set(a.name, a);
    });
    this.segments = (props.segments === undefined ? [] : requireArray(where, 'segments', props.segments, false, 'Pass a list of Segment.of(...).'))
      .map((s, i) => {
        if (!(s instanceof Segment)) {
          fail(where, `segments[${i}]`, 'must be a Segment', shown(s), 'Build segments with Segment.of({ name, conditions }).');
        }
        return s;
      });
    const segments = new Map<string, Segment>();
    this.segments.forEach((s, i) => {
      if (segments.has(s.name)) fail(where, `segments[${i}].name`, 'must be unique', shown(s.name), 'Declare each segment once.');
      segments.set(s.name, s);
      s.conditions.forEach((c, j) => this.checkCondition(where, `segments[${i}] ("${s.name}").conditions[${j}]`, c, attrs, segments));
    });
    this.splitKey = props.splitKey === undefined ? 'userId'
      : requireString(where, 'splitKey', props.splitKey, { pattern: ATTRIBUTE_NAME, maxLength: 64, describe: 'must be an attribute name' }, 'Use a declared string attribute such as "userId".');
    this.flags.forEach((f, i) => {
      const at = `${where} flags[${i}] ("${f.key}")`;
      f.rules.forEach((r, j) => r.when.forEach((c, k) => this.checkCondition(at, `rules[${j}].when[${k}]`, c, attrs, segments)));
      if (f.rollout) {
        f.rollout.stages.forEach((s, j) => {
          if (s.kind === StageKind.SEGMENT && !segments.has(s.segmentName!)) {
            fail(at, `rollout.stages[${j}]`, `must name a declared segment (${[...segments.keys()].join(', ') || 'none declared'})`, shown(s.segmentName),
              'Declare the segment in the flag set\'s segments, or fix the name.');
          }
        });
        if (f.rollout.stages.some(s => s.kind === StageKind.PERCENT && s.sharePercent! < 100)) {
          this.checkSplitKey(at, 'rollout.by', f.rollout.by, attrs);
        }
      }
      if (f.split) this.checkSplitKey(at, 'split.by', f.split.by, attrs);
    });
    this.expiryWarningDays = props.expiryWarningDays === undefined ? 14
      : requireFinite(where, 'expiryWarningDays', props.expiryWarningDays, 'Pass a whole number of days, for example 14.');
    if (!Number.isInteger(this.expiryWarningDays) || this.expiryWarningDays < 0 || this.expiryWarningDays > 365) {
      fail(where, 'expiryWarningDays', 'must be a whole number from 0 to 365', shown(this.expiryWarningDays), 'Pass a whole number of days, for example 14.');
    }
    this.today = props.today === undefined ? utcToday() : requireDate(where, 'today', props.today);
    const debt: FlagDebt[] = [];
    const warnings: string[] = [];
    this.flags.forEach((f, i) => {
      if (f.created !== undefined && daysBetween(this.today, f.created) > 0) {
        fail(where, `flags[${i}] ("${f.key}") created`, `must not be after today (${this.today})`, f.created, 'Use the date the flag was added.');
      }
      const expires = f.effectiveExpiry;
      if (expires === undefined) {
        debt.push({ key: f.key, owner: f.owner, type: f.type, status: FlagDebtStatus.PERMANENT, extended: false });
        return;
      }
      const daysLeft = daysBetween(this.today, expires);
      const extended = f.extension !== undefined;
      if (daysLeft < 0) {
        fail(where, `flags[${i}] ("${f.key}", owner ${f.owner}) ${extended ? 'extension.until' : 'expires'}`,
          `is past: the ${f.type} flag expired ${-daysLeft} day(s) ago (today is ${this.today})`, expires,
          `${f.owner}: remove the flag from the code and the flag set, or add a dated extension (extension: ExpiryExtension.of({ until: "YYYY-MM-DD", reason: "why" })).`);
      }
      const status = daysLeft <= this.expiryWarningDays ? FlagDebtStatus.EXPIRING : FlagDebtStatus.OK;
      if (status === FlagDebtStatus.EXPIRING) {
        warnings.push(`Flag "${f.key}" (${f.type}, owner ${f.owner}) expires on ${expires}, in ${daysLeft} day(s)${extended ? ' (already extended)' : ''}: `
          + 'remove it, or add a dated extension before then; after that date synthesis fails.');
      }
      debt.push({ key: f.key, owner: f.owner, type: f.type, status, expires, daysLeft, extended });
    });
    this.debt = debt;
    this.warnings = warnings;
  }

  /** The flag with this key. */
  public flag(key: string): Flag {
    const f = this.flags.find(x => x.key === key);
    if (!f) {
      fail(`FlagSet "${this.name}"`, 'key', `must be the key of a flag in the set (${this.flags.map(x => x.key).join(', ')})`, shown(key), 'Use a declared key.');
    }
    return f;
  }

  /** The segment with this name. */
  public segment(name: string): Segment {
    const s = this.segments.find(x => x.name === name);
    if (!s) {
      fail(`FlagSet "${this.name}"`, 'segment', 'must be a declared segment', shown(name), 'Use a declared segment name.');
    }
    return s;
  }

  /** The attribute with this name. */
  public attribute(name: string): ContextAttribute {
    const a = this.attributes.find(x => x.name === name);
    if (!a) {
      fail(`FlagSet "${this.name}"`, 'attribute', 'must be a declared attribute', shown(name), 'Use a declared attribute name.');
    }
    return a;
  }

  /** What each flag serves now, what the next stage would change, expiries and the kill-switch path. */
  public plan(): FlagPlan {
    return FlagPlan._of(this);
  }

  /**
   * Every flag's evaluation as the targets render it.
   * @internal
   */
  public _resolve(): ResolvedFlag[] {
    return this.flags.map(f => this.resolveFlag(f));
  }

  private resolveFlag(f: Flag): ResolvedFlag {
    if (f.killed) {
      return { flag: f, clauses: [], defaultVariant: f.offVariant };
    }
    const clauses: ResolvedClause[] = f.rules.map((r, i) => ({ variant: r.variant, when: r.when, origin: `rule ${i + 1}` }));
    let split: ResolvedSplit | undefined;
    let defaultVariant = f.defaultVariant;
    if (f.rollout) {
      const variant = f.rollout.variant ?? 'on';
      let percent = 0;
      f.rollout.stages.slice(0, f.rollout.currentStage).forEach((s, i) => {
        if (s.kind === StageKind.SEGMENT) {
          clauses.push({ variant, when: [Condition.inSegment(s.segmentName!)], origin: `stage ${i + 1}` });
        } else {
          percent = Math.max(percent, s.sharePercent!);
        }
      });
      if (percent === 100) {
        defaultVariant = variant;
      } else if (percent > 0) {
        split = { by: f.rollout.by ?? this.splitKey, seed: f.rollout.seed ?? f.key, shares: [{ variant, percent }] };
      }
    }
    if (f.split) {
      const shares = f.split.shares.map(s => ({ variant: s.variant, percent: s.percent }));
      split = { by: f.split.by ?? this.splitKey, seed: f.split.seed ?? f.key, shares };
    }
    return { flag: f, clauses, split, defaultVariant };
  }

  private checkSplitKey(where: string, field: string, by: string | undefined, attrs: Map<string, ContextAttribute>): void {
    const key = by ?? this.splitKey;
    const a = attrs.get(key);
    if (!a) {
      fail(where, by === undefined ? `${field} (the flag set's splitKey)` : field, 'must be a declared context attribute, or percentages have no key to bucket by', shown(key),
        `Declare it: attributes: [ContextAttribute.string(${JSON.stringify(key)})], or split by another declared attribute.`);
    }
    if (a.type !== AttributeType.STRING) {
      fail(where, field, `must be a string attribute (it is ${a.type})`, shown(key), 'Bucket by a stable string identifier such as "userId".');
    }
  }

  private checkCondition(where: string, field: string, c: Condition, attrs: Map<string, ContextAttribute>, segments: Map<string, Segment>): void {
    if (!(c instanceof Condition)) {
      fail(where, field, 'must be a Condition', shown(c), 'Build conditions with the Condition factories.');
    }
    if (c.kind === ConditionKind.IN_SEGMENT) {
      if (!segments.has(c.subject)) {
        fail(where, field, `must name a declared segment (${[...segments.keys()].join(', ') || 'none declared'})`, shown(c.subject),
          'Declare the segment in the flag set\'s segments, or fix the name.');
      }
      return;
    }
    const a = attrs.get(c.subject);
    if (!a) {
      fail(where, field, `refers to an unknown context attribute (declared: ${[...attrs.keys()].join(', ') || 'none'})`, shown(c.subject),
        `Declare it in the flag set's attributes, for example ContextAttribute.string(${JSON.stringify(c.subject)}), or fix the name.`);
    }
    if (a.type !== c._attributeType) {
      fail(where, field, `compares a ${a.type} attribute with a ${c._attributeType} comparison`, c.describe(),
        a.type === AttributeType.NUMBER ? 'Use Condition.numeric.' : a.type === AttributeType.SEMVER ? 'Use Condition.semver.' : 'Use Condition.equalTo, .oneOf, .startsWith or .endsWith.');
    }
  }
}
