import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as fc from 'fast-check';
import { image, newStack } from './util';
import { Analysis, CanaryStep, Capacity, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService, ProgressiveLambdaAlias, Promotion, SmokeTest } from '../../src';

const minutes = (max: number) => fc.integer({ min: 1, max }).map(m => Duration.minutes(m));
const seconds = (max: number) => fc.integer({ min: 1, max }).map(s => Duration.seconds(s));
const keepFor = () => often(fc.integer({ min: 5, max: 60 }).map(m => Duration.minutes(m)), minutes(4000));
const often = <T>(usual: fc.Arbitrary<T>, rare: fc.Arbitrary<T>) => fc.oneof({ arbitrary: usual, weight: 5 }, { arbitrary: rare, weight: 1 });
const bake = often(fc.integer({ min: 3, max: 60 }).map(m => Duration.minutes(m)), fc.oneof(minutes(3000), seconds(20_000)));

const analysis = fc.record({
  interval: often(fc.constant(Duration.minutes(1)), fc.oneof(minutes(10), seconds(900))),
  failureLimit: often(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 2, max: 4 })),
  minRequests: fc.integer({ min: 0, max: 100 }),
  initialDelay: often(fc.constant(Duration.seconds(0)), minutes(3)),
  latency: fc.boolean(),
}).map(a => Analysis.of({
  checks: [HealthCheck.errorRate({ maxPercent: 1 }), ...(a.latency ? [HealthCheck.latency({ percentile: 99, max: Duration.millis(300) })] : [])],
  interval: a.interval,
  failureLimit: a.failureLimit,
  minRequests: a.minRequests,
  initialDelay: a.initialDelay,
}));

const weight = often(fc.integer({ min: 1, max: 99 }), fc.double({ min: 1, max: 99, noNaN: true }));

/** Thunks that declare a strategy; the declaration itself may refuse some draws. */
const strategy = fc.oneof(
  fc.record({
    weights: often(fc.constant(1), fc.integer({ min: 2, max: 3 }))
      .chain(n => fc.uniqueArray(weight, { minLength: n, maxLength: n })),
    bake,
    analysis,
    keep: fc.option(often(minutes(60), minutes(3000)), { nil: undefined }),
    gate: often(fc.constant(false), fc.constant(true)),
  }).map(p => () => DeploymentStrategy.canary({
    steps: [...p.weights].sort((a, b) => a - b).map((w, i) => (p.gate && i === 0 ? CanaryStep.withManualGate(w, p.bake) : CanaryStep.of(w, p.bake))),
    analysis: p.analysis,
    keepPreviousVersionFor: p.keep,
  })),
  fc.record({ stepPercent: often(fc.integer({ min: 1, max: 50 }), fc.double({ min: 1, max: 50, noNaN: true })), interval: bake, analysis })
    .map(p => () => DeploymentStrategy.linear(p)),
  fc.record({ manual: fc.boolean(), wait: often(fc.constant(0), fc.integer({ min: 1, max: 600 })), post: analysis, keep: keepFor() })
    .map(p => () => DeploymentStrategy.blueGreen({
      promotion: p.manual ? Promotion.manual() : Promotion.automatic(Duration.seconds(p.wait)),
      postPromotionAnalysis: p.post,
      keepPreviousVersionFor: p.keep,
    })),
  fc.record({ surge: fc.integer({ min: 0, max: 100 }), unavailable: fc.integer({ min: 0, max: 100 }), analysis })
    .map(p => () => DeploymentStrategy.rolling({
      maxSurge: Capacity.percent(p.surge), maxUnavailable: Capacity.percent(p.unavailable), analysis: p.analysis,
    })),
  fc.record({ keep: keepFor(), analysis: fc.option(analysis, { nil: undefined }) })
    .map(p => () => DeploymentStrategy.allAtOnce({ keepPreviousVersionFor: p.keep, analysis: p.analysis })),
);

const outcomes = { declarationRefused: 0, rendered: 0, refused: 0 };

function declare(make: () => DeploymentStrategy): DeploymentStrategy | undefined {
  try {
    return make();
  } catch (e: any) {
    expect(e.name).toBe('DeliveryValidationError');
    outcomes.declarationRefused++;
    return undefined;
  }
}

/** Rendering either succeeds with a plan at 100% or raises the library's error with its message format. */
function expectRendersOrRefuses(render: () => { plan: { phases: { trafficPercent: number }[] } }): void {
  try {
    const { plan } = render();
    expect(plan.phases[plan.phases.length - 1].trafficPercent).toBe(100);
    outcomes.rendered++;
  } catch (e: any) {
    outcomes.refused++;
    expect(e.name).toBe('DeliveryValidationError');
    expect(e.message).toMatch(/^Progressive(FargateService|LambdaAlias) \S+: .+ got .+\. .+/s);
  }
}

describe('random declarations on AWS', () => {
  test('every valid declaration renders on each engine or is refused with a clear message, never a TypeError', () => {
    fc.assert(fc.property(strategy, fc.constantFrom('native', 'codeDeploy', 'lambda'), (make, engine) => {
      const s = declare(make);
      if (s === undefined) return;
      const stack = newStack();
      if (engine === 'lambda') {
        const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('x') });
        expectRendersOrRefuses(() => new ProgressiveLambdaAlias(stack, 'Live', { version: fn.currentVersion, strategy: s }));
      } else {
        expectRendersOrRefuses(() => new ProgressiveFargateService(stack, 'Api', {
          image, containerPort: 80, desiredCount: 4, strategy: s, engine: engine === 'native' ? EcsEngine.native() : EcsEngine.codeDeploy(),
        }));
      }
    }), { numRuns: 150, seed: 20261121 });
    // The generators must exercise both paths, not only the declaration's own refusals.
    expect(outcomes.rendered).toBeGreaterThan(10);
    expect(outcomes.refused).toBeGreaterThan(10);
  });

  test('random invalid props are refused with the library error, never a TypeError', () => {
    const anything = fc.oneof(
      fc.string(), fc.double(), fc.integer({ min: -70000, max: 70000 }), fc.constant(undefined), fc.constant(null), fc.object());
    fc.assert(fc.property(
      fc.record({
        containerPort: anything,
        desiredCount: anything,
        listenerPort: anything,
        testListenerPort: anything,
        healthCheckPath: anything,
        alarmNamePrefix: anything,
      }),
      fc.oneof(fc.string(), fc.constant(undefined)),
      (props, path) => {
        libraryErrorOnly(() => SmokeTest.http({ path }));
        libraryErrorOnly(() => new ProgressiveFargateService(newStack(), 'Api', { image, strategy: DeploymentStrategy.allAtOnce(), ...(props as any) }));
      },
    ), { numRuns: 100, seed: 7 });
  });
});

function libraryErrorOnly(build: () => unknown): void {
  try {
    build();
  } catch (e: any) {
    expect(e.name).toBe('DeliveryValidationError');
  }
}
