import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { show } from '../../private/validate';

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
