import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as fc from 'fast-check';
import { validateManifests } from './manifest-validator';
import {
  AbortScaleDown, Analysis, AntiAffinity, ArgoRollout, Capacity, CanaryStep, DeploymentStrategy, HealthCheck, MetricProvider, PrometheusQueries,
  Promotion, TrafficRouting,
} from '../../src';
import { checkControllerRules } from '../../src/k8s/private/controller-rules';
import { DeliveryValidationError } from '../../src/private/validate';

const routers = [
  () => TrafficRouting.none(),
  () => TrafficRouting.nginx({ stableIngress: 'api' }),
  () => TrafficRouting.istio({ virtualService: 'api' }),
  () => TrafficRouting.alb({ ingress: 'api' }),
  () => TrafficRouting.smi(),
  () => TrafficRouting.gatewayApi({ httpRoute: 'api', namespace: 'shop' }),
];

test('random canaries either render valid manifests or raise a clear error, never anything else', () => {
  fc.assert(fc.property(
    fc.uniqueArray(fc.integer({ min: 1, max: 9999 }), { minLength: 1, maxLength: 5 }).map(ws => ws.sort((a, b) => a - b).map(w => w / 100)),
    fc.integer({ min: 0, max: routers.length - 1 }),
    fc.integer({ min: 0, max: 10 }),
    fc.integer({ min: 0, max: 3 }),
    fc.boolean(),
    (weights, router, replicas, failureLimit, keep) => {
      const chart = cdk8s.Testing.chart();
      try {
        const strategy = DeploymentStrategy.canary({
          steps: weights.map((w, i) => (i % 2 ? CanaryStep.withManualGate(w, Duration.minutes(10)) : CanaryStep.of(w, Duration.minutes(10)))),
          analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], failureLimit }),
          keepPreviousVersionFor: keep ? Duration.minutes(5) : Duration.seconds(0),
        });
        new ArgoRollout(chart, 'api', {
          strategy,
          replicas,
          containers: [{ image: 'api:1', portNumber: 8080 }],
          trafficRouting: routers[router](),
          metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }),
        });
      } catch (e) {
        expect(e).toBeInstanceOf(DeliveryValidationError);
        expect(cdk8s.Testing.synth(chart)).toEqual([]);
        return;
      }
      const manifests = cdk8s.Testing.synth(chart);
      expect(validateManifests(manifests)).toEqual([]);
      const canary = manifests.find(m => m.kind === 'Rollout').spec.strategy.canary;
      const setWeights = canary.steps.filter((s: any) => s.setWeight !== undefined).map((s: any) => s.setWeight);
      // The keep window is a final judged step at 100%, then a pause as long as the window.
      expect(setWeights).toHaveLength(weights.length + (keep ? 1 : 0));
      if (keep) {
        expect(setWeights[setWeights.length - 1]).toBe(canary.trafficRouting.maxTrafficWeight ?? 100);
        expect(canary.steps[canary.steps.length - 1]).toEqual({ pause: { duration: '5m' } });
      }
    },
  ), { numRuns: 60 });
});

test('random safety fields on random strategies either render manifests the controller rules accept or raise a clear error', () => {
  const strategies = [
    () => DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.minutes(5))],
      analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
      keepPreviousVersionFor: Duration.seconds(0),
    }),
    () => DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }),
    () => DeploymentStrategy.rolling({ analysis: Analysis.none('property test without traffic') }),
  ];
  // Each field is absent three times in four, so that valid combinations are common.
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: arb, weight: 1 });
  let rendered = 0;
  let refused = 0;
  fc.assert(fc.property(
    fc.integer({ min: 0, max: strategies.length - 1 }),
    fc.integer({ min: 0, max: 1 }),
    fc.record({
      progressDeadline: optional(fc.integer({ min: 300, max: 3600 }).map(s => Duration.seconds(s))),
      progressDeadlineAbort: optional(fc.boolean()),
      rollbackWindowRevisions: optional(fc.integer({ min: 0, max: 11 })),
      abortScaleDown: optional(fc.oneof(
        fc.constant(AbortScaleDown.never()),
        fc.integer({ min: 1, max: 600 }).map(s => AbortScaleDown.after(Duration.seconds(s))),
      )),
      minReadyTime: optional(fc.integer({ min: 0, max: 400 }).map(s => Duration.seconds(s))),
      dynamicStableScale: optional(fc.boolean()),
      maxSurge: optional(fc.integer({ min: 0, max: 2 }).map(n => Capacity.count(n))),
      maxUnavailable: optional(fc.integer({ min: 0, max: 50 }).map(n => Capacity.percent(n))),
      previewReplicaCount: optional(fc.integer({ min: 1, max: 4 })),
      scaleDownDelayRevisionLimit: optional(fc.integer({ min: 0, max: 11 })),
      antiAffinity: optional(fc.oneof(fc.constant(AntiAffinity.required()), fc.integer({ min: 1, max: 100 }).map(w => AntiAffinity.preferred(w)))),
    }, { requiredKeys: [] }),
    (s, router, safety) => {
      const chart = cdk8s.Testing.chart();
      try {
        new ArgoRollout(chart, 'api', {
          strategy: strategies[s](),
          replicas: 3,
          containers: [{ image: 'api:1', portNumber: 8080 }],
          trafficRouting: s === 0 && router === 1 ? TrafficRouting.nginx({ stableIngress: 'api' }) : undefined,
          metrics: s === 0 ? MetricProvider.prometheus({ address: 'http://p:9090' }) : undefined,
          ...safety,
        });
      } catch (e) {
        expect(e).toBeInstanceOf(DeliveryValidationError);
        refused++;
        return;
      }
      rendered++;
      const manifests = cdk8s.Testing.synth(chart);
      expect(validateManifests(manifests)).toEqual([]);
      const rollout = manifests.find(m => m.kind === 'Rollout');
      expect(() => checkControllerRules(rollout, manifests.filter(m => m.kind === 'AnalysisTemplate'))).not.toThrow();
      expect(rollout.spec.progressDeadlineAbort).toBe(safety.progressDeadlineAbort ?? true);
    },
  ), { numRuns: 120, seed: 14 });
  // Both outcomes are exercised.
  expect(rendered).toBeGreaterThan(20);
  expect(refused).toBeGreaterThan(10);
});
