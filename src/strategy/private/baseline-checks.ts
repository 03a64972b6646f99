import { fail, show } from '../../private/validate';
import { Analysis } from '../analysis';

/**
 * Refuses checks relative to a baseline outside a `BaselineComparison`: only there does a baseline
 * run beside the new version.
 */
export function requireNoBaselineChecks(where: string, field: string, analysis: Analysis): void {
  for (const check of analysis.checks) {
    if (check.comparesWithBaseline) {
      const what = check.kayenta !== undefined ? 'a Kayenta judgement' : `maxRatioToBaseline (${check.maxRatioToBaseline})`;
      fail(where, `${field}.checks ("${check.name}")`, `compares with a baseline (${what}), which only a baseline comparison starts`, show(check.describe()),
        'Move the check into baseline: BaselineComparison.of({ analysis, duration }) of a canary or linear strategy, or drop the comparison.');
    }
  }
}
