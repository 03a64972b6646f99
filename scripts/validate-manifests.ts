/**
 * Validates Kubernetes manifest files (multi-document YAML) against the Argo Rollouts CRD schemas
 * (unknown fields are errors) and the Kubernetes schemas for Services and Ingresses.
 * Exits non-zero when any object is invalid or has no schema to check it against.
 *
 * Usage: ts-node scripts/validate-manifests.ts <file.yaml> ...
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { validateObject } from '../test/k8s/manifest-validator';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('validate-manifests: pass at least one manifest file');
  process.exit(1);
}

let objects = 0;
const problems: string[] = [];
for (const file of files) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf-8'));
  for (const doc of docs) {
    if (doc.errors.length > 0) {
      problems.push(`${path.basename(file)}: ${doc.errors.map(e => e.message).join('; ')}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    objects++;
    problems.push(...validateObject(obj).map(p => `${path.basename(file)}: ${p}`));
  }
}

if (problems.length > 0) {
  console.error(`manifest validation: ${problems.length} problem(s) in ${objects} object(s):`);
  problems.forEach(p => console.error(`  ${p}`));
  process.exit(1);
}
console.log(`manifest validation: ${objects} object(s) in ${files.length} file(s) valid (Argo Rollouts CRD schemas, unknown fields rejected; kubernetes-models for Services, Ingresses and Deployments)`);
