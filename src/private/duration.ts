import { Duration } from 'aws-cdk-lib';

/**
 * Conversions of a Duration to whole milliseconds and whole seconds that give exactly what
 * `toMilliseconds()` and `toSeconds()` give, and throw exactly when they throw.
 *
 * Why not call those methods: aws-cdk-lib's conversion methods (toMilliseconds, toSeconds,
 * toMinutes, plus, minus, ...) first run jsii's deprecation checks, and the first such call in a
 * process loads aws-cdk-lib/.warnings.jsii.js, a 4 MB module, which costs 75-150 ms and its memory
 * in every synth that reaches them. Nothing on the strategy and Kubernetes paths needs the rest of
 * aws-cdk-lib, so they read the duration through methods that do not load it.
 *
 * How: `formatTokenToNumber()` gives the amount exactly as stored (JavaScript's round-trip form of
 * the number) followed by the unit, `unitLabel()` the unit. The amount is converted with the same
 * arithmetic as aws-cdk-lib's conversion: the same number in, the same number out. The ISO 8601 form
 * (`toIsoString()`) is not enough: it rounds the seconds, so a duration that is not a whole number
 * of milliseconds, which toMilliseconds() refuses, can print as one (Duration.millis(63.00000000000001)
 * prints PT0.063S).
 *
 * Whatever this does not recognize, or cannot convert to a whole number (tokens, fractions), is
 * handed to aws-cdk-lib's own method, which returns or throws as it always did.
 */

/** Milliseconds per unit, by `unitLabel()`. */
const IN_MILLIS: Record<string, number> = { millis: 1, seconds: 1000, minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** The same number as `d.toMilliseconds()`; throws what it throws. */
export function toMillis(d: Duration): number {
  return convert(d, IN_MILLIS.millis) ?? d.toMilliseconds();
}

/** The same number as `d.toSeconds()`; throws what it throws. */
export function toSeconds(d: Duration): number {
  return convert(d, IN_MILLIS.seconds) ?? d.toSeconds();
}

/**
 * The duration as a whole number of the unit worth `targetMillis` milliseconds, computed as
 * aws-cdk-lib computes it; undefined when it is not a whole number or the duration is not read.
 */
function convert(d: Duration, targetMillis: number): number | undefined {
  if (d.isUnresolved()) return undefined;
  const unit = d.unitLabel();
  const unitMillis = IN_MILLIS[unit];
  const text = d.formatTokenToNumber();
  const suffix = ` ${unit}`;
  if (unitMillis === undefined || !text.endsWith(suffix)) return undefined;
  const amount = Number(text.slice(0, -suffix.length));
  // aws-cdk-lib: the amount itself for the same unit, otherwise amount × unit / target.
  const value = unitMillis === targetMillis ? amount : (amount * unitMillis) / targetMillis;
  return Number.isInteger(value) ? value : undefined;
}
