/**
 * Checks that every relative link in the README, and in the documents it links to, resolves inside
 * the npm package: a reader of the package (npm, an IDE, node_modules) finds the docs it points to.
 *
 * Usage: ts-node --project tsconfig.dev.json scripts/check-package-links.ts dist/js/<package>.tgz
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const tarball = process.argv[2];
if (!tarball || !fs.existsSync(tarball)) {
  console.error(`check-package-links: no package at ${tarball ?? '(none given)'}; run the build first`);
  process.exit(2);
}
const files = new Set(execFileSync('tar', ['-tzf', tarball], { encoding: 'utf-8' })
  .split('\n').filter(Boolean).map(f => f.replace(/^package\//, '')));

const LINK = /\]\(([^)\s]+)\)/g;
const missing: string[] = [];
const seen = new Set<string>();
const queue = ['README.md'];
while (queue.length > 0) {
  const doc = queue.shift()!;
  if (seen.has(doc)) continue;
  seen.add(doc);
  if (!files.has(doc)) {
    missing.push(`${doc} is not in the package`);
    continue;
  }
  const text = fs.readFileSync(path.resolve(__dirname, '..', doc), 'utf-8');
  for (const match of text.matchAll(LINK)) {
    const target = match[1].split('#')[0];
    if (target === '' || /^[a-z]+:/i.test(target)) continue;
    const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(doc), target));
    if (!files.has(resolved)) {
      missing.push(`${doc} links to ${target}, which is not in the package`);
    } else if (resolved.endsWith('.md')) {
      queue.push(resolved);
    }
  }
}
if (missing.length > 0) {
  console.error(missing.join('\n'));
  process.exit(1);
}
console.log(`package links: ${seen.size} document(s) checked, every relative link is in ${path.basename(tarball)}`);
