import { Token } from 'aws-cdk-lib';
import { fail, show } from '../../private/validate';

/** Shows a value in a message, naming unresolved tokens as such. */
export function shown(value: unknown): string {
  if ((typeof value === 'string' || typeof value === 'number') && Token.isUnresolved(value)) {
    return 'an unresolved token';
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    return String(value);
  }
  return show(value);
}

/** A concrete string (no token), optionally matching a pattern and within a length. */
export function requireString(where: string, field: string, value: unknown,
  rule: { pattern?: RegExp; maxLength?: number; minLength?: number; describe?: string }, fix: string): string {
  if (typeof value !== 'string') {
    fail(where, field, 'must be a string', shown(value), fix);
  }
  if (Token.isUnresolved(value)) {
    fail(where, field, 'must be known at synth time', 'an unresolved token', fix);
  }
  const min = rule.minLength ?? 1;
  if (value.length < min || (rule.maxLength !== undefined && value.length > rule.maxLength)) {
    const size = rule.maxLength === undefined ? `at least ${min} character(s) long` : `${min} to ${rule.maxLength} characters long`;
    fail(where, field, `must be ${size}`, shown(value), fix);
  }
  if (rule.pattern && !rule.pattern.test(value)) {
    fail(where, field, rule.describe ?? `must match ${rule.pattern}`, shown(value), fix);
  }
  return value;
}

/** A finite number known at synth time (tokens are refused). */
export function requireFinite(where: string, field: string, value: unknown, fix: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    fail(where, field, 'must be a finite number', shown(value), fix);
  }
  if (Token.isUnresolved(value)) {
    fail(where, field, 'must be known at synth time', 'an unresolved token', fix);
  }
  return value;
}

/** A whole percentage in [min, 100]. */
export function requirePercent(where: string, field: string, value: unknown, min: number, fix: string): number {
  const n = requireFinite(where, field, value, fix);
  if (!Number.isInteger(n) || n < min || n > 100) {
    fail(where, field, `must be a whole number from ${min} to 100`, shown(n), fix);
  }
  return n;
}

/** An options object (not null, not an array, not a primitive). */
export function requireProps(where: string, props: unknown, fix: string): void {
  if (props === null || typeof props !== 'object' || Array.isArray(props)) {
    fail(where, 'props', 'must be an object', shown(props), fix);
  }
}

/** An array (possibly empty unless `nonEmpty`). */
export function requireArray(where: string, field: string, value: unknown, nonEmpty: boolean, fix: string): unknown[] {
  if (!Array.isArray(value) || (nonEmpty && value.length === 0)) {
    fail(where, field, nonEmpty ? 'must be a non-empty array' : 'must be an array', shown(value), fix);
  }
  return value;
}

/** A boolean (JavaScript callers can pass anything). */
export function requireBoolean(where: string, field: string, value: unknown, fix: string): boolean {
  if (typeof value !== 'boolean') {
    fail(where, field, 'must be true or false', shown(value), fix);
  }
  return value;
}

/** Flag keys: what AppConfig accepts (flagd and Kubernetes accept any non-empty string). */
export const FLAG_KEY = /^[a-z][a-zA-Z\d_-]{0,63}$/;
/** Context attribute names: valid as an AppConfig `$name` and as a JsonLogic `var` (no dots, which mean nesting). */
export const ATTRIBUTE_NAME = /^[a-zA-Z][a-zA-Z\d_]{0,63}$/;
/** Variant names: an AppConfig variant name and a flagd variant key. */
export const VARIANT_NAME = /^[a-zA-Z][a-zA-Z\d_-]{0,63}$/;
/** Segment and stage names. */
export const SEGMENT_NAME = /^[a-z][a-z\d-]{0,62}$/;
