import { Duration } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import {
  Analysis, CanaryStep, Capacity, DeploymentStrategy, HealthCheck, Promotion, RolloutPlan,
} from '../../src';

const RUNS = 2000;
const MESSAGE = /^[A-Za-z.]+: \S+ .+, got .+\. .+$/s;

const analysisArb = fc.record({
  intervalSeconds: fc.integer({ min: 10, max: 300 }),
  failureLimit: fc.integer({ min: 0, max: 5 }),
  delaySeconds: fc.integer({ min: 0, max: 120 }),
  none: fc.boolean(),
}).map(a => a.none
  ? Analysis.none('property test')
  : Analysis.of({
    checks: [HealthCheck.errorRate({ maxPercent: 1 })],
    interval: Duration.seconds(a.intervalSeconds),
    failureLimit: a.failureLimit,
    initialDelay: Duration.seconds(a.delaySeconds),
  }));

/** A valid canary: strictly increasing weights, bakes at least the time to detect. */
const validCanaryArb = fc.tuple(
  analysisArb,
  fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { minLength: 1, maxLength: 8 }),
  fc.array(fc.integer({ min: 0, max: 3600 }), { minLength: 8, maxLength: 8 }),
  fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
  fc.integer({ min: 0, max: 7200 }),
).map(([analysis, weights, extra, gates, keep]) => {
  const ttd = analysis.timeToDetect.toSeconds();
  const steps = [...weights].sort((a, b) => a - b).map((w, i) => gates[i]
    ? CanaryStep.withManualGate(w, Duration.seconds(Math.max(1, ttd) + extra[i]))
    : CanaryStep.of(w, Duration.seconds(Math.max(1, ttd) + extra[i])));
  return DeploymentStrategy.canary({ steps, analysis, keepPreviousVersionFor: Duration.seconds(keep) });
});

function checkInvariants(plan: RolloutPlan): void {
  let traffic = 0;
  let t = 0;
  for (const p of plan.phases) {
    // traffic never decreases
    expect(p.trafficPercent).toBeGreaterThanOrEqual(traffic);
    traffic = p.trafficPercent;
    // phase times add up
    expect(p.start.toSeconds()).toBe(t);
    t += p.duration.toSeconds();
    // exposure is exactly traffic × detection time, bounded by 100% × detection time
    if (p.timeToDetect) {
      expect(p.exposureBeforeDetection).toBeCloseTo(p.trafficPercent * p.timeToDetect.toSeconds() / 60, 2);
      expect(p.exposureBeforeDetection!).toBeLessThanOrEqual(100 * p.timeToDetect.toSeconds() / 60 + 0.01);
    } else {
      expect(p.exposureBeforeDetection).toBeUndefined();
    }
  }
  expect(traffic).toBe(100);
  expect(plan.previousVersionReleasedAfter.toSeconds()).toBe(t);
  expect(plan.timeToFullTraffic.toSeconds()).toBeLessThanOrEqual(t);
  if (plan.worstCaseExposure !== undefined) {
    for (const p of plan.phases) {
      if (p.exposureBeforeDetection !== undefined) expect(p.exposureBeforeDetection).toBeLessThanOrEqual(plan.worstCaseExposure);
    }
  }
  // the chart is bounded in size and ends at 100%
  const chart = plan.toMermaid();
  const values = JSON.parse(chart.split('\n').find(l => l.trim().startsWith('line'))!.trim().slice(5));
  expect(values.length).toBeLessThanOrEqual(62);
  expect(values[values.length - 1]).toBe(100);
  expect(JSON.parse(JSON.stringify(plan.toJson()))).toEqual(plan.toJson());
}

test('valid canaries: traffic never decreases, phase times add up, exposure is bounded', () => {
  fc.assert(fc.property(validCanaryArb, strategy => {
    const plan = strategy.plan();
    checkInvariants(plan);
    const bakes = strategy.steps.reduce((sum, s) => sum + s.bakeTime.toSeconds(), 0);
    expect(plan.timeToFullTraffic.toSeconds()).toBe(bakes);
    expect(plan.waitsForApproval).toBe(strategy.steps.some(s => s.manualGate));
  }), { numRuns: RUNS });
});

test('valid linear strategies expand to equal steps below 100%', () => {
  fc.assert(fc.property(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 120, max: 900 }), (step, interval) => {
    const analysis = Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2 })] });
    const s = DeploymentStrategy.linear({ stepPercent: step, interval: Duration.seconds(interval), analysis });
    expect(s.steps.length).toBe(Math.ceil(100 / step) - 1);
    s.steps.forEach((x, i) => expect(x.weight).toBe(step * (i + 1)));
    checkInvariants(s.plan());
  }), { numRuns: RUNS });
});

test('valid blue/green, rolling and all-at-once plans keep the invariants', () => {
  const a = Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] });
  const seconds = fc.integer({ min: 120, max: 3600 });
  const wait = fc.integer({ min: 0, max: 3600 });
  fc.assert(fc.property(seconds, wait, fc.boolean(), fc.integer({ min: 0, max: 100 }), fc.integer({ min: 1, max: 100 }),
    (keep, waitFor, manual, surge, unavailable) => {
      checkInvariants(DeploymentStrategy.blueGreen({
        previewAnalysis: a,
        postPromotionAnalysis: a,
        keepPreviousVersionFor: Duration.seconds(keep),
        promotion: manual ? Promotion.manual() : Promotion.automatic(Duration.seconds(waitFor)),
      }).plan());
      const rolling = DeploymentStrategy.rolling({ maxSurge: Capacity.percent(surge), maxUnavailable: Capacity.count(unavailable), analysis: a });
      checkInvariants(rolling.plan());
      checkInvariants(DeploymentStrategy.allAtOnce({ analysis: a, keepPreviousVersionFor: Duration.seconds(keep) }).plan());
    }), { numRuns: RUNS / 4 });
});

/** Any number at all, including the awkward ones. */
const anyNumber = fc.oneof(
  fc.double({ noNaN: false }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.constantFrom(0, 1, 99, 100, -0, NaN, Infinity, 0.5, 1e-9),
);
const anyDuration = fc.oneof(
  fc.integer({ min: 0, max: 10_000 }).map(s => Duration.seconds(s)),
  fc.integer({ min: 0, max: 10_000 }).map(ms => Duration.millis(ms)),
  fc.constantFrom<unknown>(undefined, 5, '5m', null),
);

test('arbitrary declarations either build or raise the library\'s own error naming the field, never a TypeError', () => {
  fc.assert(fc.property(
    fc.array(fc.tuple(anyNumber, anyDuration, fc.boolean()), { maxLength: 6 }),
    anyNumber, anyNumber, anyDuration, anyDuration, anyNumber, fc.integer({ min: 0, max: 4 }),
    (rawSteps, maxPercent, failureLimit, interval, keep, linearStep, which) => {
      try {
        const checks = [HealthCheck.errorRate({ maxPercent })];
        const analysis = Analysis.of({ checks, failureLimit, interval: interval as Duration });
        const steps = rawSteps.map(([w, d, gate]) => gate ? CanaryStep.withManualGate(w, d as Duration) : CanaryStep.of(w, d as Duration));
        const strategy = [
          () => DeploymentStrategy.canary({ steps, analysis, keepPreviousVersionFor: keep as Duration }),
          () => DeploymentStrategy.linear({ stepPercent: linearStep, interval: interval as Duration, analysis }),
          () => DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis, keepPreviousVersionFor: keep as Duration }),
          () => DeploymentStrategy.rolling({ analysis, bakeTime: keep as Duration }),
          () => DeploymentStrategy.allAtOnce({ analysis, keepPreviousVersionFor: keep as Duration }),
        ][which]();
        checkInvariants(strategy.plan());
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
        expect((e as Error).name).toBe('DeliveryValidationError');
        expect((e as Error).message).toMatch(MESSAGE);
      }
    }), { numRuns: RUNS });
});
