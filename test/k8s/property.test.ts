import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as fc from 'fast-check';
import { validateManifests } from './manifest-validator';
import { Analysis, ArgoRollout, CanaryStep, DeploymentStrategy, HealthCheck, MetricProvider, PrometheusQueries, TrafficRouting } from '../../src';
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
