/**
 * Rewrites the compiled entry point (lib/index.js) so that each file it re-exports loads when one of
 * its names is first read, instead of all of them on `require`: a Kubernetes app then does not load
 * the AWS constructs, an AWS app does not load the Kubernetes ones, and an app that uses
 * `ProgressiveFargateService` does not load `ProgressiveLambdaAlias`, the feature-flag constructs or
 * the migration parser.
 *
 * tsc compiles `export * from './x'` to `__exportStar(require("./x"), exports)`. For each such line
 * of lib/index.js, and of the part's own index.js when it is made of such lines too (`./aws` →
 * `./aws/ecs-engine`, `./aws/smoke-test`, …), this script requires the file now, lists its exported
 * names, and defines one getter per name that requires the file on first read. The public names, their order and the objects they resolve to do
 * not change, which a fresh Node.js process checks after writing. Runs after jsii on every compile;
 * running it again on its own output gives the same file.
 *
 * Usage: ts-node --project tsconfig.dev.json scripts/lazy-index.ts
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

interface Part { readonly path: string; readonly names: string[] }

const libDir = path.resolve(__dirname, '..', 'lib');
const indexFile = path.join(libDir, 'index.js');

const PREAMBLE = [
  '"use strict";',
  '// Each file loads when one of its names is first read (written by scripts/lazy-index.ts after compilation).',
  'Object.defineProperty(exports, "__esModule", { value: true });',
  'function exportLazily(load, names) {',
  '    for (const name of names) {',
  '        Object.defineProperty(exports, name, { enumerable: true, configurable: true, get: () => load()[name] });',
  '    }',
  '}',
];
const PART_PATH = '\\./[\\w./-]+';
const TSC_EXPORT_STAR = new RegExp(`^__exportStar\\(require\\("(${PART_PATH})"\\), exports\\);$`);
const LAZY_EXPORT = new RegExp(`^exportLazily\\(\\(\\) => require\\("(${PART_PATH})"\\), \\[.*\\]\\);$`);

function fail(message: string): never {
  console.error(`lazy-index: ${message}`);
  process.exit(1);
}

/** The parts that lib/index.js re-exports, in order, from tsc's output or from this script's own. */
function readPartPaths(source: string, file: string = indexFile): string[] {
  const lines = source.split('\n');
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  // (Earlier versions of this script wrote one getter per part, with "Each part loads" in the comment.)
  const rewritten = PREAMBLE.every((line, i) => lines[i] === line || (i === 1 && lines[i] === line.replace('Each file', 'Each part')));
  let start: number;
  let partLine: RegExp;
  let end = lines.length;
  if (rewritten) {
    start = PREAMBLE.length;
    partLine = LAZY_EXPORT;
  } else {
    // "use strict", tsc's __createBinding / __exportStar helpers, the __esModule marker, then the exports.
    if (lines[0] !== '"use strict";') fail(`${file}:1: expected "use strict";, found: ${lines[0]}`);
    const marker = lines.indexOf('Object.defineProperty(exports, "__esModule", { value: true });');
    if (marker < 0) fail(`${file}: no __esModule marker; not tsc output for \`export * from\` lines`);
    for (let i = 1; i < marker; i++) {
      const line = lines[i];
      const helper = /^var (__createBinding|__exportStar) = /.test(line) || /^[\s}]/.test(line);
      if (!helper) fail(`${file}:${i + 1}: expected a tsc helper, found: ${line}`);
    }
    start = marker + 1;
    if (lines[end - 1].startsWith('//# sourceMappingURL=')) {
      end--; // the map describes tsc's output, not the rewritten file: dropped
    }
    partLine = TSC_EXPORT_STAR;
  }
  const parts = lines.slice(start, end).map((line, i) => {
    const match = partLine.exec(line);
    if (!match) fail(`${file}:${start + i + 1}: does not understand the line: ${line}`);
    return match[1];
  });
  if (parts.length === 0) fail(`${file}: re-exports nothing`);
  return parts;
}

/**
 * The files behind a part of lib/index.js, in export order: the files its own index.js re-exports
 * with tsc's `export * from` lines, or the part itself when it is a file (this script's own output).
 */
function filesOf(partPath: string): string[] {
  const partIndex = path.join(libDir, partPath, 'index.js');
  if (!fs.existsSync(partIndex)) return [partPath];
  return readPartPaths(fs.readFileSync(partIndex, 'utf-8'), partIndex).map(p => `./${path.posix.join(partPath, p)}`);
}

function exportedNames(partPath: string): string[] {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return Object.keys(require(path.join(libDir, partPath))).filter(n => n !== 'default' && n !== '__esModule');
}

function render(parts: Part[]): string {
  const exports = parts.map(p => `exportLazily(() => require(${JSON.stringify(p.path)}), [${p.names.map(n => JSON.stringify(n)).join(', ')}]);`);
  return [...PREAMBLE, ...exports, ''].join('\n');
}

/**
 * Runs in a fresh Node.js process: argv = [libDir, parts (files) as JSON, scenario]. Scenario
 * "exports" compares every name with the file's own export; scenario <n> reads the first name of
 * file n only and checks that requiring lib/index.js loaded no file, that reading the name loaded
 * file n, and that it loaded no part's index.js (which would load every file of the part).
 */
const CHECK = `
const path = require('path');
const [libDir, partsJson, scenario] = process.argv.slice(1);
const parts = JSON.parse(partsJson);
const problems = [];
const loadedParts = () => parts.filter(p => require.cache[require.resolve(path.join(libDir, p.path))]).map(p => p.path);
const lib = require(libDir);
if (scenario === 'exports') {
  const expected = parts.flatMap(p => p.names);
  const actual = Object.keys(lib);
  const missing = expected.filter(n => !actual.includes(n));
  const extra = actual.filter(n => !expected.includes(n));
  if (missing.length || extra.length) problems.push('missing names: [' + missing + '], unexpected names: [' + extra + ']');
  else if (actual.join() !== expected.join()) problems.push('names in another order: [' + actual + '] instead of [' + expected + ']');
  for (const p of parts) {
    const own = require(path.join(libDir, p.path));
    for (const n of p.names) if (lib[n] !== own[n]) problems.push(n + ' is not the object exported by ' + p.path);
  }
} else {
  const part = parts[Number(scenario)];
  if (loadedParts().length) problems.push('requiring lib loads ' + loadedParts() + ' before any name is read');
  lib[part.names[0]];
  const partIndexes = Object.keys(require.cache).filter(k => k.startsWith(libDir + path.sep) && path.basename(k) === 'index.js' && path.dirname(k) !== libDir);
  if (partIndexes.length) problems.push('reading ' + part.names[0] + ' (from ' + part.path + ') loads ' + partIndexes);
  if (!loadedParts().includes(part.path)) problems.push('reading ' + part.names[0] + ' does not load ' + part.path);
}
if (problems.length) { console.error(problems.join('\\n')); process.exit(1); }
`;

function verify(parts: Part[]): void {
  // The first file of each folder is enough to show the loading rules (one process per scenario).
  const firstOfFolder = parts.map((p, i) => ({ folder: p.path.split('/')[1], i })).filter((p, j, all) => all.findIndex(q => q.folder === p.folder) === j);
  for (const scenario of ['exports', ...firstOfFolder.map(p => String(p.i))]) {
    const r = spawnSync(process.execPath, ['-e', CHECK, libDir, JSON.stringify(parts), scenario], { encoding: 'utf-8' });
    if (r.status !== 0) fail(`lib/index.js does not behave like tsc's (check "${scenario}"):\n${r.stderr}${r.error ?? ''}`);
  }
}

if (!fs.existsSync(indexFile)) fail(`${indexFile} does not exist; run jsii first`);
const parts: Part[] = readPartPaths(fs.readFileSync(indexFile, 'utf-8')).flatMap(filesOf).map(p => ({ path: p, names: exportedNames(p) }));
const owner = new Map<string, string>();
for (const part of parts) {
  for (const name of part.names) {
    const other = owner.get(name);
    if (other !== undefined) fail(`${name} is exported by both ${other} and ${part.path}`);
    owner.set(name, part.path);
  }
}
fs.writeFileSync(indexFile, render(parts));
// tsc's source map describes the file it wrote, not this one, which refers to no map.
fs.rmSync(`${indexFile}.map`, { force: true });
verify(parts);
console.log(`lazy-index: lib/index.js loads each of ${parts.length} files on the first use of one of its names (${parts.reduce((a, p) => a + p.names.length, 0)} names)`);
