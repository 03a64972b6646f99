import { Token } from 'aws-cdk-lib';
import { fail } from '../private/validate';
import { FLAG_KEY, requireArray, requireBoolean, requireProps, requireString, shown, VARIANT_NAME } from './private/checks';
import { requireDate, daysBetween } from './private/dates';
import { PercentageSplit, StagedRollout, TargetingRule } from './rollout';

/**
 * What a flag is for, which decides whether it must expire.
 * @see https://docs.getunleash.io/reference/feature-toggles#feature-flag-types
 */
export enum FlagType {
  /** Hides unfinished or unreleased code; temporary (remove it once released). */
  RELEASE = 'release',
  /** Splits users between variants to measure an effect; temporary. */
  EXPERIMENT = 'experiment',
  /** Controls an operational aspect during a migration or incident; temporary. */
  OPERATIONAL = 'operational',
  /** Turns a feature off in an emergency; permanent. */
  KILL_SWITCH = 'kill-switch',
  /** Gives some users access to a feature (entitlements); permanent. */
  PERMISSION = 'permission',
}

/** Whether a flag type is temporary, and so must declare an expiry date. */
function isTemporaryFlagType(type: FlagType): boolean {
  return type === FlagType.RELEASE || type === FlagType.EXPERIMENT || type === FlagType.OPERATIONAL;
}

/** The type of a flag's values. */
export enum FlagValueType {
  /** true / false (variants `on` and `off`). */
  BOOLEAN = 'boolean',
  /** Strings. */
  STRING = 'string',
  /** Numbers. */
  NUMBER = 'number',
  /** JSON objects. */
  OBJECT = 'object',
}

/** Options for `ExpiryExtension.of`. */
export interface ExpiryExtensionProps {
  /** The new expiry date, `YYYY-MM-DD`, after the flag's `expires`. */
  readonly until: string;
  /** Why the flag lives longer, for the plan and the inventory. */
  readonly reason: string;
}

/**
 * An explicit, dated extension of a temporary flag's expiry: the only way to keep a flag past its
 * `expires` date without an error at synth.
 */
export class ExpiryExtension {
  /** An extension until a date, with the reason. */
  public static of(props: ExpiryExtensionProps): ExpiryExtension {
    const where = 'ExpiryExtension.of';
    requireProps(where, props, 'Pass { until: "YYYY-MM-DD", reason }.');
    const until = requireDate(where, 'until', props.until);
    const reason = requireString(where, 'reason', props.reason, { minLength: 3, maxLength: 512 }, 'Say why the flag needs more time, for example "mobile 5.2 adoption below 90%".');
    return new ExpiryExtension(until, reason.trim());
  }

  /** The new expiry date. */
  public readonly until: string;
  /** Why. */
  public readonly reason: string;

  private constructor(until: string, reason: string) {
    this.until = until;
    this.reason = reason;
  }
}

/** Options every flag takes. */
export interface FlagBaseProps {
  /**
   * The flag's key, as the application asks for it: `^[a-z][a-zA-Z0-9_-]{0,63}$` (what AppConfig
   * accepts; flagd accepts it too).
   * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-type-reference-feature-flags.html
   */
  readonly key: string;
  /** What the flag changes, at most 1024 characters. */
  readonly description: string;
  /** Who answers for the flag (a team or a person), shown with every debt warning and error. */
  readonly owner: string;
  /** What the flag is for; temporary types must expire. */
  readonly type: FlagType;
  /**
   * When the flag must be gone, `YYYY-MM-DD` (UTC). Required for release, experiment and operational
   * flags; refused for kill switches and permissions, which are permanent.
   * @default - none (permanent types only)
   */
  readonly expires?: string;
  /**
   * A dated extension past `expires`.
   * @default - no extension: the flag is an error at synth from the day after `expires`
   */
  readonly extension?: ExpiryExtension;
  /**
   * When the flag was created, `YYYY-MM-DD`, for its age in the inventory.
   * @default - age unknown
   */
  readonly created?: string;
  /**
   * Rules evaluated in order before the rollout or split; the first match wins.
   * @default - none
   */
  readonly rules?: TargetingRule[];
  /**
   * Staged enablement of one variant. Not with `split`.
   * @default - no staged rollout
   */
  readonly rollout?: StagedRollout;
  /**
   * A sticky percentage split between variants (experiments). Not with `rollout`.
   * @default - no split
   */
  readonly split?: PercentageSplit;
  /**
   * Kill the flag: every target serves the off variant to everyone, deployed at once (no growth,
   * no bake), ignoring rules, rollout and split. For a kill-switch flag, name it for the feature it
   * keeps on (`payments-enabled`, default true), so that killing it turns the feature off.
   * @default false
   */
  readonly killed?: boolean;
}

/** Options for `Flag.boolean`. */
export interface BooleanFlagProps extends FlagBaseProps {
  /**
   * The value served when nothing else applies (variant `on` or `off`).
   * @default false - off, as a release flag should be
   */
  readonly defaultValue?: boolean;
}

/** Options shared by multi-variant flags. */
export interface MultiVariantFlagProps extends FlagBaseProps {
  /** The variant served when nothing else applies. */
  readonly defaultVariant: string;
  /**
   * The variant served to everyone when the flag is killed.
   * @default - the default variant
   */
  readonly offVariant?: string;
}

/** Options for `Flag.string`. */
export interface StringFlagProps extends MultiVariantFlagProps {
  /** Variant name → value (at least two). */
  readonly variants: { [name: string]: string };
}

/** Options for `Flag.number`. */
export interface NumberFlagProps extends MultiVariantFlagProps {
  /** Variant name → value (at least two). */
  readonly variants: { [name: string]: number };
}

/** Options for `Flag.object`. */
export interface ObjectFlagProps extends MultiVariantFlagProps {
  /** Variant name → JSON object (at least two). */
  readonly variants: { [name: string]: { [key: string]: any } };
}

/**
 * One feature flag: boolean or multi-variant (string, number or object variants, all one type),
 * with its owner, type, expiry, targeting and kill switch.
 */
export class Flag {
  /** A boolean flag with variants `on` (true) and `off` (false). */
  public static boolean(props: BooleanFlagProps): Flag {
    const where = 'Flag.boolean';
    requireProps(where, props, 'Pass { key, description, owner, type, ... }.');
    const def = props.defaultValue === undefined ? false : requireBoolean(where, 'defaultValue', props.defaultValue, 'Pass true or false.');
    return new Flag(where, props, FlagValueType.BOOLEAN, { on: true, off: false }, def ? 'on' : 'off', 'off');
  }

  /** A flag whose variants are strings. */
  public static string(props: StringFlagProps): Flag {
    return Flag.multi('Flag.string', props, FlagValueType.STRING);
  }

  /** A flag whose variants are numbers. */
  public static number(props: NumberFlagProps): Flag {
    return Flag.multi('Flag.number', props, FlagValueType.NUMBER);
  }

  /** A flag whose variants are JSON objects. */
  public static object(props: ObjectFlagProps): Flag {
    return Flag.multi('Flag.object', props, FlagValueType.OBJECT);
  }

  private static multi(where: string, props: MultiVariantFlagProps & { variants: any }, type: FlagValueType): Flag {
    requireProps(where, props, 'Pass { key, description, owner, type, variants, defaultVariant, ... }.');
    const variants = props.variants;
    if (variants === null || typeof variants !== 'object' || Array.isArray(variants)) {
      fail(where, 'variants', 'must be an object of variant name → value', shown(variants), 'Pass for example { control: "a", treatment: "b" }.');
    }
    const names = Object.keys(variants);
    if (names.length < 2) {
      fail(where, 'variants', 'must declare at least two variants', shown(names), 'Add the variants the flag chooses between (a single value needs no flag).');
    }
    const values: Record<string, any> = {};
    for (const name of names) {
      requireString(where, 'variants', name, { pattern: VARIANT_NAME, describe: 'must have names of letters, digits, "_" or "-", starting with a letter (at most 64)' },
        'Rename the variant, for example "control" or "treatment".');
      values[name] = variantValue(where, `variants.${name}`, variants[name], type);
    }
    const seen = new Map<string, string>();
    for (const name of names) {
      const canonical = JSON.stringify(values[name]);
      if (seen.has(canonical)) {
        fail(where, `variants.${name}`, `must differ from variant "${seen.get(canonical)}"`, shown(values[name]), 'Give each variant its own value.');
      }
      seen.set(canonical, name);
    }
    const def = requireString(where, 'defaultVariant', props.defaultVariant, { pattern: VARIANT_NAME, describe: 'must be a variant name' }, `Use one of ${names.join(', ')}.`);
    if (!(def in values)) {
      fail(where, 'defaultVariant', `must be one of the variants (${names.join(', ')})`, shown(def), 'Name one of the declared variants.');
    }
    const off = props.offVariant === undefined ? def
      : requireString(where, 'offVariant', props.offVariant, { pattern: VARIANT_NAME, describe: 'must be a variant name' }, `Use one of ${names.join(', ')}.`);
    if (!(off in values)) {
      fail(where, 'offVariant', `must be one of the variants (${names.join(', ')})`, shown(off), 'Name one of the declared variants.');
    }
    return new Flag(where, props, type, values, def, off);
  }

  /** The key the application asks for. */
  public readonly key: string;
  /** What the flag changes. */
  public readonly description: string;
  /** Who answers for it. */
  public readonly owner: string;
  /** What it is for. */
  public readonly type: FlagType;
  /** The type of its values. */
  public readonly valueType: FlagValueType;
  /** Variant name → value. */
  public readonly variants: { [name: string]: any };
  /** The variant served when nothing else applies. */
  public readonly defaultVariant: string;
  /** The variant served to everyone when killed. */
  public readonly offVariant: string;
  /** The declared expiry date, if any. */
  public readonly expires?: string;
  /** The extension, if any. */
  public readonly extension?: ExpiryExtension;
  /** When the flag was created, if declared. */
  public readonly created?: string;
  /** Rules evaluated before the rollout or split. */
  public readonly rules: TargetingRule[];
  /** The staged rollout, if any. */
  public readonly rollout?: StagedRollout;
  /** The split, if any. */
  public readonly split?: PercentageSplit;
  /** Whether the flag is killed. */
  public readonly killed: boolean;

  private constructor(where: string, props: FlagBaseProps, valueType: FlagValueType, variants: Record<string, any>,
    defaultVariant: string, offVariant: string) {
    this.key = requireString(where, 'key', props.key, { pattern: FLAG_KEY, describe: 'must match ^[a-z][a-zA-Z0-9_-]{0,63}$ (the AppConfig flag key rule)' },
      'Use a key such as "new-checkout" or "searchRanking".');
    const at = `${where} "${this.key}"`;
    this.description = requireString(at, 'description', props.description, { maxLength: 1024 }, 'Describe what the flag changes in at most 1024 characters.');
    this.owner = requireString(at, 'owner', props.owner, { maxLength: 128 }, 'Name the team or person who answers for the flag, for example "team-checkout".');
    if (!Object.values(FlagType).includes(props.type)) {
      fail(at, 'type', 'must be a FlagType', shown(props.type), 'Pass FlagType.RELEASE, EXPERIMENT, OPERATIONAL, KILL_SWITCH or PERMISSION.');
    }
    this.type = props.type;
    this.valueType = valueType;
    this.variants = variants;
    this.defaultVariant = defaultVariant;
    this.offVariant = offVariant;
    this.created = props.created === undefined ? undefined : requireDate(at, 'created', props.created);
    if (isTemporaryFlagType(this.type)) {
      if (props.expires === undefined) {
        fail(at, 'expires', `is required for a ${this.type} flag, which is temporary`, 'undefined',
          'Set expires: "YYYY-MM-DD", the date by which the flag must be removed.');
      }
      this.expires = requireDate(at, 'expires', props.expires);
      if (this.created !== undefined && daysBetween(this.created, this.expires) < 0) {
        fail(at, 'expires', `must not be before created (${this.created})`, shown(this.expires), 'Check both dates.');
      }
    } else {
      if (props.expires !== undefined) {
        fail(at, 'expires', `is not accepted for a ${this.type} flag, which is permanent`, shown(props.expires),
          'Remove expires, or declare the flag as a temporary type (release, experiment, operational).');
      }
      if (props.extension !== undefined) {
        fail(at, 'extension', `is not accepted for a ${this.type} flag, which is permanent`, 'an ExpiryExtension', 'Remove extension.');
      }
    }
    if (props.extension !== undefined) {
      if (!(props.extension instanceof ExpiryExtension)) {
        fail(at, 'extension', 'must be an ExpiryExtension', shown(props.extension), 'Pass ExpiryExtension.of({ until, reason }).');
      }
      if (daysBetween(this.expires!, props.extension.until) <= 0) {
        fail(at, 'extension.until', `must be after expires (${this.expires})`, shown(props.extension.until), 'Extend to a later date, or change nothing.');
      }
      this.extension = props.extension;
    }
    const names = Object.keys(variants);
    const known = (field: string, variant: string) => {
      if (!(variant in variants)) {
        fail(at, field, `must be one of the variants (${names.join(', ')})`, shown(variant), 'Name one of the declared variants.');
      }
    };
    this.rules = (props.rules === undefined ? [] : requireArray(at, 'rules', props.rules, false, 'Pass a list of TargetingRule.of({ when, variant }).'))
      .map((r, i) => {
        if (!(r instanceof TargetingRule)) {
          fail(at, `rules[${i}]`, 'must be a TargetingRule', shown(r), 'Build rules with TargetingRule.of({ when, variant }).');
        }
        known(`rules[${i}].variant`, r.variant);
        return r;
      });
    if (props.rollout !== undefined && props.split !== undefined) {
      fail(at, 'rollout/split', 'must not both be set', 'both', 'Use a staged rollout to enable one variant progressively, or a split for an experiment.');
    }
    if (props.rollout !== undefined) {
      if (!(props.rollout instanceof StagedRollout)) {
        fail(at, 'rollout', 'must be a StagedRollout', shown(props.rollout), 'Pass StagedRollout.of({ stages, currentStage }).');
      }
      if (props.rollout.variant === undefined && valueType !== FlagValueType.BOOLEAN) {
        fail(at, 'rollout.variant', 'is required for a multi-variant flag', 'undefined', 'Name the variant the rollout enables.');
      }
      const rv = props.rollout.variant ?? 'on';
      known('rollout.variant', rv);
      if (rv === defaultVariant) {
        fail(at, 'rollout.variant', 'must differ from the default variant, or the rollout changes nothing', shown(rv),
          valueType === FlagValueType.BOOLEAN ? 'Roll out "on" with defaultValue false.' : 'Roll out another variant.');
      }
      this.rollout = props.rollout;
    }
    if (props.split !== undefined) {
      if (!(props.split instanceof PercentageSplit)) {
        fail(at, 'split', 'must be a PercentageSplit', shown(props.split), 'Pass PercentageSplit.of({ shares }).');
      }
      props.split.shares.forEach((s, i) => known(`split.shares[${i}].variant`, s.variant));
      this.split = props.split;
    }
    this.killed = props.killed === undefined ? false : requireBoolean(at, 'killed', props.killed, 'Pass true to kill the flag, or leave it out.');
  }

  /** The date after which the flag is an error: the extension's date, else `expires`. */
  public get effectiveExpiry(): string | undefined {
    return this.extension?.until ?? this.expires;
  }

  /** Whether the flag's type is temporary (release, experiment, operational), so that it must expire. */
  public get isTemporary(): boolean {
    return isTemporaryFlagType(this.type);
  }

  /** The variant names, sorted (the order every target writes them in). */
  public get variantNames(): string[] {
    return Object.keys(this.variants).sort();
  }
}

function variantValue(where: string, field: string, value: unknown, type: FlagValueType): any {
  const mixed = (expected: string) => fail(where, field, `must be ${expected} like every variant of a ${type} flag (variants are all one type)`, shown(value),
    `Make every variant ${expected}, or declare the flag with the factory for its type.`);
  switch (type) {
    case FlagValueType.STRING:
      if (typeof value !== 'string') mixed('a string');
      if (Token.isUnresolved(value)) fail(where, field, 'must be known at synth time', 'an unresolved token', 'Pass a literal string.');
      if ((value as string).length > 1024) fail(where, field, 'must be at most 1024 characters', `${(value as string).length} characters`, 'Shorten the value.');
      return value as string;
    case FlagValueType.NUMBER:
      if (typeof value !== 'number') mixed('a number');
      if (!Number.isFinite(value)) fail(where, field, 'must be a finite number', shown(value), 'Pass a finite number.');
      if (Token.isUnresolved(value)) fail(where, field, 'must be known at synth time', 'an unresolved token', 'Pass a literal number.');
      return value;
    default: {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) mixed('a JSON object');
      return plainObject(where, field, value);
    }
  }
}

/** A deep copy of a JSON object, refusing what JSON cannot hold exactly (tokens, NaN, functions, class instances). */
function plainObject(where: string, field: string, value: any): any {
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    if (Token.isUnresolved(value)) fail(where, field, 'must be known at synth time', 'an unresolved token', 'Pass literal values.');
    return value;
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail(where, field, 'must hold finite numbers only', String(value), 'Replace it with a finite number.');
    if (Token.isUnresolved(value)) fail(where, field, 'must be known at synth time', 'an unresolved token', 'Pass literal values.');
    return value;
  }
  if (Array.isArray(value)) return value.map((v, i) => plainObject(where, `${field}[${i}]`, v));
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, any> = {};
    for (const k of Object.keys(value)) {
      if (value[k] === undefined) continue;
      out[k] = plainObject(where, `${field}.${k}`, value[k]);
    }
    return out;
  }
  return fail(where, field, 'must be JSON (strings, numbers, booleans, null, arrays and plain objects)', typeof value === 'function' ? 'a function' : shown(value),
    'Pass plain JSON values.');
}
