import { execFileSync } from 'child_process';

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

/** A token of the scanner: what the lint needs to find comments. */
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

/** What parsing a text gives: the statements and the comment tokens, or the parser's error. */
export interface ParseOutcome {
  readonly statements?: RawStatement[];
  readonly comments?: ScannedToken[];
  readonly error?: { readonly message: string; readonly cursorPosition?: number };
}

// Runs in the child: argv[1] is the resolved path of libpg-query, stdin a JSON array of texts.
const CHILD = `
const pg = require(process.argv[1]);
let input = '';
process.stdin.setEncoding('utf-8');
process.stdin.on('data', c => { input += c; });
process.stdin.on('end', () => {
  pg.loadModule().then(() => {
    const out = JSON.parse(input).map(text => {
      try {
        const parsed = pg.parseSync(text);
        const tokens = pg.scanSync(text).tokens;
        const comments = tokens.filter(t => t.tokenName === 'SQL_COMMENT' || t.tokenName === 'C_COMMENT')
          .map(t => ({ start: t.start, end: t.end, text: t.text, tokenName: t.tokenName }));
        return { statements: parsed.stmts || [], comments };
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
  const missing = [...new Set(texts.filter(t => !cache.has(t)))];
  if (missing.length > 0) {
    const results = runParser(missing);
    missing.forEach((t, i) => cache.set(t, results[i]));
  }
  return texts.map(t => cache.get(t)!);
}

function runParser(texts: string[]): ParseOutcome[] {
  // Empty or comment-only texts: the parser refuses an empty query; nothing to lint in them.
  const out = execFileSync(process.execPath, ['-e', CHILD, require.resolve('libpg-query')], {
    input: JSON.stringify(texts),
    encoding: 'utf-8',
    maxBuffer: 1024 * 1024 * 1024,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const parsed = JSON.parse(out) as ParseOutcome[];
  return parsed.map((r, i) => r.error?.message === 'Query cannot be empty' && texts[i].trim() === ''
    ? { statements: [], comments: [] } : r);
}
