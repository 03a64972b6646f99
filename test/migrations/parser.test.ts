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
function freshParser(spawned: string[], workerThreads?: () => unknown): Parser {
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
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    parser = require('../../src/migrations/private/parser');
  });
  return parser;
}

afterEach(() => {
  jest.dontMock('child_process');
  jest.dontMock('worker_threads');
});

test('parses in a worker thread that stays loaded: no child process, and the second call parses only its own text', () => {
  const spawned: string[] = [];
  const parser = freshParser(spawned);
  const first = parser.parseAll(TEXTS);
  const second = parser.parseAll(['SELECT 3;']);
  expect(spawned).toEqual([]);
  expect(Object.keys(first[0].statements![0].stmt)).toEqual(['SelectStmt']);
  expect(first[1].comments!.map(c => c.text)).toEqual(['-- lint-allow some-rule: a reason']);
  expect(first[2].error!.message).toBe('syntax error at or near "SELEC"');
  expect(first[3]).toEqual({ statements: [], comments: [] });
  expect(Object.keys(second[0].statements![0].stmt)).toEqual(['SelectStmt']);
});

test('without worker threads, a child process gives the same results', () => {
  const fromWorker = freshParser([]).parseAll(TEXTS);
  const spawned: string[] = [];
  const fromChild = freshParser(spawned, () => {
    throw new Error('worker_threads unavailable');
  }).parseAll(TEXTS);
  expect(spawned).toEqual([process.execPath]);
  expect(JSON.stringify(fromChild)).toBe(JSON.stringify(fromWorker));
});
