import { fail } from '../private/validate';
import { ATTRIBUTE_NAME, requireArray, requireFinite, requireProps, requireString, SEGMENT_NAME, shown } from './private/checks';

/** What kind of value a context attribute holds. */
export enum AttributeType {
  /** A string, compared with equals, one of, starts with and ends with. */
  STRING = 'string',
  /** A number, compared with numeric comparisons. */
  NUMBER = 'number',
  /** A semantic version (`1.4.2`), compared with semantic-version comparisons. */
  SEMVER = 'semver',
}

/** Options for a context attribute. */
export interface ContextAttributeOptions {
  /**
   * What the attribute means, for the plan and the docs.
   * @default - none
   */
  readonly description?: string;
}

/**
 * A value the application passes in the evaluation context (AppConfig `Context` header or
 * `$name` in rules, OpenFeature evaluation context in flagd). Rules and segments may only refer to
 * declared attributes, with comparisons that fit their type.
 *
 * Names are letters, digits and `_` (at most 64, starting with a letter): valid as an AppConfig
 * `$name` and as a JsonLogic `var` (where a dot would mean a nested field).
 */
export class ContextAttribute {
  /** A string attribute, for example `userId`, `email` or `country`. */
  public static string(name: string, options: ContextAttributeOptions = {}): ContextAttribute {
    return new ContextAttribute(name, AttributeType.STRING, options);
  }

  /** A number attribute, for example `accountAgeDays`. */
  public static number(name: string, options: ContextAttributeOptions = {}): ContextAttribute {
    return new ContextAttribute(name, AttributeType.NUMBER, options);
  }

  /**
   * A semantic-version attribute, for example `appVersion`. AppConfig rules have no semantic-version
   * comparison: the AppConfig target refuses conditions on it.
   */
  public static semver(name: string, options: ContextAttributeOptions = {}): ContextAttribute {
    return new ContextAttribute(name, AttributeType.SEMVER, options);
  }

  /** The attribute's name in the evaluation context. */
  public readonly name: string;
  /** The kind of value it holds. */
  public readonly type: AttributeType;
  /** What it means. */
  public readonly description?: string;

  private constructor(name: string, type: AttributeType, options: ContextAttributeOptions) {
    const where = `ContextAttribute.${type}`;
    this.name = requireString(where, 'name', name, { pattern: ATTRIBUTE_NAME, maxLength: 64, describe: 'must be letters, digits or "_", starting with a letter' },
      'Use a name such as "userId" or "appVersion".');
    if (options === null || typeof options !== 'object') {
      fail(where, 'options', 'must be an object', shown(options), 'Pass { description } or nothing.');
    }
    this.type = type;
    this.description = options.description === undefined ? undefined
      : requireString(where, 'description', options.description, { maxLength: 1024 }, 'Describe the attribute in at most 1024 characters.');
  }
}

/** How a number or a semantic version is compared. */
export enum ContextComparison {
  /** Equal. */
  EQUAL = 'EQUAL',
  /** Lower than the value. */
  LESS_THAN = 'LESS_THAN',
  /** Lower than or equal to the value. */
  LESS_OR_EQUAL = 'LESS_OR_EQUAL',
  /** Greater than the value. */
  GREATER_THAN = 'GREATER_THAN',
  /** Greater than or equal to the value. */
  GREATER_OR_EQUAL = 'GREATER_OR_EQUAL',
}

/** The kind of test a condition performs. */
export enum ConditionKind {
  /** The attribute equals a string. */
  EQUALS = 'EQUALS',
  /** The attribute is one of several strings. */
  ONE_OF = 'ONE_OF',
  /** The attribute starts with a string. */
  STARTS_WITH = 'STARTS_WITH',
  /** The attribute ends with a string. */
  ENDS_WITH = 'ENDS_WITH',
  /** The attribute compares to a number. */
  NUMERIC = 'NUMERIC',
  /** The attribute compares to a semantic version. */
  SEMVER = 'SEMVER',
  /** The context belongs to a named segment. */
  IN_SEGMENT = 'IN_SEGMENT',
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const ATTRIBUTE_FIX = 'Use the name of a declared ContextAttribute, such as "email".';
const OPERAND_FIX = 'Pass a non-empty string of at most 1024 characters.';

/**
 * A test on the evaluation context. The flag set checks that the attribute is declared and that the
 * comparison fits its type.
 */
export class Condition {
  /** The string attribute equals `value`. */
  public static equalTo(attribute: string, value: string): Condition {
    const where = 'Condition.equalTo';
    return new Condition(ConditionKind.EQUALS, attr(where, attribute), [requireString(where, 'value', value, { minLength: 0, maxLength: 1024 }, OPERAND_FIX)]);
  }

  /** The string attribute is one of `values`. */
  public static oneOf(attribute: string, values: string[]): Condition {
    const where = 'Condition.oneOf';
    const a = attr(where, attribute);
    const list = requireArray(where, 'values', values, true, 'Pass at least one value.')
      .map((v, i) => requireString(where, `values[${i}]`, v, { minLength: 0, maxLength: 1024 }, OPERAND_FIX));
    const dup = list.find((v, i) => list.indexOf(v) !== i);
    if (dup !== undefined) {
      fail(where, 'values', 'must not repeat a value', shown(dup), 'List each value once.');
    }
    return new Condition(ConditionKind.ONE_OF, a, list);
  }

  /** The string attribute starts with `prefix`. */
  public static startsWith(attribute: string, prefix: string): Condition {
    const where = 'Condition.startsWith';
    return new Condition(ConditionKind.STARTS_WITH, attr(where, attribute), [requireString(where, 'prefix', prefix, { maxLength: 1024 }, OPERAND_FIX)]);
  }

  /** The string attribute ends with `suffix`, for example `@example.com`. */
  public static endsWith(attribute: string, suffix: string): Condition {
    const where = 'Condition.endsWith';
    return new Condition(ConditionKind.ENDS_WITH, attr(where, attribute), [requireString(where, 'suffix', suffix, { maxLength: 1024 }, OPERAND_FIX)]);
  }

  /** The number attribute compares to `value`. */
  public static numeric(attribute: string, comparison: ContextComparison, value: number): Condition {
    const where = 'Condition.numeric';
    const a = attr(where, attribute);
    const c = comparisonOf(where, comparison);
    return new Condition(ConditionKind.NUMERIC, a, [requireFinite(where, 'value', value, 'Pass a finite number.')], c);
  }

  /** The semantic-version attribute compares to `version` (`MAJOR.MINOR.PATCH`). */
  public static semver(attribute: string, comparison: ContextComparison, version: string): Condition {
    const where = 'Condition.semver';
    const a = attr(where, attribute);
    const c = comparisonOf(where, comparison);
    const v = requireString(where, 'version', version, { pattern: SEMVER, maxLength: 256, describe: 'must be a semantic version MAJOR.MINOR.PATCH' },
      'Write the version as "1.4.0".');
    return new Condition(ConditionKind.SEMVER, a, [v], c);
  }

  /** The context belongs to the named segment (declared on the flag set). */
  public static inSegment(segment: string): Condition {
    const where = 'Condition.inSegment';
    const s = requireString(where, 'segment', segment, { pattern: SEGMENT_NAME, describe: 'must be lower-case letters, digits or "-", starting with a letter' },
      'Use the name of a Segment declared on the flag set.');
    return new Condition(ConditionKind.IN_SEGMENT, s, []);
  }

  /** The kind of test. */
  public readonly kind: ConditionKind;
  /** The attribute tested, or the segment's name for `IN_SEGMENT`. */
  public readonly subject: string;
  /** The strings or the number compared with. */
  public readonly operands: any[];
  /** The comparison (numeric and semantic-version conditions only). */
  public readonly comparison?: ContextComparison;

  private constructor(kind: ConditionKind, subject: string, operands: any[], comparison?: ContextComparison) {
    this.kind = kind;
    this.subject = subject;
    this.operands = operands;
    this.comparison = comparison;
  }

  /** A readable form, for plans and messages. */
  public describe(): string {
    const ops = this.operands.map(o => JSON.stringify(o));
    switch (this.kind) {
      case ConditionKind.EQUALS: return `${this.subject} = ${ops[0]}`;
      case ConditionKind.ONE_OF: return `${this.subject} in [${ops.join(', ')}]`;
      case ConditionKind.STARTS_WITH: return `${this.subject} starts with ${ops[0]}`;
      case ConditionKind.ENDS_WITH: return `${this.subject} ends with ${ops[0]}`;
      case ConditionKind.NUMERIC: return `${this.subject} ${SYMBOL[this.comparison!]} ${this.operands[0]}`;
      case ConditionKind.SEMVER: return `${this.subject} ${SYMBOL[this.comparison!]} ${this.operands[0]} (semver)`;
      case ConditionKind.IN_SEGMENT: return `segment ${this.subject}`;
    }
  }

  /**
   * The attribute type the condition needs (undefined for segments).
   * @internal
   */
  public get _attributeType(): AttributeType | undefined {
    switch (this.kind) {
      case ConditionKind.NUMERIC: return AttributeType.NUMBER;
      case ConditionKind.SEMVER: return AttributeType.SEMVER;
      case ConditionKind.IN_SEGMENT: return undefined;
      default: return AttributeType.STRING;
    }
  }
}

const SYMBOL: Record<ContextComparison, string> = {
  [ContextComparison.EQUAL]: '=',
  [ContextComparison.LESS_THAN]: '<',
  [ContextComparison.LESS_OR_EQUAL]: '<=',
  [ContextComparison.GREATER_THAN]: '>',
  [ContextComparison.GREATER_OR_EQUAL]: '>=',
};

function attr(where: string, attribute: unknown): string {
  return requireString(where, 'attribute', attribute, { pattern: ATTRIBUTE_NAME, maxLength: 64, describe: 'must be letters, digits or "_", starting with a letter' }, ATTRIBUTE_FIX);
}

function comparisonOf(where: string, comparison: unknown): ContextComparison {
  if (!Object.values(ContextComparison).includes(comparison as ContextComparison)) {
    fail(where, 'comparison', 'must be a ContextComparison', shown(comparison), 'Pass ContextComparison.GREATER_OR_EQUAL or another ContextComparison member.');
  }
  return comparison as ContextComparison;
}

/** Options for `Segment.of`. */
export interface SegmentProps {
  /** The segment's name, referenced by stages and `Condition.inSegment`. */
  readonly name: string;
  /** Every condition must hold for a context to belong to the segment (no segment references). */
  readonly conditions: Condition[];
  /**
   * Who the segment is, for the plan.
   * @default - none
   */
  readonly description?: string;
}

/**
 * A named audience reused across flags, for example `internal` (email ends with `@example.com`) or
 * `beta` (account in a list). Rendered as a flagd `$evaluators` entry and inlined in AppConfig rules.
 */
export class Segment {
  /** A segment whose members satisfy every condition. */
  public static of(props: SegmentProps): Segment {
    const where = 'Segment.of';
    requireProps(where, props, 'Pass { name, conditions }.');
    const name = requireString(where, 'name', props.name, { pattern: SEGMENT_NAME, describe: 'must be lower-case letters, digits or "-", starting with a letter (at most 63)' },
      'Use a name such as "internal" or "beta".');
    const conditions = requireArray(where, 'conditions', props.conditions, true, 'Pass at least one Condition, such as Condition.endsWith("email", "@example.com").')
      .map((c, i) => {
        if (!(c instanceof Condition)) {
          fail(where, `conditions[${i}]`, 'must be a Condition', shown(c), 'Build conditions with Condition.equalTo, .oneOf, .startsWith, .endsWith, .numeric or .semver.');
        }
        if (c.kind === ConditionKind.IN_SEGMENT) {
          fail(where, `conditions[${i}]`, 'must not refer to another segment', c.describe(), 'Repeat the conditions instead; segments do not nest.');
        }
        return c;
      });
    const description = props.description === undefined ? undefined
      : requireString(where, 'description', props.description, { maxLength: 1024 }, 'Describe the segment in at most 1024 characters.');
    return new Segment(name, conditions, description);
  }

  /** The segment's name. */
  public readonly name: string;
  /** The conditions, all of which must hold. */
  public readonly conditions: Condition[];
  /** Who the segment is. */
  public readonly description?: string;

  private constructor(name: string, conditions: Condition[], description: string | undefined) {
    this.name = name;
    this.conditions = conditions;
    this.description = description;
  }

  /** A readable form, for plans. */
  public describe(): string {
    return this.conditions.map(c => c.describe()).join(' and ');
  }
}
