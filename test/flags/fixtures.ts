import {
  ContextAttribute, ContextComparison, Condition, Flag, FlagSet, FlagSetProps, FlagType, PercentageSplit, RolloutStage, Segment,
  StagedRollout, TargetingRule, VariantShare,
} from '../../src';

export const TODAY = '2026-12-03';

/** A representative flag set: a staged boolean release, a string experiment, a number flag, an object flag, a kill switch. */
export function shopFlags(overrides: Partial<FlagSetProps> = {}, currentStage = 3): FlagSet {
  return FlagSet.of({
    name: 'shop',
    today: TODAY,
    attributes: [
      ContextAttribute.string('userId'),
      ContextAttribute.string('email'),
      ContextAttribute.string('country'),
      ContextAttribute.number('accountAgeDays'),
      ContextAttribute.semver('appVersion'),
    ],
    segments: [
      Segment.of({ name: 'internal', conditions: [Condition.endsWith('email', '@example.com')], description: 'employees' }),
      Segment.of({ name: 'beta', conditions: [Condition.oneOf('country', ['NZ', 'IE']), Condition.numeric('accountAgeDays', ContextComparison.GREATER_OR_EQUAL, 30)] }),
    ],
    flags: [
      Flag.boolean({
        key: 'new-checkout',
        description: 'The one-page checkout',
        owner: 'team-checkout',
        type: FlagType.RELEASE,
        created: '2026-11-01',
        expires: '2027-02-01',
        rollout: StagedRollout.of({
          stages: [RolloutStage.segment('internal'), RolloutStage.segment('beta'), RolloutStage.percent(10), RolloutStage.everyone()],
          currentStage,
        }),
      }),
      Flag.string({
        key: 'searchRanking',
        description: 'Ranking model experiment',
        owner: 'team-search',
        type: FlagType.EXPERIMENT,
        expires: '2027-01-15',
        variants: { control: 'bm25', treatment: 'learned-v2' },
        defaultVariant: 'control',
        rules: [TargetingRule.of({ when: [Condition.inSegment('internal')], variant: 'treatment' })],
        split: PercentageSplit.of({ shares: [VariantShare.of('treatment', 20), VariantShare.of('control', 80)] }),
      }),
      Flag.number({
        key: 'page_size',
        description: 'Results per page',
        owner: 'team-search',
        type: FlagType.OPERATIONAL,
        expires: '2027-03-01',
        variants: { small: 20, large: 50 },
        defaultVariant: 'small',
        rules: [TargetingRule.of({ when: [Condition.semver('appVersion', ContextComparison.GREATER_OR_EQUAL, '5.2.0')], variant: 'large' })],
      }),
      Flag.object({
        key: 'banner',
        description: 'Holiday banner',
        owner: 'team-web',
        type: FlagType.PERMISSION,
        variants: { none: { show: false, text: '' }, holiday: { show: true, text: 'Happy holidays' } },
        defaultVariant: 'none',
        rules: [TargetingRule.of({ when: [Condition.equalTo('country', 'NZ'), Condition.startsWith('email', 'vip.')], variant: 'holiday' })],
      }),
      Flag.boolean({
        key: 'recommendations-off',
        description: 'Turns recommendations off under load',
        owner: 'team-sre',
        type: FlagType.KILL_SWITCH,
      }),
    ],
    ...overrides,
  });
}

/** The first error message `fn` throws. */
export function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

/** The shop flags without the semantic-version rule, which AppConfig cannot express. */
export function awsShopFlags(overrides: Partial<FlagSetProps> = {}, currentStage = 3): FlagSet {
  const shop = shopFlags({}, currentStage);
  return FlagSet.of({
    name: shop.name,
    today: TODAY,
    attributes: shop.attributes,
    segments: shop.segments,
    flags: shop.flags.map(f => f.key !== 'page_size' ? f : Flag.number({
      key: 'page_size',
      description: 'Results per page',
      owner: 'team-search',
      type: FlagType.OPERATIONAL,
      expires: '2027-03-01',
      variants: { small: 20, large: 50 },
      defaultVariant: 'small',
      rules: [TargetingRule.of({ when: [Condition.numeric('accountAgeDays', ContextComparison.GREATER_THAN, 365)], variant: 'large' })],
    })),
    ...overrides,
  });
}
