/**
 * What the library needs at run time from the generated Argo types (src/k8s/imports), without loading
 * them: their kinds, and values for their union fields. The specs are still typed with the generated
 * types, and converted to Kubernetes JSON by plainJson; test/k8s/argo-types.test.ts checks these
 * against the generated module.
 */

/** apiVersion and kind of an Argo Rollouts object. */
export interface GroupVersionKind {
  readonly apiVersion: string;
  readonly kind: string;
}

export const ROLLOUT: GroupVersionKind = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout' };
export const ANALYSIS_TEMPLATE: GroupVersionKind = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisTemplate' };

/** The shape of a generated union type's value: the number or string it holds. */
class UnionValue {
  constructor(public readonly value: string | number) {}
}

/**
 * A value for a field typed with a generated union class (`RolloutSpecStrategyCanaryMaxSurge`,
 * `AnalysisTemplateSpecMetricsCount`, ...), equal to what its `fromNumber` / `fromString` returns:
 * an object that holds only `value`, which plainJson and the generated conversions unwrap.
 */
export function union<T>(value: string | number): T {
  return new UnionValue(value) as unknown as T;
}
