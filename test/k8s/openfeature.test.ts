import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { flagdBucket, variantFor } from './flagd-evaluator';
import { validateObject } from './manifest-validator';
import { CONTAINERS, ofKind, rolloutOf, synthValid } from './util';
import {
  ArgoRollout, ContextAttribute, DeploymentStrategy, Flag, FlagSet, FlagType, OpenFeatureFlags, PercentageSplit, RolloutStage, StagedRollout,
  VariantShare,
} from '../../src';
import { FeatureFlag } from '../../src/k8s/imports/openfeature-feature-flag-core.openfeature.dev';
import { FeatureFlagSource } from '../../src/k8s/imports/openfeature-feature-flag-source-core.openfeature.dev';
import { FEATURE_FLAG, FEATURE_FLAG_SOURCE, openFeatureAnnotations, renderFlagd } from '../../src/k8s/private/openfeature';
import { messageOf, shopFlags, TODAY } from '../flags/fixtures';

/** The flagd schema beside the repository (../shared/schemas, see the issue). */
const SCHEMAS = path.join(__dirname, '..', '..', '..', 'shared', 'schemas', 'flagd-json-schema-v0.2.15');

/** ajv over flagd's flags.json (which references targeting.json). */
function flagdValidator() {
  const dir = SCHEMAS;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(dir, 'targeting.json'), 'utf-8')));
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(dir, 'flags.json'), 'utf-8')));
}

function chart(options: { namespace?: string } = { namespace: 'shop' }) {
  return new cdk8s.Chart(new cdk8s.App(), 'c', options);
}

describe('OpenFeature', () => {
  test('renders a FeatureFlag and a FeatureFlagSource valid against the Operator CRDs', () => {
    const c = chart();
    const flags = new OpenFeatureFlags(c, 'flags', { flagSet: shopFlags() });
    const manifests = synthValid(c);
    const [ff] = ofKind(manifests, 'FeatureFlag');
    const [src] = ofKind(manifests, 'FeatureFlagSource');
    expect(ff.apiVersion).toBe('core.openfeature.dev/v1beta1');
    expect(ff.metadata.name).toBe('shop');
    expect(ff.metadata.namespace).toBe('shop');
    expect(src.spec).toStrictEqual({ sources: [{ source: 'shop/shop', provider: 'kubernetes' }] });
    expect(flags.podAnnotations).toStrictEqual({ 'openfeature.dev/enabled': 'true', 'openfeature.dev/featureflagsource': 'shop/shop' });
    expect(ff.spec.flagSpec.flags['new-checkout']).toStrictEqual({
      state: 'ENABLED',
      variants: { off: false, on: true },
      defaultVariant: 'off',
      targeting: {
        if: [
          { $ref: 'internal' }, 'on',
          { $ref: 'beta' }, 'on',
          { if: [{ var: 'userId' }, { fractional: [{ cat: ['new-checkout', { var: 'userId' }] }, ['on', 10], ['off', 90]] }, 'off'] },
        ],
      },
      metadata: { owner: 'team-checkout', type: 'release', expires: '2027-02-01', killed: false },
    });
    expect(ff.spec.flagSpec.$evaluators).toStrictEqual({
      internal: { ends_with: [{ var: 'email' }, '@example.com'] },
      beta: { and: [{ in: [{ var: 'country' }, ['NZ', 'IE']] }, { '>=': [{ var: 'accountAgeDays' }, 30] }] },
    });
    expect(ff.spec.flagSpec.flags.page_size.targeting).toStrictEqual({ if: [{ sem_ver: [{ var: 'appVersion' }, '>=', '5.2.0'] }, 'large', 'small'] });
    expect(ff.spec.flagSpec.flags.banner.targeting).toStrictEqual({
      if: [{ and: [{ '===': [{ var: 'country' }, 'NZ'] }, { starts_with: [{ var: 'email' }, 'vip.'] }] }, 'holiday', 'none'],
    });
    expect(ff.spec.flagSpec.flags['recommendations-off']).toStrictEqual({
      state: 'ENABLED', variants: { off: false, on: true }, defaultVariant: 'off', metadata: { owner: 'team-sre', type: 'kill-switch', killed: false },
    });
  });

  test('the kinds written are the generated imports\' kinds', () => {
    expect(FEATURE_FLAG).toStrictEqual({ apiVersion: FeatureFlag.GVK.apiVersion, kind: FeatureFlag.GVK.kind });
    expect(FEATURE_FLAG_SOURCE).toStrictEqual({ apiVersion: FeatureFlagSource.GVK.apiVersion, kind: FeatureFlagSource.GVK.kind });
  });

  test('the flag definitions validate against the flagd JSON schema, and the schema catches a broken one', () => {
    const validate = flagdValidator();
    for (const stage of [0, 1, 2, 3, 4]) {
      const doc = renderFlagd(shopFlags({}, stage));
      expect(validate(doc) ? [] : validate.errors).toStrictEqual([]);
    }
    const doc = renderFlagd(shopFlags());
    doc.flags['new-checkout'].variants.on = 'yes';
    expect(validate(doc)).toBe(false);
  });

  test('the manifest validator checks a FeatureFlag\'s definitions against the flagd schema', () => {
    const c = chart();
    new OpenFeatureFlags(c, 'flags', { flagSet: shopFlags() });
    const [ff] = ofKind(synthValid(c), 'FeatureFlag');
    const broken = { ...ff, spec: { flagSpec: { flags: { x: { state: 'ENABLED', variants: {}, defaultVariant: 'a' } } } } };
    expect(validateObject(broken)).toContain('FeatureFlag/shop: flagd schema: /spec/flagSpec/flags/x/variants must NOT have fewer than 1 properties');
  });

  test('a killed flag serves its off variant to everyone, with no targeting', () => {
    const set = FlagSet.of({
      name: 'app',
      today: TODAY,
      attributes: [ContextAttribute.string('userId')],
      flags: [Flag.string({
        key: 'theme',
        description: 'd',
        owner: 'o',
        type: FlagType.EXPERIMENT,
        expires: '2027-01-01',
        variants: { dark: 'dark', light: 'light', classic: 'classic' },
        defaultVariant: 'light',
        offVariant: 'classic',
        killed: true,
        split: PercentageSplit.of({ shares: [VariantShare.of('dark', 50), VariantShare.of('light', 50)] }),
      })],
    });
    expect(renderFlagd(set).flags.theme).toStrictEqual({
      state: 'ENABLED',
      variants: { classic: 'classic', dark: 'dark', light: 'light' },
      defaultVariant: 'classic',
      metadata: { owner: 'o', type: 'experiment', expires: '2027-01-01', killed: true },
    });
  });

  test('the FeatureFlag carries the flag inventory, which does not depend on the date', () => {
    const c = chart();
    new OpenFeatureFlags(c, 'flags', { flagSet: shopFlags(), name: 'shop-flags', port: 9013 });
    const manifests = synthValid(c);
    const [ff] = ofKind(manifests, 'FeatureFlag');
    expect(ofKind(manifests, 'FeatureFlagSource')[0].spec).toStrictEqual({ sources: [{ source: 'shop/shop-flags', provider: 'kubernetes' }], port: 9013 });
    const inventory = JSON.parse(ff.metadata.annotations['cdk-progressive-delivery.dev/flag-inventory']);
    expect(inventory.flags[0]).toStrictEqual({
      key: 'new-checkout', owner: 'team-checkout', type: 'release', valueType: 'boolean', created: '2026-11-01', expires: '2027-02-01', killed: false, stage: 3, stages: 4,
    });
    expect(inventory).toMatchObject({ inventoryVersion: 1, flagSet: 'shop', platform: 'openfeature' });
    const later = chart();
    new OpenFeatureFlags(later, 'flags', { flagSet: shopFlags({ today: '2027-01-10' }), name: 'shop-flags', port: 9013 });
    expect(cdk8s.Testing.synth(later)).toStrictEqual(manifests);
  });

  test('an ArgoRollout given the flags gets the injection annotations on its pod template', () => {
    const c = chart();
    const flags = new OpenFeatureFlags(c, 'flags', { flagSet: shopFlags() });
    new ArgoRollout(c, 'api', { strategy: DeploymentStrategy.allAtOnce(), containers: CONTAINERS, featureFlags: flags });
    const rollout = rolloutOf(synthValid(c));
    expect(rollout.spec.template.metadata.annotations).toStrictEqual({ 'openfeature.dev/enabled': 'true', 'openfeature.dev/featureflagsource': 'shop/shop' });
    expect(openFeatureAnnotations('ns', 'src')).toStrictEqual({ 'openfeature.dev/enabled': 'true', 'openfeature.dev/featureflagsource': 'ns/src' });
  });

  test('fails when the rollout references a Deployment, whose pod template it does not render', () => {
    const c = chart();
    const flags = new OpenFeatureFlags(c, 'flags', { flagSet: shopFlags() });
    const deployment = new kplus.Deployment(c, 'd', { containers: CONTAINERS });
    expect(messageOf(() => new ArgoRollout(c, 'api', { strategy: DeploymentStrategy.allAtOnce(), deployment, featureFlags: flags }))).toBe(
      'ArgoRollout: featureFlags needs the pod template, which a rollout referencing a Deployment (workloadRef) does not render, got a deployment. '
      + 'Add flags.podAnnotations to the Deployment\'s podMetadata, or pass containers instead of deployment.');
    expect(messageOf(() => new ArgoRollout(c, 'api2', { strategy: DeploymentStrategy.allAtOnce(), containers: CONTAINERS, featureFlags: { name: 'x' } as any }))).toContain(
      'ArgoRollout: featureFlags must be an OpenFeatureFlags, got {"name":"x"}');
  });

  test('fails when no namespace is known, or on bad props', () => {
    expect(messageOf(() => new OpenFeatureFlags(chart({}), 'flags', { flagSet: shopFlags() }))).toBe(
      'OpenFeatureFlags: namespace is required when the chart has no namespace: the FeatureFlagSource and the pods refer to the FeatureFlag as namespace/name, got undefined. '
      + 'Pass namespace, or set it on the chart.');
    expect(messageOf(() => new OpenFeatureFlags(chart(), 'flags', { flagSet: {} as any }))).toBe(
      'OpenFeatureFlags: flagSet must be a FlagSet, got {}. Pass FlagSet.of({ name, flags, ... }).');
    expect(messageOf(() => new OpenFeatureFlags(chart(), 'flags', { flagSet: shopFlags(), port: 0 }))).toContain('port must be a port number between 1 and 65535, got 0');
    expect(messageOf(() => new OpenFeatureFlags(chart(), 'flags', { flagSet: shopFlags(), name: 'Bad_Name' }))).toContain('name must be a Kubernetes object name');
  });

  describe('what a user can rely on from flagd\'s fractional bucketing (100k synthetic ids)', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
    const share = (doc: any, key: string, variant: string, context: (id: string) => Record<string, any>) =>
      (ids.filter(id => variantFor(doc, key, context(id)) === variant).length / ids.length) * 100;
    const rollout = (stages: RolloutStage[], currentStage: number, seed?: string) => FlagSet.of({
      name: 'app',
      today: TODAY,
      attributes: [ContextAttribute.string('userId')],
      flags: [Flag.boolean({ key: 'new-checkout', description: 'd', owner: 'o', type: FlagType.RELEASE, expires: '2027-01-01', rollout: StagedRollout.of({ stages, currentStage, seed }) })],
    });

    test('the bucketing maps ids to 0..99 evenly', () => {
      const counts = new Array(100).fill(0);
      for (const id of ids) counts[flagdBucket(`new-checkout${id}`)]++;
      expect(Math.min(...counts)).toBeGreaterThan(850);
      expect(Math.max(...counts)).toBeLessThan(1150);
    });

    test.each([1, 10, 25, 50, 90])('a %d%% stage reaches its share within ±1 point', (percent) => {
      const doc = renderFlagd(rollout([RolloutStage.percent(percent), RolloutStage.everyone()], 1));
      expect(Math.abs(share(doc, 'new-checkout', 'on', id => ({ userId: id })) - percent)).toBeLessThanOrEqual(1);
    });

    test('each experiment variant receives its share within ±1 point, and ids without the key get the default', () => {
      const set = FlagSet.of({
        name: 'app',
        today: TODAY,
        attributes: [ContextAttribute.string('userId')],
        flags: [Flag.string({
          key: 'ranking',
          description: 'd',
          owner: 'o',
          type: FlagType.EXPERIMENT,
          expires: '2027-01-01',
          variants: { a: 'A', b: 'B', c: 'C' },
          defaultVariant: 'a',
          split: PercentageSplit.of({ shares: [VariantShare.of('b', 20), VariantShare.of('c', 30), VariantShare.of('a', 50)] }),
        })],
      });
      const doc = renderFlagd(set);
      for (const [variant, percent] of [['b', 20], ['c', 30], ['a', 50]] as const) {
        expect(Math.abs(share(doc, 'ranking', variant, id => ({ userId: id })) - percent)).toBeLessThanOrEqual(1);
      }
      expect(variantFor(doc, 'ranking', {})).toBe('a');
    });

    test('moving to the next stage keeps everyone who had the variant (sticky growth)', () => {
      const at10 = renderFlagd(rollout([RolloutStage.percent(10), RolloutStage.percent(50)], 1));
      const at50 = renderFlagd(rollout([RolloutStage.percent(10), RolloutStage.percent(50)], 2));
      const on10 = ids.filter(id => variantFor(at10, 'new-checkout', { userId: id }) === 'on');
      expect(on10.length).toBeGreaterThan(9000);
      expect(on10.filter(id => variantFor(at50, 'new-checkout', { userId: id }) !== 'on')).toStrictEqual([]);
    });

    test('segments come first: an internal user gets the variant whatever the bucket', () => {
      const doc = renderFlagd(shopFlags({}, 1));
      expect(share(doc, 'new-checkout', 'on', id => ({ userId: id, email: `${id}@example.com` }))).toBe(100);
      expect(share(doc, 'new-checkout', 'on', id => ({ userId: id, email: `${id}@elsewhere.org` }))).toBe(0);
    });

    test('flags with the same seed bucket a user the same way; with their own keys they do not', () => {
      const a = renderFlagd(rollout([RolloutStage.percent(30)], 1, 'shared'));
      const other = FlagSet.of({
        name: 'app',
        today: TODAY,
        attributes: [ContextAttribute.string('userId')],
        flags: [Flag.boolean({ key: 'other', description: 'd', owner: 'o', type: FlagType.RELEASE, expires: '2027-01-01', rollout: StagedRollout.of({ stages: [RolloutStage.percent(30)], currentStage: 1, seed: 'shared' }) })],
      });
      const b = renderFlagd(other);
      const disagree = ids.filter(id => variantFor(a, 'new-checkout', { userId: id }) !== variantFor(b, 'other', { userId: id }));
      expect(disagree).toStrictEqual([]);
      const own = renderFlagd(rollout([RolloutStage.percent(30)], 1));
      const differ = ids.filter(id => variantFor(own, 'new-checkout', { userId: id }) !== variantFor(b, 'other', { userId: id })).length;
      expect(differ).toBeGreaterThan(30_000);
    });
  });
});
