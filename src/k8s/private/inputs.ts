import { fail, show } from '../../private/validate';

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function requireProps(where: string, props: unknown): void {
  if (props === null || typeof props !== 'object') {
    fail(where, 'props', 'must be an object', show(props), 'Pass the options object.');
  }
}

export function requireText(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0) {
    fail(where, field, 'must be a non-empty string', show(value), `Set ${field}.`);
  }
  return value;
}

/** A Kubernetes object name (RFC 1123 subdomain). */
export function requireK8sName(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length > 253 || !K8S_NAME.test(value)) {
    fail(where, field, 'must be a Kubernetes object name (lower-case letters, digits, "-" and ".")', show(value),
      'Pass the name of the object, for example "my-app".');
  }
  return value;
}

export function requirePort(where: string, field: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    fail(where, field, 'must be a port number between 1 and 65535', show(value), 'Pass a port such as 80 or 8080.');
  }
  return value;
}

export function requireInteger(where: string, field: string, value: unknown, min: number, max: number, fix: string): number {
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
  const pattern = rfc1035 ? DNS_1035_LABEL : DNS_LABEL;
  if (typeof value !== 'string' || value.length > 63 || !pattern.test(value)) {
    const first = rfc1035 ? 'starting with a letter' : 'starting with a letter or digit';
    fail(where, field, `must be a DNS label (1-63 lower-case letters, digits or "-", ${first} and ending with a letter or digit)`, show(value),
      'Pass a name such as "api" or "api-canary".');
  }
  return value;
}
