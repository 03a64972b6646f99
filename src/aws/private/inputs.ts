import { Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DurationRule, fail, requireDuration, requireNumber, show } from '../../private/validate';

/** Whether `value` looks like a Lambda function construct (as a jsii caller may pass anything). */
export function isFunction(value: unknown): value is lambda.IFunction {
  return value !== null && typeof value === 'object'
    && typeof (value as any).functionArn === 'string'
    && typeof (value as any).functionName === 'string'
    && typeof (value as any).grantInvoke === 'function';
}

/** A value in a message: constructs by their path rather than their JSON. */
export function describeValue(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as any).node?.path === 'string') {
    return `the construct ${(value as any).node.path}`;
  }
  if (typeof value === 'string' && Token.isUnresolved(value)) {
    return 'an unresolved token';
  }
  if (typeof value === 'function') {
    return 'a function';
  }
  return show(value);
}


/**
 * `requireNumber` that names an unresolved token as such (its encoding is a huge negative number
 * that means nothing to the reader).
 */
export function requireLiteralNumber(where: string, field: string, value: unknown,
  range: { min: number; max: number; integer?: boolean }, fix: string): number {
  if (typeof value === 'number' && Token.isUnresolved(value)) {
    fail(where, field, 'must be known at synth time', 'an unresolved token', fix);
  }
  return requireNumber(where, field, value, range, fix);
}

/**
 * `requireDuration` that refuses NaN and Infinity amounts with the field's name, before
 * aws-cdk-lib's conversion throws its own message without it.
 */
export function requireFiniteDuration(where: string, field: string, value: unknown, rule: DurationRule = {}): Duration {
  if (value instanceof Duration && !value.isUnresolved()) {
    const text = value.formatTokenToNumber();
    const amount = Number(text.split(' ')[0]);
    if (!Number.isFinite(amount)) {
      fail(where, field, 'must be a finite duration', text, `Pass ${field} as a finite Duration, for example Duration.seconds(10).`);
    }
  }
  return requireDuration(where, field, value, rule);
}
