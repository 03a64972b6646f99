import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import * as fc from 'fast-check';
import { CONTAINERS, ofKind, rolloutOf, synthValid } from './util';
import {
  Analysis, ArgoRollout, ArgoRolloutProps, BaselineComparison, CanaryStep, Comparison, DatabaseConnection, DatadogFormula, DatabaseEngine,
  DeploymentStrategy,
  HealthCheck, MetricProvider, MigrationSet, MigrationSql, MigrationStep, PrometheusQueries, TooLittleData, TrafficRouting,
} from '../../src';
import { checkControllerRules } from '../../src/k8s/private/controller-rules';

const PROMETHEUS = MetricProvider.prometheus({ address: 'http://prometheus:9090' });
const ISTIO = TrafficRouting.istio({ virtualService: 'api' });

/** "The new version's error rate at most 1.5× the old's, and at most 2% absolute", 5% of traffic to each for 10 minutes. */
function comparison(extra: Partial<Parameters<typeof BaselineComparison.of>[0]> = {}): BaselineComparison {
  return BaselineComparison.of({
    analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 })], minRequests: 20 }),
    duration: Duration.minutes(10),
    replicas: 2,
    trafficPercent: 5,
    ...extra,
  });
}

function strategyWith(baseline: BaselineComparison, keepPreviousVersionFor?: Duration): DeploymentStrategy {
  return DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(10)), CanaryStep.of(50, Duration.minutes(10))],
    analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
    baseline,
    keepPreviousVersionFor,
  });
}

function render(props: Partial<ArgoRolloutProps> = {}, baseline = comparison()) {
  const chart = cdk8s.Testing.chart();
  const keep = props.trafficRouting?.kind === 'NONE' ? Duration.seconds(0) : undefined;
  const rollout = new ArgoRollout(chart, 'api', {
    strategy: strategyWith(baseline, keep), containers: CONTAINERS, trafficRouting: ISTIO, metrics: PROMETHEUS, ...props,
  });
  const manifests = synthValid(chart);
  const templates = ofKind(manifests, 'AnalysisTemplate');
  const comparisonTemplate = templates.find(t => t.metadata.name.includes('baselineanalysis'));
  return { rollout, manifests, spec: rolloutOf(manifests).spec, templates, comparisonTemplate };
}

function kayentaCheck(threshold = 95) {
  return HealthCheck.custom({ name: 'kayenta', threshold, failWhen: Comparison.LESS_THAN, kayenta: 'checkout-canary' });
}

const KAYENTA = MetricProvider.kayenta({
  address: 'http://kayenta.spinnaker:8090',
  application: 'checkout',
  metricsAccountName: 'prometheus-account',
  configurationAccountName: 'config-account',
  storageAccountName: 'storage-account',
  scope: 'app="checkout",rollouts_pod_template_hash="{{args.pod-template-hash}}"',
  region: 'eu-west-1',
});

describe('the experiment step', () => {
  test('runs first: a baseline from the stable template and a canary from the new one, same size, weighted, compared by an analysis required for completion', () => {
    const { spec, comparisonTemplate } = render();
    const steps = spec.strategy.canary.steps;
    expect(steps[0]).toEqual({
      experiment: {
        duration: '10m',
        templates: [
          { name: 'baseline', specRef: 'stable', replicas: 2, weight: 5 },
          { name: 'canary', specRef: 'canary', replicas: 2, weight: 5 },
        ],
        analyses: [{
          name: 'baseline-comparison',
          templateName: comparisonTemplate.metadata.name,
          requiredForCompletion: true,
          args: [
            { name: 'baseline-hash', value: '{{templates.baseline.podTemplateHash}}' },
            { name: 'canary-hash', value: '{{templates.canary.podTemplateHash}}' },
            { name: 'baseline-service', value: '{{templates.baseline.replicaset.name}}' },
            { name: 'canary-service', value: '{{templates.canary.replicaset.name}}' },
            { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'start-time', value: '{{experiment.availableAt}}' },
            { name: 'end-time', value: '{{experiment.finishedAt}}' },
          ],
        }],
      },
    });
    expect(steps[1]).toEqual({ setWeight: 10 });
    // The background analysis starts after the experiment and the first setWeight.
    expect(spec.strategy.canary.analysis.startingStep).toBe(2);
  });

  test('without traffic the templates have no weight', () => {
    const quiet = BaselineComparison.of({
      analysis: Analysis.of({
        checks: [HealthCheck.custom({
          name: 'cpu',
          threshold: 2,
          failWhen: Comparison.GREATER_THAN,
          maxRatioToBaseline: 1.3,
          prometheus: 'sum(rate(container_cpu_usage_seconds_total{namespace="{{args.namespace}}",pod=~".*-{{args.pod-template-hash}}-.*"}[5m]))',
        })],
      }),
      duration: Duration.minutes(10),
    });
    const { spec, comparisonTemplate } = render({ trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }) }, quiet);
    expect(spec.strategy.canary.steps[0].experiment.templates).toEqual([
      { name: 'baseline', specRef: 'stable', replicas: 1 },
      { name: 'canary', specRef: 'canary', replicas: 1 },
    ]);
    const cpu = (hash: string) => `sum(rate(container_cpu_usage_seconds_total{namespace="{{args.namespace}}",pod=~".*-{{args.${hash}}}-.*"}[5m]))`;
    expect(comparisonTemplate.spec.metrics.map((m: any) => [m.name, m.provider.prometheus.query, m.failureCondition])).toEqual([
      ['cpu', cpu('canary-hash'), 'len(result) > 0 && !isNaN(result[0]) && result[0] > 2'],
      ['cpu-vs-baseline', `(${cpu('canary-hash')}) - on() (1.3 * (${cpu('baseline-hash')}))`, 'len(result) > 0 && !isNaN(result[0]) && result[0] > 0'],
    ]);
  });

  test('fails when fractional step weights meet the Gateway API plugin, which counts every weight out of 100', () => {
    const chart = cdk8s.Testing.chart();
    const make = (trafficPercent: number) => new ArgoRollout(chart, `api${trafficPercent}`, {
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(5.5, Duration.minutes(10))],
        analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
        baseline: trafficPercent > 0 ? comparison({ trafficPercent }) : BaselineComparison.of({
          analysis: Analysis.of({ checks: [HealthCheck.custom({ name: 'cpu', threshold: 2, failWhen: Comparison.GREATER_THAN, maxRatioToBaseline: 1.3, prometheus: 'cpu{pod_template_hash="{{args.pod-template-hash}}"}' })] }),
          duration: Duration.minutes(10),
        }),
      }),
      containers: CONTAINERS,
      namespace: 'shop',
      trafficRouting: TrafficRouting.gatewayApi({ httpRoute: 'api' }),
      metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }),
    });
    // Fractional step weights are refused with the Gateway API plugin, weighted comparison or not.
    for (const percent of [5, 0]) {
      expect(() => make(percent)).toThrow("ArgoRollout: strategy steps have a fractional weight, but Argo Rollouts' setWeight is a whole percent with Gateway API HTTPRoute api "
        + '(only NGINX honours maxTrafficWeight; the Gateway API plugin counts weights out of 100 whatever the maximum), got 5.5%.');
      expect(chart.node.tryFindChild(`api${percent}`)).toBeUndefined();
    }
  });

  test('with the Gateway API plugin and whole weights the templates are weighted out of 100', () => {
    const chart = cdk8s.Testing.chart();
    new ArgoRollout(chart, 'api', {
      strategy: strategyWith(comparison()),
      containers: CONTAINERS,
      namespace: 'shop',
      trafficRouting: TrafficRouting.gatewayApi({ httpRoute: 'api' }),
      metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }),
    });
    const canary = rolloutOf(synthValid(chart)).spec.strategy.canary;
    expect(canary.trafficRouting.maxTrafficWeight).toBeUndefined();
    expect(canary.steps[0].experiment.templates.map((t: any) => t.weight)).toEqual([5, 5]);
  });
});

test('the experiment runs after the migrations, which must run before any new pod starts', () => {
  const migrations = new MigrationSet({
    engine: DatabaseEngine.postgres(16),
    connection: DatabaseConnection.fromSecretFields({ secretName: 'shop-db' }),
    steps: [MigrationStep.expand({ id: 'add-email-lower', sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN IF NOT EXISTS email_lower text;') })],
  });
  const { spec, rollout } = render({ migrations });
  const canary = spec.strategy.canary;
  expect(canary.steps[0].analysis.templates[0].templateName).toContain('migrations');
  expect(canary.steps[1].experiment.templates.map((t: any) => t.name)).toEqual(['baseline', 'canary']);
  expect(canary.steps[2]).toEqual({ setWeight: 10 });
  expect(canary.analysis.startingStep).toBe(3);
  expect(rollout.plan.phases.slice(0, 2).map(p => p.trafficPercent)).toEqual([0, 5]);
});

describe('the comparison AnalysisTemplate', () => {
  test('judges the new version absolutely and against the baseline, selecting each by its experiment Service', () => {
    const { comparisonTemplate } = render();
    expect(comparisonTemplate.spec.args.map((a: any) => a.name)).toEqual(['baseline-hash', 'canary-hash', 'baseline-service', 'canary-service', 'namespace', 'start-time', 'end-time']);
    const [absolute, relative] = comparisonTemplate.spec.metrics;
    const sel = (svc: string) => `reporter="destination",destination_service_namespace="{{args.namespace}}",destination_service_name="{{args.${svc}}}"`;
    const ratio = (svc: string) => `((sum(rate(istio_requests_total{${sel(svc)},response_code=~"5.."}[1m])) or on() vector(0)) / sum(rate(istio_requests_total{${sel(svc)}}[1m])))`
      + ` and on() ((sum(increase(istio_requests_total{${sel(svc)}}[1m]))) >= 20)`;
    expect(absolute).toEqual({
      name: 'error-rate',
      interval: '1m',
      count: 10,
      failureLimit: 1,
      successCondition: '!(len(result) > 0 && !isNaN(result[0])) || result[0] <= 0.02',
      failureCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] > 0.02',
      provider: { prometheus: { address: 'http://prometheus:9090', query: ratio('canary-service') } },
    });
    expect(relative).toEqual({
      name: 'error-rate-vs-baseline',
      interval: '1m',
      count: 10,
      failureLimit: 1,
      successCondition: '!(len(result) > 0 && !isNaN(result[0])) || result[0] <= 0',
      failureCondition: 'len(result) > 0 && !isNaN(result[0]) && result[0] > 0',
      provider: { prometheus: { address: 'http://prometheus:9090', query: `(${ratio('canary-service')}) - on() (1.5 * (${ratio('baseline-service')}))` } },
    });
  });

  test('a latency ratio and TooLittleData.FAIL: no data fails the comparison', () => {
    const { comparisonTemplate } = render({}, comparison({
      analysis: Analysis.of({
        checks: [HealthCheck.latency({ percentile: 99, max: Duration.millis(400), maxRatioToBaseline: 1.2 })],
        minRequests: 0,
        tooLittleData: TooLittleData.FAIL,
        interval: Duration.minutes(2),
        failureLimit: 0,
      }),
    }));
    const metric = comparisonTemplate.spec.metrics[1];
    expect(metric.name).toBe('latency-p99-vs-baseline');
    expect(metric.count).toBe(5);
    expect(metric.failureCondition).toBe('!(len(result) > 0 && !isNaN(result[0])) || result[0] > 0');
    expect(metric.provider.prometheus.query).toContain('- on() (1.2 * (histogram_quantile(0.99,');
    expect(metric.provider.prometheus.query).toContain('destination_service_name="{{args.baseline-service}}"');
  });

  test('custom PrometheusQueries select a version by its pod-template hash', () => {
    const queries = PrometheusQueries.custom({
      errorRatio: 'sum(rate(http_errors_total{rollouts_pod_template_hash="{{args.pod-template-hash}}"}[{{window}}])) / sum(rate(http_requests_total{rollouts_pod_template_hash="{{args.pod-template-hash}}"}[{{window}}]))',
      requestCount: 'sum(increase(http_requests_total{rollouts_pod_template_hash="{{args.pod-template-hash}}"}[{{window}}]))',
    });
    const { comparisonTemplate } = render({ baselineMetrics: MetricProvider.prometheus({ address: 'http://app-prometheus:9090', queries }) });
    const q = comparisonTemplate.spec.metrics[1].provider.prometheus;
    expect(q.address).toBe('http://app-prometheus:9090');
    expect(q.query).toBe('((sum(rate(http_errors_total{rollouts_pod_template_hash="{{args.canary-hash}}"}[1m])) / sum(rate(http_requests_total{rollouts_pod_template_hash="{{args.canary-hash}}"}[1m]))) '
      + 'and on() ((sum(increase(http_requests_total{rollouts_pod_template_hash="{{args.canary-hash}}"}[1m]))) >= 20)) - on() (1.5 * ((sum(rate(http_errors_total{rollouts_pod_template_hash="{{args.baseline-hash}}"}[1m])) '
      + '/ sum(rate(http_requests_total{rollouts_pod_template_hash="{{args.baseline-hash}}"}[1m]))) and on() ((sum(increase(http_requests_total{rollouts_pod_template_hash="{{args.baseline-hash}}"}[1m]))) >= 20)))');
  });
});

describe('Kayenta', () => {
  test('renders the fields its CRD requires, with the baseline as control and the new version as experiment, judged once the window ends', () => {
    const { comparisonTemplate, spec, rollout } = render({ baselineMetrics: KAYENTA }, comparison({
      analysis: Analysis.of({ checks: [kayentaCheck()], failureLimit: 0, interval: Duration.minutes(1) }),
      duration: Duration.minutes(30),
    }));
    const scope = (hash: string) => ({
      scope: `app="checkout",rollouts_pod_template_hash="{{args.${hash}}}"`, region: 'eu-west-1', step: 60, start: '{{args.start-time}}', end: '{{args.end-time}}',
    });
    expect(comparisonTemplate.spec.metrics).toEqual([{
      name: 'kayenta',
      initialDelay: '30m',
      count: 1,
      failureLimit: 0,
      provider: {
        kayenta: {
          address: 'http://kayenta.spinnaker:8090',
          application: 'checkout',
          canaryConfigName: 'checkout-canary',
          metricsAccountName: 'prometheus-account',
          configurationAccountName: 'config-account',
          storageAccountName: 'storage-account',
          threshold: { pass: 95, marginal: 75 },
          scopes: [{ name: 'default', controlScope: scope('baseline-hash'), experimentScope: scope('canary-hash') }],
        },
      },
    }]);
    expect(spec.strategy.canary.steps[0].experiment.duration).toBe('30m');
    expect(rollout.runbook.toMarkdown()).toContain('Inconclusive');
  });

  test('fails when Kayenta is asked to run checks it cannot, or with settings it would ignore', () => {
    const expectFail = (analysis: Analysis, message: string, provider = KAYENTA) =>
      expect(() => render({ baselineMetrics: provider }, comparison({ analysis }))).toThrow(message);
    expectFail(Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 })] }),
      'ArgoRollout: strategy.baseline.analysis.checks ("error-rate") has no Kayenta configuration, and the Kayenta provider only runs Kayenta judgements');
    expectFail(Analysis.of({ checks: [kayentaCheck()] }),
      'ArgoRollout: strategy.baseline.analysis.failureLimit must be 0 with Kayenta: Kayenta judges the whole window once, got 1. Pass failureLimit: 0.');
    expectFail(Analysis.of({ checks: [kayentaCheck()], failureLimit: 0, tooLittleData: TooLittleData.FAIL }),
      'ArgoRollout: strategy.baseline.analysis.tooLittleData cannot be set with Kayenta: Kayenta\'s judge decides what missing data counts as, got FAIL.');
    expectFail(Analysis.of({ checks: [kayentaCheck()], failureLimit: 0, initialDelay: Duration.minutes(1) }),
      'ArgoRollout: strategy.baseline.analysis.initialDelay cannot be set with Kayenta');
    expectFail(Analysis.of({ checks: [kayentaCheck(70)], failureLimit: 0 }),
      'ArgoRollout: baselineMetrics.marginalScore must be at most the passing score of "kayenta" (70), got 75. Pass a marginalScore of 70 or less.');
    expectFail(Analysis.of({ checks: [kayentaCheck()], failureLimit: 0 }),
      'ArgoRollout: strategy.baseline.analysis.checks ("kayenta") is a Kayenta judgement, which the prometheus provider cannot run', PROMETHEUS);
  });

  test.each([
    [{ address: 'kayenta:8090' }, 'MetricProvider.kayenta: address must be an http(s) URL, got "kayenta:8090".'],
    [{ scope: 'app="checkout"' }, 'MetricProvider.kayenta: scope must select one version with {{args.pod-template-hash}}, got "app=\\"checkout\\"".'],
    [{ application: '' }, 'MetricProvider.kayenta: application must be a non-empty string, got "".'],
    [{ storageAccountName: undefined }, 'MetricProvider.kayenta: storageAccountName must be a non-empty string, got undefined.'],
    [{ marginalScore: 101 }, 'MetricProvider.kayenta: marginalScore must be a whole score between 0 and 100, got 101.'],
  ])('fails when MetricProvider.kayenta gets %p', (extra, message) => {
    expect(() => MetricProvider.kayenta({
      address: 'http://k:8090',
      application: 'a',
      metricsAccountName: 'm',
      configurationAccountName: 'c',
      storageAccountName: 's',
      scope: 'x={{args.pod-template-hash}}',
      ...extra,
    } as any)).toThrow(message);
  });

  test('fails when Kayenta measures the strategy\'s own checks', () => {
    const chart = cdk8s.Testing.chart();
    expect(() => new ArgoRollout(chart, 'api', { strategy: strategyWith(comparison()), containers: CONTAINERS, trafficRouting: ISTIO, metrics: KAYENTA })).toThrow(
      'ArgoRollout: metrics cannot be Kayenta for the strategy\'s own checks: Kayenta compares the new version with a baseline, which only the baseline comparison runs, got KAYENTA. '
      + 'Pass the Kayenta provider as baselineMetrics, and a Prometheus, CloudWatch or Datadog provider as metrics.');
  });
});

describe('refusals', () => {
  const fails = (make: () => unknown, message: string) => expect(make).toThrow(message);

  test.each([
    ['NGINX', TrafficRouting.nginx({ stableIngress: 'api' }), 'NGINX ingress api'],
    ['no router', TrafficRouting.none(), 'no traffic router (weights approximated by pod counts)'],
  ])('fails when traffic is sent to the comparison with %s', (_name, trafficRouting, described) => {
    fails(() => render({ trafficRouting, metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }) }),
      `ArgoRollout: strategy.baseline.trafficPercent cannot send traffic to the baseline and the new version with ${described}: Argo Rollouts weights experiment templates with the SMI, ALB and Istio routers and router plugins only, got 5. `
      + 'Route with TrafficRouting.istio(), .alb(), .smi() or .gatewayApi(), or set trafficPercent: 0 and judge with custom checks fed by your own load.');
  });

  test('fails when the comparison is measured with CloudWatch', () => {
    fails(() => render({ baselineMetrics: MetricProvider.cloudWatch() }),
      'ArgoRollout: baselineMetrics cannot be CloudWatch: a CloudWatch metric is selected by fixed dimensions and cannot tell the experiment\'s baseline pods from its new ones, got CLOUDWATCH.');
  });

  test('fails when there is no provider for the comparison', () => {
    fails(() => render({ metrics: undefined, strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(10))], analysis: Analysis.none('judged by the comparison'), baseline: comparison() }) }),
      'ArgoRollout: baselineMetrics is required because strategy.baseline has health checks (error-rate), got undefined.');
  });

  test('fails when a custom check does not select a version', () => {
    const c = BaselineComparison.of({
      analysis: Analysis.of({ checks: [HealthCheck.custom({ name: 'cpu', threshold: 1, failWhen: Comparison.GREATER_THAN, prometheus: 'sum(rate(cpu[5m]))', maxRatioToBaseline: 1.2 })] }),
      duration: Duration.minutes(10),
    });
    fails(() => render({}, c),
      'ArgoRollout: strategy.baseline.analysis.checks ("cpu") must select one version with {{args.pod-template-hash}} or {{args.service}}: otherwise it measures every pod, not the experiment\'s, got "sum(rate(cpu[5m]))".');
  });

  test('fails when a version is selected by its Service but no Service is created (no traffic)', () => {
    const c = BaselineComparison.of({
      analysis: Analysis.of({ checks: [HealthCheck.custom({ name: 'cpu', threshold: 1, failWhen: Comparison.GREATER_THAN, prometheus: 'x{service="{{args.service}}"}', maxRatioToBaseline: 1.2 })] }),
      duration: Duration.minutes(10),
    });
    fails(() => render({ baselineMetrics: MetricProvider.prometheus({ address: 'http://p:9090' }) }, c),
      'ArgoRollout: strategy.baseline.analysis.checks ("cpu") selects a version by {{args.service}}, but without traffic (trafficPercent 0) Argo Rollouts creates no Service for the experiment\'s pods, got 0.');
  });

  test('fails when the rollout name leaves no room for the experiment Service names', () => {
    fails(() => render({ rolloutName: 'a'.repeat(36) }),
      `ArgoRollout: rolloutName must be at most 35 characters with a weighted baseline comparison: Argo Rollouts names the experiment's Services <rollout>-<pod hash>-<revision>-<step>-baseline, and a Service name has at most 63 characters, got "${'a'.repeat(36)}".`);
    expect(render({ rolloutName: 'a'.repeat(35) }).spec.strategy.canary.steps[0].experiment).toBeDefined();
  });

  test('fails when no container declares a port for the experiment Services', () => {
    fails(() => render({ containers: [{ image: 'registry.example.com/api:1' }], port: 80 }),
      'ArgoRollout: strategy.baseline.trafficPercent needs a container port: Argo Rollouts creates the experiment\'s Services from the pod template\'s container ports');
  });

  test('fails when baselineMetrics is given without a baseline comparison, or is not a provider', () => {
    const chart = cdk8s.Testing.chart();
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.minutes(10))],
      analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
    });
    fails(() => new ArgoRollout(chart, 'a', { strategy, containers: CONTAINERS, trafficRouting: ISTIO, metrics: PROMETHEUS, baselineMetrics: PROMETHEUS }),
      'ArgoRollout: baselineMetrics only applies to a strategy with a baseline comparison, and this strategy has none, got PROMETHEUS.');
    fails(() => new ArgoRollout(chart, 'b', { strategy: strategyWith(comparison()), containers: CONTAINERS, trafficRouting: ISTIO, metrics: PROMETHEUS, baselineMetrics: 'prom' as any }),
      'ArgoRollout: baselineMetrics must be a MetricProvider, got "prom".');
  });

  test('fails when metrics would measure nothing because baselineMetrics measures the comparison', () => {
    const chart = cdk8s.Testing.chart();
    const strategy = DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(10))], analysis: Analysis.none('judged by the comparison'), baseline: comparison() });
    fails(() => new ArgoRollout(chart, 'a', { strategy, containers: CONTAINERS, trafficRouting: ISTIO, metrics: PROMETHEUS, baselineMetrics: PROMETHEUS }),
      'ArgoRollout: metrics is given but the strategy has no health checks to measure, got PROMETHEUS.');
    // metrics alone measures the comparison.
    expect(new ArgoRollout(chart, 'b', { strategy, containers: CONTAINERS, trafficRouting: ISTIO, metrics: PROMETHEUS }).analysisTemplateNames).toHaveLength(1);
  });
});

describe('plan', () => {
  test('shows the experiment as its own phase, with its exposure and how Argo runs it', () => {
    const { rollout } = render();
    const plan = rollout.plan;
    expect(plan.phases[0]).toMatchObject({ name: 'Baseline comparison (2 instance(s) of each version)', trafficPercent: 5, checks: ['error-rate'] });
    expect(plan.phases[0].duration.toMinutes()).toBe(10);
    expect(plan.notes).toContain('Baseline comparison: an experiment step before the first setWeight starts 2 pod(s) from the stable pod template (baseline) and 2 from the new one (canary); '
      + 'each receives 5% of production traffic through Istio VirtualService api (experiment template weights, applied once both are ready; the stable version keeps 90%). '
      + 'Its analysis compares them through the experiment\'s pod-template hashes and Services; a failed or errored comparison aborts the rollout, an inconclusive one pauses it.');
  });
});

describe('controller rules for experiment steps', () => {
  function broken(mutate: (experiment: any, canary: any, templates: any[]) => void): () => void {
    const { manifests } = render();
    const rollout = rolloutOf(manifests);
    const templates = ofKind(manifests, 'AnalysisTemplate');
    mutate(rollout.spec.strategy.canary.steps[0].experiment, rollout.spec.strategy.canary, templates);
    return () => checkControllerRules(rollout, templates);
  }
  const RULE = 'ArgoRollout (Argo Rollouts controller rule): spec.strategy.canary.steps[0].experiment';

  test('the rendered experiment passes', () => {
    expect(broken(() => undefined)).not.toThrow();
  });
  test('fails when a template weight is set without traffic routing', () => {
    expect(broken((_e, c) => { delete c.trafficRouting; delete c.scaleDownDelaySeconds; }))
      .toThrow(`${RULE}.templates[0].weight cannot be set unless traffic routing is enabled, got 5.`);
  });
  test('fails when a template weight is set with a router that cannot weigh experiments', () => {
    expect(broken((_e, c) => { c.trafficRouting = { nginx: { stableIngress: 'api' } }; }))
      .toThrow(`${RULE}.templates[0].weight is only available with the SMI, ALB and Istio routers and router plugins, got 5.`);
  });
  test('fails when the weights exceed the total', () => {
    expect(broken(e => { e.templates[0].weight = 60; e.templates[1].weight = 50; }))
      .toThrow(`${RULE}.templates must not weigh more than 100 together (the stable version keeps the rest), got 110.`);
    expect(broken(e => { e.templates[0].weight = 2.5; })).toThrow(`${RULE}.templates[0].weight must be a whole number between 0 and 100, got 2.5.`);
  });
  test('fails when template names repeat or are empty, or specRef is unknown', () => {
    expect(broken(e => { e.templates[1].name = 'baseline'; }))
      .toThrow(`${RULE}.templates[1].name must be unique within the experiment (the controller marks the Experiment InvalidSpec), got "baseline".`);
    expect(broken(e => { e.templates[0].name = ''; })).toThrow(`${RULE}.templates[0].name must not be empty, got "".`);
    expect(broken(e => { e.templates[0].specRef = 'stabel'; })).toThrow(`${RULE}.templates[0].specRef must be "stable" or "canary", got "stabel".`);
    expect(broken(e => { e.templates = []; })).toThrow(`${RULE}.templates must contain at least one template, got [].`);
    expect(broken(e => { e.templates[0].replicas = -1; })).toThrow(`${RULE}.templates[0].replicas must be a non-negative whole number, got -1.`);
  });
  test('fails when the experiment can never end', () => {
    expect(broken(e => { delete e.duration; e.analyses[0].requiredForCompletion = false; e.analyses[0].args.pop(); }))
      .toThrow(`${RULE} must have a duration or an analysis with requiredForCompletion: otherwise the experiment, and the rollout with it, never ends, got neither.`);
    expect(broken(e => { e.duration = 'ten minutes'; })).toThrow(`${RULE}.duration must be a duration such as 30s, 10m or 1h, got "ten minutes".`);
  });
  test('fails when an argument reads a template the experiment does not have, or an unknown value', () => {
    expect(broken(e => { e.analyses[0].args[0].value = '{{templates.stable.podTemplateHash}}'; }))
      .toThrow(`${RULE}.analyses[0].args.baseline-hash reads the template "stable", which the experiment does not have, got "{{templates.stable.podTemplateHash}}". Use one of ["baseline","canary"].`);
    expect(broken(e => { e.analyses[0].args[0].value = '{{templates.baseline.hash}}'; }))
      .toThrow(`${RULE}.analyses[0].args.baseline-hash uses a placeholder the experiment does not resolve`);
    expect(broken(e => { delete e.duration; e.analyses[0].requiredForCompletion = true; }))
      .toThrow(`${RULE}.analyses[0].args.end-time reads experiment.finishedAt, which the controller only sets for an experiment with a duration, got "{{experiment.finishedAt}}".`);
  });
  test('fails when an analysis name repeats, an argument is missing, or a required analysis never ends', () => {
    expect(broken(e => { e.analyses.push({ ...e.analyses[0] }); }))
      .toThrow(`${RULE}.analyses[1].name must be a non-empty name unique within the experiment (it names the AnalysisRun), got "baseline-comparison".`);
    expect(broken(e => { e.analyses[0].args = e.analyses[0].args.filter((a: any) => a.name !== 'canary-hash'); }))
      .toThrow(`${RULE}.analyses[0].args must supply the argument "canary-hash"`);
    expect(broken((_e, _c, templates) => { for (const t of templates) for (const m of t.spec.metrics) delete m.count; }))
      .toThrow(`${RULE}.analyses[0] references AnalysisTemplate`);
    expect(broken(e => { e.analyses[0].args[4].valueFrom.fieldRef.fieldPath = 'spec.replicas'; }))
      .toThrow(`${RULE}.analyses[0].args.namespace must read a Rollout metadata field supported by the downward API`);
  });
});

describe('more providers and limits', () => {
  test('fails when a ratio bound is measured by a provider other than Prometheus', () => {
    const c = BaselineComparison.of({
      analysis: Analysis.of({
        checks: [HealthCheck.custom({
          name: 'errors',
          threshold: 5,
          failWhen: Comparison.GREATER_THAN,
          maxRatioToBaseline: 1.5,
          datadog: 'sum:trace.http.request.errors{pod_template_hash:{{args.pod-template-hash}}}.as_count()',
        })],
      }),
      duration: Duration.minutes(10),
    });
    expect(() => render({ baselineMetrics: MetricProvider.datadog() }, c)).toThrow(
      'ArgoRollout: strategy.baseline.analysis.checks ("errors").maxRatioToBaseline needs the Prometheus provider, which measures both versions with the same query, got another provider. '
      + 'Pass baselineMetrics: MetricProvider.prometheus({...}).');
  });

  test('fails when a query of a Datadog formula in a comparison does not select one version', () => {
    const c = BaselineComparison.of({
      analysis: Analysis.of({
        checks: [HealthCheck.custom({
          name: 'errors',
          threshold: 5,
          failWhen: Comparison.GREATER_THAN,
          maxRatioToBaseline: 1.5,
          datadogFormula: DatadogFormula.of({
            queries: {
              errors: 'sum:trace.http.request.errors{pod_template_hash:{{args.pod-template-hash}}}.as_count()',
              hits: 'sum:trace.http.request.hits{service:api}.as_count()',
            },
            formula: 'errors / hits * 100',
          }),
        })],
      }),
      duration: Duration.minutes(10),
    });
    expect(() => render({ baselineMetrics: MetricProvider.datadog() }, c)).toThrow(
      'ArgoRollout: strategy.baseline.analysis.checks ("errors") must select one version with {{args.pod-template-hash}} or {{args.service}}: otherwise it measures every pod, '
      + 'not the experiment\'s, got "sum:trace.http.request.hits{service:api}.as_count()".');
  });

  test('inconclusiveLimit applies when only the comparison is inconclusive', () => {
    const c = comparison({
      analysis: Analysis.of({
        checks: [HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 })], minRequests: 20, tooLittleData: TooLittleData.INCONCLUSIVE,
      }),
    });
    const { comparisonTemplate, rollout } = render({ inconclusiveLimit: 3 }, c);
    expect(comparisonTemplate.spec.metrics.map((m: any) => m.inconclusiveLimit)).toEqual([3, 3]);
    expect(comparisonTemplate.spec.metrics[1].successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] <= 0');
    expect(rollout.runbook.toMarkdown()).toContain('Inconclusive');
  });

  test('the same declaration renders byte-identical manifests', () => {
    const once = () => JSON.stringify(render().manifests);
    expect(once()).toBe(once());
  });

  test('random comparisons on random routers and providers render valid manifests or fail with a DeliveryValidationError', () => {
    const routers = [ISTIO, TrafficRouting.alb({ ingress: 'api' }), TrafficRouting.smi(), TrafficRouting.nginx({ stableIngress: 'api' }), TrafficRouting.none()];
    let rendered = 0;
    const providers = [PROMETHEUS, MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }), MetricProvider.datadog(), MetricProvider.cloudWatch(), KAYENTA];
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: routers.length - 1 }),
      fc.integer({ min: 0, max: providers.length - 1 }), fc.integer({ min: 0, max: 3 }), fc.double({ min: 1, max: 3, noNaN: true }),
      (trafficPercent, replicas, r, p, kind, ratio) => {
        const checks = [
          HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: ratio }),
          HealthCheck.latency({ percentile: 99, max: Duration.millis(400), maxRatioToBaseline: ratio }),
          HealthCheck.custom({ name: 'cpu', threshold: 2, failWhen: Comparison.GREATER_THAN, maxRatioToBaseline: ratio, prometheus: 'cpu{h="{{args.pod-template-hash}}"}' }),
          kayentaCheck(),
        ];
        const chart = cdk8s.Testing.chart();
        try {
          const baseline = BaselineComparison.of({
            analysis: Analysis.of({ checks: [checks[kind]], failureLimit: kind === 3 ? 0 : 1 }),
            duration: Duration.minutes(10),
            replicas,
            trafficPercent,
          });
          const router = routers[r];
          new ArgoRollout(chart, 'api', {
            strategy: strategyWith(baseline, router.kind === 'NONE' ? Duration.seconds(0) : undefined),
            containers: CONTAINERS,
            trafficRouting: router,
            metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }),
            baselineMetrics: providers[p],
          });
        } catch (e) {
          expect((e as Error).name).toBe('DeliveryValidationError');
          return;
        }
        const manifests = synthValid(chart);
        const experiment = rolloutOf(manifests).spec.strategy.canary.steps[0].experiment;
        expect(experiment.templates.map((t: any) => [t.specRef, t.replicas, t.weight])).toEqual([
          ['stable', replicas, trafficPercent || undefined], ['canary', replicas, trafficPercent || undefined],
        ]);
        rendered++;
      },
    ), { numRuns: 60, seed: 13 });
    // Both outcomes occur: the property is not satisfied by refusing everything.
    expect(rendered).toBeGreaterThan(5);
  });
});
