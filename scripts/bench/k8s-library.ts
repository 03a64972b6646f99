/**
 * Benchmark workload, library variant: n Argo rollouts declared with `ArgoRollout` in one chart,
 * each a two-step canary (10% then 50%, five minutes each) behind the NGINX ingress controller,
 * judged by a background Prometheus analysis (error rate and p99 latency), then the default keep
 * window (the analysis' time to detect a failure: five minutes at 100%, still judged).
 * scripts/bench/k8s-handwritten.ts defines the same manifests with plain cdk8s `ApiObject`s.
 */
import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { SynthResult } from './worker';
// lib/ is the compiled package, which the bench task builds before it runs.
// eslint-disable-next-line import/no-unresolved
import { Analysis, ArgoRollout, CanaryStep, DeploymentStrategy, HealthCheck, MetricProvider, TrafficRouting } from '../../lib';

export function synth(n: number): SynthResult {
  const app = new cdk8s.App();
  const chart = new cdk8s.Chart(app, 'bench', { namespace: 'bench' });

  const strategy = DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(5)), CanaryStep.of(50, Duration.minutes(5))],
    analysis: Analysis.of({
      checks: [
        HealthCheck.errorRate({ maxPercent: 1 }),
        HealthCheck.latency({ percentile: 99, max: Duration.millis(500) }),
      ],
    }),
  });
  const metrics = MetricProvider.prometheus({ address: 'http://prometheus.monitoring:9090' });

  for (let i = 0; i < n; i++) {
    new ArgoRollout(chart, `app${i}`, {
      strategy,
      containers: [{ image: 'registry.example.com/app:1.0.0', portNumber: 8080 }],
      replicas: 2,
      port: 80,
      targetPort: 8080,
      trafficRouting: TrafficRouting.nginx({ stableIngress: `app${i}` }),
      metrics,
    });
  }

  // In memory: synthYaml() writes no files.
  const yaml = app.synthYaml();
  return { comparable: yaml, resources: (yaml.match(/^kind: /gm) ?? []).length };
}
