import { Token } from 'aws-cdk-lib';
import { fail, show } from '../private/validate';

/** How a `RequestMatch` compares a request with its value. */
export enum RequestMatchKind {
  /** The header's whole value equals the given value. */
  HEADER_EXACT = 'HEADER_EXACT',
  /** The header's value starts with the given prefix. */
  HEADER_PREFIX = 'HEADER_PREFIX',
  /** The header's whole value matches a regular expression (RE2 syntax, as Envoy uses). */
  HEADER_REGEX = 'HEADER_REGEX',
  /** The request carries the cookie `name=value` among its cookies. */
  COOKIE = 'COOKIE',
}

/** RFC 7230 token characters: what a header or cookie name may contain. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * A condition on a request, by header or cookie, that sends it to the new version: the route of a
 * header-only preview, or of a sticky canary. A router renders it only when it can match it exactly
 * (for example the AWS Load Balancer Controller only matches whole header values).
 */
export class RequestMatch {
  /**
   * Requests whose header `name` has exactly `value`.
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/#traffic-routing-based-on-a-header-values-for-canary
   */
  public static header(name: string, value: string): RequestMatch {
    return new RequestMatch('RequestMatch.header', RequestMatchKind.HEADER_EXACT, name, value);
  }

  /** Requests whose header `name` starts with `prefix`. */
  public static headerPrefix(name: string, prefix: string): RequestMatch {
    return new RequestMatch('RequestMatch.headerPrefix', RequestMatchKind.HEADER_PREFIX, name, prefix);
  }

  /** Requests whose header `name` matches the regular expression `regex` as a whole (RE2 syntax). */
  public static headerRegex(name: string, regex: string): RequestMatch {
    return new RequestMatch('RequestMatch.headerRegex', RequestMatchKind.HEADER_REGEX, name, regex);
  }

  /**
   * Requests that carry the cookie `name` with exactly `value` (rendered as a regular expression on
   * the `Cookie` header, so only on routers that match header values by regular expression).
   */
  public static cookie(name: string, value: string): RequestMatch {
    return new RequestMatch('RequestMatch.cookie', RequestMatchKind.COOKIE, name, value);
  }

  /** How the request is compared. */
  public readonly kind: RequestMatchKind;
  /** The header name (for a cookie: the cookie's name). */
  public readonly name: string;
  /** The value, prefix or regular expression compared. */
  public readonly value: string;

  private constructor(where: string, kind: RequestMatchKind, name: string, value: string) {
    if (typeof name !== 'string' || Token.isUnresolved(name)) {
      fail(where, 'name', 'must be a string known at synth time', typeof name === 'string' ? 'an unresolved token' : show(name), 'Pass a header or cookie name such as "X-Canary".');
    }
    if (!TOKEN.test(name)) {
      fail(where, 'name', 'must be a header or cookie name (letters, digits and !#$%&\'*+-.^_`|~, not empty)', show(name), 'Pass a name such as "X-Canary".');
    }
    if (typeof value !== 'string' || Token.isUnresolved(value)) {
      fail(where, 'value', 'must be a string known at synth time', typeof value === 'string' ? 'an unresolved token' : show(value), 'Pass the value to match, for example "always".');
    }
    if (value.length === 0) {
      fail(where, 'value', 'must not be empty (an empty value matches nothing on some routers and everything on others)', show(value), 'Pass the value to match, for example "always".');
    }
    if (kind === RequestMatchKind.COOKIE && /[;,\s"\\]/.test(value)) {
      fail(where, 'value', 'must be a plain cookie value (no ";", ",", spaces, quotes or backslashes)', show(value), 'Use a value such as "canary".');
    }
    if (kind === RequestMatchKind.HEADER_REGEX) {
      try {
        new RegExp(value);
      } catch {
        fail(where, 'value', 'must be a valid regular expression', show(value), 'Fix the expression, for example "^(beta|canary)$".');
      }
    }
    this.kind = kind;
    this.name = name;
    this.value = value;
  }

  /** The match as readable text, for plans and messages. */
  public describe(): string {
    switch (this.kind) {
      case RequestMatchKind.HEADER_EXACT: return `header ${this.name}: ${this.value}`;
      case RequestMatchKind.HEADER_PREFIX: return `header ${this.name} starting with ${this.value}`;
      case RequestMatchKind.HEADER_REGEX: return `header ${this.name} matching /${this.value}/`;
      default: return `cookie ${this.name}=${this.value}`;
    }
  }
}
