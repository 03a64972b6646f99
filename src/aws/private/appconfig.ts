import { Duration } from 'aws-cdk-lib';
import { AlarmSource, awsTimeToDetect, requireAwsAnalysis, requireBakeCoversAlarms } from './alarms';
import { Flag, FlagValueType } from '../../flags/flag';
import type { FlagSet } from '../../flags/flag-set';
import type { ResolvedFlag } from '../../flags/private/resolved';
import { Condition, ConditionKind, ContextComparison } from '../../flags/targeting';
import { toSeconds } from '../../private/duration';
import { fail, formatDuration, show } from '../../private/validate';
import { Analysis } from '../../strategy/analysis';
import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import { PlanPhaseSpec } from '../../strategy/rollout-plan';

/** AppConfig feature-flag limits (type reference for AWS.AppConfig.FeatureFlags). */
export const APPCONFIG_KEY = /^[a-z][a-zA-Z\d_-]{0,63}$/;
export const APPCONFIG_MAX_ATTRIBUTES = 25;
export const APPCONFIG_MAX_VARIANTS = 32;
export const APPCONFIG_MAX_RULE_LENGTH = 1024;
export const APPCONFIG_MAX_STRING = 1024;
export const APPCONFIG_MAX_ENUM = 100;
/** AppConfig deployment strategies: duration and final bake are 0 to 1440 minutes. */
export const APPCONFIG_MAX_MINUTES = 1440;
/** AppConfig environments take at most 5 monitors. */
export const APPCONFIG_MAX_MONITORS = 5;

/** The attribute a string or number flag's value is served in. */
export const VALUE_ATTRIBUTE = 'value';

const WHERE = 'AppConfigFlags';

/**
 * The `AWS.AppConfig.FeatureFlags` document of a flag set (version "1": `flags` with definitions and
 * attribute constraints, `values` with the current values and `_variants` in evaluation order).
 * Pure; `validateAppConfigContent` checks the result.
 * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-type-reference-feature-flags.html
 */
export function renderAppConfigContent(set: FlagSet): any {
  const flags: Record<string, any> = {};
  const values: Record<string, any> = {};
  for (const r of set._resolve()) {
    const f = r.flag;
    const attributes = attributesOf(f);
    flags[f.key] = {
      name: f.key,
      description: f.description,
      ...(f.effectiveExpiry ? { _deprecation: { status: 'planned', date: f.effectiveExpiry } } : {}),
      ...(Object.keys(attributes).length ? { attributes } : {}),
    };
    values[f.key] = valuesOf(set, r);
  }
  const doc = { version: '1', flags, values };
  validateAppConfigContent(doc);
  return doc;
}

/** The served value of a variant: `enabled` and the attribute values. */
function servedOf(f: Flag, variant: string): { enabled: boolean; attributes: Record<string, any> } {
  const value = f.variants[variant];
  switch (f.valueType) {
    case FlagValueType.BOOLEAN: return { enabled: value === true, attributes: {} };
    case FlagValueType.STRING:
    case FlagValueType.NUMBER: return { enabled: true, attributes: { [VALUE_ATTRIBUTE]: value } };
    default: return { enabled: true, attributes: { ...value } };
  }
}

function attributesOf(f: Flag): Record<string, any> {
  const at = `${WHERE}: flag "${f.key}"`;
  switch (f.valueType) {
    case FlagValueType.BOOLEAN: return {};
    case FlagValueType.STRING: {
      const values = f.variantNames.map(n => f.variants[n] as string);
      if (values.length > APPCONFIG_MAX_ENUM) {
        fail(at, 'variants', `must be at most ${APPCONFIG_MAX_ENUM} on AppConfig (the enum constraint of the value attribute)`, String(values.length), 'Use fewer variants.');
      }
      return { [VALUE_ATTRIBUTE]: { constraints: { type: 'string', enum: values, required: true } } };
    }
    case FlagValueType.NUMBER:
      return { [VALUE_ATTRIBUTE]: { constraints: { type: 'number', required: true } } };
    default: {
      const kinds = new Map<string, string>();
      for (const name of f.variantNames) {
        for (const [k, v] of Object.entries(f.variants[name] as Record<string, any>)) {
          if (!APPCONFIG_KEY.test(k) || k === 'enabled') {
            fail(at, `variants.${name}.${k}`, 'must be an AppConfig attribute name (^[a-z][a-zA-Z0-9_-]{0,63}$, not "enabled"): object variants are served as flag attributes', show(k),
              'Rename the field.');
          }
          const kind = attributeKind(v);
          if (kind === undefined) {
            fail(at, `variants.${name}.${k}`, 'must be a string, number, boolean or a non-empty array of strings or of numbers: AppConfig attributes hold nothing else', show(v),
              'Flatten the object, or serve it on Kubernetes only.');
          }
          const before = kinds.get(k);
          if (before !== undefined && before !== kind) {
            fail(at, `variants.${name}.${k}`, `must have the same type in every variant (${before} elsewhere): an AppConfig attribute has one constraint`, show(v),
              'Use one type for the field.');
          }
          kinds.set(k, kind);
        }
      }
      if (kinds.size > APPCONFIG_MAX_ATTRIBUTES) {
        fail(at, 'variants', `must have at most ${APPCONFIG_MAX_ATTRIBUTES} distinct fields on AppConfig (one attribute each)`, String(kinds.size), 'Use fewer fields.');
      }
      const out: Record<string, any> = {};
      for (const k of [...kinds.keys()].sort()) {
        const kind = kinds.get(k)!;
        out[k] = { constraints: kind.startsWith('array:') ? { type: 'array', elements: { type: kind.slice(6) } } : { type: kind } };
      }
      return out;
    }
  }
}

function attributeKind(v: unknown): string | undefined {
  if (typeof v === 'string') return v.length <= APPCONFIG_MAX_STRING ? 'string' : undefined;
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) {
    // An empty array matches both array shapes of the documented attribute-value schema (a oneOf): refused.
    if (v.length === 0) return undefined;
    if (v.every(x => typeof x === 'string')) return 'array:string';
    if (v.every(x => typeof x === 'number')) return 'array:number';
  }
  return undefined;
}

interface Entry { variant: string; rule: string }

/** The flag's values: served directly when nothing targets, else `_variants` (the default last, without a rule). */
function valuesOf(set: FlagSet, r: ResolvedFlag): any {
  const f = r.flag;
  const at = `${WHERE}: flag "${f.key}"`;
  const entries: Entry[] = r.clauses.map(c => ({ variant: c.variant, rule: all(c.when.map(w => ruleOf(set, at, w))) }));
  if (r.split) {
    const key = r.split.by;
    let cumulative = 0;
    for (const s of r.split.shares) {
      // Variants are evaluated top to bottom and `split` by the same key and seed covers the same
      // buckets: each share's rule takes the cumulative percentage (the documented 20% + 20% pitfall).
      cumulative += s.percent;
      entries.push({ variant: s.variant, rule: `(and (exists key::${literal(at, key)}) (split pct::${cumulative} by::$${key} seed::${literal(at, r.split.seed)}))` });
    }
  }
  // Trailing entries that serve the default change nothing; consecutive entries for one variant become one.
  while (entries.length && entries[entries.length - 1].variant === r.defaultVariant) entries.pop();
  const merged: Entry[] = [];
  for (const e of entries) {
    const last = merged[merged.length - 1];
    if (last && last.variant === e.variant) merged[merged.length - 1] = { variant: e.variant, rule: `(or ${last.rule} ${e.rule})` };
    else merged.push(e);
  }
  const def = servedOf(f, r.defaultVariant);
  if (merged.length === 0) {
    return { enabled: def.enabled, ...def.attributes };
  }
  if (merged.length + 1 > APPCONFIG_MAX_VARIANTS) {
    fail(at, 'rules', `make ${merged.length + 1} AppConfig variants, more than the ${APPCONFIG_MAX_VARIANTS} a flag takes`, String(merged.length + 1), 'Use fewer rules or stages.');
  }
  const used = new Map<string, number>();
  const nameOf = (variant: string) => {
    const n = (used.get(variant) ?? 0) + 1;
    used.set(variant, n);
    return n === 1 ? variant : `${variant}-${n}`;
  };
  const variants = merged.map(e => {
    if (e.rule.length > APPCONFIG_MAX_RULE_LENGTH) {
      fail(at, 'rules', `make an AppConfig rule longer than ${APPCONFIG_MAX_RULE_LENGTH} characters`, `${e.rule.length} characters`,
        'Use fewer or shorter conditions, or a segment with fewer values.');
    }
    const served = servedOf(f, e.variant);
    return { name: nameOf(e.variant), enabled: served.enabled, rule: e.rule, ...attributeValues(served.attributes) };
  });
  variants.push({ name: nameOf(r.defaultVariant), enabled: def.enabled, ...attributeValues(def.attributes) } as any);
  return { enabled: def.enabled, ...def.attributes, _variants: variants };
}

function attributeValues(attributes: Record<string, any>): { attributeValues?: Record<string, any> } {
  return Object.keys(attributes).length ? { attributeValues: attributes } : {};
}

function all(rules: string[]): string {
  return rules.reduceRight((acc, r) => (acc === '' ? r : `(and ${r} ${acc})`), '');
}

const OPERATOR: Record<ContextComparison, string> = {
  [ContextComparison.EQUAL]: 'eq',
  [ContextComparison.LESS_THAN]: 'lt',
  [ContextComparison.LESS_OR_EQUAL]: 'lte',
  [ContextComparison.GREATER_THAN]: 'gt',
  [ContextComparison.GREATER_OR_EQUAL]: 'gte',
};

/** An AppConfig rule for one condition (segments inlined). */
function ruleOf(set: FlagSet, at: string, c: Condition): string {
  const v = `$${c.subject}`;
  switch (c.kind) {
    case ConditionKind.EQUALS: return `(eq ${v} ${literal(at, c.operands[0])})`;
    case ConditionKind.ONE_OF: return `(in ${v} [${c.operands.map(o => literal(at, o)).join(', ')}])`;
    case ConditionKind.STARTS_WITH: return `(begins_with ${v} ${literal(at, c.operands[0])})`;
    case ConditionKind.ENDS_WITH: return `(ends_with ${v} ${literal(at, c.operands[0])})`;
    case ConditionKind.NUMERIC: return `(${OPERATOR[c.comparison!]} ${v} ${c.operands[0]})`;
    case ConditionKind.SEMVER:
      return fail(at, 'condition', 'compares a semantic version, which AppConfig rules cannot (they compare strings, numbers and timestamps)', c.describe(),
        'Serve this flag on Kubernetes (flagd has sem_ver), or pass the version as a number attribute (for example a build number) and use Condition.numeric.');
    case ConditionKind.IN_SEGMENT:
      return all(set.segment(c.subject).conditions.map(x => ruleOf(set, `${at} segment "${c.subject}"`, x)));
  }
}

/** A string literal in an AppConfig rule; quotes and backslashes are refused rather than guessed at. */
function literal(at: string, s: string): string {
  if (/["\\\n]/.test(s)) {
    fail(at, 'condition value', 'must not contain a double quote, a backslash or a line break in an AppConfig rule', show(s), 'Use a value without them.');
  }
  return `"${s}"`;
}

/**
 * Checks a feature-flag document against the documented AppConfig rules the library relies on,
 * at synth rather than at deploy time.
 */
export function validateAppConfigContent(doc: any): void {
  const bad = (path: string, problem: string, got: unknown) =>
    fail(`${WHERE} content`, path, problem, show(got), 'This is a bug in the flag rendering: please report it with the flag declaration.');
  if (doc.version !== '1') bad('version', 'must be "1"', doc.version);
  const extra = Object.keys(doc).filter(k => !['version', 'flags', 'values'].includes(k));
  if (extra.length) bad('(root)', 'must only hold version, flags and values', extra);
  for (const [key, def] of Object.entries<any>(doc.flags)) {
    if (!APPCONFIG_KEY.test(key)) bad(`flags.${key}`, 'must be a valid AppConfig key', key);
    if (!(key in doc.values)) bad(`values.${key}`, 'must exist for every flag', undefined);
    if (typeof def.name !== 'string' || def.name.length < 1 || def.name.length > 64 || def.name.includes('\n')) bad(`flags.${key}.name`, 'must be 1-64 characters on one line', def.name);
    if (def.description !== undefined && (typeof def.description !== 'string' || def.description.length > 1024)) bad(`flags.${key}.description`, 'must be at most 1024 characters', def.description);
    const attrs = Object.keys(def.attributes ?? {});
    if (attrs.length > APPCONFIG_MAX_ATTRIBUTES) bad(`flags.${key}.attributes`, `must be at most ${APPCONFIG_MAX_ATTRIBUTES}`, attrs.length);
    attrs.forEach(a => { if (!APPCONFIG_KEY.test(a)) bad(`flags.${key}.attributes.${a}`, 'must be a valid AppConfig key', a); });
    const value = doc.values[key];
    if (typeof value.enabled !== 'boolean') bad(`values.${key}.enabled`, 'must be a boolean', value.enabled);
    const variants = value._variants;
    if (variants !== undefined) {
      if (!Array.isArray(variants) || variants.length < 1 || variants.length > APPCONFIG_MAX_VARIANTS) bad(`values.${key}._variants`, `must hold 1-${APPCONFIG_MAX_VARIANTS} variants`, variants);
      const names = new Set<string>();
      variants.forEach((v: any, i: number) => {
        if (names.has(v.name)) bad(`values.${key}._variants[${i}].name`, 'must be unique in the flag', v.name);
        names.add(v.name);
        const last = i === variants.length - 1;
        if (last && v.rule !== undefined) bad(`values.${key}._variants[${i}]`, 'is the default and must come last without a rule', v.rule);
        if (!last && (typeof v.rule !== 'string' || v.rule.length > APPCONFIG_MAX_RULE_LENGTH)) bad(`values.${key}._variants[${i}].rule`, `must be a rule of at most ${APPCONFIG_MAX_RULE_LENGTH} characters`, v.rule);
        for (const a of Object.keys(v.attributeValues ?? {})) {
          if (!attrs.includes(a)) bad(`values.${key}._variants[${i}].attributeValues.${a}`, 'must be a declared attribute', a);
        }
      });
    }
  }
}

/** An AppConfig deployment strategy: how a configuration change grows across the targets. */
export interface AppConfigRollout {
  /** LINEAR or EXPONENTIAL. */
  readonly growthType: 'LINEAR' | 'EXPONENTIAL';
  /** Percent (linear) or first percent (exponential). */
  readonly growthFactor: number;
  readonly deploymentDurationMinutes: number;
  readonly finalBakeMinutes: number;
  /** The phases the strategy's plan shows. */
  readonly phases: PlanPhaseSpec[];
  /** The analysis that becomes the environment's monitors (none for Analysis.none and all-at-once without checks). */
  readonly analysis?: Analysis;
}

/** The AppConfig rollout of a kill: all targets at once, no bake. */
export const KILL_ROLLOUT: AppConfigRollout = {
  growthType: 'LINEAR',
  growthFactor: 100,
  deploymentDurationMinutes: 0,
  finalBakeMinutes: 0,
  phases: [{ name: 'Kill: all targets at once, no bake', trafficPercent: 100, duration: Duration.seconds(0) }],
};

/**
 * Maps a DeploymentStrategy onto an AppConfig deployment strategy, exactly or not at all. AppConfig
 * grows the share of targets (hosts polling AppConfig) in equal intervals of `duration / steps`:
 * linear by `growthFactor` percent per interval, exponential `G, 2G, 4G, …` percent; the last interval
 * serves 100% before the final bake.
 * @see https://docs.aws.amazon.com/appconfig/latest/userguide/appconfig-creating-deployment-strategy.html
 */
export function renderAppConfigRollout(where: string, strategy: DeploymentStrategy,
  source: AlarmSource = AlarmSource.LAMBDA_VERSION): AppConfigRollout {
  const analysis = strategy.analysis;
  if (analysis !== undefined) requireAwsAnalysis(where, 'strategy.analysis', analysis, source);
  const keep = toSeconds(strategy.keepPreviousVersionFor);
  const judged = (a: Analysis | undefined): Partial<PlanPhaseSpec> =>
    a === undefined || a.isNone ? {} : { checks: a.checkNames, timeToDetect: awsTimeToDetect(a) };
  switch (strategy.kind) {
    case StrategyKind.ALL_AT_ONCE: {
      const bake = wholeMinutes(where, 'strategy.keepPreviousVersionFor', keep);
      requireBakeCoversAlarms(where, 'strategy.keepPreviousVersionFor', strategy.keepPreviousVersionFor, analysis);
      return {
        growthType: 'LINEAR',
        growthFactor: 100,
        deploymentDurationMinutes: 0,
        finalBakeMinutes: bake,
        analysis,
        phases: [{ name: 'All targets, final bake', trafficPercent: 100, duration: strategy.keepPreviousVersionFor, ...judged(analysis) }],
      };
    }
    case StrategyKind.LINEAR:
    case StrategyKind.CANARY: {
      const steps = strategy.steps;
      if (steps.some(s => s.manualGate)) {
        fail(where, 'strategy', 'has a manual gate, which AppConfig deployments cannot wait for', 'a manual step',
          'Remove the manual gate; AppConfig rolls back on its monitors, or stop a deployment with `aws appconfig stop-deployment`.');
      }
      const interval = toSeconds(steps[0].bakeTime);
      if (steps.some(s => toSeconds(s.bakeTime) !== interval)) {
        fail(where, 'strategy', 'has steps with different bake times, which AppConfig cannot express: it grows in equal intervals', steps.map(s => formatDuration(s.bakeTime)).join(', '),
          'Give every step the same bake time.');
      }
      const weights = steps.map(s => s.weight);
      let growthType: 'LINEAR' | 'EXPONENTIAL';
      let factor: number;
      if (strategy.kind === StrategyKind.LINEAR) {
        growthType = 'LINEAR';
        factor = strategy.linearStepPercent!;
        if (!Number.isInteger(factor)) {
          fail(where, 'strategy.stepPercent', 'must be a whole percentage on AppConfig (growthFactor)', show(factor), 'Use a whole percentage.');
        }
      } else {
        growthType = 'EXPONENTIAL';
        factor = weights[0];
        const expected: number[] = [];
        for (let w = factor; w < 100; w *= 2) expected.push(w);
        if (expected.join() !== weights.join()) {
          fail(where, 'strategy.steps', `must double at every step (${expected.join(', ')}) to map to AppConfig's exponential growth; AppConfig has no other canary shape`,
            weights.join(', '), `Use steps ${expected.join(', ')} with equal bakes, or DeploymentStrategy.linear({ stepPercent }).`);
        }
      }
      requireBakeCoversAlarms(where, 'strategy step bake time', steps[0].bakeTime, analysis);
      const intervals = steps.length + 1;
      const intervalMinutes = wholeMinutes(where, 'strategy step bake time', interval);
      if (keep < interval) {
        fail(where, 'strategy.keepPreviousVersionFor', `must be at least one step (${formatDuration(steps[0].bakeTime)}): on AppConfig the 100% step lasts one interval before the final bake`,
          formatDuration(strategy.keepPreviousVersionFor), `Keep for ${formatDuration(steps[0].bakeTime)} or more.`);
      }
      const duration = intervalMinutes * intervals;
      const bake = wholeMinutes(where, 'strategy.keepPreviousVersionFor', keep - interval);
      if (duration > APPCONFIG_MAX_MINUTES) {
        fail(where, 'strategy', `takes ${duration} minutes to reach 100% (${intervals} intervals of ${intervalMinutes}), more than AppConfig's ${APPCONFIG_MAX_MINUTES}`,
          `${duration} minutes`, 'Use larger steps or shorter bakes.');
      }
      const phases: PlanPhaseSpec[] = steps.map((s, i) => ({ name: `Interval ${i + 1}`, trafficPercent: s.weight, duration: s.bakeTime, ...judged(analysis) }));
      phases.push({ name: 'All targets, then final bake', trafficPercent: 100, duration: strategy.keepPreviousVersionFor, ...judged(analysis) });
      return { growthType, growthFactor: factor, deploymentDurationMinutes: duration, finalBakeMinutes: bake, phases, analysis };
    }
    default:
      return fail(where, 'strategy', `is ${strategy.kind.toLowerCase().replace(/_/g, '-')}, which AppConfig cannot express: it grows a configuration across targets linearly or exponentially`,
        strategy.kind, 'Use DeploymentStrategy.linear, .allAtOnce, or .canary with doubling steps for flag changes.');
  }
}

function wholeMinutes(where: string, field: string, seconds: number): number {
  if (seconds % 60 !== 0) {
    fail(where, field, 'must be whole minutes on AppConfig', formatDuration(Duration.seconds(seconds)), 'Use Duration.minutes(n).');
  }
  const minutes = seconds / 60;
  if (minutes > APPCONFIG_MAX_MINUTES) {
    fail(where, field, `must be at most ${APPCONFIG_MAX_MINUTES} minutes on AppConfig`, formatDuration(Duration.seconds(seconds)), 'Shorten it.');
  }
  return minutes;
}
