import { Duration } from 'aws-cdk-lib';
import { Analysis, BaselineComparison, CanaryStep, Comparison, DeploymentStrategy, HealthCheck, TooLittleData } from '../../src';

const relative = () => Analysis.of({
  checks: [HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
  minRequests: 20,
});
const comparison = (extra: Partial<Parameters<typeof BaselineComparison.of>[0]> = {}) =>
  BaselineComparison.of({ analysis: relative(), duration: Duration.minutes(15), trafficPercent: 5, ...extra });
const oneStep = (weight = 10) => [CanaryStep.of(weight, Duration.minutes(10))];
const background = () => Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] });

describe('HealthCheck relative bounds', () => {
  test('maxRatioToBaseline is kept beside the absolute bound and described', () => {
    const e = HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 });
    expect([e.threshold, e.maxRatioToBaseline, e.comparesWithBaseline]).toEqual([2, 1.5, true]);
    expect(e.describe()).toBe('error-rate: fails when errors > 2% of requests or > 1.5× the baseline\'s');
    const l = HealthCheck.latency({ percentile: 99, max: Duration.millis(300), maxRatioToBaseline: 1.2 });
    expect(l.describe()).toBe('latency-p99: fails when p99 latency > 300ms or > 1.2× the baseline\'s');
    expect(HealthCheck.errorRate({ maxPercent: 1 }).comparesWithBaseline).toBe(false);
  });

  test.each([
    [0.5, 'must be at least 1 and at most 100, got 0.5'],
    [Number.NaN, 'must be a finite number, got NaN'],
    ['2' as any, 'must be a finite number, got "2"'],
  ])('fails when maxRatioToBaseline is %p', (value, message) => {
    expect(() => HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: value })).toThrow(`HealthCheck.errorRate: maxRatioToBaseline ${message}. `
      + 'Pass how many times the baseline\'s measurement the new version may reach, for example 1.5 for at most 50% more.');
  });

  test('a Kayenta check is a custom check whose passing score is its threshold', () => {
    const k = HealthCheck.custom({ name: 'kayenta', threshold: 95, failWhen: Comparison.LESS_THAN, kayenta: 'checkout-canary' });
    expect([k.kayenta, k.comparesWithBaseline]).toEqual(['checkout-canary', true]);
    expect(k.describe()).toBe('kayenta: fails when the Kayenta score of checkout-canary < 95');
  });

  test('a custom check may compare with the baseline when higher is worse', () => {
    const c = HealthCheck.custom({ name: 'queue-depth', threshold: 100, failWhen: Comparison.GREATER_THAN, prometheus: 'q', maxRatioToBaseline: 2 });
    expect(c.describe()).toBe('queue-depth: fails when measurement > 100 or > 2× the baseline\'s');
    expect(() => HealthCheck.custom({ name: 'rps', threshold: 10, failWhen: Comparison.LESS_THAN, prometheus: 'q', maxRatioToBaseline: 2 })).toThrow(
      'HealthCheck.custom: maxRatioToBaseline only applies to a measurement that is worse when higher (failWhen GREATER_THAN or GREATER_THAN_OR_EQUAL), got "LESS_THAN". '
      + 'Remove maxRatioToBaseline, or measure something that grows when the new version is worse.');
  });

  test('fails when a Kayenta check fails on anything but a score below the threshold, or has no whole passing score', () => {
    expect(() => HealthCheck.custom({ name: 'k', threshold: 95, failWhen: Comparison.GREATER_THAN, kayenta: 'c' })).toThrow(
      'HealthCheck.custom: failWhen must be Comparison.LESS_THAN with kayenta: a Kayenta score passes at or above the threshold, got "GREATER_THAN". '
      + 'Pass failWhen: Comparison.LESS_THAN and the passing score as threshold, for example 95.');
    expect(() => HealthCheck.custom({ name: 'k', threshold: 95.5, failWhen: Comparison.LESS_THAN, kayenta: 'c' })).toThrow(
      'HealthCheck.custom: threshold must be a whole passing score between 1 and 100 with kayenta, got 95.5.');
    expect(() => HealthCheck.custom({ name: 'k', threshold: 95, failWhen: Comparison.LESS_THAN, kayenta: ' ' })).toThrow(
      'HealthCheck.custom: kayenta must be a non-empty string, got " ".');
  });
});

describe('BaselineComparison', () => {
  test('keeps its values, with defaults of 1 instance and no traffic for custom checks', () => {
    const c = comparison({ replicas: 3 });
    expect([c.replicas, c.trafficPercent, c.duration.toMinutes()]).toEqual([3, 5, 15]);
    expect(c.describe()).toBe('baseline (previous version, started fresh) and new version, 3 instance(s) each, 5% of traffic each, for 15m');
    const quiet = BaselineComparison.of({
      analysis: Analysis.of({ checks: [HealthCheck.custom({ name: 'k', threshold: 90, failWhen: Comparison.LESS_THAN, kayenta: 'cfg' })], failureLimit: 0 }),
      duration: Duration.minutes(30),
    });
    expect([quiet.replicas, quiet.trafficPercent]).toEqual([1, 0]);
    expect(quiet.describe()).toContain('1 instance(s) each, no production traffic, for 30m');
  });

  test('fails when nothing compares with the baseline', () => {
    expect(() => BaselineComparison.of({ analysis: background(), duration: Duration.minutes(10), trafficPercent: 5 })).toThrow(
      'BaselineComparison.of: analysis.checks must include a check that compares with the baseline, got ["error-rate"]. '
      + 'Add maxRatioToBaseline to a check, or give a custom check a Kayenta configuration; absolute checks belong in the strategy\'s analysis.');
  });

  test('fails when the analysis is missing or none', () => {
    expect(() => BaselineComparison.of({ analysis: undefined as any, duration: Duration.minutes(10) })).toThrow(
      'BaselineComparison.of: analysis is required and must be an Analysis, got undefined.');
    expect(() => BaselineComparison.of({ analysis: Analysis.none('batch job'), duration: Duration.minutes(10) })).toThrow(
      'BaselineComparison.of: analysis must have checks: a comparison without checks judges nothing, got "no analysis (batch job)".');
    expect(() => BaselineComparison.of(null as any)).toThrow('BaselineComparison.of: props must be an object, got null.');
  });

  test('fails when the comparison is shorter than the time to detect a failure', () => {
    expect(() => comparison({ duration: Duration.minutes(1) })).toThrow(
      'BaselineComparison.of: duration must be at least the analysis\' time to detect a failure, initialDelay + interval × (failureLimit + 1) = 2m, got 1m. Run the comparison for 2m or more.');
  });

  test.each([
    [{ replicas: 0 }, 'replicas must be at least 1 and at most 1000, got 0.'],
    [{ replicas: 1.5 }, 'replicas must be a whole number, got 1.5.'],
    [{ trafficPercent: 50 }, 'trafficPercent must be at least 0 and at most 49, got 50.'],
    [{ trafficPercent: 2.5 }, 'trafficPercent must be a whole number, got 2.5.'],
    [{ trafficPercent: Infinity }, 'trafficPercent must be a finite number, got Infinity.'],
  ])('fails when given %p', (extra, message) => {
    expect(() => comparison(extra)).toThrow(`BaselineComparison.of: ${message}`);
  });

  test('fails when request-based checks get no traffic', () => {
    expect(() => comparison({ trafficPercent: 0 })).toThrow(
      'BaselineComparison.of: trafficPercent must be above 0 for the request-based checks (error-rate, latency-p99): without production traffic no request reaches the baseline or the new version, got 0. '
      + 'Send each a share of traffic, for example trafficPercent: 5, or judge them with custom checks fed by your own load.');
  });
});

describe('DeploymentStrategy with a baseline comparison', () => {
  test('the plan shows the comparison as its own first phase with its exposure', () => {
    const s = DeploymentStrategy.canary({ steps: oneStep(), analysis: background(), baseline: comparison({ replicas: 2 }) });
    expect(s.baseline?.trafficPercent).toBe(5);
    const plan = s.plan().toJson();
    expect(plan.phases[0]).toEqual({
      name: 'Baseline comparison (2 instance(s) of each version)',
      trafficPercent: 5,
      startSeconds: 0,
      durationSeconds: 900,
      checks: ['error-rate', 'latency-p99'],
      manualGate: false,
      timeToDetectSeconds: 120,
      exposureBeforeDetectionPercentMinutes: 10,
      note: 'the baseline (previous version, started fresh) and the new version each receive 5% of production traffic; a failed comparison stops the rollout before its first step',
    });
    expect(plan.phases[1]).toMatchObject({ name: 'Step 1', trafficPercent: 10, startSeconds: 900 });
    expect(plan.timeToFullTrafficSeconds).toBe(1500);
  });

  test('a comparison without traffic is a phase with no production traffic', () => {
    const quiet = BaselineComparison.of({
      analysis: Analysis.of({ checks: [HealthCheck.custom({ name: 'k', threshold: 90, failWhen: Comparison.LESS_THAN, kayenta: 'cfg' })], failureLimit: 0 }),
      duration: Duration.minutes(30),
    });
    const plan = DeploymentStrategy.linear({ stepPercent: 50, interval: Duration.minutes(10), analysis: background(), baseline: quiet }).plan();
    expect(plan.phases[0]).toMatchObject({ trafficPercent: 0, note: 'the baseline and the new version receive no production traffic; a failed comparison stops the rollout before its first step' });
    expect(plan.toMarkdown()).toContain('| 1 | Baseline comparison (1 instance(s) of each version) (the baseline and the new version receive no production traffic; a failed comparison stops the rollout before its first step) | 0% | 0s | 30m | k | 1m | 0 %·min (= 0s of all traffic) |');
  });

  test('fails when the comparison sends more traffic than the first step', () => {
    expect(() => DeploymentStrategy.canary({ steps: oneStep(2), analysis: background(), baseline: comparison() })).toThrow(
      'DeploymentStrategy.canary: baseline.trafficPercent must be at most the first step\'s weight (2%): traffic to the new version never decreases during a rollout, got 5. '
      + 'Send at most 2% to each version during the comparison, or raise the first step\'s weight.');
  });

  test('fails when baseline is not a BaselineComparison', () => {
    expect(() => DeploymentStrategy.linear({ stepPercent: 10, interval: Duration.minutes(5), analysis: background(), baseline: {} as any })).toThrow(
      'DeploymentStrategy.linear: baseline must be a BaselineComparison, got {}. Pass BaselineComparison.of({ analysis, duration }).');
  });

  test.each([
    ['canary', () => DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(10))], analysis: relative() }), 'analysis'],
    ['blue/green', () => DeploymentStrategy.blueGreen({ postPromotionAnalysis: relative(), keepPreviousVersionFor: Duration.minutes(10) }), 'postPromotionAnalysis'],
    ['rolling', () => DeploymentStrategy.rolling({ analysis: relative() }), 'analysis'],
  ])('fails when a %s strategy\'s own analysis compares with a baseline it does not start', (_kind, make, field) => {
    expect(make).toThrow(`${field}.checks ("error-rate") compares with a baseline (maxRatioToBaseline (1.5)), which only a baseline comparison starts, `
      + 'got "error-rate: fails when errors > 2% of requests or > 1.5× the baseline\'s". Move the check into baseline: BaselineComparison.of({ analysis, duration }) of a canary or linear strategy, or drop the comparison.');
  });

  test('the too-little-data note of the comparison appears with the strategy\'s', () => {
    const s = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.minutes(10))],
      analysis: background(),
      baseline: BaselineComparison.of({
        analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 })], tooLittleData: TooLittleData.FAIL }),
        duration: Duration.minutes(10),
        trafficPercent: 5,
      }),
    });
    expect(s.plan().notes).toContain('A measurement with fewer than 10 requests, or with no data, counts as a failed measurement (TooLittleData.FAIL): an unmeasured version is rolled back.');
  });
});
