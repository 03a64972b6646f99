const TEXTS = [
  'SELECT 1;',
  'ALTER TABLE users ADD COLUMN email_lower text; -- lint-allow some-rule: a reason\nSELECT 2;',
  'SELEC oops',
  '',
  'CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email_lower ON users (email_lower);',
];

type Parser = typeof import('../../src/migrations/private/parser');

/**
 * A fresh copy of the parser module (its cache and worker), whose child processes are counted in
 * `spawned`, with worker_threads replaced when `workerThreads` is given.
 */
function freshParser(spawned: string[], workerThreads?: () => unknown, v8Flags?: string[]): Parser {
  let parser!: Parser;
  jest.isolateModules(() => {
    const real = jest.requireActual('child_process');
    jest.doMock('child_process', () => ({
      ...real,
      execFileSync: (file: string, ...rest: any[]) => {
        spawned.push(file);
        return real.execFileSync(file, ...rest);
      },
    }));
    if (workerThreads) jest.doMock('worker_threads', workerThreads);
    if (v8Flags) {
      const realV8 = jest.requireActual('v8');
      jest.doMock('v8', () => ({
        ...realV8,
        setFlagsFromString: (flags: string) => {
          v8Flags.push(flags);
          realV8.setFlagsFromString(flags);
        },
      }));
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    parser = require('../../src/migrations/private/parser');
  });
  return parser;
}

afterEach(() => {
  jest.dontMock('child_process');
  jest.dontMock('worker_threads');
  jest.dontMock('v8');
});

const noWorkerThreads = () => {
  throw new Error('worker_threads unavailable');
};

test('parses in the calling thread: no worker thread, no child process, and the second call parses only its own text', () => {
  const spawned: string[] = [];
  // A worker thread would fail here: the results can only come from this thread.
  const parser = freshParser(spawned, noWorkerThreads);
  const first = parser.parseAll(TEXTS);
  expect(parser.lastParserPath).toBe('thread');
  const second = parser.parseAll(['SELECT 3;']);
  expect(spawned).toEqual([]);
  expect(Object.keys(first[0].statements![0].stmt)).toEqual(['SelectStmt']);
  expect(first[1].comments!.map(c => c.text)).toEqual(['-- lint-allow some-rule: a reason']);
  expect(first[2].error!.message).toBe('syntax error at or near "SELEC"');
  expect(first[2].error!.cursorPosition).toBe(0);
  expect(first[3]).toEqual({ statements: [], comments: [] });
  expect(Object.keys(second[0].statements![0].stmt)).toEqual(['SelectStmt']);
});

test('the worker thread, used where the parser cannot load in the calling thread, gives the same results', () => {
  const fromThread = freshParser([]).parseAll(TEXTS);
  const spawned: string[] = [];
  const parser = freshParser(spawned);
  parser._useParserPaths(['worker', 'child']);
  const fromWorker = parser.parseAll(TEXTS);
  expect(parser.lastParserPath).toBe('worker');
  expect(spawned).toEqual([]);
  expect(JSON.stringify(fromWorker)).toBe(JSON.stringify(fromThread));
});

test('without worker threads, a child process gives the same results', () => {
  const fromThread = freshParser([]).parseAll(TEXTS);
  const spawned: string[] = [];
  const parser = freshParser(spawned, noWorkerThreads);
  parser._useParserPaths(['worker', 'child']);
  const fromChild = parser.parseAll(TEXTS);
  expect(parser.lastParserPath).toBe('child');
  expect(spawned).toEqual([process.execPath]);
  expect(JSON.stringify(fromChild)).toBe(JSON.stringify(fromThread));
});

test('positions count characters, and a text the grammar cannot take is an error, not a throw, the same on every path', () => {
  const texts = ["SELECT 'é€'; SELEC", 'SELECT ' + '('.repeat(20000) + '1' + ')'.repeat(20000), 'SELECT 4;'];
  const fromThread = freshParser([]).parseAll(texts);
  expect(fromThread[0].error).toEqual({ message: 'syntax error at or near "SELEC"', cursorPosition: 13 });
  expect(fromThread[1].error!.message).toBe('memory exhausted at or near "("');
  expect(Object.keys(fromThread[2].statements![0].stmt)).toEqual(['SelectStmt']);
  const worker = freshParser([]);
  worker._useParserPaths(['worker']);
  expect(JSON.stringify(worker.parseAll(texts))).toBe(JSON.stringify(fromThread));
});

test('the parser runs on V8\'s baseline WebAssembly compiler only, and V8\'s defaults are set back after each call', () => {
  const flags: string[] = [];
  const parser = freshParser([], undefined, flags);
  parser.parseAll(['SELECT 5;']);
  parser.parseAll(['SELECT 6;']);
  const defaults = '--no-liftoff-only --wasm-tier-up --wasm-dynamic-tiering';
  expect(flags).toEqual(['--liftoff-only', defaults, '--liftoff-only', defaults]);
});

test('a WebAssembly tiering flag the user started Node.js with is left alone', () => {
  const flags: string[] = [];
  const saved = process.env.NODE_OPTIONS;
  process.env.NODE_OPTIONS = `${saved ?? ''} --no-wasm-tier-up`;
  try {
    const parser = freshParser([], undefined, flags);
    const [parsed] = parser.parseAll(['SELECT 7;']);
    expect(Object.keys(parsed.statements![0].stmt)).toEqual(['SelectStmt']);
    expect(parser.lastParserPath).toBe('thread');
  } finally {
    if (saved === undefined) delete process.env.NODE_OPTIONS; else process.env.NODE_OPTIONS = saved;
  }
  expect(flags).toEqual([]);
});
