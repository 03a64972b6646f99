/**
 * The Rollout and AnalysisTemplate specs are converted to Kubernetes JSON by plainJson instead of the
 * generated conversions of the Argo types. Here every spec the library converts, across strategies,
 * routers, metric providers and smoke tests, is also converted by the generated functions, and the two
 * must agree.
 */
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { CONTAINERS, canaryStrategy, synthValid } from './util';
import {
  Analysis, ArgoRollout, ArgoRolloutProps, Capacity, CanaryStep, Comparison, DeploymentStrategy, HealthCheck, MetricProvider, Promotion,
  ArgoSmokeTest, PrometheusQueries, TrafficRouting,
} from '../../src';
import * as at from '../../src/k8s/imports/argo-analysis-template-argoproj.io';
import * as ro from '../../src/k8s/imports/argo-rollout-argoproj.io';
import { plainJson } from '../../src/k8s/private/plain-json';

jest.mock('../../src/k8s/private/plain-json', () => {
  const actual = jest.requireActual('../../src/k8s/private/plain-json');
  return { plainJson: jest.fn((v: any) => actual.plainJson(v)) };
});

const prometheus = MetricProvider.prometheus({ address: 'http://prometheus.monitoring:9090', queries: PrometheusQueries.nginxIngress() });
const checks = () => Analysis.of({
  checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
});
const custom = (props: { cloudWatch?: any; datadog?: string }) => Analysis.of({
  checks: [HealthCheck.custom({ name: 'orders', threshold: 1, failWhen: Comparison.LESS_THAN, ...props })],
});

const scenarios: Record<string, Omit<ArgoRolloutProps, 'containers'>> = {
  'canary, NGINX': { strategy: canaryStrategy(), metrics: prometheus, trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }) },
  'canary, no router': {
    strategy: DeploymentStrategy.canary({
      steps: [CanaryStep.of(20, Duration.minutes(5))], analysis: checks(), keepPreviousVersionFor: Duration.seconds(0),
    }),
    metrics: prometheus,
  },
  'canary, Istio': { strategy: canaryStrategy(), metrics: prometheus, trafficRouting: TrafficRouting.istio({ virtualService: 'api' }) },
  'canary, ALB': { strategy: canaryStrategy(), metrics: prometheus, trafficRouting: TrafficRouting.alb({ ingress: 'api' }) },
  'canary, SMI': { strategy: canaryStrategy(), metrics: prometheus, trafficRouting: TrafficRouting.smi() },
  'canary, Gateway API': {
    strategy: canaryStrategy(), metrics: prometheus, trafficRouting: TrafficRouting.gatewayApi({ httpRoute: 'api', namespace: 'prod' }),
  },
  'linear, CloudWatch': {
    strategy: DeploymentStrategy.linear({
      stepPercent: 25,
      interval: Duration.minutes(2),
      analysis: custom({ cloudWatch: { namespace: 'Shop', metricName: 'Orders', dimensions: { Service: 'api' }, statistic: 'Sum' } }),
    }),
    metrics: MetricProvider.cloudWatch(),
    trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }),
  },
  'rolling, Datadog': {
    strategy: DeploymentStrategy.rolling({ maxSurge: Capacity.count(2), maxUnavailable: Capacity.percent(10), analysis: custom({ datadog: 'sum:orders{*}' }) }),
    metrics: MetricProvider.datadog(),
  },
  'blue/green, web smoke test': {
    strategy: DeploymentStrategy.blueGreen({
      previewAnalysis: checks(), promotion: Promotion.automatic(Duration.minutes(5)), postPromotionAnalysis: checks(),
    }),
    metrics: prometheus,
    smokeTest: ArgoSmokeTest.web({ path: '/health' }),
  },
  'all at once, job smoke test': {
    strategy: DeploymentStrategy.allAtOnce(),
    smokeTest: ArgoSmokeTest.job({ image: 'registry.example.com/smoke:1', command: ['/smoke'], args: ['--fast'] }),
  },
};

describe('plainJson agrees with the generated conversions', () => {
  test.each(Object.keys(scenarios))('%s', (name) => {
    const convert = plainJson as jest.Mock;
    convert.mockClear();
    const chart = new cdk8s.Chart(new cdk8s.App(), 'test');
    new ArgoRollout(chart, 'api', { containers: CONTAINERS, ...scenarios[name] });
    synthValid(chart);
    expect(convert).toHaveBeenCalled();
    for (const [input] of convert.mock.calls) {
      const generated = 'strategy' in input ? ro.toJson_RolloutSpec(input) : at.toJson_AnalysisTemplateSpec(input);
      expect(jest.requireActual('../../src/k8s/private/plain-json').plainJson(input)).toStrictEqual(generated);
    }
  });

  test('refuses a field the generated conversion renames', () => {
    const actual = jest.requireActual('../../src/k8s/private/plain-json').plainJson;
    expect(() => actual({ template: { spec: { hostIp: 'x' } } })).toThrow('plainJson: field "hostIp" is renamed by the generated conversion');
  });
});
