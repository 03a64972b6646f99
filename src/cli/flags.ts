/**
 * `cdk-progressive-delivery flags --src DIR... [OUTPUT_DIR...]`: lists the declared flags from the
 * inventories the constructs write (AWS: `cdk.out/manifest.json` metadata; Kubernetes: the
 * FeatureFlag's annotation in the cdk8s output), and reports flag debt and dead or unknown keys.
 *
 * Output: plain lines a CI log can grep, `location rule-id message`. Exit 0 clean, 1 findings,
 * 2 could not run.
 */
import * as fs from 'fs';
import * as path from 'path';
import { INVENTORY_ANNOTATION, INVENTORY_METADATA_TYPE, INVENTORY_VERSION } from '../flags/private/inventory';

/** Where the command writes and what "today" is (tests inject them). */
export interface FlagsCommandIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly cwd: string;
  /** YYYY-MM-DD; the real UTC date unless --today or the tests say otherwise. */
  readonly today?: string;
}

export const USAGE = `Usage: cdk-progressive-delivery flags --src DIR [--src DIR ...] [--today YYYY-MM-DD] [--warning-days N] [OUTPUT_DIR ...]

Lists the feature flags declared in synthesized output and reports flag debt.

  OUTPUT_DIR        a cloud assembly (cdk.out, with manifest.json) or a cdk8s output folder (*.yaml);
                    default: ./cdk.out
  --src DIR         source tree searched for flag evaluations (repeatable, at least one)
  --today DATE      judge ages and expiries on this date (default: today, UTC)
  --warning-days N  report flags expiring within N days (default: 14)
  -h, --help        show this help

Findings (exit 1):
  flag-expired       a temporary flag is past its expiry date (or its extension's)
  flag-unreferenced  a declared flag is never evaluated under --src: ready to remove
  flag-undeclared    a key is evaluated under --src but declared in no flag set
Notes (exit unchanged): flag (one line per declared flag), flag-expiring.
Evaluations recognised: OpenFeature clients (getBooleanValue("key"), get_string_details("key"),
BooleanValue(ctx, "key"), GetStringValueAsync("key"), ...) and AppConfig agent URLs (?flag=key).

Exit status: 0 clean, 1 findings, 2 could not run.`;

interface InventoryFlag {
  readonly key: string;
  readonly owner: string;
  readonly type: string;
  readonly created?: string;
  readonly expires?: string;
  readonly extendedUntil?: string;
  readonly killed?: boolean;
}

interface Declared {
  readonly flagSet: string;
  readonly flag: InventoryFlag;
  readonly where: string;
  readonly platforms: Set<string>;
}

class UsageError extends Error {}
class RunError extends Error {}

const SKIP_DIRS = new Set(['node_modules', 'cdk.out', 'dist', 'coverage']);
const SOURCE_EXT = /\.(ts|tsx|js|jsx|mjs|cjs|py|java|kt|kts|go|cs|rb|php|rs|swift|scala)$/;
const OPENFEATURE_CALL = /\b(?:get_?(?:boolean|string|number|integer|int|float|double|object)_?(?:value|details)(?:_?async)?|(?:Boolean|String|Int|Float|Object)Value(?:Details)?)\s*\(\s*(?:ctx\s*,\s*)?["'`]([^"'`\s]+)["'`]/gi;
const AGENT_QUERY = /[?&]flag=([a-z][a-zA-Z\d_-]{0,63})/g;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** One line for the tool's command list. */
export const FLAGS_SUMMARY = 'List the declared feature flags and report flag debt, dead and unknown keys';

/** The command as the dispatcher (src/cli/main.ts) runs it. */
export function flags(args: string[], out: (line: string) => void, err: (line: string) => void): number {
  return main(args, { stdout: out, stderr: err, cwd: process.cwd() });
}

/** Runs the command; returns the exit status. */
export function main(argv: string[], io: FlagsCommandIo = defaultIo()): number {
  try {
    return run(argv, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`flags: ${e.message}`);
      io.stderr('Run with --help for usage.');
      return 2;
    }
    if (e instanceof RunError) {
      io.stderr(`flags: ${e.message}`);
      return 2;
    }
    io.stderr(`flags: unexpected error: ${(e as Error).stack ?? e}`);
    return 2;
  }
}

function defaultIo(): FlagsCommandIo {
  return { stdout: l => process.stdout.write(`${l}\n`), stderr: l => process.stderr.write(`${l}\n`), cwd: process.cwd() };
}

function run(argv: string[], io: FlagsCommandIo): number {
  const sources: string[] = [];
  const outputs: string[] = [];
  let today = io.today ?? new Date().toISOString().slice(0, 10);
  let warningDays = 14;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === '-h' || a === '--help') {
      io.stdout(USAGE);
      return 0;
    } else if (a === '--src') {sources.push(value());} else if (a.startsWith('--src=')) {sources.push(a.slice(6));} else if (a === '--today') {today = value();} else if (a === '--warning-days') {warningDays = Number(value());} else if (a.startsWith('-')) {throw new UsageError(`unknown option ${a}`);} else {outputs.push(a);}
  }
  if (sources.length === 0) throw new UsageError('--src DIR is required (the source tree that evaluates the flags)');
  if (!DATE.test(today) || Number.isNaN(Date.parse(`${today}T00:00:00Z`))) throw new UsageError(`--today must be a date written YYYY-MM-DD, got ${today}`);
  if (!Number.isInteger(warningDays) || warningDays < 0) throw new UsageError('--warning-days must be a whole number of days');
  if (outputs.length === 0) outputs.push('cdk.out');
  const abs = (p: string) => path.resolve(io.cwd, p);
  const rel = (p: string) => path.relative(io.cwd, p) || p;
  for (const d of [...sources, ...outputs]) {
    if (!fs.existsSync(abs(d)) || !fs.statSync(abs(d)).isDirectory()) throw new RunError(`${d} is not a directory`);
  }

  const declared = new Map<string, Declared>();
  let inventories = 0;
  for (const out of outputs) {
    for (const inv of readInventories(abs(out), rel)) {
      inventories++;
      const where = path.relative(io.cwd, inv.file) || inv.file;
      for (const flag of inv.data.flags) {
        const id = `${inv.data.flagSet}/${flag.key}`;
        const existing = declared.get(id);
        if (existing) existing.platforms.add(inv.data.platform);
        else declared.set(id, { flagSet: inv.data.flagSet, flag, where, platforms: new Set([inv.data.platform]) });
      }
    }
  }
  if (inventories === 0) {
    throw new RunError(`no flag inventory found in ${outputs.join(', ')}: synthesize the app first (AppConfigFlags writes it into cdk.out, OpenFeatureFlags into the cdk8s output)`);
  }

  const references = new Map<string, string[]>();
  for (const src of sources) {
    for (const file of walk(abs(src))) {
      const text = fs.readFileSync(file, 'utf-8');
      for (const re of [OPENFEATURE_CALL, AGENT_QUERY]) {
        re.lastIndex = 0;
        let m: RegExpExecArray | null;
        while ((m = re.exec(text)) !== null) {
          const line = text.slice(0, m.index).split('\n').length;
          const at = `${path.relative(io.cwd, file)}:${line}`;
          references.set(m[1], [...(references.get(m[1]) ?? []), at]);
        }
      }
    }
  }

  let findings = 0;
  const keys = new Set([...declared.values()].map(d => d.flag.key));
  for (const d of [...declared.values()].sort((a, b) => (a.flagSet + a.flag.key).localeCompare(b.flagSet + b.flag.key))) {
    const f = d.flag;
    const age = f.created ? `${days(f.created, today)}d` : 'unknown';
    const expiry = f.extendedUntil ?? f.expires;
    const left = expiry === undefined ? undefined : days(today, expiry);
    const expires = expiry === undefined ? 'permanent' : `${expiry}${f.extendedUntil ? ' (extended)' : ''}`;
    const refs = references.get(f.key) ?? [];
    io.stdout(`${d.where} flag ${d.flagSet}/${f.key} type=${f.type} owner=${f.owner} age=${age} expires=${expires}${f.killed ? ' killed' : ''} `
      + `platforms=${[...d.platforms].sort().join(',')} references=${refs.length}`);
    if (left !== undefined && left < 0) {
      findings++;
      io.stdout(`${d.where} flag-expired "${f.key}" (${d.flagSet}, owner ${f.owner}) expired on ${expiry}, ${-left} day(s) ago: remove it or add a dated extension`);
    } else if (left !== undefined && left <= warningDays) {
      io.stdout(`${d.where} flag-expiring "${f.key}" (${d.flagSet}, owner ${f.owner}) expires on ${expiry}, in ${left} day(s)`);
    }
    if (refs.length === 0) {
      findings++;
      io.stdout(`${d.where} flag-unreferenced "${f.key}" (${d.flagSet}, owner ${f.owner}) is declared but never evaluated under ${sources.join(', ')}: ready to remove`);
    }
  }
  for (const [key, ats] of [...references.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    if (keys.has(key)) continue;
    for (const at of ats) {
      findings++;
      io.stdout(`${at} flag-undeclared "${key}" is evaluated here but declared in no flag set`);
    }
  }
  io.stdout(`flags: ${declared.size} flag(s) in ${inventories} inventory(ies), ${findings} finding(s)`);
  return findings > 0 ? 1 : 0;
}

interface Inventory {
  readonly file: string;
  readonly data: { flagSet: string; platform: string; flags: InventoryFlag[] };
}

/** Inventories under an output folder: cloud assembly metadata (nested assemblies too) or FeatureFlag annotations. */
function readInventories(dir: string, rel: (p: string) => string): Inventory[] {
  const manifest = path.join(dir, 'manifest.json');
  if (fs.existsSync(manifest)) return fromCloudAssembly(dir, rel);
  const yamlFiles = fs.readdirSync(dir).filter(f => /\.ya?ml$/.test(f)).sort().map(f => path.join(dir, f));
  const found: Inventory[] = [];
  for (const file of yamlFiles) {
    for (const obj of loadYaml(file, rel)) {
      if (obj?.kind !== 'FeatureFlag') continue;
      const text = obj?.metadata?.annotations?.[INVENTORY_ANNOTATION];
      if (typeof text !== 'string') continue;
      found.push({ file, data: checkInventory(rel(file), parseJson(rel(file), text)) });
    }
  }
  return found;
}

function fromCloudAssembly(dir: string, rel: (p: string) => string): Inventory[] {
  const file = path.join(dir, 'manifest.json');
  const manifest = parseJson(rel(file), fs.readFileSync(file, 'utf-8'));
  const found: Inventory[] = [];
  for (const name of Object.keys(manifest.artifacts ?? {}).sort()) {
    const artifact = manifest.artifacts[name];
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      found.push(...fromCloudAssembly(path.join(dir, artifact.properties.directoryName), rel));
      continue;
    }
    // Metadata is in the manifest, or (newer cloud assemblies) in the artifact's additionalMetadataFile,
    // which holds the same map of construct paths to entries.
    const sources: Array<{ file: string; metadata: Record<string, any[]> }> = [{ file, metadata: artifact.metadata ?? {} }];
    if (typeof artifact.additionalMetadataFile === 'string') {
      const extra = path.join(dir, artifact.additionalMetadataFile);
      sources.push({ file: extra, metadata: parseJson(rel(extra), fs.readFileSync(extra, 'utf-8')) ?? {} });
    }
    for (const source of sources) {
      for (const entries of Object.values<any[]>(source.metadata)) {
        for (const entry of entries) {
          // Reported as the assembly's manifest whichever file holds it, so the listing is the same on every aws-cdk-lib.
          if (entry.type === INVENTORY_METADATA_TYPE) found.push({ file, data: checkInventory(rel(source.file), entry.data) });
        }
      }
    }
  }
  return found;
}

function checkInventory(file: string, data: any): Inventory['data'] {
  if (data?.inventoryVersion !== INVENTORY_VERSION || !Array.isArray(data.flags) || typeof data.flagSet !== 'string') {
    throw new RunError(`${file}: a flag inventory of version ${data?.inventoryVersion} is not readable by this version (expects ${INVENTORY_VERSION})`);
  }
  return data;
}

function loadYaml(file: string, rel: (p: string) => string): any[] {
  let cdk8s: { Yaml: { load(file: string): any[] } };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports, import/no-extraneous-dependencies
    cdk8s = require('cdk8s');
  } catch {
    throw new RunError(`${rel(file)}: reading Kubernetes manifests needs the cdk8s package (a peer dependency): install it`);
  }
  try {
    return cdk8s.Yaml.load(file);
  } catch (e) {
    throw new RunError(`${rel(file)}: not valid YAML (${(e as Error).message})`);
  }
}

function parseJson(file: string, text: string): any {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new RunError(`${file}: not valid JSON (${(e as Error).message})`);
  }
}

function* walk(dir: string): Generator<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.startsWith('.') || SKIP_DIRS.has(entry.name)) continue;
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(p);
    else if (entry.isFile() && SOURCE_EXT.test(entry.name)) yield p;
  }
}

function days(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
