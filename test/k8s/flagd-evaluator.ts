/**
 * Test-only: flagd's documented `fractional` bucketing and the subset of JsonLogic the library
 * emits, to check what the emitted configuration does for a user.
 *
 * Bucketing as flagd documents and implements it (flagd/core `fractional`, before the v0.15
 * high-precision change): murmur3 x86 32-bit (seed 0) of the bucketing value's UTF-8 bytes, read as a
 * signed 32-bit integer, `bucket = floor(|hash| / 2^31-1 × 100)` in [0, 99]; variants take
 * consecutive ranges of `weight × 100 / totalWeight` in the order listed.
 * @see https://flagd.dev/reference/custom-operations/fractional-operation/
 */

/* eslint-disable no-bitwise */ // a hash is bitwise by nature

/** MurmurHash3 x86 32-bit. */
export function murmur3(text: string, seed = 0): number {
  const data = Buffer.from(text, 'utf-8');
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed >>> 0;
  const blocks = data.length - (data.length % 4);
  for (let i = 0; i < blocks; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = data.length & 3;
  if (tail > 0) {
    let k = 0;
    if (tail === 3) k ^= data[blocks + 2] << 16;
    if (tail >= 2) k ^= data[blocks + 1] << 8;
    k ^= data[blocks];
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= data.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/* eslint-enable no-bitwise */

/** flagd's bucket in [0, 99] for a bucketing value. */
export function flagdBucket(value: string): number {
  const signed = murmur3(value) | 0; // eslint-disable-line no-bitwise
  return Math.floor((Math.abs(signed) / 2147483647) * 100);
}

function fractional(bucketBy: string, shares: Array<[string, number]>): string | null {
  const total = shares.reduce((t, [, w]) => t + w, 0);
  const bucket = flagdBucket(bucketBy);
  let end = 0;
  for (const [variant, weight] of shares) {
    end += (weight * 100) / total;
    if (bucket < end) return variant;
  }
  return null;
}

/** Evaluates the JsonLogic subset the library emits. */
export function evaluate(rule: any, context: Record<string, any>, evaluators: Record<string, any> = {}): any {
  if (rule === null || typeof rule !== 'object') return rule;
  if (Array.isArray(rule)) return rule.map(r => evaluate(r, context, evaluators));
  const [op] = Object.keys(rule);
  const args = rule[op];
  const ev = (r: any) => evaluate(r, context, evaluators);
  switch (op) {
    case 'var': return context[args] ?? null;
    case '$ref': return ev(evaluators[args]);
    case 'if': {
      for (let i = 0; i + 1 < args.length; i += 2) {
        if (truthy(ev(args[i]))) return ev(args[i + 1]);
      }
      return args.length % 2 === 1 ? ev(args[args.length - 1]) : null;
    }
    case 'and': return args.every((a: any) => truthy(ev(a)));
    case 'cat': return args.map((a: any) => { const v = ev(a); return v === null ? '' : String(v); }).join('');
    case '===': return ev(args[0]) === ev(args[1]);
    case '==': return ev(args[0]) == ev(args[1]); // eslint-disable-line eqeqeq
    case '<': return ev(args[0]) < ev(args[1]);
    case '<=': return ev(args[0]) <= ev(args[1]);
    case '>': return ev(args[0]) > ev(args[1]);
    case '>=': return ev(args[0]) >= ev(args[1]);
    case 'in': return (ev(args[1]) as any[]).includes(ev(args[0]));
    case 'starts_with': { const v = ev(args[0]); return typeof v === 'string' && v.startsWith(ev(args[1])); }
    case 'ends_with': { const v = ev(args[0]); return typeof v === 'string' && v.endsWith(ev(args[1])); }
    case 'fractional': return fractional(ev(args[0]), args.slice(1));
    default: throw new Error(`evaluator: unsupported operation ${op}`);
  }
}

function truthy(v: any): boolean {
  return !(v === null || v === false || v === 0 || v === '' || (Array.isArray(v) && v.length === 0));
}

/** The variant flagd serves for one flag of a flagd definitions document. */
export function variantFor(doc: { flags: Record<string, any>; $evaluators?: Record<string, any> }, key: string,
  context: Record<string, any>): string {
  const flag = doc.flags[key];
  if (flag.targeting === undefined) return flag.defaultVariant;
  const result = evaluate(flag.targeting, context, doc.$evaluators ?? {});
  return result === null ? flag.defaultVariant : result;
}
