import { execFileSync } from 'child_process';
import { SUPPRESSION_KEYWORD } from './rules';

/**
 * The PostgreSQL parser (libpg-query, the parser of PostgreSQL itself compiled to WebAssembly),
 * called synchronously.
 *
 * libpg-query's synchronous functions work only after its asynchronous `loadModule()` has run, and
 * construct code cannot wait for a promise. So the parsing runs in a worker thread that loads the
 * module once and answers each request with the results as JSON, while the caller blocks on a shared
 * flag (`Atomics.wait`) until the answer is there: only the first parse of a process pays for
 * starting the worker and loading the parser. Where a worker thread cannot be used, a child Node.js
 * process does the same, called with `execFileSync`, one process start (about 50 ms on an idle
 * machine) per call. Either way results are cached by text for the life of the process.
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

// Parses one text (in the child process or the worker thread, where `pg` is libpg-query, loaded).
const PARSE_ONE = `
function parseOne(pg, keyword, text) {
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
}
`;

// Runs in the child: argv[1] is the resolved path of libpg-query, stdin a JSON array of texts.
const CHILD = `${PARSE_ONE}
const pg = require(process.argv[1]);
const keyword = process.argv[2];
let input = '';
process.stdin.setEncoding('utf-8');
process.stdin.on('data', c => { input += c; });
process.stdin.on('end', () => {
  pg.loadModule().then(() => {
    process.stdout.write(JSON.stringify(JSON.parse(input).map(text => parseOne(pg, keyword, text))));
  }).catch(e => { process.stderr.write(String(e && e.stack || e)); process.exit(3); });
});
`;

// Runs in the worker thread: loads libpg-query once, then answers each message (a JSON array of
// texts) on workerData.port with { out } (the results as JSON) or { error }, and wakes the caller.
const WORKER = `${PARSE_ONE}
const { parentPort, workerData } = require('worker_threads');
const { port, signal, pgPath, keyword } = workerData;
let ready;
parentPort.on('message', input => {
  ready = ready || Promise.resolve().then(() => { const pg = require(pgPath); return pg.loadModule().then(() => pg); });
  ready.then(pg => ({ out: JSON.stringify(JSON.parse(input).map(text => parseOne(pg, keyword, text))) }),
    e => ({ error: String(e && e.stack || e) }))
    .then(answer => {
      port.postMessage(answer);
      Atomics.store(signal, 0, 1);
      Atomics.notify(signal, 0);
    });
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

/**
 * The worker thread that keeps the parser loaded for the life of the process, so that only the first
 * parse pays for starting it and loading libpg-query (a child process costs a Node.js start on every
 * call). The caller blocks on a shared flag until the worker answers, so parsing stays synchronous.
 * `null`: the worker could not be used here; the child process is used instead.
 */
interface ParserWorker {
  readonly worker: import('worker_threads').Worker;
  readonly port: import('worker_threads').MessagePort;
  readonly signal: Int32Array;
}
let parserWorker: ParserWorker | null | undefined;
/** How long a parse in the worker may take before the child process is used instead. */
const WORKER_TIMEOUT_MS = 120_000;

/** Parses in the worker thread; undefined when it cannot (the caller then uses a child process). */
function runInWorker(texts: string[]): string | undefined {
  if (parserWorker === null) return undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const threads: typeof import('worker_threads') = require('worker_threads');
    if (parserWorker === undefined) {
      const signal = new Int32Array(new SharedArrayBuffer(4));
      const { port1, port2 } = new threads.MessageChannel();
      const worker = new threads.Worker(WORKER, {
        eval: true,
        workerData: { port: port2, signal, pgPath: require.resolve('libpg-query'), keyword: SUPPRESSION_KEYWORD },
        transferList: [port2],
        stdout: true,
        stderr: true,
      });
      // Neither keeps the process alive once the synthesis is over.
      worker.unref();
      port1.unref();
      parserWorker = { worker, port: port1, signal };
    }
    const { worker, port, signal } = parserWorker;
    Atomics.store(signal, 0, 0);
    worker.postMessage(JSON.stringify(texts));
    if (Atomics.wait(signal, 0, 0, WORKER_TIMEOUT_MS) === 'timed-out') {
      throw new Error('the parser worker did not answer');
    }
    const answer = threads.receiveMessageOnPort(port)?.message as { out?: string; error?: string } | undefined;
    if (answer?.out === undefined) {
      throw new Error(answer?.error ?? 'the parser worker answered nothing');
    }
    return answer.out;
  } catch {
    // The child process reports what went wrong, if it goes wrong there too.
    void parserWorker?.worker.terminate();
    parserWorker = null;
    return undefined;
  }
}

function runParser(texts: string[]): ParseOutcome[] {
  // Empty texts: the parser refuses an empty query; there is nothing to lint in them.
  const parsed = JSON.parse(runInWorker(texts) ?? runInChild(texts)) as ParseOutcome[];
  return parsed.map((r, i) => r.error?.message === 'Query cannot be empty' && texts[i].trim() === ''
    ? { statements: [], comments: [] } : r);
}

function runInChild(texts: string[]): string {
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
  return out;
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
