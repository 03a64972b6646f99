import { execFileSync } from 'child_process';
import * as path from 'path';
import { Duration, Lazy, Token } from 'aws-cdk-lib';
import * as fc from 'fast-check';
import { toMillis, toSeconds } from '../../src/private/duration';

const RUNS = 5000;
const FACTORIES: Record<string, (amount: number) => Duration> = {
  millis: Duration.millis, seconds: Duration.seconds, minutes: Duration.minutes, hours: Duration.hours, days: Duration.days,
};

/** What a call returns, or the error it throws (its class and message). */
function outcome(f: () => number): { value: number } | { error: string } {
  try {
    return { value: f() };
  } catch (e) {
    return { error: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

/** Both helpers agree with aws-cdk-lib's own conversions: the same number, or the same error. */
function expectSameAsAwsCdkLib(d: Duration): void {
  expect(outcome(() => toMillis(d))).toEqual(outcome(() => d.toMilliseconds()));
  expect(outcome(() => toSeconds(d))).toEqual(outcome(() => d.toSeconds()));
}

const unitArb = fc.constantFrom(...Object.keys(FACTORIES));

describe('toMillis and toSeconds', () => {
  test.each([
    ['zero', Duration.seconds(0)],
    ['zero millis', Duration.millis(0)],
    ['milliseconds', Duration.millis(250)],
    ['fractional seconds', Duration.seconds(1.5)],
    ['fractional seconds below a second', Duration.seconds(0.001)],
    ['whole seconds', Duration.seconds(30)],
    ['minutes', Duration.minutes(5)],
    ['fractional minutes', Duration.minutes(0.5)],
    ['hours', Duration.hours(2)],
    ['days', Duration.days(3)],
    ['days beyond the safe integers', Duration.days(1e12)],
    ['a fraction of a millisecond', Duration.millis(0.5)],
    ['a fraction of a millisecond the ISO form hides (PT0.063S)', Duration.millis(63.00000000000001)],
    ['seconds that are not whole milliseconds', Duration.seconds(1.0005)],
    ['floating-point sums', Duration.seconds(0.1 + 0.2)],
    ['infinity', Duration.seconds(Infinity)],
    ['NaN', Duration.minutes(NaN)],
  ])('%s', (_, d) => {
    expectSameAsAwsCdkLib(d);
  });

  test('a token is aws-cdk-lib\'s own error', () => {
    const d = Duration.seconds(Token.asNumber(Lazy.number({ produce: () => 5 })));
    expect(d.isUnresolved()).toBe(true);
    expectSameAsAwsCdkLib(d);
    expect(() => toMillis(d)).toThrow();
  });

  test('whole amounts of every unit', () => {
    fc.assert(fc.property(unitArb, fc.integer({ min: 0, max: 2 ** 40 }), (unit, amount) => {
      expectSameAsAwsCdkLib(FACTORIES[unit](amount));
    }), { numRuns: RUNS });
  });

  test('decimal amounts (up to six decimals) of every unit', () => {
    fc.assert(fc.property(unitArb, fc.integer({ min: 0, max: 10 ** 9 }), fc.integer({ min: 0, max: 6 }), (unit, digits, decimals) => {
      expectSameAsAwsCdkLib(FACTORIES[unit](digits / 10 ** decimals));
    }), { numRuns: RUNS });
  });

  test('any non-negative double of every unit', () => {
    fc.assert(fc.property(unitArb, fc.double({ min: 0, noNaN: true }), (unit, amount) => {
      expectSameAsAwsCdkLib(FACTORIES[unit](amount));
    }), { numRuns: RUNS });
  });

  test('an integer plus a few units in the last place (fractions the ISO form rounds away)', () => {
    fc.assert(fc.property(unitArb, fc.integer({ min: 1, max: 10 ** 7 }), fc.integer({ min: -4, max: 4 }), (unit, n, ulps) => {
      const bits = new Float64Array([n]);
      new BigInt64Array(bits.buffer)[0] += BigInt(ulps);
      expectSameAsAwsCdkLib(FACTORIES[unit](bits[0]));
    }), { numRuns: RUNS });
  });
});

test('rendering a rollout does not load aws-cdk-lib/.warnings.jsii.js', () => {
  // A fresh process: in this one, the conversions above have loaded it already.
  const script = `
    const { Duration } = require('aws-cdk-lib');
    const cdk8s = require('cdk8s');
    const lib = require(${JSON.stringify(path.join(__dirname, '..', '..', 'src'))});
    const app = new cdk8s.App();
    const chart = new cdk8s.Chart(app, 'c', { namespace: 'ns' });
    const strategy = lib.DeploymentStrategy.canary({
      steps: [lib.CanaryStep.of(10, Duration.minutes(5)), lib.CanaryStep.withManualGate(50, Duration.minutes(5))],
      analysis: lib.Analysis.of({ checks: [
        lib.HealthCheck.errorRate({ maxPercent: 1 }),
        lib.HealthCheck.latency({ percentile: 99, max: Duration.millis(500) }),
      ] }),
    });
    const rollout = new lib.ArgoRollout(chart, 'app', {
      strategy,
      containers: [{ image: 'app:1', portNumber: 8080 }],
      trafficRouting: lib.TrafficRouting.nginx({ stableIngress: 'app' }),
      metrics: lib.MetricProvider.prometheus({ address: 'http://prometheus:9090' }),
    });
    const blueGreen = new lib.ArgoRollout(chart, 'bg', {
      strategy: lib.DeploymentStrategy.blueGreen({ promotion: lib.Promotion.manual() }),
      containers: [{ image: 'app:1', portNumber: 8080 }],
      smokeTest: lib.ArgoSmokeTest.web({ path: '/health' }),
    });
    const yaml = app.synthYaml();
    rollout.plan.toMarkdown();
    blueGreen.plan.toMarkdown();
    const loaded = Object.keys(require.cache).filter(k => k.includes('.warnings.jsii'));
    console.log(JSON.stringify({ kinds: (yaml.match(/^kind: /gm) || []).length, loaded }));
  `;
  const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', script], {
    encoding: 'utf-8', env: { ...process.env, TS_NODE_PROJECT: path.join(__dirname, '..', '..', 'tsconfig.dev.json') },
  });
  const result = JSON.parse(out.trim().split('\n').pop()!);
  expect(result.kinds).toBe(8);
  expect(result.loaded).toEqual([]);
}, 60_000);
