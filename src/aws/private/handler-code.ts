import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The code of a bundled hook handler (`handlers/<name>/index`).
 *
 * From the compiled package the handler is `index.js` next to this file, and the folder is the asset
 * (TypeScript declarations excluded). When the library runs from its TypeScript sources (tests,
 * examples), the handler is transpiled into a folder named after a hash of its source, so the asset
 * is the same for the same source.
 */
export function handlerCode(name: string): lambda.Code {
  const dir = path.join(__dirname, 'handlers', name);
  if (fs.existsSync(path.join(dir, 'index.js'))) {
    return lambda.Code.fromAsset(dir, { exclude: ['*.ts', '*.map'] });
  }
  const source = fs.readFileSync(path.join(dir, 'index.ts'), 'utf-8');
  const hash = crypto.createHash('sha256').update(source).digest('hex').slice(0, 16);
  const out = path.join(os.tmpdir(), 'cdk-progressive-delivery-handlers', `${name}-${hash}`);
  const file = path.join(out, 'index.js');
  if (!fs.existsSync(file)) {
    // Only reached when running from the sources, where the TypeScript compiler is installed.
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    const ts = require('typescript');
    const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    fs.mkdirSync(out, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, js);
    fs.renameSync(tmp, file);
  }
  return lambda.Code.fromAsset(out);
}
