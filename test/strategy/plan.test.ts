import { Duration } from 'aws-cdk-lib';
import {
  Analysis, CanaryStep, Capacity, Comparison, DeploymentStrategy, HealthCheck, HealthCheckKind, Promotion, RolloutPlan, StrategyKind, TooLittleData,
} from '../../src';

const checks = [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })];
// initialDelay 30s + 1m × (2 + 1) = 3m 30s to detect a failure
const analysis = Analysis.of({ checks, interval: Duration.minutes(1), failureLimit: 2, minRequests: 20, initialDelay: Duration.seconds(30) });

describe('canary plan, figures computed by hand', () => {
  const strategy = DeploymentStrategy.canary({
    steps: [CanaryStep.of(5, Duration.minutes(10)), CanaryStep.withManualGate(25, Duration.minutes(15))],
    analysis,
    keepPreviousVersionFor: Duration.minutes(30),
  });
  const plan = strategy.plan();

  test('phases: 5% for 10m, 25% for 15m then approval, 100% for 30m', () => {
    expect(plan.phases.map(p => [p.trafficPercent, p.start.toMinutes(), p.duration.toMinutes(), p.manualGate])).toEqual([
      [5, 0, 10, false], [25, 10, 15, true], [100, 25, 30, false],
    ]);
  });

  test('each step detects a failure within initialDelay + interval × (failureLimit + 1) = 210s', () => {
    expect(plan.phases.map(p => p.timeToDetect?.toSeconds())).toEqual([210, 210, 210]);
    expect(plan.phases[0].checks).toEqual(['error-rate', 'latency-p99']);
  });

  test('exposure before detection is traffic × time to detect, in percent-minutes', () => {
    // 5% × 3.5m = 17.5; 25% × 3.5m = 87.5; 100% × 3.5m = 350
    expect(plan.phases.map(p => p.exposureBeforeDetection)).toEqual([17.5, 87.5, 350]);
    expect(plan.worstCaseExposure).toBe(350);
  });

  test('summary: 25m to full traffic, previous version released after 55m, waits for approval', () => {
    expect(plan.timeToFullTraffic.toMinutes()).toBe(25);
    expect(plan.previousVersionReleasedAfter.toMinutes()).toBe(55);
    expect(plan.waitsForApproval).toBe(true);
  });

  test('toJson carries every figure in seconds', () => {
    expect(plan.toJson()).toEqual({
      target: 'strategy',
      strategy: 'canary',
      phases: [
        { name: 'Step 1', trafficPercent: 5, startSeconds: 0, durationSeconds: 600, checks: ['error-rate', 'latency-p99'], manualGate: false, timeToDetectSeconds: 210, exposureBeforeDetectionPercentMinutes: 17.5 },
        { name: 'Step 2', trafficPercent: 25, startSeconds: 600, durationSeconds: 900, checks: ['error-rate', 'latency-p99'], manualGate: true, timeToDetectSeconds: 210, exposureBeforeDetectionPercentMinutes: 87.5 },
        { name: 'Full traffic, previous version kept', trafficPercent: 100, startSeconds: 1500, durationSeconds: 1800, checks: ['error-rate', 'latency-p99'], manualGate: false, timeToDetectSeconds: 210, exposureBeforeDetectionPercentMinutes: 350 },
      ],
      timeToFullTrafficSeconds: 1500,
      previousVersionReleasedAfterSeconds: 3300,
      waitsForApproval: true,
      worstCaseExposurePercentMinutes: 350,
      notes: ['A measurement with fewer than 20 requests, or with no data, counts as passing (TooLittleData.PASS): an unmeasured version is not rolled back.'],
    });
  });

  test('toMarkdown renders a table row per phase and the summary', () => {
    const md = plan.toMarkdown();
    expect(md).toContain('### Rollout plan: canary (strategy)');
    expect(md).toContain('| 1 | Step 1 | 5% | 0s | 10m | error-rate, latency-p99 | 3m 30s | 17.5 %·min (= 10.5s of all traffic) |');
    expect(md).toContain('| 2 | Step 2 | 25% | 10m | 15m + approval | error-rate, latency-p99 | 3m 30s | 87.5 %·min (= 52.5s of all traffic) |');
    expect(md).toContain('| 3 | Full traffic, previous version kept | 100% | 25m | 30m | error-rate, latency-p99 | 3m 30s | 350 %·min (= 210s of all traffic) |');
    expect(md).toContain('- Time to 100% traffic: 25m plus the time to approve each manual gate');
    expect(md).toContain('- Previous version released: 55m after the start plus approval time');
  });

  test('toMermaid samples traffic evenly in time (every 5 minutes here)', () => {
    expect(plan.toMermaid()).toBe([
      'xychart-beta',
      '  title "canary (strategy): traffic to the new version"',
      '  x-axis "minutes since the rollout started" ["0", "5", "10", "15", "20", "25", "30", "35", "40", "45", "50", "55"]',
      '  y-axis "traffic %" 0 --> 100',
      '  line [5, 5, 25, 25, 25, 100, 100, 100, 100, 100, 100, 100]',
      '',
    ].join('\n'));
  });

  test('the strategy exposes its expanded steps and analysis', () => {
    expect(strategy.kind).toBe(StrategyKind.CANARY);
    expect(strategy.steps.map(s => s.weight)).toEqual([5, 25]);
    expect(strategy.analysis).toBe(analysis);
    expect(strategy.keepPreviousVersionFor.toMinutes()).toBe(30);
  });
});

describe('linear', () => {
  test('10% every 3m expands to 10..90% and reaches 100% after 27m', () => {
    const s = DeploymentStrategy.linear({ stepPercent: 10, interval: Duration.minutes(3), analysis: Analysis.of({ checks }) });
    expect(s.steps.map(x => x.weight)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
    expect(s.linearStepPercent).toBe(10);
    expect(s.linearInterval?.toMinutes()).toBe(3);
    expect(s.plan().timeToFullTraffic.toMinutes()).toBe(27);
  });

  test('a step that does not divide 100 stops before 100 (30, 60, 90)', () => {
    const s = DeploymentStrategy.linear({ stepPercent: 30, interval: Duration.minutes(2), analysis: Analysis.of({ checks }) });
    expect(s.steps.map(x => x.weight)).toEqual([30, 60, 90]);
  });

  test('fractional steps keep exact decimal weights (12.5% every step)', () => {
    const s = DeploymentStrategy.linear({ stepPercent: 12.5, interval: Duration.minutes(2), analysis: Analysis.of({ checks }) });
    expect(s.steps.map(x => x.weight)).toEqual([12.5, 25, 37.5, 50, 62.5, 75, 87.5]);
  });
});

describe('blue/green', () => {
  test('preview lasts the longer of the promotion wait and the preview checks, then 100%', () => {
    const s = DeploymentStrategy.blueGreen({
      previewAnalysis: Analysis.of({ checks: [checks[0]], interval: Duration.seconds(30), failureLimit: 0 }),
      promotion: Promotion.automatic(Duration.minutes(5)),
      postPromotionAnalysis: Analysis.of({ checks }),
      keepPreviousVersionFor: Duration.minutes(15),
    });
    const plan = s.plan();
    expect(plan.phases.map(p => [p.name, p.trafficPercent, p.duration.toSeconds(), p.timeToDetect?.toSeconds()])).toEqual([
      ['Preview (test route only)', 0, 300, 30],
      ['Promoted, previous version kept', 100, 900, 120],
    ]);
    expect(plan.phases[0].exposureBeforeDetection).toBe(0);
    expect(plan.worstCaseExposure).toBe(200);
    expect(plan.timeToFullTraffic.toMinutes()).toBe(5);
    expect(s.promotion?.isManual).toBe(false);
  });

  test('manual promotion is a gate; preview checks alone are enough', () => {
    const s = DeploymentStrategy.blueGreen({ promotion: Promotion.manual() });
    const plan = s.plan();
    expect(plan.waitsForApproval).toBe(true);
    expect(plan.phases[1].timeToDetect).toBeUndefined();
    expect(plan.worstCaseExposure).toBeUndefined();
    expect(plan.toMarkdown()).toContain('unbounded (a phase serving production traffic has no automated check)');
  });

  test('Analysis.none is recorded as a note', () => {
    const plan = DeploymentStrategy.blueGreen({ postPromotionAnalysis: Analysis.none('static site, checked by the CDN') }).plan();
    expect(plan.notes).toEqual(['No automated analysis: static site, checked by the CDN.']);
    expect(plan.toMarkdown()).toContain('- Note: No automated analysis: static site, checked by the CDN.');
  });
});

describe('rolling and all-at-once', () => {
  test('rolling bakes for the time to detect by default and records its capacities', () => {
    const s = DeploymentStrategy.rolling({ maxSurge: Capacity.count(2), maxUnavailable: Capacity.percent(10), analysis: Analysis.of({ checks }) });
    expect(s.rollingBakeTime?.toMinutes()).toBe(2);
    expect(s.maxSurge?.toString()).toBe('2');
    expect(s.maxUnavailable?.toString()).toBe('10%');
    expect(s.keepPreviousVersionFor.toSeconds()).toBe(0);
    const plan = s.plan();
    expect(plan.phases[0].name).toBe('Rolling replacement (max surge 2, max unavailable 10%), then bake');
    expect(plan.notes).toEqual([
      'The time to replace the instances depends on their start-up time and is not included.',
      'A measurement with fewer than 10 requests, or with no data, counts as passing (TooLittleData.PASS): an unmeasured version is not rolled back.',
    ]);
  });

  test('rolling defaults to 25% surge and no unavailability', () => {
    const s = DeploymentStrategy.rolling({ analysis: Analysis.none('no metrics yet'), bakeTime: Duration.minutes(3) });
    expect([s.maxSurge?.toString(), s.maxUnavailable?.toString(), s.rollingBakeTime?.toMinutes()]).toEqual(['25%', '0%', 3]);
  });

  test('all-at-once keeps the previous version 5 minutes by default and runs its checks then', () => {
    const s = DeploymentStrategy.allAtOnce({ analysis: Analysis.of({ checks }) });
    const plan = s.plan();
    expect(plan.strategy).toBe('all-at-once');
    expect(DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }).plan().strategy).toBe('blue-green');
    expect(plan.phases).toHaveLength(1);
    expect(plan.phases[0].duration.toMinutes()).toBe(5);
    expect(plan.phases[0].timeToDetect?.toMinutes()).toBe(2);
    expect(plan.timeToFullTraffic.toSeconds()).toBe(0);
  });

  test('a final phase too short for the checks does not claim detection', () => {
    const plan = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.of({ checks }), keepPreviousVersionFor: Duration.minutes(1),
    }).plan();
    expect(plan.phases[1].timeToDetect).toBeUndefined();
    expect(plan.phases[1].checks).toEqual([]);
    expect(plan.worstCaseExposure).toBeUndefined();
  });
});

describe('checks', () => {
  test('error rate, latency and custom checks carry their thresholds', () => {
    const custom = HealthCheck.custom({
      name: 'queue-depth',
      threshold: 100,
      failWhen: Comparison.GREATER_THAN_OR_EQUAL,
      cloudWatch: { namespace: 'App', metricName: 'Depth', dimensions: { Queue: 'jobs' } },
      prometheus: 'sum(depth)',
      datadog: 'avg:depth{*}',
    });
    expect([checks[0].kind, checks[0].threshold, checks[0].failWhen]).toEqual([HealthCheckKind.ERROR_RATE, 1, Comparison.GREATER_THAN]);
    const latency = checks[1];
    expect([latency.kind, latency.percentile, latency.threshold]).toEqual([HealthCheckKind.LATENCY, 99, 500]);
    expect(latency.maxLatency?.toMilliseconds()).toBe(500);
    expect(custom.cloudWatch).toEqual({ namespace: 'App', metricName: 'Depth', dimensions: { Queue: 'jobs' }, statistic: 'Average' });
    expect([custom.prometheus, custom.datadog]).toEqual(['sum(depth)', 'avg:depth{*}']);
    expect(custom.describe()).toBe('queue-depth: fails when measurement >= 100');
    expect(HealthCheck.latency({ percentile: 99.9, max: Duration.seconds(1) }).name).toBe('latency-p99-9');
  });

  test('analysis defaults: 1 minute interval, failure limit 1, 10 requests, no delay', () => {
    const a = Analysis.of({ checks: [checks[0]] });
    expect([a.interval.toMinutes(), a.failureLimit, a.minRequests, a.initialDelay.toSeconds(), a.timeToDetect.toMinutes()]).toEqual([1, 1, 10, 0, 2]);
    expect(a.describe()).toBe('error-rate every 1m, failure after 2 failed measurement(s)');
  });

  test('a plan built by a target derives start times and exposure', () => {
    const plan = RolloutPlan.fromPhases({
      target: 'demo',
      strategy: 'canary',
      notes: ['n'],
      phases: [
        {
          name: 'a',
          trafficPercent: 10,
          duration: Duration.minutes(4),
          checks: ['x'],
          timeToDetect: Duration.minutes(3),
          note: 'alarm delay included',
        },
        { name: 'b', trafficPercent: 100, duration: Duration.minutes(0) },
      ],
    });
    expect(plan.phases[1].start.toMinutes()).toBe(4);
    expect(plan.phases[0].exposureBeforeDetection).toBe(30);
    expect(plan.worstCaseExposure).toBe(30); // the zero-length final phase serves nothing before release
    expect(plan.toMarkdown()).toContain('| 1 | a (alarm delay included) | 10% |');
  });
});

describe('too little data', () => {
  const errorRate = [HealthCheck.errorRate({ maxPercent: 1 })];

  test('defaults to PASS and each behaviour is described for the plan', () => {
    expect(Analysis.of({ checks: errorRate }).tooLittleData).toBe(TooLittleData.PASS);
    expect(Analysis.of({ checks: errorRate, tooLittleData: TooLittleData.FAIL, minRequests: 0 }).describeTooLittleData())
      .toBe('A measurement with no data counts as a failed measurement (TooLittleData.FAIL): an unmeasured version is rolled back.');
    expect(Analysis.of({ checks: errorRate, tooLittleData: TooLittleData.INCONCLUSIVE, minRequests: 5 }).describeTooLittleData())
      .toBe('A measurement with fewer than 5 requests, or with no data, is inconclusive (TooLittleData.INCONCLUSIVE): past the tolerated number of them the rollout pauses for a person to decide.');
    expect(Analysis.none('batch job').describeTooLittleData()).toBeUndefined();
  });

  test('fails when tooLittleData is not a TooLittleData value', () => {
    expect(() => Analysis.of({ checks: errorRate, tooLittleData: 'pause' as any }))
      .toThrow('Analysis.of: tooLittleData must be a TooLittleData value, got "pause". Pass TooLittleData.PASS, TooLittleData.FAIL or TooLittleData.INCONCLUSIVE.');
  });
});

describe('the summary agrees with the rows', () => {
  test('a full-traffic phase that ends as it starts is "none" in its row and left out of the summary', () => {
    const plan = RolloutPlan.fromPhases({
      target: 't',
      strategy: 'canary',
      phases: [
        { name: 'Step 1', trafficPercent: 10, duration: Duration.minutes(5), checks: ['error-rate'], timeToDetect: Duration.minutes(3) },
        { name: 'Full traffic', trafficPercent: 100, duration: Duration.seconds(0) },
      ],
    });
    const md = plan.toMarkdown();
    expect(md).toContain('| 2 | Full traffic | 100% | 5m | 0s | - | not detected | none (the phase ends as it starts) |');
    expect(md).toContain('- Worst-case exposure before detection: 30 %·min (= 18s of all traffic)');
    expect(md).not.toContain('unbounded');
  });

  test('an unjudged phase that serves traffic makes both the row and the summary unbounded', () => {
    const plan = RolloutPlan.fromPhases({
      target: 't',
      strategy: 'canary',
      phases: [
        { name: 'Step 1', trafficPercent: 10, duration: Duration.minutes(5), checks: ['error-rate'], timeToDetect: Duration.minutes(3) },
        { name: 'Full traffic', trafficPercent: 100, duration: Duration.minutes(5) },
      ],
    });
    const md = plan.toMarkdown();
    expect(md).toContain('| 2 | Full traffic | 100% | 5m | 5m | - | not detected | unbounded |');
    expect(md).toContain('- Worst-case exposure before detection: unbounded (a phase serving production traffic has no automated check)');
    expect(plan.worstCaseExposure).toBeUndefined();
  });
});
