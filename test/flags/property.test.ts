import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import * as fc from 'fast-check';
import { TODAY } from './fixtures';
import {
  Condition, ContextAttribute, ContextComparison, Flag, FlagSet, FlagType, PercentageSplit, RolloutStage, Segment, StagedRollout, TargetingRule,
  VariantShare,
} from '../../src';
import { renderAppConfigContent } from '../../src/aws/private/appconfig';
import { renderFlagd } from '../../src/k8s/private/openfeature';
import { DeliveryValidationError } from '../../src/private/validate';

/** The flagd schema beside the repository (../shared/schemas, see the issue). */
const flagdDir = path.join(__dirname, '..', '..', '..', 'shared', 'schemas', 'flagd-json-schema-v0.2.15');
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats(ajv);
ajv.addSchema(JSON.parse(fs.readFileSync(path.join(flagdDir, 'targeting.json'), 'utf-8')));
const flagdSchema = ajv.compile(JSON.parse(fs.readFileSync(path.join(flagdDir, 'flags.json'), 'utf-8')));
const appConfigSchema = ajv.compile(JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'aws', 'appconfig-feature-flags.schema.json'), 'utf-8')));

const mostly = <T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) => fc.oneof({ arbitrary: good, weight: 6 }, { arbitrary: bad, weight: 1 });
const attributes = mostly(fc.constantFrom('userId', 'email', 'country'), fc.constantFrom('age', 'appVersion', 'undeclared', 'bad.name'));
const keyArb = mostly(fc.constant(undefined), fc.oneof(fc.constantFrom('x', 'dup'), fc.string({ maxLength: 8 })));
const variantArb = mostly(fc.integer({ min: 0, max: 1 }), fc.constant(9));
const conditionArb = fc.oneof(
  fc.tuple(attributes, fc.string({ maxLength: 6 })).map(([a, v]) => () => Condition.equalTo(a, v)),
  fc.tuple(attributes, fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 })).map(([a, v]) => () => Condition.oneOf(a, v)),
  fc.tuple(attributes, fc.string({ maxLength: 6 })).map(([a, v]) => () => Condition.endsWith(a, v)),
  fc.tuple(mostly(fc.constant('age'), attributes), fc.double()).map(([a, v]) => () => Condition.numeric(a, ContextComparison.GREATER_THAN, v)),
  fc.tuple(mostly(fc.constant('appVersion'), attributes), fc.constantFrom('1.2.3', '1.2', '10.0.0-rc.1')).map(([a, v]) => () => Condition.semver(a, ContextComparison.LESS_THAN, v)),
  fc.constantFrom('internal', 'beta', 'missing').map(s => () => Condition.inSegment(s)),
);

/** A random declaration as a thunk: building it may throw, which is part of what is tested. */
const flagArb = fc.record({
  kind: fc.constantFrom('boolean', 'string', 'number', 'object'),
  key: keyArb,
  expires: mostly(fc.constantFrom('2027-06-01', '2026-12-10'), fc.constantFrom(undefined, '2026-12-01', 'soon')),
  type: mostly(
    fc.constantFrom(FlagType.RELEASE, FlagType.EXPERIMENT, FlagType.OPERATIONAL),
    fc.constantFrom(FlagType.KILL_SWITCH, FlagType.PERMISSION),
  ),
  rules: fc.array(fc.tuple(fc.array(conditionArb, { minLength: 1, maxLength: 2 }), variantArb), { maxLength: 2 }),
  stages: fc.option(mostly(
    fc.tuple(fc.uniqueArray(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 3 }), fc.boolean(), fc.integer({ min: 0, max: 4 }))
      .map(([ps, seg, n]) => {
        const stages = [...(seg ? [() => RolloutStage.segment('internal')] : []), ...ps.sort((a, b) => a - b).map(p => () => RolloutStage.percent(p))];
        return [stages, Math.min(n, stages.length)] as [Array<() => RolloutStage>, number];
      }),
    fc.tuple(fc.array(fc.oneof(fc.integer({ min: -5, max: 120 }).map(p => () => RolloutStage.percent(p)),
      fc.constantFrom('internal', 'beta', 'missing').map(x => () => RolloutStage.segment(x))), { maxLength: 4 }), fc.integer({ min: -1, max: 5 })),
  ), { freq: 3 }),
  split: fc.option(mostly(
    fc.integer({ min: 1, max: 99 }).map(p => [[1, p], [0, 100 - p]]),
    fc.array(fc.tuple(variantArb, fc.integer({ min: 0, max: 100 })), { maxLength: 3 }),
  ), { freq: 3 }),
  killed: mostly(fc.constant(false), fc.constant(true)),
});

const NAMES: Record<string, string[]> = { boolean: ['on', 'off'], string: ['b', 'a'], number: ['b', 'a'], object: ['b', 'a'] };

function build(spec: any, i: number): Flag {
  const name = (n: number) => NAMES[spec.kind][n] ?? 'zz';
  const base = {
    key: spec.key ?? `flag-${i}`,
    description: 'd',
    owner: 'team',
    type: spec.type,
    expires: spec.expires,
    killed: spec.killed,
    rules: spec.rules.map(([conds, variant]: any) => TargetingRule.of({ when: conds.map((c: any) => c()), variant: name(variant) })),
    rollout: spec.stages && !spec.split ? StagedRollout.of({ stages: spec.stages[0].map((s: any) => s()), currentStage: spec.stages[1], variant: spec.kind === 'boolean' ? undefined : 'b' }) : undefined,
    split: spec.split ? PercentageSplit.of({ shares: spec.split.map(([v, p]: any) => VariantShare.of(name(v), p)) }) : undefined,
  };
  switch (spec.kind) {
    case 'boolean': return Flag.boolean(base);
    case 'string': return Flag.string({ ...base, variants: { a: 'A', b: 'B', c: 'C' }, defaultVariant: 'a' });
    case 'number': return Flag.number({ ...base, variants: { a: 1, b: 2.5, c: -3 }, defaultVariant: 'a' });
    default: return Flag.object({ ...base, variants: { a: { n: 1, tags: ['x'] }, b: { n: 2, tags: [] }, c: { n: 3, tags: ['y', 'z'] } }, defaultVariant: 'a' });
  }
}

test('random flag declarations render on both platforms or raise the library\'s error, never a TypeError', () => {
  let rendered = 0;
  fc.assert(fc.property(fc.array(flagArb, { minLength: 1, maxLength: 4 }), (specs) => {
    let set: FlagSet;
    try {
      set = FlagSet.of({
        name: 'app',
        today: TODAY,
        attributes: [ContextAttribute.string('userId'), ContextAttribute.string('email'), ContextAttribute.string('country'),
          ContextAttribute.number('age'), ContextAttribute.semver('appVersion')],
        segments: [
          Segment.of({ name: 'internal', conditions: [Condition.endsWith('email', '@example.com')] }),
          Segment.of({ name: 'beta', conditions: [Condition.numeric('age', ContextComparison.GREATER_OR_EQUAL, 30)] }),
        ],
        flags: specs.map((spec, i) => build(spec, i)),
      });
    } catch (e) {
      expect(e).toBeInstanceOf(DeliveryValidationError);
      return;
    }
    const flagd = renderFlagd(set);
    expect(flagdSchema(flagd) ? [] : flagdSchema.errors).toStrictEqual([]);
    let doc: any;
    try {
      doc = renderAppConfigContent(set);
    } catch (e) {
      expect(e).toBeInstanceOf(DeliveryValidationError);
      expect((e as Error).message).toMatch(/AppConfig/);
    }
    if (doc !== undefined) expect(appConfigSchema(doc) ? [] : appConfigSchema.errors).toStrictEqual([]);
    rendered++;
  }), { numRuns: 300 });
  expect(rendered).toBeGreaterThan(10);
});
