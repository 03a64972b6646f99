/**
 * The Kubernetes JSON of a value typed with the generated Argo types (src/k8s/imports): what their
 * generated `toJson_*` conversions produce, in one walk. It drops undefined fields and unwraps the
 * generated union types (`RolloutSpecStrategyCanaryStepsPauseDuration.fromString('5m')` is `'5m'`).
 *
 * The generated conversions also rename the few fields whose TypeScript name differs from the JSON
 * name (`hostIp` is `hostIP`, in pod specs only): none of them is a field the library writes, and
 * `plainJson` refuses the TypeScript names so that one added later cannot be written wrong.
 * test/k8s/plain-json.test.ts checks the result against the generated conversions.
 */
export function plainJson(value: any): any {
  if (value === null || typeof value !== 'object') return value;
  if (Object.isFrozen(value)) {
    // A frozen value (the analysis metrics shared by the rollouts of one declaration) cannot change:
    // converted once, and the frozen result shared in turn.
    let json = converted.get(value);
    if (json === undefined) converted.set(value, json = Object.freeze(convert(value)));
    return json;
  }
  return convert(value);
}

const converted = new WeakMap<object, any>();

function convert(value: any): any {
  if (Array.isArray(value)) return value.map(plainJson);
  if (Object.getPrototypeOf(value) !== Object.prototype) {
    // A generated union type: a class instance that only holds `value`.
    if ('value' in value && Object.keys(value).length === 1) return value.value;
    throw new Error(`plainJson: unexpected ${value.constructor?.name ?? 'object'} in a generated-type value`);
  }
  const out: Record<string, any> = {};
  for (const key of Object.keys(value)) {
    if (RENAMED.has(key)) throw new Error(`plainJson: field "${key}" is renamed by the generated conversion`);
    const v = value[key];
    if (v !== undefined) out[key] = plainJson(v);
  }
  return out;
}

/** TypeScript names of the fields the generated conversions rename. */
const RENAMED = new Set(['hostIp', 'hostIpc', 'hostPid', 'setHostnameAsFqdn']);
