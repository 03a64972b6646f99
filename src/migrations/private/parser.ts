import * as fs from 'fs';
import * as path from 'path';
import { SUPPRESSION_KEYWORD } from './rules';

/**
 * The PostgreSQL parser (libpg-query, the parser of PostgreSQL itself compiled to WebAssembly),
 * called synchronously.
 *
 * libpg-query's own entry point loads its WebAssembly asynchronously (`loadModule()`), and construct
 * code cannot wait for a promise. So the parser is loaded here, in the calling thread, without it:
 * its WebAssembly is compiled and instantiated with the synchronous `WebAssembly.Module` and
 * `WebAssembly.Instance`, handed to libpg-query's Emscripten loader through the loader's
 * `instantiateWasm` option, and its exported functions (`_wasm_parse_query_raw`, `_wasm_scan`) are
 * called directly, reading their results as libpg-query's `parseSync` and `scanSync` do. Only the
 * first parse of a process pays for loading it (about 50 ms of CPU on an idle machine, no thread
 * and no process).
 *
 * Where that loader does not have the expected shape (another libpg-query build), the parsing runs in
 * a worker thread that loads the module with `loadModule()` and answers each request while the caller
 * blocks on a shared flag (`Atomics.wait`); where a worker thread cannot be used either, a child
 * Node.js process does the same, called with `execFileSync`. Results are cached by text for the
 * life of the process.
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

function parseJson(out: string | undefined): ParseOutcome[] | undefined {
  return out === undefined ? undefined : JSON.parse(out) as ParseOutcome[];
}

/** The functions and runtime helpers of libpg-query's Emscripten module that the parsing calls. */
interface PgWasm {
  _malloc(size: number): number;
  _free(ptr: number): void;
  _wasm_parse_query_raw(queryPtr: number): number;
  _wasm_free_parse_result(resultPtr: number): void;
  _wasm_scan(queryPtr: number): number;
  _wasm_free_string(ptr: number): void;
  getValue(ptr: number, type: 'i32'): number;
  UTF8ToString(ptr: number): string;
  stringToUTF8(text: string, ptr: number, maxBytes: number): void;
  lengthBytesUTF8(text: string): number;
}

/** libpg-query's `parseSync` and `scanSync`, as PARSE_ONE calls them. */
interface PgSync {
  /** Whether a call failed inside the parser itself (not with the parser's own error). */
  readonly failed?: boolean;
  parseSync(text: string): { stmts?: RawStatement[] };
  scanSync(text: string): { tokens: ScannedToken[] };
}

/** The synchronous WebAssembly API (Node.js has it; the TypeScript libraries of this project do not declare it). */
interface SyncWebAssembly {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => object;
}

/** The parser loaded in this thread; `null`: it cannot be (the worker is used instead). */
let inThread: { readonly pg: PgSync; readonly parseOne: (pg: PgSync, keyword: string, text: string) => ParseOutcome } | null | undefined;

/** Raised in the loader's `preRun`: stops its asynchronous start-up, which loadInThread has done already. */
const STARTED = new Error('libpg-query started synchronously');

function loadInThread(): NonNullable<typeof inThread> {
  const dir = path.dirname(require.resolve('libpg-query'));
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const loader = require(path.join(dir, 'libpg-query.js')) as (options: object) => Promise<unknown>;
  const wasm = (globalThis as unknown as { WebAssembly: SyncWebAssembly }).WebAssembly;
  const compiled = new wasm.Module(fs.readFileSync(path.join(dir, 'libpg-query.wasm')));
  const m: Partial<PgWasm> = {};
  const options = Object.assign(m, {
    // The parser writes no file and reads none: no virtual file system.
    noFSInit: true,
    // Called synchronously by the loader: the instance is there when the loader returns its promise.
    instantiateWasm: (imports: object, done: (instance: object) => void) => {
      done(new wasm.Instance(compiled, imports));
      return {};
    },
    // The loader's remaining start-up (its file system and the module's constructors) would run
    // later, from a promise: it is stopped before it runs anything. The parser needs neither: its
    // results are libpg-query's own, which test/migrations/parser.test.ts checks against the worker's.
    preRun: [() => {
      throw STARTED;
    }],
  });
  loader(options).catch(() => undefined);
  const names: Array<keyof PgWasm> = ['_malloc', '_free', '_wasm_parse_query_raw', '_wasm_free_parse_result', '_wasm_scan',
    '_wasm_free_string', 'getValue', 'UTF8ToString', 'stringToUTF8', 'lengthBytesUTF8'];
  const missing = names.filter(n => typeof m[n] !== 'function');
  if (missing.length > 0) throw new Error(`libpg-query's loader does not provide ${missing.join(', ')}`);
  const pg = wasmParser(m as PgWasm);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const parseOne = new Function(`${PARSE_ONE}\nreturn parseOne;`)() as NonNullable<typeof inThread>['parseOne'];
  // A known statement must come back as libpg-query's parseSync gives it.
  const probe = parseOne(pg, SUPPRESSION_KEYWORD, 'SELECT 1;');
  if (probe.error || probe.statements?.length !== 1 || !('SelectStmt' in probe.statements[0].stmt)) {
    throw new Error(`the parser loaded in this thread answered ${JSON.stringify(probe)}`);
  }
  return { pg, parseOne };
}

/** parseSync and scanSync over the module's exports, with the results and errors libpg-query gives. */
function wasmParser(m: PgWasm): PgSync {
  const state = { failed: false };
  const call = <T>(text: string, run: (queryPtr: number) => T): T => {
    try {
      const size = m.lengthBytesUTF8(text) + 1;
      const queryPtr = m._malloc(size);
      try {
        m.stringToUTF8(text, queryPtr, size);
        return run(queryPtr);
      } finally {
        m._free(queryPtr);
      }
    } catch (e) {
      if (!(e as { sqlDetails?: unknown }).sqlDetails) state.failed = true;
      throw e;
    }
  };
  return {
    get failed() {
      return state.failed;
    },
    parseSync: text => {
      if (text === '') throw new Error('Query cannot be empty');
      return call(text, queryPtr => {
        const result = m._wasm_parse_query_raw(queryPtr);
        if (!result) throw new Error('Failed to parse query: memory allocation failed');
        try {
          // PgQueryParseResult: parse tree (JSON), stderr buffer, error.
          const tree = m.getValue(result, 'i32');
          const error = m.getValue(result + 8, 'i32');
          if (error) {
            // PgQueryError: message, function name, file name, line number, cursor position (1-based).
            const messagePtr = m.getValue(error, 'i32');
            const cursor = m.getValue(error + 16, 'i32');
            const message = messagePtr ? m.UTF8ToString(messagePtr) : 'Unknown error';
            throw Object.assign(new Error(message), { sqlDetails: { message, cursorPosition: cursor > 0 ? cursor - 1 : 0 } });
          }
          if (!tree) throw new Error('No parse tree generated');
          return JSON.parse(m.UTF8ToString(tree));
        } finally {
          m._wasm_free_parse_result(result);
        }
      });
    },
    scanSync: text => call(text, queryPtr => {
      const result = m._wasm_scan(queryPtr);
      try {
        const out = m.UTF8ToString(result);
        if (out.startsWith('syntax error') || out.startsWith('deparse error') || out.startsWith('ERROR')) {
          // The scanner's own error (as libpg-query's scanSync throws it), not a failure of the parser.
          throw Object.assign(new Error(out), { sqlDetails: { message: out } });
        }
        return JSON.parse(out);
      } finally {
        if (result) m._wasm_free_string(result);
      }
    }),
  };
}

/**
 * V8's baseline WebAssembly compiler only, while the parser is compiled and runs in this thread. By
 * default V8 also recompiles the parser's hot functions with its optimizing compiler, in background
 * threads: about 300 ms of CPU and 45 MB of memory, measured, for code that runs a few milliseconds
 * per synthesis, and on a machine with few cores that CPU is taken from the synthesis. V8 decides
 * which compiler to use when it compiles a function or finds it hot, both of which happen only while
 * the parser runs, so the flag is set for the library's own calls into the parser and V8's defaults
 * are set back right after them: other WebAssembly in the process compiles as before. Left alone when
 * Node.js was started with a WebAssembly tiering flag of the user's own (their setting stands), and
 * where V8 refuses to change flags at run time.
 */
const BASELINE_ONLY = '--liftoff-only';
const V8_DEFAULT_TIERING = '--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering';
let tieringFlags: { set(flags: string): void } | null | undefined;

function baselineOnly<T>(run: () => T): T {
  if (tieringFlags === undefined) {
    const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    tieringFlags = given.some(a => /liftoff|wasm-tier|wasm-dynamic-tiering/.test(a)) ? null : { set: require('v8').setFlagsFromString };
  }
  const flags = tieringFlags;
  try {
    flags?.set(BASELINE_ONLY);
  } catch {
    tieringFlags = null;
  }
  try {
    return run();
  } finally {
    if (tieringFlags !== null) flags?.set(V8_DEFAULT_TIERING);
  }
}

/** Parses in this thread; undefined when the parser cannot be loaded here (the worker is tried next). */
function runInThread(texts: string[]): ParseOutcome[] | undefined {
  return baselineOnly(() => parseInThread(texts));
}

function parseInThread(texts: string[]): ParseOutcome[] | undefined {
  if (inThread === undefined) {
    try {
      inThread = loadInThread();
    } catch {
      inThread = null;
    }
  }
  if (inThread === null) return undefined;
  const { pg, parseOne } = inThread;
  const out = texts.map(text => parseOne(pg, SUPPRESSION_KEYWORD, text));
  if (pg.failed) {
    // A trap or a JavaScript error inside the parser (not a syntax error) may leave its memory in
    // any state: the next parse loads a fresh instance.
    inThread = undefined;
  }
  return out;
}

/** Where the parsing runs, in the order tried: see the comment at the top. */
export type ParserPath = 'thread' | 'worker' | 'child';
let paths: ParserPath[] = ['thread', 'worker', 'child'];

/**
 * @internal For the tests: which ways of running the parser this module may use (in that order),
 * so that each can be checked against the others. Clears the cache.
 */
export function _useParserPaths(use: ParserPath[]): void {
  paths = [...use];
  cache.clear();
}

/** The path that answered the last parse, for the tests. */
export let lastParserPath: ParserPath | undefined;

function runParser(texts: string[]): ParseOutcome[] {
  let parsed: ParseOutcome[] | undefined;
  for (const p of paths) {
    parsed = p === 'thread' ? runInThread(texts)
      : p === 'worker' ? parseJson(runInWorker(texts))
        : parseJson(runInChild(texts));
    if (parsed !== undefined) {
      lastParserPath = p;
      break;
    }
  }
  if (parsed === undefined) throw new Error('The PostgreSQL parser (libpg-query) could not be loaded');
  // Empty texts: the parser refuses an empty query; there is nothing to lint in them.
  return parsed.map((r, i) => r.error?.message === 'Query cannot be empty' && texts[i].trim() === ''
    ? { statements: [], comments: [] } : r);
}

function runInChild(texts: string[]): string {
  // Loaded here, for the fallback only: loading child_process costs every synthesis 4-7 ms.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { execFileSync }: typeof import('child_process') = require('child_process');
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
