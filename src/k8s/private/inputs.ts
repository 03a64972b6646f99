import { Token } from 'aws-cdk-lib';
import { fail, show } from '../../private/validate';

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function requireProps(where: string, props: unknown): void {
  if (props === null || typeof props !== 'object') {
    fail(where, 'props', 'must be an object', show(props), 'Pass the options object.');
  }
}

/**
 * Refuses a value that is an unresolved token (`Token.asNumber(...)`, `Token.asString(...)`, an
 * attribute of an AWS resource): Kubernetes manifests are written from concrete values, and a
 * token's encoding would be written as it is.
 */
export function requireResolved(where: string, field: string, value: unknown): void {
  if ((typeof value === 'number' || typeof value === 'string') && Token.isUnresolved(value)) {
    fail(where, field, 'must be known at synth time', 'an unresolved token', `Pass ${field} as a literal value: cdk8s writes the manifest from concrete values.`);
  }
}

/** An array without holes: every element present (a sparse array's holes are skipped by forEach and map). */
export function requireDenseArray(where: string, field: string, value: unknown, fix: string): unknown[] {
  if (!Array.isArray(value)) {
    fail(where, field, 'must be an array', show(value), fix);
  }
  for (let i = 0; i < value.length; i++) {
    if (!(i in value)) {
      fail(where, `${field}[${i}]`, 'must be given (the array has a hole there)', 'an empty slot', fix);
    }
  }
  return value;
}

export function requireText(where: string, field: string, value: unknown): string {
  requireResolved(where, field, value);
  if (typeof value !== 'string' || value.trim().length === 0) {
    fail(where, field, 'must be a non-empty string', show(value), `Set ${field}.`);
  }
  return value;
}

/** A Kubernetes object name (RFC 1123 subdomain). */
export function requireK8sName(where: string, field: string, value: unknown): string {
  requireResolved(where, field, value);
  if (typeof value !== 'string' || value.length > 253 || !K8S_NAME.test(value)) {
    fail(where, field, 'must be a Kubernetes object name (lower-case letters, digits, "-" and ".")', show(value),
      'Pass the name of the object, for example "my-app".');
  }
  return value;
}

export function requirePort(where: string, field: string, value: unknown): number {
  requireResolved(where, field, value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    fail(where, field, 'must be a port number between 1 and 65535', show(value), 'Pass a port such as 80 or 8080.');
  }
  return value;
}

export function requireInteger(where: string, field: string, value: unknown, min: number, max: number, fix: string): number {
  requireResolved(where, field, value);
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(where, field, `must be a whole number between ${min} and ${max}`, show(value), fix);
  }
  return value;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * A name that must be a DNS label: a Service name (RFC 1035: starts with a letter) or a name that
 * is also used as a label value (RFC 1123 label), at most 63 characters.
 */
export function requireDnsLabel(where: string, field: string, value: unknown, rfc1035: boolean): string {
  requireResolved(where, field, value);
  const pattern = rfc1035 ? DNS_1035_LABEL : DNS_LABEL;
  if (typeof value !== 'string' || value.length > 63 || !pattern.test(value)) {
    const first = rfc1035 ? 'starting with a letter' : 'starting with a letter or digit';
    fail(where, field, `must be a DNS label (1-63 lower-case letters, digits or "-", ${first} and ending with a letter or digit)`, show(value),
      'Pass a name such as "api" or "api-canary".');
  }
  return value;
}
