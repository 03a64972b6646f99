/**
 * Schema validation for the manifests this library writes, shared by the tests and
 * scripts/validate-manifests.ts.
 *
 * - Argo Rollouts objects: ajv against the CRD's OpenAPI v3 schema (generated into
 *   src/k8s/imports/ by `npx projen import-crds`), with every object schema closed
 *   (`additionalProperties: false`) unless the CRD marks it `x-kubernetes-preserve-unknown-fields`
 *   or declares its own `additionalProperties`, so an unknown or misspelt field is an error.
 *   `metadata` (left open by every CRD) is checked against a closed ObjectMeta subset.
 * - OpenFeature Operator objects (FeatureFlag, FeatureFlagSource): the same, against their CRD schemas;
 *   a FeatureFlag's flag definitions also against flagd's JSON schema (../shared/schemas).
 * - Services, Ingresses and Deployments: the `kubernetes-models` validators (types, required fields,
 *   enums; that package does not reject unknown fields).
 */
import * as fs from 'fs';
import * as path from 'path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { Service } from 'kubernetes-models/v1/Service';

const IMPORTS = path.join(__dirname, '..', '..', 'src', 'k8s', 'imports');

const ARGO_SCHEMAS: Record<string, string> = {
  Rollout: 'argo-rollout.schema.json',
  AnalysisTemplate: 'argo-analysis-template.schema.json',
  ClusterAnalysisTemplate: 'argo-cluster-analysis-template.schema.json',
};

/** OpenFeature Operator objects (core.openfeature.dev/v1beta1), checked the same way. */
const OPENFEATURE_SCHEMAS: Record<string, string> = {
  FeatureFlag: 'openfeature-feature-flag.schema.json',
  FeatureFlagSource: 'openfeature-feature-flag-source.schema.json',
};

/** The metadata fields a generated manifest may carry; anything else is a mistake. */
const OBJECT_META = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 },
    namespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

/** Closes every object schema that does not say it keeps unknown fields. */
function closeSchema(schema: any): any {
  if (Array.isArray(schema)) {
    return schema.map(closeSchema);
  }
  if (schema === null || typeof schema !== 'object') {
    return schema;
  }
  const out: any = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === 'properties'
      ? Object.fromEntries(Object.entries(v as any).map(([p, s]) => [p, closeSchema(s)]))
      : closeSchema(v);
  }
  const isObject = out.type === 'object' || out.properties !== undefined;
  if (isObject && out['x-kubernetes-preserve-unknown-fields'] !== true && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

let ajv: Ajv | undefined;
const compiled = new Map<string, ValidateFunction>();

function argoValidator(kind: string): ValidateFunction {
  const cached = compiled.get(kind);
  if (cached) return cached;
  if (!ajv) {
    ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    for (const f of ['int32', 'int64', 'float', 'double', 'byte']) ajv.addFormat(f, true);
  }
  const raw = JSON.parse(fs.readFileSync(path.join(IMPORTS, ARGO_SCHEMAS[kind] ?? OPENFEATURE_SCHEMAS[kind]), 'utf-8'));
  delete raw.$comment;
  const schema = closeSchema(raw);
  schema.properties.metadata = OBJECT_META;
  schema.required = [...new Set([...(schema.required ?? []), 'apiVersion', 'kind', 'metadata', 'spec'])];
  const fn = ajv.compile(schema);
  compiled.set(kind, fn);
  return fn;
}

/** flagd's flag-definition schema v0.2.15, beside the repository in ../shared/schemas. */
const FLAGD_SCHEMAS = path.join(__dirname, '..', '..', '..', 'shared', 'schemas', 'flagd-json-schema-v0.2.15');
let flagdCompiled: ValidateFunction | undefined;

function flagdValidator(): ValidateFunction {
  if (flagdCompiled) return flagdCompiled;
  const flagdAjv = new Ajv({ allErrors: true, strict: false });
  flagdAjv.addSchema(JSON.parse(fs.readFileSync(path.join(FLAGD_SCHEMAS, 'targeting.json'), 'utf-8')));
  flagdCompiled = flagdAjv.compile(JSON.parse(fs.readFileSync(path.join(FLAGD_SCHEMAS, 'flags.json'), 'utf-8')));
  return flagdCompiled;
}

/** The problems of one manifest object (empty when it is valid). */
export function validateObject(obj: any): string[] {
  const id = `${obj?.kind ?? '?'}/${obj?.metadata?.name ?? '?'}`;
  if (obj === null || typeof obj !== 'object') {
    return [`${id}: not an object`];
  }
  if (ARGO_SCHEMAS[obj.kind] !== undefined) {
    if (obj.apiVersion !== 'argoproj.io/v1alpha1') {
      return [`${id}: apiVersion must be argoproj.io/v1alpha1, got ${obj.apiVersion}`];
    }
    const validate = argoValidator(obj.kind);
    if (validate(obj)) return [];
    return (validate.errors ?? []).map(e =>
      `${id}: ${e.instancePath || '/'} ${e.message}${e.keyword === 'additionalProperties' ? ` (${(e.params as any).additionalProperty})` : ''}`);
  }
  if (OPENFEATURE_SCHEMAS[obj.kind] !== undefined && obj.apiVersion === 'core.openfeature.dev/v1beta1') {
    const validate = argoValidator(obj.kind);
    const problems = validate(obj) ? [] : (validate.errors ?? []).map(e =>
      `${id}: ${e.instancePath || '/'} ${e.message}${e.keyword === 'additionalProperties' ? ` (${(e.params as any).additionalProperty})` : ''}`);
    // The flag definitions themselves: flagd's JSON schema (the CRD keeps them free-form).
    if (obj.kind === 'FeatureFlag' && obj.spec?.flagSpec !== undefined) {
      const flagd = flagdValidator();
      if (!flagd(obj.spec.flagSpec)) problems.push(...(flagd.errors ?? []).map(e => `${id}: flagd schema: /spec/flagSpec${e.instancePath} ${e.message}`));
    }
    return problems;
  }
  const model: { new (data: any): { validate(): void } } | undefined = obj.kind === 'Service' && obj.apiVersion === 'v1' ? Service
    : obj.kind === 'Ingress' && obj.apiVersion === 'networking.k8s.io/v1' ? Ingress
      : obj.kind === 'Deployment' && obj.apiVersion === 'apps/v1' ? Deployment
        : undefined;
  if (model === undefined) {
    return [`${id}: no schema for ${obj.apiVersion} ${obj.kind}`];
  }
  try {
    new model(obj).validate();
    return [];
  } catch (e) {
    return [`${id}: ${(e as Error).message}`];
  }
}

/** The problems of a list of manifest objects (empty when all are valid). */
export function validateManifests(objects: any[]): string[] {
  return objects.flatMap(validateObject);
}
