import { Lazy, Token } from 'aws-cdk-lib';
import { messageOf, shopFlags, TODAY } from './fixtures';
import {
  Condition, ContextAttribute, ContextComparison, ExpiryExtension, Flag, FlagDebtStatus, FlagSet, FlagType,
  PercentageSplit, RolloutStage, Segment, StagedRollout, TargetingRule, VariantShare,
} from '../../src';
import { DeliveryValidationError } from '../../src/private/validate';

const base = { description: 'd', owner: 'team-a', type: FlagType.RELEASE, expires: '2027-01-31' };
const set = (flags: Flag[], extra: any = {}) => FlagSet.of({ name: 'app', today: TODAY, attributes: [ContextAttribute.string('userId')], flags, ...extra });

describe('declaration', () => {
  test('a flag set resolves each flag to clauses, split and default in evaluation order', () => {
    const resolved = shopFlags()._resolve();
    const checkout = resolved[0];
    expect(checkout.clauses.map(c => [c.origin, c.variant, c.when.map(w => w.describe())])).toStrictEqual([
      ['stage 1', 'on', ['segment internal']],
      ['stage 2', 'on', ['segment beta']],
    ]);
    expect(checkout.split).toStrictEqual({ by: 'userId', seed: 'new-checkout', shares: [{ variant: 'on', percent: 10 }] });
    expect(checkout.defaultVariant).toBe('off');
    const experiment = resolved[1];
    expect(experiment.clauses.map(c => c.variant)).toStrictEqual(['treatment']);
    expect(experiment.split!.shares).toStrictEqual([{ variant: 'treatment', percent: 20 }, { variant: 'control', percent: 80 }]);
  });

  test('boolean flags are off by default and roll out "on"', () => {
    const f = Flag.boolean({ key: 'x', ...base });
    expect(f.defaultVariant).toBe('off');
    expect(f.variants).toStrictEqual({ on: true, off: false });
    expect(Flag.boolean({ key: 'y', ...base, defaultValue: true }).defaultVariant).toBe('on');
  });

  test('each stage is cumulative; 100% makes the rolled-out variant the default; stage 0 serves the default', () => {
    const at = (n: number) => shopFlags({}, n)._resolve()[0];
    expect(at(0).clauses).toStrictEqual([]);
    expect(at(0).split).toBeUndefined();
    expect(at(1).clauses.map(c => c.when[0].subject)).toStrictEqual(['internal']);
    expect(at(4).split).toBeUndefined();
    expect(at(4).defaultVariant).toBe('on');
    expect(at(4).clauses.map(c => c.when[0].subject)).toStrictEqual(['internal', 'beta']);
  });

  test('a killed flag serves its off variant to everyone, ignoring rules and split', () => {
    const f = Flag.string({
      key: 'k',
      ...base,
      type: FlagType.EXPERIMENT,
      variants: { a: 'A', b: 'B', c: 'C' },
      defaultVariant: 'a',
      offVariant: 'c',
      killed: true,
      split: PercentageSplit.of({ shares: [VariantShare.of('a', 50), VariantShare.of('b', 50)] }),
    });
    const r = set([f])._resolve()[0];
    expect(r).toMatchObject({ clauses: [], defaultVariant: 'c' });
    expect(r.split).toBeUndefined();
  });

  test('a rollout or split by another key or seed keeps them', () => {
    const f = Flag.boolean({
      key: 'k',
      ...base,
      rollout: StagedRollout.of({ stages: [RolloutStage.percent(5), RolloutStage.percent(50)], currentStage: 2, by: 'accountId', seed: 'shared-1' }),
    });
    const r = FlagSet.of({ name: 'app', today: TODAY, attributes: [ContextAttribute.string('accountId')], flags: [f] })._resolve()[0];
    expect(r.split).toStrictEqual({ by: 'accountId', seed: 'shared-1', shares: [{ variant: 'on', percent: 50 }] });
  });

  describe('flag debt', () => {
    test('fails when a temporary flag is past its expiry, naming the flag, owner and date', () => {
      expect(messageOf(() => set([Flag.boolean({ key: 'old-thing', ...base, owner: 'team-x', expires: '2026-12-01' })]))).toBe(
        'FlagSet "app": flags[0] ("old-thing", owner team-x) expires is past: the release flag expired 2 day(s) ago (today is 2026-12-03), got 2026-12-01. '
        + 'team-x: remove the flag from the code and the flag set, or add a dated extension (extension: ExpiryExtension.of({ until: "YYYY-MM-DD", reason: "why" })).');
    });

    test('a dated extension is the way past the expiry; it expires too', () => {
      const extension = ExpiryExtension.of({ until: '2026-12-10', reason: 'waiting for the mobile release' });
      const s = set([Flag.boolean({ key: 'old-thing', ...base, expires: '2026-12-01', extension })]);
      expect(s.debt).toStrictEqual([{ key: 'old-thing', owner: 'team-a', type: FlagType.RELEASE, status: FlagDebtStatus.EXPIRING, expires: '2026-12-10', daysLeft: 7, extended: true }]);
      expect(s.warnings).toStrictEqual(['Flag "old-thing" (release, owner team-a) expires on 2026-12-10, in 7 day(s) (already extended): remove it, or add a dated extension before then; after that date synthesis fails.']);
      expect(messageOf(() => set([Flag.boolean({ key: 'old-thing', ...base, expires: '2026-12-01', extension })], { today: '2026-12-11' })))
        .toContain('flags[0] ("old-thing", owner team-a) extension.until is past: the release flag expired 1 day(s) ago (today is 2026-12-11), got 2026-12-10.');
    });

    test('warns from the configured number of days before the expiry, and not before', () => {
      const flags = [Flag.boolean({ key: 'soon', ...base, expires: '2026-12-13' })];
      expect(set(flags).warnings).toHaveLength(1);
      expect(set(flags, { expiryWarningDays: 9 }).warnings).toStrictEqual([]);
      expect(set(flags, { expiryWarningDays: 10 }).warnings).toHaveLength(1);
      expect(set(flags, { today: '2026-12-13' }).debt[0]).toMatchObject({ daysLeft: 0, status: FlagDebtStatus.EXPIRING });
    });

    test('fails when a flag is created after today', () => {
      expect(messageOf(() => set([Flag.boolean({ key: 'x', ...base, created: '2026-12-04' })]))).toBe(
        'FlagSet "app": flags[0] ("x") created must not be after today (2026-12-03), got 2026-12-04. Use the date the flag was added.');
    });

    test('permanent types never expire', () => {
      const s = set([Flag.boolean({ key: 'kill', description: 'd', owner: 'o', type: FlagType.KILL_SWITCH })]);
      expect(s.debt[0]).toStrictEqual({ key: 'kill', owner: 'o', type: FlagType.KILL_SWITCH, status: FlagDebtStatus.PERMANENT, extended: false });
    });

    test('today defaults to the current UTC date', () => {
      const s = FlagSet.of({ name: 'app', flags: [Flag.boolean({ key: 'p', description: 'd', owner: 'o', type: FlagType.PERMISSION })] });
      expect(s.today).toBe(new Date().toISOString().slice(0, 10));
    });

    test('fails when a temporary flag has no expiry, or a permanent one has one', () => {
      expect(messageOf(() => Flag.boolean({ key: 'x', description: 'd', owner: 'o', type: FlagType.EXPERIMENT }))).toBe(
        'Flag.boolean "x": expires is required for a experiment flag, which is temporary, got undefined. Set expires: "YYYY-MM-DD", the date by which the flag must be removed.');
      expect(messageOf(() => Flag.boolean({ key: 'x', description: 'd', owner: 'o', type: FlagType.PERMISSION, expires: '2027-01-01' }))).toBe(
        'Flag.boolean "x": expires is not accepted for a permission flag, which is permanent, got "2027-01-01". Remove expires, or declare the flag as a temporary type (release, experiment, operational).');
      expect(messageOf(() => Flag.boolean({ key: 'x', ...base, extension: ExpiryExtension.of({ until: '2027-01-01', reason: 'later' }) }))).toBe(
        'Flag.boolean "x": extension.until must be after expires (2027-01-31), got "2027-01-01". Extend to a later date, or change nothing.');
    });

    test('fails when a date is not a calendar date', () => {
      expect(messageOf(() => Flag.boolean({ key: 'x', ...base, expires: '2027-02-30' }))).toBe(
        'Flag.boolean "x": expires must be a calendar date, got "2027-02-30". Write the date as YYYY-MM-DD, for example "2027-03-31".');
      expect(messageOf(() => Flag.boolean({ key: 'x', ...base, expires: '31/01/2027' }))).toContain('expires must be a date written YYYY-MM-DD, got "31/01/2027"');
      expect(messageOf(() => set([], { today: 20261203 }))).toContain('flags must be a non-empty array, got []');
      expect(messageOf(() => set([Flag.boolean({ key: 'x', ...base })], { today: 20261203 }))).toContain('today must be a date written YYYY-MM-DD, got 20261203');
      expect(messageOf(() => set([Flag.boolean({ key: 'x', ...base })], { expiryWarningDays: NaN }))).toContain('expiryWarningDays must be a finite number, got NaN');
      expect(messageOf(() => set([Flag.boolean({ key: 'x', ...base })], { expiryWarningDays: 2.5 }))).toContain('expiryWarningDays must be a whole number from 0 to 365, got 2.5');
    });
  });

  describe('bad input gets the library\'s errors', () => {
    test('fails when keys are duplicated', () => {
      expect(messageOf(() => set([Flag.boolean({ key: 'a', ...base }), Flag.boolean({ key: 'a', ...base })]))).toBe(
        'FlagSet "app": flags[1].key must be unique in the flag set (flags[0] has it too), got "a". Give each flag its own key.');
    });

    test('fails when a key is one AppConfig rejects', () => {
      for (const key of ['New-checkout', '1flag', 'a.b', 'x'.repeat(65), '']) {
        expect(messageOf(() => Flag.boolean({ key, ...base }))).toMatch(/^Flag\.boolean: key (must match \^\[a-z\]|must be at least 1)/);
      }
      expect(messageOf(() => Flag.boolean({ key: 'a b', ...base }))).toBe(
        'Flag.boolean: key must match ^[a-z][a-zA-Z0-9_-]{0,63}$ (the AppConfig flag key rule), got "a b". Use a key such as "new-checkout" or "searchRanking".');
    });

    test('fails when the default is not a variant', () => {
      expect(messageOf(() => Flag.string({ key: 'x', ...base, variants: { a: 'A', b: 'B' }, defaultVariant: 'c' }))).toBe(
        'Flag.string: defaultVariant must be one of the variants (a, b), got "c". Name one of the declared variants.');
      expect(messageOf(() => Flag.string({ key: 'x', ...base, variants: { a: 'A', b: 'B' }, defaultVariant: 'a', offVariant: 'z' }))).toContain(
        'offVariant must be one of the variants (a, b), got "z"');
    });

    test('fails when variant types are mixed, as a JavaScript caller can', () => {
      expect(messageOf(() => Flag.string({ key: 'x', ...base, variants: { a: 'A', b: 2 as any }, defaultVariant: 'a' }))).toBe(
        'Flag.string: variants.b must be a string like every variant of a string flag (variants are all one type), got 2. Make every variant a string, or declare the flag with the factory for its type.');
      expect(messageOf(() => Flag.number({ key: 'x', ...base, variants: { a: 1, b: '2' as any }, defaultVariant: 'a' }))).toContain('variants.b must be a number like every variant');
      expect(messageOf(() => Flag.object({ key: 'x', ...base, variants: { a: {}, b: [1] as any }, defaultVariant: 'a' }))).toContain('variants.b must be a JSON object like every variant');
      expect(messageOf(() => Flag.number({ key: 'x', ...base, variants: { a: 1, b: NaN }, defaultVariant: 'a' }))).toContain('variants.b must be a finite number, got NaN');
      expect(messageOf(() => Flag.object({ key: 'x', ...base, variants: { a: { n: Infinity }, b: {} }, defaultVariant: 'a' }))).toContain('variants.a.n must hold finite numbers only, got Infinity');
      expect(messageOf(() => Flag.object({ key: 'x', ...base, variants: { a: { d: new Date(0) }, b: {} }, defaultVariant: 'a' }))).toContain('variants.a.d must be JSON');
      expect(messageOf(() => Flag.string({ key: 'x', ...base, variants: { a: 'A', b: 'A' }, defaultVariant: 'a' }))).toContain('variants.b must differ from variant "a"');
      expect(messageOf(() => Flag.string({ key: 'x', ...base, variants: { a: 'A' }, defaultVariant: 'a' }))).toContain('variants must declare at least two variants, got ["a"]');
    });

    test('fails when percentages do not sum to 100, or are not whole percentages', () => {
      expect(messageOf(() => PercentageSplit.of({ shares: [VariantShare.of('a', 20), VariantShare.of('b', 20)] }))).toBe(
        'PercentageSplit.of: shares must sum to 100 percent, got a 20 + b 20 = 40. Adjust the shares so that they add up to 100.');
      expect(messageOf(() => VariantShare.of('a', 12.5))).toBe('VariantShare.of: percent must be a whole number from 1 to 100, got 12.5. Pass a whole percentage from 1 to 100.');
      expect(messageOf(() => RolloutStage.percent(0))).toContain('percent must be a whole number from 1 to 100, got 0');
      expect(messageOf(() => RolloutStage.percent(null as any))).toContain('percent must be a finite number, got null');
      expect(messageOf(() => StagedRollout.of({ stages: [RolloutStage.percent(50), RolloutStage.percent(10)], currentStage: 1 }))).toContain(
        'stages[1].sharePercent must be greater than the previous percentage (50), got 10');
      expect(messageOf(() => StagedRollout.of({ stages: [RolloutStage.everyone(), RolloutStage.segment('x')], currentStage: 1 }))).toContain(
        'stages[1] must not follow the stage that reaches everyone');
      expect(messageOf(() => StagedRollout.of({ stages: [RolloutStage.everyone()], currentStage: 2 }))).toBe(
        'StagedRollout.of: currentStage must be a whole number from 0 (not started) to 1 (the last stage), got 2. Set currentStage to the number of stages enabled.');
    });

    test('fails when the split key is not a declared attribute', () => {
      const f = Flag.boolean({ key: 'x', ...base, rollout: StagedRollout.of({ stages: [RolloutStage.percent(10)], currentStage: 1 }) });
      expect(messageOf(() => FlagSet.of({ name: 'app', today: TODAY, flags: [f] }))).toBe(
        'FlagSet "app" flags[0] ("x"): rollout.by (the flag set\'s splitKey) must be a declared context attribute, or percentages have no key to bucket by, got "userId". '
        + 'Declare it: attributes: [ContextAttribute.string("userId")], or split by another declared attribute.');
      expect(messageOf(() => FlagSet.of({ name: 'app', today: TODAY, attributes: [ContextAttribute.number('userId')], flags: [f] }))).toContain(
        'rollout.by must be a string attribute (it is number)');
    });

    test('fails when a segment references an unknown attribute or a rule an unknown segment', () => {
      const segment = Segment.of({ name: 'beta', conditions: [Condition.equalTo('plan', 'pro')] });
      expect(messageOf(() => set([Flag.boolean({ key: 'x', ...base })], { segments: [segment] }))).toBe(
        'FlagSet "app": segments[0] ("beta").conditions[0] refers to an unknown context attribute (declared: userId), got "plan". '
        + 'Declare it in the flag set\'s attributes, for example ContextAttribute.string("plan"), or fix the name.');
      const rule = TargetingRule.of({ when: [Condition.inSegment('vip')], variant: 'on' });
      expect(messageOf(() => set([Flag.boolean({ key: 'x', ...base, rules: [rule] })]))).toContain(
        'flags[0] ("x"): rules[0].when[0] must name a declared segment (none declared), got "vip"');
      const stage = StagedRollout.of({ stages: [RolloutStage.segment('vip')], currentStage: 1 });
      expect(messageOf(() => set([Flag.boolean({ key: 'x', ...base, rollout: stage })]))).toContain('rollout.stages[0] must name a declared segment (none declared), got "vip"');
      const typed = TargetingRule.of({ when: [Condition.startsWith('age', '1')], variant: 'on' });
      expect(messageOf(() => set([Flag.boolean({ key: 'x', ...base, rules: [typed] })], { attributes: [ContextAttribute.number('age')] }))).toContain(
        'rules[0].when[0] compares a number attribute with a string comparison, got age starts with "1". Use Condition.numeric.');
    });

    test('fails when a rule or rollout names no variant of the flag', () => {
      expect(messageOf(() => Flag.boolean({ key: 'x', ...base, rules: [TargetingRule.of({ when: [Condition.equalTo('userId', 'u')], variant: 'yes' })] }))).toContain(
        'rules[0].variant must be one of the variants (on, off), got "yes"');
      expect(messageOf(() => Flag.string({ key: 'x', ...base, variants: { a: 'A', b: 'B' }, defaultVariant: 'a', rollout: StagedRollout.of({ stages: [RolloutStage.everyone()], currentStage: 1 }) })))
        .toContain('rollout.variant is required for a multi-variant flag');
      expect(messageOf(() => Flag.boolean({ key: 'x', ...base, defaultValue: true, rollout: StagedRollout.of({ stages: [RolloutStage.everyone()], currentStage: 1 }) })))
        .toContain('rollout.variant must differ from the default variant, or the rollout changes nothing, got "on"');
      expect(messageOf(() => Flag.boolean({
        key: 'x',
        ...base,
        rollout: StagedRollout.of({ stages: [RolloutStage.everyone()], currentStage: 1 }),
        split: PercentageSplit.of({ shares: [VariantShare.of('on', 50), VariantShare.of('off', 50)] }),
      }))).toContain('rollout/split must not both be set');
    });

    test('fails on wrong types, null, NaN and tokens as a Python, Java or JavaScript caller could pass them', () => {
      expect(messageOf(() => Flag.boolean(null as any))).toBe('Flag.boolean: props must be an object, got null. Pass { key, description, owner, type, ... }.');
      expect(messageOf(() => Flag.boolean({ key: Lazy.string({ produce: () => 'x' }), ...base }))).toBe(
        'Flag.boolean: key must be known at synth time, got an unresolved token. Use a key such as "new-checkout" or "searchRanking".');
      expect(messageOf(() => Flag.boolean({ key: 'x', ...base, owner: Token.asString({ Ref: 'Owner' }) }))).toContain('owner must be known at synth time, got an unresolved token');
      expect(messageOf(() => Flag.boolean({ key: 'x', ...base, type: 'release-ish' as any }))).toContain('type must be a FlagType, got "release-ish"');
      expect(messageOf(() => Flag.boolean({ key: 'x', ...base, killed: 'yes' as any }))).toContain('killed must be true or false, got "yes"');
      expect(messageOf(() => Flag.boolean({ key: 'x', ...base, rules: 'none' as any }))).toContain('rules must be an array, got "none"');
      expect(messageOf(() => Condition.numeric('age', ContextComparison.GREATER_THAN, NaN))).toBe('Condition.numeric: value must be a finite number, got NaN. Pass a finite number.');
      expect(messageOf(() => Condition.numeric('age', ContextComparison.GREATER_THAN, Token.asNumber({ Ref: 'N' })))).toContain('value must be known at synth time, got an unresolved token');
      expect(messageOf(() => Condition.numeric('age', '>' as any, 1))).toContain('comparison must be a ContextComparison, got ">"');
      expect(messageOf(() => Condition.semver('v', ContextComparison.EQUAL, '1.2'))).toContain('version must be a semantic version MAJOR.MINOR.PATCH, got "1.2"');
      expect(messageOf(() => Condition.oneOf('c', []))).toContain('values must be a non-empty array, got []');
      expect(messageOf(() => ContextAttribute.string('a.b'))).toContain('name must be letters, digits or "_", starting with a letter, got "a.b"');
      expect(messageOf(() => Segment.of({ name: 'x', conditions: [Condition.inSegment('y')] }))).toContain('conditions[0] must not refer to another segment');
      expect(messageOf(() => FlagSet.of({ name: 'Shop', flags: [] }))).toContain('FlagSet: name must be 1-63 lower-case letters');
      expect(messageOf(() => set([{ key: 'x' } as any]))).toBe('FlagSet "app": flags[0] must be a Flag, got {"key":"x"}. Build flags with Flag.boolean, .string, .number or .object.');
      expect(() => Flag.boolean({ key: 'x', ...base, description: undefined as any })).toThrow(DeliveryValidationError);
    });
  });

  describe('plan', () => {
    test('shows the current stage, audience, exposure, next stage, expiry and kill path of each flag', () => {
      const plan = shopFlags().plan();
      expect(plan.entries[0]).toStrictEqual({
        key: 'new-checkout',
        type: 'release',
        owner: 'team-checkout',
        killed: false,
        stage: '3 of 4 (10%)',
        audience: [
          'stage 1: segment internal → on',
          'stage 2: segment beta → on',
          'split by userId (seed "new-checkout"): 10% → on, 90% → off',
          'everyone else → off (false)',
        ],
        exposurePercent: 10,
        exposedSegments: ['internal', 'beta'],
        nextStage: 'everyone',
        nextExposurePercent: 100,
        expires: '2027-02-01',
        daysLeft: 60,
        expiryStatus: FlagDebtStatus.OK,
        killSwitch: 'set `killed: true` on "new-checkout" and deploy: everyone gets off (false) at once',
      });
      const md = plan.toMarkdown();
      expect(md).toContain('### Flag plan: shop (as of 2026-12-03)');
      expect(md).toContain('| new-checkout | release | team-checkout | 3 of 4 (10%) | segment internal + segment beta + 10% | everyone → everyone | 2027-02-01 (in 60 day(s)) |');
      expect(md).toContain('| banner | permission | team-web | no staged rollout | nobody | - | permanent |');
      expect(md).toContain('AppConfig `split` and flagd `fractional` hash differently');
    });

    test('the next stage of a rollout that has not started, and of a killed flag', () => {
      expect(shopFlags({}, 0).plan().entries[0]).toMatchObject({ stage: 'not started (0 of 4)', exposurePercent: 0, exposedSegments: [], nextStage: 'segment internal', nextExposurePercent: 0 });
      const killed = set([Flag.boolean({ key: 'x', ...base, killed: true })]).plan();
      expect(killed.entries[0]).toMatchObject({ killed: true, audience: ['killed: everyone gets off (false)'], nextStage: undefined });
      expect(killed.toMarkdown()).toContain('| x (KILLED) |');
      expect(killed.toMermaid()).toContain('class f0s0 killed');
    });

    test('the picture has one subgraph per flag with the current stage highlighted', () => {
      const m = shopFlags().plan().toMermaid();
      expect(m.split('\n').slice(0, 10)).toStrictEqual([
        'flowchart LR',
        '  subgraph f0["new-checkout (release)"]',
        '    direction LR',
        '    f0s0["not started"]',
        '    f0s0 --> f0s1["segment internal"]',
        '    f0s1 --> f0s2["segment beta"]',
        '    f0s2 --> f0s3["10%"]',
        '    f0s3 --> f0s4["everyone"]',
        '    f0k(["kill: off for everyone, at once"])',
        '  end',
      ]);
      expect(m).toContain('  class f0s3 current');
    });

    test('the same input gives the same plan; only the date changes what depends on it', () => {
      expect(shopFlags().plan().toMarkdown()).toBe(shopFlags().plan().toMarkdown());
      expect(JSON.stringify(shopFlags()._resolve())).toBe(JSON.stringify(shopFlags({ today: '2027-01-01' })._resolve()));
      expect(shopFlags({ today: '2027-01-01' }).plan().entries[0].daysLeft).toBe(31);
    });
  });
});
