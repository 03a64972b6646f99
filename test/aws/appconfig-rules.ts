import { createHash } from 'crypto';

/**
 * Test-only: evaluates the AppConfig rule subset the library emits. AppConfig does not publish its
 * `split` hash; this model buckets `seed/value` uniformly into [0, 100) with SHA-256, which is what
 * the arithmetic checks need: the same key and seed give the same bucket in every rule of a flag.
 */
export function bucket(seed: string, key: string): number {
  return (createHash('sha256').update(`${seed}/${key}`).digest().readUInt32BE(0) / 2 ** 32) * 100;
}

type Token = string;

function tokenize(rule: string): Token[] {
  const out: Token[] = [];
  const re = /\s*(\(|\)|\[|\]|,|"[^"]*"|[^\s()[\],]+)/y;
  let m: RegExpExecArray | null;
  while (re.lastIndex < rule.length && (m = re.exec(rule)) !== null) out.push(m[1]);
  return out;
}

function parse(tokens: Token[]): any {
  const t = tokens.shift()!;
  if (t === '(') {
    const list: any[] = [];
    while (tokens[0] !== ')') list.push(parse(tokens));
    tokens.shift();
    return list;
  }
  if (t === '[') {
    const list: any[] = [];
    while (tokens[0] !== ']') {
      if (tokens[0] === ',') tokens.shift();
      else list.push(parse(tokens));
    }
    tokens.shift();
    return { array: list };
  }
  return t;
}

function value(x: any, context: Record<string, any>): any {
  if (typeof x !== 'string') return x;
  if (x.startsWith('"')) return x.slice(1, -1);
  if (x.startsWith('$')) return context[x.slice(1)];
  if (/^-?\d+(\.\d+)?$/.test(x)) return Number(x);
  return x;
}

function named(args: any[], name: string): string {
  const a = args.find(x => typeof x === 'string' && x.startsWith(`${name}::`));
  return a.slice(name.length + 2);
}

function evalExpr(e: any, context: Record<string, any>): any {
  if (!Array.isArray(e)) return value(e, context);
  const [op, ...args] = e;
  const v = (i: number) => evalExpr(args[i], context);
  switch (op) {
    case 'and': return args.every(a => evalExpr(a, context) === true);
    case 'or': return args.some(a => evalExpr(a, context) === true);
    case 'not': return !evalExpr(args[0], context);
    case 'eq': return v(0) === v(1);
    case 'gt': return v(0) > v(1);
    case 'gte': return v(0) >= v(1);
    case 'lt': return v(0) < v(1);
    case 'lte': return v(0) <= v(1);
    case 'begins_with': return typeof v(0) === 'string' && v(0).startsWith(v(1));
    case 'ends_with': return typeof v(0) === 'string' && v(0).endsWith(v(1));
    case 'in': return (args[1].array as any[]).map(x => value(x, context)).includes(v(0));
    case 'exists': return context[value(named(args, 'key'), context)] !== undefined;
    case 'split': {
      const by = context[named(args, 'by').slice(1)];
      if (by === undefined) return false;
      return bucket(value(named(args, 'seed'), context), String(by)) < Number(named(args, 'pct'));
    }
    default: throw new Error(`appconfig rule model: unsupported operator ${op}`);
  }
}

/** Whether a rule matches a context. */
export function matches(rule: string, context: Record<string, any>): boolean {
  return evalExpr(parse(tokenize(rule)), context) === true;
}

/** The variant AppConfig serves: variants top to bottom, first match wins, else the last (default). */
export function variantFor(values: any, context: Record<string, any>): string | undefined {
  const variants: any[] | undefined = values._variants;
  if (!variants) return undefined;
  for (const v of variants.slice(0, -1)) if (matches(v.rule, context)) return v.name;
  return variants[variants.length - 1].name;
}
