import type { Flag } from '../../flags/flag';
import type { FlagSet } from '../../flags/flag-set';
import type { ResolvedClause, ResolvedFlag, ResolvedSplit } from '../../flags/private/resolved';
import { Condition, ConditionKind, ContextComparison } from '../../flags/targeting';
import type * as ff from '../imports/openfeature-feature-flag-core.openfeature.dev';
import type * as ffs from '../imports/openfeature-feature-flag-source-core.openfeature.dev';

/** apiVersion and kind of the OpenFeature Operator objects (see test/k8s/openfeature.test.ts). */
export const FEATURE_FLAG = { apiVersion: 'core.openfeature.dev/v1beta1', kind: 'FeatureFlag' };
export const FEATURE_FLAG_SOURCE = { apiVersion: 'core.openfeature.dev/v1beta1', kind: 'FeatureFlagSource' };

/** The annotation keys the OpenFeature Operator's pod webhook reads. */
export const ENABLED_ANNOTATION = 'openfeature.dev/enabled';
export const SOURCE_ANNOTATION = 'openfeature.dev/featureflagsource';

/**
 * The flagd flag definitions of a flag set (the `flagSpec` of a FeatureFlag, and a valid flagd
 * flags file): one flag per key with sorted variants, targeting in JsonLogic, segments as
 * `$evaluators` referenced with `$ref`.
 */
export function renderFlagd(set: FlagSet): { flags: Record<string, any>; $evaluators?: Record<string, any> } {
  const resolved = set._resolve();
  const used = new Set<string>();
  const flags: Record<string, any> = {};
  for (const r of resolved) {
    const targeting = targetingOf(r, used);
    const flag: ff.FeatureFlagSpecFlagSpecFlags = {
      state: 'ENABLED' as ff.FeatureFlagSpecFlagSpecFlagsState,
      variants: variantsOf(r.flag),
      defaultVariant: r.defaultVariant,
      ...(targeting === undefined ? {} : { targeting }),
      metadata: metadataOf(r.flag),
    };
    flags[r.flag.key] = flag;
  }
  const evaluators: Record<string, any> = {};
  for (const s of set.segments) {
    if (used.has(s.name)) evaluators[s.name] = all(s.conditions.map(c => conditionOf(c, used)));
  }
  return Object.keys(evaluators).length ? { flags, $evaluators: evaluators } : { flags };
}

/** The FeatureFlag manifest (without metadata) holding the flag set. */
export function renderFeatureFlagSpec(set: FlagSet): any {
  const flagSpec = renderFlagd(set);
  return { flagSpec };
}

/** The FeatureFlagSource spec that makes the injected flagd read the FeatureFlag from Kubernetes. */
export function renderFeatureFlagSourceSpec(namespace: string, featureFlagName: string, port: number | undefined): any {
  const spec: ffs.FeatureFlagSourceSpec = {
    sources: [{ source: `${namespace}/${featureFlagName}`, provider: 'kubernetes' }],
    ...(port === undefined ? {} : { port }),
  };
  return spec;
}

/** The pod annotations that make the OpenFeature Operator inject flagd reading the given source. */
export function openFeatureAnnotations(namespace: string, sourceName: string): Record<string, string> {
  return { [ENABLED_ANNOTATION]: 'true', [SOURCE_ANNOTATION]: `${namespace}/${sourceName}` };
}

function variantsOf(flag: Flag): Record<string, any> {
  const out: Record<string, any> = {};
  for (const name of flag.variantNames) out[name] = flag.variants[name];
  return out;
}

function metadataOf(flag: Flag): Record<string, string | boolean> {
  return {
    owner: flag.owner,
    type: flag.type,
    ...(flag.effectiveExpiry ? { expires: flag.effectiveExpiry } : {}),
    killed: flag.killed,
  };
}

/**
 * JsonLogic: the clauses in order (first match wins), then the split, else the default variant
 * (named explicitly: cdk8s drops null array items from manifests).
 */
function targetingOf(r: ResolvedFlag, used: Set<string>): any {
  const split = r.split === undefined ? undefined : fractionalOf(r.split, r.defaultVariant);
  if (r.clauses.length === 0) return split;
  const args: any[] = [];
  for (const c of r.clauses) args.push(clauseOf(c, used), c.variant);
  args.push(split ?? r.defaultVariant);
  return { if: args };
}

function clauseOf(c: ResolvedClause, used: Set<string>): any {
  return all(c.when.map(w => conditionOf(w, used)));
}

function all(parts: any[]): any {
  return parts.length === 1 ? parts[0] : { and: parts };
}

/**
 * flagd `fractional` over the contexts that carry the split key, bucketing by `seed + key` (the
 * documented default bucketing value is flagKey + targetingKey, and the seed defaults to the flag
 * key); a context without the key gets the default variant.
 */
function fractionalOf(split: ResolvedSplit, defaultVariant: string): any {
  const shares: Array<[string, number]> = split.shares.map(s => [s.variant, s.percent]);
  const total = split.shares.reduce((t, s) => t + s.percent, 0);
  if (total < 100) shares.push([defaultVariant, 100 - total]);
  const key = { var: split.by };
  return { if: [key, { fractional: [{ cat: [split.seed, key] }, ...shares] }, defaultVariant] };
}

const NUMERIC: Record<ContextComparison, string> = {
  [ContextComparison.EQUAL]: '==',
  [ContextComparison.LESS_THAN]: '<',
  [ContextComparison.LESS_OR_EQUAL]: '<=',
  [ContextComparison.GREATER_THAN]: '>',
  [ContextComparison.GREATER_OR_EQUAL]: '>=',
};

const SEMVER: Record<ContextComparison, string> = {
  [ContextComparison.EQUAL]: '=',
  [ContextComparison.LESS_THAN]: '<',
  [ContextComparison.LESS_OR_EQUAL]: '<=',
  [ContextComparison.GREATER_THAN]: '>',
  [ContextComparison.GREATER_OR_EQUAL]: '>=',
};

function conditionOf(c: Condition, used: Set<string>): any {
  const v = { var: c.subject };
  switch (c.kind) {
    case ConditionKind.EQUALS: return { '===': [v, c.operands[0]] };
    case ConditionKind.ONE_OF: return { in: [v, [...c.operands]] };
    case ConditionKind.STARTS_WITH: return { starts_with: [v, c.operands[0]] };
    case ConditionKind.ENDS_WITH: return { ends_with: [v, c.operands[0]] };
    case ConditionKind.NUMERIC: return { [NUMERIC[c.comparison!]]: [v, c.operands[0]] };
    case ConditionKind.SEMVER: return { sem_ver: [v, SEMVER[c.comparison!], c.operands[0]] };
    case ConditionKind.IN_SEGMENT:
      used.add(c.subject);
      return { $ref: c.subject };
  }
}

