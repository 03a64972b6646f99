import { Duration } from 'aws-cdk-lib';
import { toMillis } from '../../private/duration';
import { fail, formatDuration } from '../../private/validate';

/**
 * A Duration as an Argo Rollouts duration string ("30s", "10m", "2h"): the largest whole unit.
 * Sub-second durations cannot be expressed and are refused.
 */
export function argoDuration(where: string, field: string, d: Duration): string {
  const ms = toMillis(d);
  if (ms % 1000 !== 0) {
    fail(where, field, 'must be a whole number of seconds for Argo Rollouts', formatDuration(d), 'Round it to whole seconds.');
  }
  const s = ms / 1000;
  if (s > 0 && s % 3600 === 0) return `${s / 3600}h`;
  if (s > 0 && s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** Whole seconds of a duration (already checked to be whole). */
export function seconds(d: Duration): number {
  return Math.round(toMillis(d) / 1000);
}
