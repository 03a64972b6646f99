import { execFileSync } from 'child_process';
import { SUPPRESSION_KEYWORD } from './rules';

/**
 * The PostgreSQL parser (libpg-query, the parser of PostgreSQL itself compiled to WebAssembly),
 * called synchronously.
 *
 * libpg-query's synchronous functions work only after its asynchronous `loadModule()` has run, and
 * construct code cannot wait for a promise. So the parsing runs in a child Node.js process that loads
 * the module, parses every text it is given on stdin and prints the results as JSON; the caller blocks
 * on it with `execFileSync`. One process parses any number of texts, so a migration set costs one
 * process start (about 50 ms), and results are cached by text for the life of the process.
 */

/** A comment token of the scanner: what the lint needs to find suppressions. */
export interface ScannedToken {
  /** Byte offset (UTF-8) of the first byte. */
  readonly start: number;
  /** Byte offset (UTF-8) after the last byte. */
  readonly end: number;
  readonly text: string;
  readonly tokenName: string;
}

/** One statement as the parser returns it: `{ KindStmt: {...} }` with its byte range. */
export interface RawStatement {
  readonly stmt: Record<string, any>;
  readonly stmt_location?: number;
  readonly stmt_len?: number;
}

/** What parsing a text gives: the statements and the comments that may be suppressions, or the parser's error. */
export interface ParseOutcome {
  readonly statements?: RawStatement[];
  readonly comments?: ScannedToken[];
  readonly error?: { readonly message: string; readonly cursorPosition?: number };
}

// Runs in the child: argv[1] is the resolved path of libpg-query, stdin a JSON array of texts.
const CHILD = `
const pg = require(process.argv[1]);
const keyword = process.argv[2];
let input = '';
process.stdin.setEncoding('utf-8');
process.stdin.on('data', c => { input += c; });
process.stdin.on('end', () => {
  pg.loadModule().then(() => {
    const out = JSON.parse(input).map(text => {
      try {
        const parsed = pg.parseSync(text);
        const stmts = parsed.stmts || [];
        // Only comments carrying the keyword matter (suppressions), and scanning is the costly part:
        // scan only the stretches (a statement and the gap before it, the tail) that contain it.
        const comments = [];
        if (text.includes(keyword)) {
          const bytes = Buffer.from(text, 'utf-8');
          const bounds = [];
          let from = 0;
          for (const s of stmts) {
            const end = s.stmt_len === undefined ? bytes.length : (s.stmt_location || 0) + s.stmt_len;
            bounds.push([from, end]);
            from = end;
          }
          if (from < bytes.length) bounds.push([from, bytes.length]);
          for (const [start, end] of bounds) {
            const part = bytes.subarray(start, end).toString('utf-8');
            if (!part.includes(keyword)) continue;
            for (const t of pg.scanSync(part).tokens) {
              if (t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT') {
                comments.push({ start: start + t.start, end: start + t.end, text: t.text, tokenName: t.tokenName });
              }
            }
          }
        }
        return { statements: stmts, comments };
      } catch (e) {
        const d = e && e.sqlDetails;
        return { error: { message: String(e && e.message || e), cursorPosition: d ? d.cursorPosition : undefined } };
      }
    });
    process.stdout.write(JSON.stringify(out));
  }).catch(e => { process.stderr.write(String(e && e.stack || e)); process.exit(3); });
});
`;

const cache = new Map<string, ParseOutcome>();

/** Parses every text; results come back in the same order. */
export function parseAll(texts: string[]): ParseOutcome[] {
  for (const t of texts) {
    // The parser reads C strings: it would stop at a NUL and never see the rest. PostgreSQL refuses
    // NUL in query text anyway, so it is a syntax error at its position.
    const nul = t.indexOf('\0');
    if (nul >= 0 && !cache.has(t)) {
      cache.set(t, { error: { message: 'NUL character (0x00) in the SQL text: PostgreSQL does not accept it', cursorPosition: [...t.slice(0, nul)].length } });
    }
  }
  const missing = [...new Set(texts.filter(t => !cache.has(t)))];
  if (missing.length > 0) {
    const results = runParser(missing);
    missing.forEach((t, i) => cache.set(t, results[i]));
  }
  return texts.map(t => cache.get(t)!);
}

/**
 * V8's baseline WebAssembly compiler only: compiling the 1.8 MB parser with the optimizing tier as
 * well costs about three times the CPU of the whole parse, for code that runs a few hundred
 * milliseconds at most. Left out if this Node.js does not know the flag.
 */
const CHILD_FLAGS = ['--liftoff-only'];
let childFlags: string[] | undefined;

function runParser(texts: string[]): ParseOutcome[] {
  const run = (flags: string[]) => execFileSync(process.execPath, [...flags, '-e', CHILD, require.resolve('libpg-query'), SUPPRESSION_KEYWORD], {
    input: JSON.stringify(texts),
    encoding: 'utf-8',
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out: string;
  try {
    out = runWithFlags(run);
  } catch (e) {
    const err = e as { stderr?: unknown; message?: string };
    throw new Error(`The PostgreSQL parser (libpg-query) could not run in a child Node.js process: ${String(err.stderr ?? '').trim() || err.message}`);
  }
  // Empty texts: the parser refuses an empty query; there is nothing to lint in them.
  const parsed = JSON.parse(out) as ParseOutcome[];
  return parsed.map((r, i) => r.error?.message === 'Query cannot be empty' && texts[i].trim() === ''
    ? { statements: [], comments: [] } : r);
}

function runWithFlags(run: (flags: string[]) => string): string {
  let out: string;
  if (childFlags === undefined) {
    try {
      out = run(CHILD_FLAGS);
      childFlags = CHILD_FLAGS;
    } catch (e) {
      if (!String((e as { stderr?: unknown }).stderr ?? '').includes('bad option')) throw e;
      childFlags = [];
      out = run(childFlags);
    }
  } else {
    out = run(childFlags);
  }
  return out;
}
