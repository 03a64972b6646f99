import { Duration, Lazy, Token } from 'aws-cdk-lib';
import {
  Analysis, CanaryStep, Capacity, Comparison, DeploymentStrategy, HealthCheck, Promotion, RolloutPlan,
} from '../../src';

const errorRate = HealthCheck.errorRate({ maxPercent: 1 });
const analysis = Analysis.of({ checks: [errorRate] }); // detects in 2m
const any = (v: unknown) => v as any;

/**
 * Every validation rule of the declaration, with the exact message the user sees: the field, the
 * value received and the fix.
 */
describe('every invalid declaration fails with a message naming the field, the value and the fix', () => {
  const cases: Array<[string, () => unknown, string]> = [
    // HealthCheck.errorRate
    ['error rate props are missing', () => HealthCheck.errorRate(any(undefined)),
      'HealthCheck.errorRate: props must be an object, got undefined. Pass the options object.'],
    ['error rate is negative', () => HealthCheck.errorRate({ maxPercent: -1 }),
      'HealthCheck.errorRate: maxPercent must be at least 0 and less than 100, got -1. Pass the highest acceptable error share in percent, for example 1 for 1%.'],
    ['error rate is 100%', () => HealthCheck.errorRate({ maxPercent: 100 }),
      'HealthCheck.errorRate: maxPercent must be at least 0 and less than 100, got 100. Pass the highest acceptable error share in percent, for example 1 for 1%.'],
    ['error rate is NaN', () => HealthCheck.errorRate({ maxPercent: NaN }),
      'HealthCheck.errorRate: maxPercent must be a finite number, got NaN. Pass the highest acceptable error share in percent, for example 1 for 1%.'],
    ['a check name has upper case', () => HealthCheck.errorRate({ maxPercent: 1, name: 'Errors' }),
      'HealthCheck.errorRate: name must be 1-63 lower-case letters, digits or "-", starting and ending with a letter or digit, got "Errors". Use a name such as "error-rate" or "queue-depth".'],
    // HealthCheck.latency
    ['latency percentile is 100', () => HealthCheck.latency({ percentile: 100, max: Duration.millis(200) }),
      'HealthCheck.latency: percentile must be greater than 0 and less than 100, got 100. Pass a percentile such as 99 or 99.9.'],
    ['latency percentile has three decimals', () => HealthCheck.latency({ percentile: 99.999, max: Duration.millis(200) }),
      'HealthCheck.latency: percentile must have at most two decimal places, got 99.999. Pass a percentile such as 99 or 99.9.'],
    ['latency max is zero', () => HealthCheck.latency({ percentile: 99, max: Duration.millis(0) }),
      'HealthCheck.latency: max must be longer than zero, got 0s. Pass a positive Duration.'],
    ['latency max is a number', () => HealthCheck.latency({ percentile: 99, max: any(500) }),
      'HealthCheck.latency: max must be a Duration (for example Duration.minutes(5)), got 500. Pass max as a Duration.'],
    // HealthCheck.custom
    ['a custom check has no query', () => HealthCheck.custom({ name: 'queue', threshold: 1, failWhen: Comparison.GREATER_THAN }),
      'HealthCheck.custom: cloudWatch/cloudWatchMetric/prometheus/datadog/datadogFormula/kayenta must include at least one query, got none. Add the query for each platform the strategy is rendered to.'],
    ['a custom check has no name', () => HealthCheck.custom(any({ threshold: 1, failWhen: Comparison.GREATER_THAN, prometheus: 'up' })),
      'HealthCheck.custom: name must be 1-63 lower-case letters, digits or "-", starting and ending with a letter or digit, got undefined. Use a name such as "error-rate" or "queue-depth".'],
    ['a custom threshold is infinite', () => HealthCheck.custom({ name: 'q', threshold: Infinity, failWhen: Comparison.GREATER_THAN, prometheus: 'up' }),
      'HealthCheck.custom: threshold must be a finite number, got Infinity. Pass the number the measurement is compared with.'],
    ['a custom comparison is unknown', () => HealthCheck.custom({ name: 'q', threshold: 1, failWhen: any('ABOVE'), prometheus: 'up' }),
      'HealthCheck.custom: failWhen must be a Comparison, got "ABOVE". Pass for example Comparison.GREATER_THAN.'],
    ['a custom CloudWatch namespace is empty', () => HealthCheck.custom({ name: 'q', threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatch: { namespace: ' ', metricName: 'M' } }),
      'HealthCheck.custom: cloudWatch.namespace must be a non-empty string, got " ". Set cloudWatch.namespace.'],
    ['a custom CloudWatch metric name is missing', () => HealthCheck.custom({ name: 'q', threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatch: any({ namespace: 'App' }) }),
      'HealthCheck.custom: cloudWatch.metricName must be a non-empty string, got undefined. Set cloudWatch.metricName.'],
    ['a custom CloudWatch statistic is unknown', () => HealthCheck.custom({ name: 'q', threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatch: { namespace: 'App', metricName: 'M', statistic: 'Median' } }),
      'HealthCheck.custom: cloudWatch.statistic must be Average, Sum, Minimum, Maximum, SampleCount or a percentile like p99, got "Median". Pass one of those statistics.'],
    ['a custom CloudWatch dimension is empty', () => HealthCheck.custom({ name: 'q', threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatch: { namespace: 'App', metricName: 'M', dimensions: { Service: '' } } }),
      'HealthCheck.custom: cloudWatch.dimensions.Service must be a non-empty string, got "". Set cloudWatch.dimensions.Service.'],
    ['a custom PromQL query is empty', () => HealthCheck.custom({ name: 'q', threshold: 1, failWhen: Comparison.GREATER_THAN, prometheus: '' }),
      'HealthCheck.custom: prometheus must be a non-empty string, got "". Set prometheus.'],
    ['a custom Datadog query is empty', () => HealthCheck.custom({ name: 'q', threshold: 1, failWhen: Comparison.GREATER_THAN, datadog: '' }),
      'HealthCheck.custom: datadog must be a non-empty string, got "". Set datadog.'],
    // Analysis
    ['an analysis has no checks', () => Analysis.of({ checks: [] }),
      'Analysis.of: checks must contain at least one HealthCheck, got []. Add a check such as HealthCheck.errorRate({ maxPercent: 1 }), or use Analysis.none("why") to opt out explicitly.'],
    ['an analysis holds something that is not a check', () => Analysis.of({ checks: [any({ name: 'x' })] }),
      'Analysis.of: checks[0] must be a HealthCheck, got {"name":"x"}. Build checks with HealthCheck.errorRate, .latency or .custom.'],
    ['two checks share a name', () => Analysis.of({ checks: [errorRate, HealthCheck.errorRate({ maxPercent: 5 })] }),
      'Analysis.of: checks[1].name must be unique within an analysis, got "error-rate". Give each check its own name.'],
    ['the interval is zero', () => Analysis.of({ checks: [errorRate], interval: Duration.seconds(0) }),
      'Analysis.of: interval must be longer than zero, got 0s. Pass a positive Duration.'],
    ['the interval has milliseconds', () => Analysis.of({ checks: [errorRate], interval: Duration.millis(1500) }),
      'Analysis.of: interval must be a whole number of seconds, got 1500ms. Round it to whole seconds.'],
    ['the interval is a token', () => Analysis.of({ checks: [errorRate], interval: Duration.seconds(Token.asNumber({ Ref: 'P' })) }),
      'Analysis.of: interval must be a concrete duration known at synth time, got an unresolved token. Pass a literal Duration such as Duration.minutes(5).'],
    ['the failure limit is fractional', () => Analysis.of({ checks: [errorRate], failureLimit: 1.5 }),
      'Analysis.of: failureLimit must be a whole number, got 1.5. Pass the number of failed measurements to tolerate, for example 1.'],
    ['the failure limit is negative', () => Analysis.of({ checks: [errorRate], failureLimit: -1 }),
      'Analysis.of: failureLimit must be at least 0 and at most 100, got -1. Pass the number of failed measurements to tolerate, for example 1.'],
    ['the minimum request count is negative', () => Analysis.of({ checks: [errorRate], minRequests: -5 }),
      'Analysis.of: minRequests must be at least 0 and at most 1000000000, got -5. Pass the minimum number of requests per interval, for example 10.'],
    ['Analysis.none gives no reason', () => Analysis.none(''),
      'Analysis.none: reason must say why the rollout runs without checks, got "". Pass a reason such as "batch worker without traffic metrics".'],
    // CanaryStep
    ['a canary weight is 0', () => CanaryStep.of(0, Duration.minutes(5)),
      'CanaryStep.of: weight must be at least 1 and at most 99, got 0. Pass a weight between 1 and 99; the rollout goes to 100% by itself after the last step.'],
    ['a canary weight is 100', () => CanaryStep.withManualGate(100, Duration.minutes(5)),
      'CanaryStep.withManualGate: weight must be at least 1 and at most 99, got 100. Pass a weight between 1 and 99; the rollout goes to 100% by itself after the last step.'],
    ['a canary bake is zero', () => CanaryStep.of(5, Duration.minutes(0)),
      'CanaryStep.of: bakeTime must be longer than zero, got 0s. Pass a positive Duration.'],
    // Promotion, Capacity
    ['an automatic promotion waits an unresolved time', () => Promotion.automatic(Duration.minutes(Token.asNumber({ Ref: 'Wait' }))),
      'Promotion.automatic: after must be a concrete duration known at synth time, got an unresolved token. Pass a literal Duration such as Duration.minutes(5).'],
    ['a capacity percentage is above 100', () => Capacity.percent(150),
      'Capacity.percent: value must be at least 0 and at most 100, got 150. Pass a whole percentage between 0 and 100.'],
    ['a capacity count is fractional', () => Capacity.count(1.5),
      'Capacity.count: value must be a whole number, got 1.5. Pass a whole number of instances.'],
    ['a count is not an exact percentage of the desired count', () => Capacity.count(1).toPercentOf(3, 'maxSurge'),
      'Capacity: maxSurge is 1 of 3 instances, which is not a whole percentage, got 33.333333333333336%. Give it as Capacity.percent(n), or choose a count that divides evenly.'],
    // canary
    ['a canary has no steps', () => DeploymentStrategy.canary({ steps: [], analysis }),
      'DeploymentStrategy.canary: steps must contain at least one CanaryStep, got []. Add a step such as CanaryStep.of(10, Duration.minutes(10)); for a single switch use DeploymentStrategy.allAtOnce().'],
    ['canary weights do not increase', () => DeploymentStrategy.canary({ steps: [CanaryStep.of(20, Duration.minutes(5)), CanaryStep.of(20, Duration.minutes(5))], analysis }),
      'DeploymentStrategy.canary: steps[1].weight must be greater than steps[0].weight (20), got 20. Order the steps by strictly increasing weight.'],
    ['a canary step is a plain object', () => DeploymentStrategy.canary({ steps: [any({ weight: 5 })], analysis }),
      'DeploymentStrategy.canary: steps[0] must be a CanaryStep, got {"weight":5}. Build steps with CanaryStep.of(weight, bakeTime).'],
    ['a canary has no analysis', () => DeploymentStrategy.canary({ steps: [CanaryStep.of(5, Duration.minutes(5))], analysis: any(undefined) }),
      'DeploymentStrategy.canary: analysis is required and must be an Analysis, got undefined. Pass Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }), or Analysis.none("why") to roll out without checks on purpose.'],
    ['a canary step bakes shorter than the checks need', () => DeploymentStrategy.canary({ steps: [CanaryStep.of(5, Duration.minutes(5)), CanaryStep.of(50, Duration.minutes(1))], analysis }),
      "DeploymentStrategy.canary: steps[1].bakeTime must be at least the analysis' time to detect a failure, initialDelay + interval × (failureLimit + 1) = 2m, got 1m. Bake for 2m or more, or shorten the analysis interval or failure limit."],
    ['the initial delay makes the detection longer than the bake', () => DeploymentStrategy.canary({
      steps: [CanaryStep.of(5, Duration.minutes(2))], analysis: Analysis.of({ checks: [errorRate], initialDelay: Duration.seconds(30) }),
    }), "DeploymentStrategy.canary: steps[0].bakeTime must be at least the analysis' time to detect a failure, initialDelay + interval × (failureLimit + 1) = 2m 30s, got 2m. Bake for 2m 30s or more, or shorten the analysis interval or failure limit."],
    // linear
    ['a linear step is above 50%', () => DeploymentStrategy.linear({ stepPercent: 60, interval: Duration.minutes(5), analysis }),
      'DeploymentStrategy.linear: stepPercent must be at least 1 and at most 50, got 60. Pass the percent added per step, between 1 and 50 (above 50 there is only one step: use canary).'],
    ['a linear interval is shorter than the checks need', () => DeploymentStrategy.linear({ stepPercent: 10, interval: Duration.minutes(1), analysis }),
      "DeploymentStrategy.linear: interval must be at least the analysis' time to detect a failure, initialDelay + interval × (failureLimit + 1) = 2m, got 1m. Bake for 2m or more, or shorten the analysis interval or failure limit."],
    ['a linear interval is missing', () => DeploymentStrategy.linear(any({ stepPercent: 10, analysis })),
      'DeploymentStrategy.linear: interval must be a Duration (for example Duration.minutes(5)), got undefined. Pass interval as a Duration.'],
    // blue/green
    ['a blue/green promotes automatically without any check', () => DeploymentStrategy.blueGreen({}),
      'DeploymentStrategy.blueGreen: previewAnalysis/postPromotionAnalysis must judge the new version before or after an automatic promotion, got neither. Add previewAnalysis or postPromotionAnalysis, use Promotion.manual(), or pass postPromotionAnalysis: Analysis.none("why").'],
    ['a blue/green releases the old version before the post-promotion checks can fail', () => DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis, keepPreviousVersionFor: Duration.minutes(1) }),
      "DeploymentStrategy.blueGreen: keepPreviousVersionFor must be at least the post-promotion analysis' time to detect a failure (2m), or the previous version is gone before a failure can roll back to it, got 1m. Set keepPreviousVersionFor to 2m or more."],
    ['a blue/green promotion is not a Promotion', () => DeploymentStrategy.blueGreen({ promotion: any('manual'), previewAnalysis: analysis }),
      'DeploymentStrategy.blueGreen: promotion must be a Promotion, got "manual". Pass Promotion.automatic(wait) or Promotion.manual().'],
    ['a blue/green preview analysis is not an Analysis', () => DeploymentStrategy.blueGreen({ previewAnalysis: any([errorRate]) }),
      'DeploymentStrategy.blueGreen: previewAnalysis is required and must be an Analysis, got [{"kind":"ERROR_RATE","name":"error-rate","threshold":1,"failWhen":"GREATER_THAN"}]. Pass Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }), or Analysis.none("why") to roll out without checks on purpose.'],
    // rolling
    ['a rolling update allows neither surge nor unavailability', () => DeploymentStrategy.rolling({ maxSurge: Capacity.count(0), maxUnavailable: Capacity.percent(0), analysis }),
      'DeploymentStrategy.rolling: maxSurge/maxUnavailable must not both be zero, or no instance can ever be replaced, got 0 / 0%. Allow a surge (for example Capacity.percent(25)) or some unavailability.'],
    ['a rolling surge is a number', () => DeploymentStrategy.rolling({ maxSurge: any(25), analysis }),
      'DeploymentStrategy.rolling: maxSurge must be a Capacity, got 25. Pass Capacity.percent(n) or Capacity.count(n).'],
    ['a rolling unavailability is a string', () => DeploymentStrategy.rolling({ maxUnavailable: any('25%'), analysis }),
      'DeploymentStrategy.rolling: maxUnavailable must be a Capacity, got "25%". Pass Capacity.percent(n) or Capacity.count(n).'],
    ['a rolling update has no analysis', () => DeploymentStrategy.rolling(any({})),
      'DeploymentStrategy.rolling: analysis is required and must be an Analysis, got undefined. Pass Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }), or Analysis.none("why") to roll out without checks on purpose.'],
    ['a rolling bake is shorter than the checks need', () => DeploymentStrategy.rolling({ analysis, bakeTime: Duration.minutes(1) }),
      "DeploymentStrategy.rolling: bakeTime must be at least the analysis' time to detect a failure (2m), got 1m. Set bakeTime to 2m or more, or measure more often."],
    // all at once
    ['an all-at-once releases the old version before its checks can fail', () => DeploymentStrategy.allAtOnce({ analysis, keepPreviousVersionFor: Duration.seconds(30) }),
      "DeploymentStrategy.allAtOnce: keepPreviousVersionFor must be at least the analysis' time to detect a failure (2m), got 30s. Set keepPreviousVersionFor to 2m or more."],
    ['strategy props are not an object', () => DeploymentStrategy.allAtOnce(any(5)),
      'DeploymentStrategy.allAtOnce: props must be an object, got 5. Pass the options object.'],
    // plans built by targets
    ['a plan has no phases', () => RolloutPlan.fromPhases({ target: 't', strategy: 's', phases: [] }),
      'RolloutPlan.fromPhases: phases must contain at least one phase, got []. Pass the phases of the rollout in order.'],
    ['a plan lowers traffic', () => RolloutPlan.fromPhases({
      target: 't',
      strategy: 's',
      phases: [
        { name: 'a', trafficPercent: 50, duration: Duration.minutes(1) }, { name: 'b', trafficPercent: 10, duration: Duration.minutes(1) },
      ],
    }),
    'RolloutPlan.fromPhases: phases[1].trafficPercent must not be lower than the phase before (50), got 10. Traffic to the new version never decreases during a rollout.'],
    ['a plan does not end at 100%', () => RolloutPlan.fromPhases({ target: 't', strategy: 's', phases: [{ name: 'a', trafficPercent: 50, duration: Duration.minutes(1) }] }),
      'RolloutPlan.fromPhases: phases must end at 100% traffic, got 50%. End the plan with the full-traffic phase.'],
    ['a plan phase has traffic above 100%', () => RolloutPlan.fromPhases({ target: 't', strategy: 's', phases: [{ name: 'a', trafficPercent: 120, duration: Duration.minutes(1) }] }),
      'RolloutPlan.fromPhases: phases[0].trafficPercent must be at least 0 and at most 100, got 120. Traffic is a percentage between 0 and 100.'],
  ];

  test.each(cases)('fails when %s', (_name, build, message) => {
    expect(build).toThrow(message);
    // The message is the whole message, and the error is the library's own, not a TypeError.
    try {
      build();
    } catch (e) {
      expect((e as Error).message).toBe(message);
      expect((e as Error).name).toBe('DeliveryValidationError');
    }
  });
});

describe('numbers and durations as other languages can pass them', () => {
  test('fails when a number is an unresolved token, naming it as such', () => {
    expect(() => CanaryStep.of(Token.asNumber(Lazy.number({ produce: () => 10 })), Duration.minutes(5)))
      .toThrow(/weight must be a number known at synth time, got an unresolved token\./);
  });

  test('fails when a duration amount is NaN or Infinity, naming the field before aws-cdk-lib converts it', () => {
    expect(() => CanaryStep.of(10, Duration.minutes(NaN))).toThrow('CanaryStep.of: bakeTime must be a finite duration, got NaN minutes.');
    expect(() => CanaryStep.of(10, Duration.seconds(Infinity))).toThrow('CanaryStep.of: bakeTime must be a finite duration, got Infinity seconds.');
  });
});

describe('precision is refused, not rounded', () => {
  test('fails when a linear step is finer than 0.001%', () => {
    expect(() => DeploymentStrategy.linear({ stepPercent: 10.0004, interval: Duration.minutes(5), analysis: Analysis.none('batch job') }))
      .toThrow('DeploymentStrategy.linear: stepPercent must be a multiple of 0.001 (three decimal places at most), got 10.0004. Round stepPercent to three decimal places, for example 12.5.');
  });

  test('fails when a canary weight is finer than 0.001%', () => {
    expect(() => CanaryStep.of(2.0005, Duration.minutes(5)))
      .toThrow('CanaryStep.of: weight must be a multiple of 0.001 (three decimal places at most), got 2.0005.');
  });

  test('three decimals are kept exactly', () => {
    expect(CanaryStep.of(2.125, Duration.minutes(5)).weight).toBe(2.125);
    const linear = DeploymentStrategy.linear({ stepPercent: 12.5, interval: Duration.minutes(5), analysis: Analysis.none('batch job') });
    expect(linear.steps.map(s => s.weight)).toEqual([12.5, 25, 37.5, 50, 62.5, 75, 87.5]);
  });
});
