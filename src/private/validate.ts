import { Duration, Token } from 'aws-cdk-lib';
import { toMillis } from './duration';

/**
 * Raised for a declaration that cannot protect a deployment or that a target cannot express.
 *
 * Every message has the form `<where>: <field> <problem>, got <value>. <fix>` so that the
 * field, the value received and the remedy are always in front of the user.
 */
export class DeliveryValidationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeliveryValidationError';
    Object.setPrototypeOf(this, DeliveryValidationError.prototype);
  }
}

/** Builds and throws a validation error in the library's message format. */
export function fail(where: string, field: string, problem: string, got: string, fix: string): never {
  throw new DeliveryValidationError(`${where}: ${field} ${problem}, got ${got}. ${fix}`);
}

/** A value shown in a message: numbers and strings as they are, durations in human form. */
export function show(value: unknown): string {
  if (value instanceof Duration) {
    return value.isUnresolved() ? 'an unresolved token' : formatDuration(value);
  }
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (value === undefined) {
    return 'undefined';
  }
  if (typeof value === 'number') {
    return String(value);
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

export interface DurationRule {
  /** Zero is accepted. */
  readonly allowZero?: boolean;
  /** Sub-second precision is accepted. */
  readonly allowFractionalSeconds?: boolean;
}

/** Checks that `value` is a concrete, non-negative Duration and returns it. */
export function requireDuration(where: string, field: string, value: unknown, rule: DurationRule = {}): Duration {
  if (!(value instanceof Duration)) {
    fail(where, field, 'must be a Duration (for example Duration.minutes(5))', show(value), `Pass ${field} as a Duration.`);
  }
  if (value.isUnresolved()) {
    fail(where, field, 'must be a concrete duration known at synth time', 'an unresolved token', 'Pass a literal Duration such as Duration.minutes(5).');
  }
  // NaN and Infinity amounts: aws-cdk-lib's conversion would throw its own message without the field.
  const amount = Number(value.formatTokenToNumber().split(' ')[0]);
  if (!Number.isFinite(amount)) {
    fail(where, field, 'must be a finite duration', value.formatTokenToNumber(), `Pass ${field} as a finite Duration, for example Duration.minutes(5).`);
  }
  const ms = toMillis(value);
  if (!Number.isFinite(ms)) {
    fail(where, field, 'must be a finite duration', show(ms) + 'ms', 'Pass a finite Duration.');
  }
  // Duration itself refuses negative amounts, so zero is the only value left to rule out.
  if (ms === 0 && !rule.allowZero) {
    fail(where, field, 'must be longer than zero', formatDuration(value), 'Pass a positive Duration.');
  }
  if (!rule.allowFractionalSeconds && ms % 1000 !== 0) {
    fail(where, field, 'must be a whole number of seconds', `${ms}ms`, 'Round it to whole seconds.');
  }
  return value;
}

/** Checks that `value` is a finite number within [min, max] (and an integer when asked). */
export function requireNumber(
  where: string, field: string, value: unknown,
  range: { min: number; max: number; integer?: boolean; minExclusive?: boolean; maxExclusive?: boolean },
  fix: string,
): number {
  if (typeof value === 'number' && Token.isUnresolved(value)) {
    fail(where, field, 'must be a number known at synth time', 'an unresolved token', fix);
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(where, field, 'must be a finite number', show(value), fix);
  }
  const low = range.minExclusive ? value <= range.min : value < range.min;
  const high = range.maxExclusive ? value >= range.max : value > range.max;
  if (low || high) {
    const lo = range.minExclusive ? `greater than ${range.min}` : `at least ${range.min}`;
    const hi = range.maxExclusive ? `less than ${range.max}` : `at most ${range.max}`;
    fail(where, field, `must be ${lo} and ${hi}`, show(value), fix);
  }
  if (range.integer && !Number.isInteger(value)) {
    fail(where, field, 'must be a whole number', show(value), fix);
  }
  return value;
}

/** Formats a duration as `1h 5m 30s` (or `250ms` below a second). */
export function formatDuration(d: Duration): string {
  const ms = toMillis(d);
  if (ms === 0) {
    return '0s';
  }
  if (ms < 1000) {
    return `${ms}ms`;
  }
  let seconds = Math.floor(ms / 1000);
  const rest = ms % 1000;
  const parts: string[] = [];
  const days = Math.floor(seconds / 86400);
  seconds -= days * 86400;
  const hours = Math.floor(seconds / 3600);
  seconds -= hours * 3600;
  const minutes = Math.floor(seconds / 60);
  seconds -= minutes * 60;
  if (days) parts.push(`${days}d`);
  if (hours) parts.push(`${hours}h`);
  if (minutes) parts.push(`${minutes}m`);
  if (seconds || rest) parts.push(rest ? `${seconds + rest / 1000}s` : `${seconds}s`);
  return parts.join(' ');
}

const NAME_PATTERN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Names that end up in alarm names, Argo metric names and Kubernetes object names. */
export function requireName(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 63 || !NAME_PATTERN.test(value)) {
    fail(where, field, 'must be 1-63 lower-case letters, digits or "-", starting and ending with a letter or digit', show(value),
      'Use a name such as "error-rate" or "queue-depth".');
  }
  return value;
}

/**
 * Refuses a percentage finer than 0.001 (the precision every weight is documented and rendered with)
 * instead of rounding it silently.
 */
export function requireThousandths(where: string, field: string, value: number, fix: string): number {
  const scaled = value * 1000;
  if (Math.abs(scaled - Math.round(scaled)) > 1e-6) {
    fail(where, field, 'must be a multiple of 0.001 (three decimal places at most)', show(value), fix);
  }
  return value;
}
