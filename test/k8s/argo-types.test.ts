/**
 * The kinds and union values the library writes without loading the generated Argo types must be
 * those of the generated types, and rendering a rollout must not load the generated modules.
 */
import * as at from '../../src/k8s/imports/argo-analysis-template-argoproj.io';
import * as ro from '../../src/k8s/imports/argo-rollout-argoproj.io';
import { ANALYSIS_TEMPLATE, ROLLOUT, union } from '../../src/k8s/private/argo-types';
import { plainJson } from '../../src/k8s/private/plain-json';

describe('argo-types', () => {
  test('kinds are those of the generated types', () => {
    expect(ROLLOUT).toStrictEqual({ ...ro.Rollout.GVK });
    expect(ANALYSIS_TEMPLATE).toStrictEqual({ ...at.AnalysisTemplate.GVK });
  });

  test.each([
    ['a number', 3, ro.RolloutSpecStrategyCanaryMaxSurge.fromNumber(3)],
    ['a percentage', '25%', ro.RolloutSpecStrategyCanaryMaxSurge.fromString('25%')],
    ['a duration', '5m', ro.RolloutSpecStrategyCanaryStepsPauseDuration.fromString('5m')],
  ])('a union value holding %s converts as the generated one does', (_, value, generated) => {
    const local = union<ro.RolloutSpecStrategyCanaryMaxSurge>(value);
    expect(local.value).toBe(generated.value);
    expect(Object.keys(local)).toStrictEqual(Object.keys(generated));
    expect(plainJson({ maxSurge: local })).toStrictEqual({ maxSurge: value });
    expect(ro.toJson_RolloutSpecStrategyCanary({ maxSurge: local })).toStrictEqual(ro.toJson_RolloutSpecStrategyCanary({ maxSurge: generated }));
    expect(at.toJson_AnalysisTemplateSpecMetrics({ name: 'm', provider: {}, count: union(value) }))
      .toStrictEqual({ name: 'm', provider: {}, count: value });
  });

  test('rendering a rollout does not load the generated modules', () => {
    const loaded: string[] = [];
    jest.isolateModules(() => {
      /* eslint-disable @typescript-eslint/no-require-imports */
      for (const m of ['argo-rollout-argoproj.io', 'argo-analysis-template-argoproj.io']) {
        const modulePath = `../../src/k8s/imports/${m}`;
        jest.doMock(modulePath, () => {
          loaded.push(m);
          return jest.requireActual(modulePath);
        });
      }
      const cdk8s = require('cdk8s');
      const src = require('../../src');
      const chart = new cdk8s.Chart(new cdk8s.App(), 'test');
      new src.ArgoRollout(chart, 'api', {
        strategy: src.DeploymentStrategy.rolling({
          maxSurge: src.Capacity.percent(25),
          maxUnavailable: src.Capacity.count(0),
          analysis: src.Analysis.of({ checks: [src.HealthCheck.errorRate({ maxPercent: 1 })] }),
        }),
        metrics: src.MetricProvider.prometheus({ address: 'http://prometheus.monitoring:9090', queries: src.PrometheusQueries.nginxIngress() }),
        containers: [{ image: 'registry.example.com/api:1', portNumber: 8080 }],
      });
      expect(cdk8s.Testing.synth(chart).map((o: any) => o.kind)).toStrictEqual(['Service', 'AnalysisTemplate', 'Rollout']);
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
    expect(loaded).toStrictEqual([]);
  });
});
