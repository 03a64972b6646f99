import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { bucket, matches, variantFor } from './appconfig-rules';
import { newStack, only } from './util';
import {
  Analysis, AppConfigFlags, CanaryStep, Comparison, ContextAttribute, DeploymentStrategy, Flag, FlagMetrics, FlagSet, FlagType, HealthCheck,
  PercentageSplit,
  RolloutStage, StagedRollout, VariantShare,
} from '../../src';
import { renderAppConfigContent, renderAppConfigRollout } from '../../src/aws/private/appconfig';
import { awsShopFlags, messageOf, shopFlags, TODAY } from '../flags/fixtures';

const checks = () => Analysis.of({
  checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
});
const linear = () => DeploymentStrategy.linear({
  stepPercent: 20, interval: Duration.minutes(5), analysis: checks(), keepPreviousVersionFor: Duration.minutes(10),
});

function fn(stack: Stack, id = 'Fn') {
  return new lambda.Function(stack, id, { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1;') });
}

function flags(stack: Stack, extra: Partial<ConstructorParameters<typeof AppConfigFlags>[2]> = {}, id = 'Flags') {
  const alias = new lambda.Alias(stack, `${id}Alias`, { aliasName: 'live', version: fn(stack, `${id}Fn`).currentVersion });
  return new AppConfigFlags(stack, id, { flagSet: awsShopFlags(), strategy: linear(), metrics: FlagMetrics.lambdaAlias(alias), ...extra });
}

function documentedSchema() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(path.join(__dirname, 'appconfig-feature-flags.schema.json'), 'utf-8')));
}

describe('AppConfig', () => {
  test('the content follows the documented feature-flag schema, and the schema catches a broken document', () => {
    const validate = documentedSchema();
    for (const stage of [0, 1, 2, 3, 4]) {
      const doc = renderAppConfigContent(awsShopFlags({}, stage));
      expect(validate(doc) ? [] : validate.errors).toStrictEqual([]);
    }
    const broken = renderAppConfigContent(awsShopFlags());
    broken.values['new-checkout']._variants[0].weight = 1;
    expect(validate(broken)).toBe(false);
  });

  test('renders definitions, attribute constraints and variants in evaluation order', () => {
    const doc = renderAppConfigContent(awsShopFlags());
    expect(doc.flags['new-checkout']).toStrictEqual({ name: 'new-checkout', description: 'The one-page checkout', _deprecation: { status: 'planned', date: '2027-02-01' } });
    expect(doc.values['new-checkout']).toStrictEqual({
      enabled: false,
      _variants: [
        {
          name: 'on',
          enabled: true,
          rule: '(or (or (ends_with $email "@example.com") (and (in $country ["NZ", "IE"]) (gte $accountAgeDays 30))) (and (exists key::"userId") (split pct::10 by::$userId seed::"new-checkout")))',
        },
        { name: 'off', enabled: false },
      ],
    });
    expect(doc.flags.searchRanking.attributes).toStrictEqual({ value: { constraints: { type: 'string', enum: ['bm25', 'learned-v2'], required: true } } });
    expect(doc.values.searchRanking._variants.map((v: any) => [v.name, v.attributeValues])).toStrictEqual([['treatment', { value: 'learned-v2' }], ['control', { value: 'bm25' }]]);
    expect(doc.flags.banner.attributes).toStrictEqual({ show: { constraints: { type: 'boolean' } }, text: { constraints: { type: 'string' } } });
    expect(doc.values.banner._variants[0]).toStrictEqual({
      name: 'holiday', enabled: true, rule: '(and (eq $country "NZ") (begins_with $email "vip."))', attributeValues: { show: true, text: 'Happy holidays' },
    });
    expect(doc.values['recommendations-off']).toStrictEqual({ enabled: false });
    expect(doc.flags['recommendations-off']._deprecation).toBeUndefined();
    // At 100% every rule serves the default: nothing is left to evaluate.
    expect(renderAppConfigContent(awsShopFlags({}, 4)).values['new-checkout']).toStrictEqual({ enabled: true });
  });

  describe('the emitted rules\' arithmetic (variants top to bottom, stacked splits cumulative)', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);
    const experiment = (shares: Array<[string, number]>) => FlagSet.of({
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
        split: PercentageSplit.of({ shares: shares.map(([v, p]) => VariantShare.of(v, p)) }),
      })],
    });
    const shares = (values: any) => {
      const counts: Record<string, number> = {};
      for (const id of ids) {
        const v = variantFor(values, { userId: id });
        counts[v!] = (counts[v!] ?? 0) + 1;
      }
      return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, Math.round((n / ids.length) * 1000) / 10]));
    };

    test('each share is the difference of cumulative percentages', () => {
      const values = renderAppConfigContent(experiment([['b', 20], ['c', 20], ['a', 60]])).values.ranking;
      expect(values._variants.map((v: any) => v.rule)).toStrictEqual([
        '(and (exists key::"userId") (split pct::20 by::$userId seed::"ranking"))',
        '(and (exists key::"userId") (split pct::40 by::$userId seed::"ranking"))',
        undefined,
      ]);
      const got = shares(values);
      expect(Math.abs(got.b - 20)).toBeLessThanOrEqual(1);
      expect(Math.abs(got.c - 20)).toBeLessThanOrEqual(1);
      expect(Math.abs(got.a - 60)).toBeLessThanOrEqual(1);
    });

    test('the documented pitfall: the same 20% twice gives 20% and 0%', () => {
      const naive = {
        _variants: [
          { name: 'b', rule: '(split pct::20 by::$userId seed::"ranking")' },
          { name: 'c', rule: '(split pct::20 by::$userId seed::"ranking")' },
          { name: 'a' },
        ],
      };
      const got = shares(naive);
      expect(got.c).toBeUndefined();
      expect(Math.abs(got.b - 20)).toBeLessThanOrEqual(1);
    });

    test('a context without the split key gets the default; the rule model buckets evenly', () => {
      const values = renderAppConfigContent(experiment([['b', 50], ['a', 50]])).values.ranking;
      expect(variantFor(values, {})).toBe('a');
      expect(matches('(and (exists key::"userId") (split pct::100 by::$userId seed::"x"))', { userId: 'u' })).toBe(true);
      const low = ids.filter(id => bucket('x', id) < 1).length;
      expect(Math.abs(low / 1000 - 1)).toBeLessThan(0.2);
    });

    test('a staged rollout keeps everyone who had the variant when it grows', () => {
      const served = (values: any, context: Record<string, any>) => {
        const name = variantFor(values, context);
        return name === undefined ? values.enabled : values._variants.find((v: any) => v.name === name).enabled;
      };
      const grow = (stage: number) => FlagSet.of({
        name: 'app',
        today: TODAY,
        attributes: [ContextAttribute.string('userId')],
        flags: [Flag.boolean({
          key: 'new-checkout',
          description: 'd',
          owner: 'o',
          type: FlagType.RELEASE,
          expires: '2027-01-01',
          rollout: StagedRollout.of({ stages: [RolloutStage.percent(10), RolloutStage.percent(50), RolloutStage.everyone()], currentStage: stage }),
        })],
      });
      const at = (stage: number) => renderAppConfigContent(grow(stage)).values['new-checkout'];
      const on10 = ids.filter(id => served(at(1), { userId: id }));
      expect(Math.abs(on10.length / 1000 - 10)).toBeLessThanOrEqual(1);
      const at2 = at(2);
      expect(on10.filter(id => !served(at2, { userId: id }))).toStrictEqual([]);
      expect(Math.abs(ids.filter(id => served(at2, { userId: id })).length / 1000 - 50)).toBeLessThanOrEqual(1);
      expect(at(3)).toStrictEqual({ enabled: true });
      expect(variantFor(renderAppConfigContent(awsShopFlags({}, 3)).values['new-checkout'], { userId: 'x', email: 'x@example.com' })).toBe('on');
    });
  });

  describe('a flag change rolls out with the same DeploymentStrategy', () => {
    test('linear: growth factor = step percent, one interval per step, the keep window as final bake', () => {
      const r = renderAppConfigRollout('t', linear());
      expect(r).toMatchObject({ growthType: 'LINEAR', growthFactor: 20, deploymentDurationMinutes: 25, finalBakeMinutes: 5 });
      expect(r.phases.map(p => [p.trafficPercent, p.duration.toMinutes()])).toStrictEqual([[20, 5], [40, 5], [60, 5], [80, 5], [100, 10]]);
    });

    test('a canary whose steps double is exponential growth', () => {
      const s = DeploymentStrategy.canary({
        steps: [10, 20, 40, 80].map(w => CanaryStep.of(w, Duration.minutes(4))), analysis: checks(), keepPreviousVersionFor: Duration.minutes(4),
      });
      expect(renderAppConfigRollout('t', s)).toMatchObject({ growthType: 'EXPONENTIAL', growthFactor: 10, deploymentDurationMinutes: 20, finalBakeMinutes: 0 });
    });

    test('all at once: no growth, the keep window as final bake', () => {
      expect(renderAppConfigRollout('t', DeploymentStrategy.allAtOnce({ keepPreviousVersionFor: Duration.minutes(15) })))
        .toMatchObject({ growthType: 'LINEAR', growthFactor: 100, deploymentDurationMinutes: 0, finalBakeMinutes: 15 });
    });

    test('fails when AppConfig cannot express the strategy', () => {
      expect(messageOf(() => renderAppConfigRollout('AppConfigFlags', DeploymentStrategy.canary({
        steps: [CanaryStep.of(5, Duration.minutes(10)), CanaryStep.of(25, Duration.minutes(10))], analysis: checks(),
      })))).toBe('AppConfigFlags: strategy.steps must double at every step (5, 10, 20, 40, 80) to map to AppConfig\'s exponential growth; AppConfig has no other canary shape, got 5, 25. '
        + 'Use steps 5, 10, 20, 40, 80 with equal bakes, or DeploymentStrategy.linear({ stepPercent }).');
      expect(messageOf(() => renderAppConfigRollout('AppConfigFlags', DeploymentStrategy.blueGreen({ postPromotionAnalysis: Analysis.none('flags') })))).toContain(
        'strategy is blue-green, which AppConfig cannot express');
      expect(messageOf(() => renderAppConfigRollout('AppConfigFlags', DeploymentStrategy.canary({
        steps: [[10, 4], [20, 5], [40, 4], [80, 4]].map(([w, m]) => CanaryStep.of(w, Duration.minutes(m))),
        analysis: checks(),
      })))).toContain('strategy has steps with different bake times');
      expect(messageOf(() => renderAppConfigRollout('AppConfigFlags', DeploymentStrategy.canary({
        steps: [CanaryStep.withManualGate(50, Duration.minutes(4))], analysis: checks(),
      })))).toContain('strategy has a manual gate');
      expect(messageOf(() => renderAppConfigRollout('AppConfigFlags', DeploymentStrategy.linear({
        stepPercent: 20, interval: Duration.minutes(5), analysis: checks(), keepPreviousVersionFor: Duration.minutes(2),
      })))).toContain('strategy.keepPreviousVersionFor must be at least one step (5m)');
      expect(messageOf(() => renderAppConfigRollout('AppConfigFlags', DeploymentStrategy.linear({
        stepPercent: 1, interval: Duration.minutes(20), analysis: checks(), keepPreviousVersionFor: Duration.minutes(20),
      })))).toContain('strategy takes 2000 minutes to reach 100% (100 intervals of 20), more than AppConfig\'s 1440');
      expect(messageOf(() => renderAppConfigRollout('AppConfigFlags', DeploymentStrategy.linear({
        stepPercent: 20, interval: Duration.minutes(2), analysis: checks(), keepPreviousVersionFor: Duration.minutes(10),
      })))).toContain('strategy step bake time must be at least the time the rollback alarms need to fire');
    });
  });

  test('synthesizes the application, environment with monitors, hosted configuration, strategy and deployment', () => {
    const stack = newStack();
    const f = flags(stack);
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::AppConfig::Application', { Name: 'shop' });
    t.hasResourceProperties('AWS::AppConfig::ConfigurationProfile', { Name: 'shop', Type: 'AWS.AppConfig.FeatureFlags', LocationUri: 'hosted' });
    t.hasResourceProperties('AWS::AppConfig::HostedConfigurationVersion', { ContentType: 'application/json', Content: f.content });
    expect(JSON.parse(f.content)).toStrictEqual(renderAppConfigContent(awsShopFlags()));
    t.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', { GrowthType: 'LINEAR', GrowthFactor: 20, DeploymentDurationInMinutes: 25, FinalBakeTimeInMinutes: 5, ReplicateTo: 'NONE' });
    t.resourceCountIs('AWS::AppConfig::Deployment', 1);
    const env = only(t, 'AWS::AppConfig::Environment');
    expect(env.Properties.Name).toBe('production');
    expect(env.Properties.Monitors).toHaveLength(2);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { TreatMissingData: 'notBreaching', EvaluationPeriods: 2, DatapointsToAlarm: 2, Threshold: 1 });
    expect(f.plan.toMarkdown()).toContain('### Rollout plan: linear growth (AppConfig)');
    expect(f.plan.phases.map(p => p.trafficPercent)).toStrictEqual([20, 40, 60, 80, 100]);
  });

  test('the same declaration synthesizes the same template', () => {
    const a = newStack();
    flags(a);
    const b = newStack();
    flags(b);
    expect(JSON.stringify(Template.fromStack(a).toJSON())).toBe(JSON.stringify(Template.fromStack(b).toJSON()));
  });

  test('one deployment strategy per distinct policy in the stack', () => {
    const stack = newStack();
    flags(stack, {}, 'A');
    flags(stack, { flagSet: awsShopFlags({ name: 'other' }) }, 'B');
    flags(stack, { flagSet: awsShopFlags({ name: 'third' }), strategy: DeploymentStrategy.allAtOnce({ analysis: checks(), keepPreviousVersionFor: Duration.minutes(5) }) }, 'C');
    Template.fromStack(stack).resourceCountIs('AWS::AppConfig::DeploymentStrategy', 2);
  });

  test('a killed flag deploys all at once, with a warning', () => {
    const stack = newStack();
    const set = FlagSet.of({
      name: 'app',
      today: TODAY,
      flags: [Flag.boolean({ key: 'search', description: 'd', owner: 'o', type: FlagType.KILL_SWITCH, defaultValue: true, killed: true })],
    });
    const f = flags(stack, { flagSet: set });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::AppConfig::DeploymentStrategy', { GrowthType: 'LINEAR', GrowthFactor: 100, DeploymentDurationInMinutes: 0, FinalBakeTimeInMinutes: 0 });
    expect(JSON.parse(f.content).values.search).toStrictEqual({ enabled: false });
    Annotations.fromStack(stack).hasWarning('/Test/Flags', Match.stringLikeRegexp('Flag\\(s\\) search killed: this configuration deploys all at once'));
    expect(f.plan.notes[0]).toBe('Killed flag(s) search: the configuration deploys all at once, with no growth and no bake, while a flag is killed.');
  });

  test('warns about flags close to their expiry', () => {
    const stack = newStack();
    flags(stack, { flagSet: awsShopFlags({ today: '2027-01-10' }) });
    Annotations.fromStack(stack).hasWarning('/Test/Flags', Match.stringLikeRegexp('Flag "searchRanking" \\(experiment, owner team-search\\) expires on 2027-01-15, in 5 day'));
  });

  test('grantRead allows reading exactly this configuration profile', () => {
    const stack = newStack();
    const f = flags(stack);
    const reader = fn(stack, 'Reader');
    f.grantRead(reader);
    const policy = Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy')).find((p: any) => JSON.stringify(p).includes('Reader'))!;
    expect(policy.Properties.PolicyDocument.Statement[0].Action).toStrictEqual(['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration']);
    expect(JSON.stringify(policy.Properties.PolicyDocument.Statement[0].Resource)).toContain('/configuration/');
    expect(JSON.stringify(policy.Properties.PolicyDocument.Statement[0].Resource)).not.toContain('*');
  });

  test('addAgentTo adds the AppConfig Agent sidecar with the prefetch list and grants the task role', () => {
    const stack = newStack();
    const f = flags(stack);
    const task = new ecs.FargateTaskDefinition(stack, 'Task');
    task.addContainer('app', { image: ecs.ContainerImage.fromRegistry('nginx') });
    f.addAgentTo(task);
    const def = only(Template.fromStack(stack), 'AWS::ECS::TaskDefinition');
    const agent = def.Properties.ContainerDefinitions.find((c: any) => c.Image === 'public.ecr.aws/aws-appconfig/aws-appconfig-agent:2.x');
    expect(agent.Essential).toBe(false);
    expect(agent.PortMappings).toStrictEqual([{ ContainerPort: 2772, Protocol: 'tcp' }]);
    expect(agent.Environment.map((e: any) => e.Name)).toStrictEqual(['PREFETCH_LIST', 'SERVICE_REGION']);
  });

  test('addExtensionTo adds the region\'s extension layer and the prefetch variable', () => {
    const stack = newStack();
    const f = flags(stack);
    const target = fn(stack, 'Target');
    f.addExtensionTo(target);
    const t = Template.fromStack(stack);
    const resource = Object.values(t.findResources('AWS::Lambda::Function')).find((r: any) => r.Properties.Layers)!;
    expect(resource.Properties.Layers[0]).toMatch(/^arn:aws:lambda:eu-west-1:\d+:layer:AWS-AppConfig-Extension:\d+$/);
    expect(Object.keys(resource.Properties.Environment.Variables)).toStrictEqual(['AWS_APPCONFIG_EXTENSION_PREFETCH_LIST']);
    const agnostic = new Stack(new App(), 'Agnostic');
    const f2 = new AppConfigFlags(agnostic, 'Flags', { flagSet: awsShopFlags(), strategy: DeploymentStrategy.allAtOnce() });
    expect(messageOf(() => f2.addExtensionTo(fn(agnostic)))).toContain('options.layer is required: the stack has no concrete region with a known AppConfig extension layer, got an unresolved region');
  });

  test('writes the flag inventory into the cloud assembly, independent of the date', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'flags-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    new AppConfigFlags(stack, 'Flags', { flagSet: awsShopFlags(), strategy: DeploymentStrategy.allAtOnce() });
    app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf-8'));
    // Older cloud assemblies keep construct metadata in the manifest; newer ones in the artifact's additionalMetadataFile.
    const artifact = manifest.artifacts.S;
    const metadata = artifact.additionalMetadataFile
      ? { ...artifact.metadata, ...JSON.parse(fs.readFileSync(path.join(outdir, artifact.additionalMetadataFile), 'utf-8')) }
      : artifact.metadata;
    const entries = metadata['/S/Flags'].filter((m: any) => m.type === 'cdk-progressive-delivery:flag-inventory');
    expect(entries).toHaveLength(1);
    expect(entries[0].data).toMatchObject({ inventoryVersion: 1, flagSet: 'shop', platform: 'aws-appconfig' });
    expect(entries[0].data.flags.map((x: any) => x.key)).toStrictEqual(['new-checkout', 'searchRanking', 'page_size', 'banner', 'recommendations-off']);
  });

  test('fails on what AppConfig cannot hold or the construct cannot measure', () => {
    expect(messageOf(() => renderAppConfigContent(shopFlags()))).toBe(
      'AppConfigFlags: flag "page_size": condition compares a semantic version, which AppConfig rules cannot (they compare strings, numbers and timestamps), got appVersion >= 5.2.0 (semver). '
      + 'Serve this flag on Kubernetes (flagd has sem_ver), or pass the version as a number attribute (for example a build number) and use Condition.numeric.');
    const stack = newStack();
    expect(messageOf(() => new AppConfigFlags(stack, 'NoMetrics', { flagSet: awsShopFlags(), strategy: linear() }))).toContain(
      'metrics is required: the analysis has error-rate or latency checks, which need the service they judge, got undefined');
    const six = Analysis.of({ checks: [1, 2, 3, 4, 5, 6].map(i => HealthCheck.custom({ name: `c${i}`, threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatch: { namespace: 'N', metricName: `m${i}` } })) });
    expect(messageOf(() => new AppConfigFlags(stack, 'Six', {
      flagSet: awsShopFlags(),
      metrics: FlagMetrics.customOnly(),
      strategy: DeploymentStrategy.allAtOnce({ analysis: six, keepPreviousVersionFor: Duration.minutes(10) }),
    }))).toContain('strategy.analysis.checks must be at most 5: an AppConfig environment takes at most 5 monitors, got 6');
    expect(messageOf(() => new AppConfigFlags(stack, 'Bad', { flagSet: 'shop' as any, strategy: linear() }))).toContain('flagSet must be a FlagSet, got "shop"');
    const obj = FlagSet.of({
      name: 'app',
      today: TODAY,
      flags: [Flag.object({ key: 'cfg', description: 'd', owner: 'o', type: FlagType.PERMISSION, variants: { a: { nested: { x: 1 } }, b: { nested: { x: 2 } } }, defaultVariant: 'a' })],
    });
    expect(messageOf(() => renderAppConfigContent(obj))).toContain('variants.a.nested must be a string, number, boolean or a non-empty array of strings or of numbers');
  });
});
