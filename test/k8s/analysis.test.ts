import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cdk8s from 'cdk8s';
import { canaryStrategy, CONTAINERS, ofKind, synthValid } from './util';
import {
  Analysis, ArgoRollout, CanaryStep, Comparison, DatadogAggregator, DatadogFormula, DeploymentStrategy, HealthCheck, MetricProvider,
  PrometheusQueries, TooLittleData, TrafficRouting,
} from '../../src';

const ADDRESS = 'http://prometheus.monitoring:9090';

function metricsOf(props: Partial<ConstructorParameters<typeof ArgoRollout>[2]>): any[] {
  const chart = cdk8s.Testing.chart();
  new ArgoRollout(chart, 'api', {
    strategy: canaryStrategy(),
    containers: CONTAINERS,
    trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }),
    metrics: MetricProvider.prometheus({ address: ADDRESS }),
    ...props,
  });
  const [template] = ofKind(synthValid(chart), 'AnalysisTemplate');
  return template.spec.metrics;
}

interface Extra { minRequests?: number; failureLimit?: number; initialDelay?: Duration; interval?: Duration; tooLittleData?: TooLittleData }
function strategyWith(checks: HealthCheck[], extra: Extra = {}): DeploymentStrategy {
  return DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(30))],
    analysis: Analysis.of({
      checks,
      interval: extra.interval ?? Duration.minutes(1),
      failureLimit: extra.failureLimit ?? 1,
      minRequests: extra.minRequests ?? 10,
      initialDelay: extra.initialDelay,
      tooLittleData: extra.tooLittleData,
    }),
  });
}

describe('Prometheus', () => {
  test('NGINX queries by default with the NGINX router, guarded by minRequests', () => {
    const [errorRate, latency] = metricsOf({});
    expect(errorRate.provider.prometheus.address).toBe(ADDRESS);
    expect(errorRate.provider.prometheus.query).toBe(
      '((sum(rate(nginx_ingress_controller_requests{namespace="{{args.namespace}}",service="{{args.service}}",status=~"5.."}[1m])) or on() vector(0))'
      + ' / sum(rate(nginx_ingress_controller_requests{namespace="{{args.namespace}}",service="{{args.service}}"}[1m])))'
      + ' and on() ((sum(increase(nginx_ingress_controller_requests{namespace="{{args.namespace}}",service="{{args.service}}"}[1m]))) >= 20)');
    expect(latency.provider.prometheus.query).toContain('histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{');
  });

  test('Istio queries by default with the Istio router', () => {
    const [errorRate, latency] = metricsOf({ trafficRouting: TrafficRouting.istio({ virtualService: 'api' }) });
    expect(errorRate.provider.prometheus.query).toContain(
      '(sum(rate(istio_requests_total{reporter="destination",destination_service_namespace="{{args.namespace}}",destination_service_name="{{args.service}}",response_code=~"5.."}[1m])) or on() vector(0))');
    expect(latency.provider.prometheus.query).toContain('istio_request_duration_milliseconds_bucket');
    expect(latency.provider.prometheus.query).toContain(') / 1000)');
  });

  test('queries can be overridden', () => {
    const [errorRate] = metricsOf({ metrics: MetricProvider.prometheus({ address: ADDRESS, queries: PrometheusQueries.istio() }) });
    expect(errorRate.provider.prometheus.query).toContain('istio_requests_total');
    const [custom, latency] = metricsOf({
      metrics: MetricProvider.prometheus({
        address: ADDRESS,
        queries: PrometheusQueries.custom({ errorRatio: 'my_errors{svc="{{args.service}}"}[{{window}}]', latencySeconds: 'my_p{{quantile}}', requestCount: 'my_requests[{{window}}]' }),
      }),
    });
    expect(custom.provider.prometheus.query).toBe('(my_errors{svc="{{args.service}}"}[1m]) and on() ((my_requests[1m]) >= 20)');
    expect(latency.provider.prometheus.query).toBe('(my_p0.99) and on() ((my_requests[1m]) >= 20)');
  });

  test('no minRequests guard when minRequests is 0', () => {
    const [m] = metricsOf({ strategy: strategyWith([HealthCheck.errorRate({ maxPercent: 2 })], { minRequests: 0 }) });
    expect(m.provider.prometheus.query).not.toContain('and on()');
  });

  test('by default (TooLittleData.PASS) an empty result or NaN is a success, never a failure', () => {
    const [errorRate, latency] = metricsOf({});
    expect(errorRate.successCondition).toBe('!(len(result) > 0 && !isNaN(result[0])) || result[0] <= 0.01');
    expect(errorRate.failureCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] > 0.01');
    expect(latency.successCondition).toBe('!(len(result) > 0 && !isNaN(result[0])) || result[0] <= 0.5');
    expect(latency.failureCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] > 0.5');
    expect(errorRate.inconclusiveLimit).toBeUndefined();
  });

  test('TooLittleData.FAIL makes an empty result or NaN a failed measurement', () => {
    const [m] = metricsOf({ strategy: strategyWith([HealthCheck.errorRate({ maxPercent: 1 })], { tooLittleData: TooLittleData.FAIL }) });
    expect(m.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.01');
    expect(m.failureCondition).toBe('!(len(result) > 0 && !isNaN(result[0])) || result[0] > 0.01');
    expect(m.inconclusiveLimit).toBeUndefined();
  });

  test('TooLittleData.INCONCLUSIVE matches neither condition; inconclusiveLimit defaults to failureLimit + 1', () => {
    const extra = { failureLimit: 3, interval: Duration.seconds(30), initialDelay: Duration.minutes(2), tooLittleData: TooLittleData.INCONCLUSIVE };
    const [m] = metricsOf({ strategy: strategyWith([HealthCheck.errorRate({ maxPercent: 1 })], extra) });
    expect(m.successCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] <= 0.01');
    expect(m.failureCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] > 0.01');
    expect(m).toMatchObject({ interval: '30s', failureLimit: 3, initialDelay: '2m', inconclusiveLimit: 4, name: 'error-rate' });
    expect(m.provider.prometheus.query).toContain('[30s]');
  });

  test('fails when inconclusiveLimit is set but no analysis is inconclusive', () => {
    expect(() => metricsOf({ inconclusiveLimit: 10 }))
      .toThrow('ArgoRollout: inconclusiveLimit only applies to an analysis whose tooLittleData is TooLittleData.INCONCLUSIVE, and no analysis of the strategy is, got 10. Remove inconclusiveLimit, or declare Analysis.of({ ..., tooLittleData: TooLittleData.INCONCLUSIVE }).');
  });

  test('inconclusiveLimit can be set for an inconclusive analysis', () => {
    const strategy = strategyWith([HealthCheck.errorRate({ maxPercent: 1 })], { tooLittleData: TooLittleData.INCONCLUSIVE });
    const [m] = metricsOf({ inconclusiveLimit: 10, strategy });
    expect(m.inconclusiveLimit).toBe(10);
  });

  test('custom checks use their own query, threshold and comparison', () => {
    const check = HealthCheck.custom({ name: 'queue-depth', threshold: 100, failWhen: Comparison.GREATER_THAN_OR_EQUAL, prometheus: 'sum(queue_depth)' });
    const [m] = metricsOf({ strategy: strategyWith([check]) });
    expect(m.provider.prometheus.query).toBe('sum(queue_depth)');
    expect(m.failureCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] >= 100');
    expect(m.successCondition).toBe('!(len(result) > 0 && !isNaN(result[0])) || result[0] < 100');
    const low = HealthCheck.custom({ name: 'throughput', threshold: 5, failWhen: Comparison.LESS_THAN, prometheus: 'sum(rate(done[1m]))' });
    const [t] = metricsOf({ strategy: strategyWith([low]) });
    expect(t.failureCondition).toBe('len(result) > 0 && !isNaN(result[0]) && result[0] < 5');
    expect(t.successCondition).toBe('!(len(result) > 0 && !isNaN(result[0])) || result[0] >= 5');
    const le = HealthCheck.custom({ name: 'ready', threshold: 0, failWhen: Comparison.LESS_THAN_OR_EQUAL, prometheus: 'min(up)' });
    expect(metricsOf({ strategy: strategyWith([le]) })[0].successCondition).toContain('result[0] > 0');
  });

  test('fails when a built-in check has no default query for the router', () => {
    expect(() => metricsOf({ trafficRouting: TrafficRouting.alb({ ingress: 'api' }) }))
      .toThrow('ArgoRollout: metrics.queries must be given for the built-in check "error-rate": there are default queries for the NGINX and Istio routers only, and the router is ALB ingress api, got undefined.');
  });

  test('fails when custom queries miss the query of a check', () => {
    expect(() => metricsOf({ metrics: MetricProvider.prometheus({ address: ADDRESS, queries: PrometheusQueries.custom({ errorRatio: 'x', requestCount: 'y' }) }) }))
      .toThrow('ArgoRollout: metrics.queries.latencySeconds is required for the check "latency-p99", got undefined.');
  });

  test('fails when custom queries cannot apply minRequests', () => {
    expect(() => metricsOf({ metrics: MetricProvider.prometheus({ address: ADDRESS, queries: PrometheusQueries.custom({ errorRatio: 'x', latencySeconds: 'y' }) }) }))
      .toThrow("ArgoRollout: metrics.queries.requestCount is required because the analysis' minRequests is 20, got undefined.");
  });

  test('fails when a custom check has no Prometheus query', () => {
    const check = HealthCheck.custom({ name: 'orders', threshold: 1, failWhen: Comparison.LESS_THAN, datadog: 'sum:orders{*}' });
    expect(() => metricsOf({ strategy: strategyWith([check]) }))
      .toThrow('ArgoRollout: strategy.analysis.checks include "orders", which has no Prometheus query');
  });

  test('fails when the strategy has checks but no metric provider', () => {
    expect(() => metricsOf({ metrics: undefined }))
      .toThrow('ArgoRollout: metrics is required because strategy.analysis has health checks (error-rate, latency-p99), got undefined.');
  });

  test('fails when a metric provider is given without checks', () => {
    const strategy = DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: Analysis.none('no metrics yet') });
    expect(() => metricsOf({ strategy })).toThrow('ArgoRollout: metrics is given but the strategy has no health checks to measure, got PROMETHEUS.');
  });
});

describe('CloudWatch', () => {
  const check = HealthCheck.custom({
    name: 'checkout-errors',
    threshold: 5,
    failWhen: Comparison.GREATER_THAN,
    cloudWatch: { namespace: 'Shop', metricName: 'CheckoutErrors', dimensions: { Service: 'api', Env: 'prod' }, statistic: 'Sum' },
  });

  test('renders the metric query, lookback and order-independent conditions', () => {
    const [m] = metricsOf({ strategy: strategyWith([check]), metrics: MetricProvider.cloudWatch() });
    expect(m.provider.cloudWatch).toEqual({
      interval: '1m',
      metricDataQueries: [{
        id: 'm',
        returnData: true,
        metricStat: { metric: { namespace: 'Shop', metricName: 'CheckoutErrors', dimensions: [{ name: 'Env', value: 'prod' }, { name: 'Service', value: 'api' }] }, period: 60, stat: 'Sum' },
      }],
    });
    expect(m.failureCondition).toBe('len(result[0].Values) > 0 && any(result[0].Values, {# > 5})');
    expect(m.successCondition).toBe('!(len(result[0].Values) > 0) || all(result[0].Values, {# <= 5})');
  });

  test('a CloudWatch IMetric renders as a metricStat query with its own statistic and sorted dimensions', () => {
    const metric = new cloudwatch.Metric({
      namespace: 'Shop', metricName: 'CheckoutErrors', statistic: 'Sum', period: Duration.minutes(1), dimensionsMap: { Service: 'api', Env: 'prod' },
    });
    const fromMetric = HealthCheck.custom({ name: 'checkout-errors', threshold: 5, failWhen: Comparison.GREATER_THAN, cloudWatchMetric: metric });
    const [m] = metricsOf({ strategy: strategyWith([fromMetric]), metrics: MetricProvider.cloudWatch() });
    expect(m.provider.cloudWatch.metricDataQueries).toEqual([{
      id: 'm',
      returnData: true,
      metricStat: { metric: { namespace: 'Shop', metricName: 'CheckoutErrors', dimensions: [{ name: 'Env', value: 'prod' }, { name: 'Service', value: 'api' }] }, period: 60, stat: 'Sum' },
    }]);
  });

  test('a CloudWatch math expression renders as the expression plus the metrics it uses', () => {
    const expr = new cloudwatch.MathExpression({
      expression: '100 * errors / calls',
      period: Duration.minutes(1),
      usingMetrics: {
        errors: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors', statistic: 'Sum', period: Duration.minutes(1) }),
        calls: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Calls', statistic: 'Sum', period: Duration.minutes(1) }),
      },
    });
    const fromMath = HealthCheck.custom({ name: 'shop-errors', threshold: 2, failWhen: Comparison.GREATER_THAN, cloudWatchMetric: expr });
    const [m] = metricsOf({ strategy: strategyWith([fromMath]), metrics: MetricProvider.cloudWatch() });
    expect(m.provider.cloudWatch.metricDataQueries).toEqual([
      { id: 'e', expression: '100 * errors / calls', returnData: true },
      { id: 'calls', returnData: false, metricStat: { metric: { namespace: 'Shop', metricName: 'Calls', dimensions: [] }, period: 60, stat: 'Sum' } },
      { id: 'errors', returnData: false, metricStat: { metric: { namespace: 'Shop', metricName: 'Errors', dimensions: [] }, period: 60, stat: 'Sum' } },
    ]);
  });

  test('fails when a CloudWatch IMetric has a dimension only CloudFormation can resolve', () => {
    const stack = new Stack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1') });
    const fnErrors = HealthCheck.custom({ name: 'fn-errors', threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatchMetric: fn.metricErrors({ period: Duration.minutes(1) }) });
    expect(() => metricsOf({ strategy: strategyWith([fnErrors]), metrics: MetricProvider.cloudWatch() }))
      .toThrow('ArgoRollout: strategy.analysis.checks ("fn-errors").cloudWatchMetric must have a concrete value for dimension FunctionName for Argo Rollouts\' CloudWatch provider (the AnalysisTemplate is not a CloudFormation template), got an unresolved token.');
  });

  test('fails when a CloudWatch IMetric period differs from the analysis interval', () => {
    const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors', period: Duration.minutes(5) });
    const slow = HealthCheck.custom({ name: 'shop-errors', threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatchMetric: metric });
    expect(() => metricsOf({ strategy: strategyWith([slow]), metrics: MetricProvider.cloudWatch() }))
      .toThrow('ArgoRollout: strategy.analysis.checks ("shop-errors").cloudWatchMetric must have the analysis\' interval (60s) as its period, got 300s.');
  });

  test('lookback changes the provider interval', () => {
    const [m] = metricsOf({ strategy: strategyWith([check]), metrics: MetricProvider.cloudWatch({ lookback: Duration.minutes(5) }) });
    expect(m.provider.cloudWatch.interval).toBe('5m');
  });

  test('fails when a built-in check is measured with CloudWatch', () => {
    expect(() => metricsOf({ metrics: MetricProvider.cloudWatch() }))
      .toThrow('ArgoRollout: strategy.analysis.checks include "error-rate", which has no CloudWatch query');
  });
});

describe('Datadog', () => {
  const check = HealthCheck.custom({ name: 'p95', threshold: 0.3, failWhen: Comparison.GREATER_THAN, datadog: 'avg:trace.http.request.duration.by.service.95p{service:api}' });

  test('renders the query with a nil-safe condition', () => {
    const [m] = metricsOf({ strategy: strategyWith([check]), metrics: MetricProvider.datadog({ lookback: Duration.minutes(5) }) });
    expect(m.provider.datadog).toEqual({ interval: '5m', query: 'avg:trace.http.request.duration.by.service.95p{service:api}' });
    expect(m.successCondition).toBe('!(result != nil && !isNaN(result)) || result <= 0.3');
    expect(m.failureCondition).toBe('result != nil && !isNaN(result) && result > 0.3');
  });

  test('the lookback defaults to the analysis interval', () => {
    const [m] = metricsOf({ strategy: strategyWith([check]), metrics: MetricProvider.datadog() });
    expect(m.provider.datadog.interval).toBe('1m');
  });

  test('a formula over several queries renders Datadog\'s v2 API (queries, formula, aggregator), valid against the CRD', () => {
    const errorRate = HealthCheck.custom({
      name: 'error-rate-dd',
      threshold: 1,
      failWhen: Comparison.GREATER_THAN,
      datadogFormula: DatadogFormula.of({
        queries: { errors: 'sum:trace.http.request.errors{service:api}.as_count()', hits: 'sum:trace.http.request.hits{service:api}.as_count()' },
        formula: 'errors / hits * 100',
        aggregator: DatadogAggregator.SUM,
      }),
    });
    const [m] = metricsOf({ strategy: strategyWith([errorRate]), metrics: MetricProvider.datadog({ lookback: Duration.minutes(5) }) });
    expect(m.provider.datadog).toEqual({
      apiVersion: 'v2',
      interval: '5m',
      queries: { errors: 'sum:trace.http.request.errors{service:api}.as_count()', hits: 'sum:trace.http.request.hits{service:api}.as_count()' },
      formula: 'errors / hits * 100',
      aggregator: 'sum',
    });
    expect(m.failureCondition).toBe('result != nil && !isNaN(result) && result > 1');
    const noAggregator = HealthCheck.custom({ name: 'x', threshold: 1, failWhen: Comparison.GREATER_THAN, datadogFormula: DatadogFormula.of({ queries: { a: 'avg:x{*}' }, formula: 'a * 2' }) });
    const [n] = metricsOf({ strategy: strategyWith([noAggregator]), metrics: MetricProvider.datadog() });
    expect(n.provider.datadog).toEqual({ apiVersion: 'v2', interval: '1m', queries: { a: 'avg:x{*}' }, formula: 'a * 2' });
  });

  test('fails on a bad Datadog formula, as the Argo Rollouts controller would or earlier', () => {
    const formula = DatadogFormula.of({ queries: { a: 'avg:x{*}' }, formula: 'a' });
    expect(() => HealthCheck.custom({ name: 'x', threshold: 1, failWhen: Comparison.GREATER_THAN, datadog: 'avg:x{*}', datadogFormula: formula })).toThrow(
      'HealthCheck.custom: datadogFormula cannot be combined with datadog: the check has one Datadog measurement (Argo Rollouts refuses a query beside queries), got both. Keep one of datadog and datadogFormula.');
    expect(() => HealthCheck.custom({ name: 'x', threshold: 1, failWhen: Comparison.GREATER_THAN, datadogFormula: { queries: {}, formula: 'a' } as any })).toThrow(
      'HealthCheck.custom: datadogFormula must be a DatadogFormula, got {"queries":{},"formula":"a"}. Pass DatadogFormula.of({ queries, formula }).');
    expect(() => DatadogFormula.of({ queries: {}, formula: 'a' })).toThrow('DatadogFormula.of: queries must be an object of one or more named Datadog queries, got {}.');
    expect(() => DatadogFormula.of(null as any)).toThrow('DatadogFormula.of: props must be an object, got null.');
    expect(() => DatadogFormula.of({ queries: { '1a': 'avg:x{*}' }, formula: '1a' })).toThrow(
      'DatadogFormula.of: queries.1a must be named with letters, digits and "_", starting with a letter (the formula refers to it by name), got "1a".');
    expect(() => DatadogFormula.of({ queries: { a: ' ' }, formula: 'a' })).toThrow('DatadogFormula.of: queries.a must be a Datadog metric query known at synth time, got " ".');
    expect(() => DatadogFormula.of({ queries: { a: 'avg:x{*}', b: 'avg:y{*}' }, formula: 'a * 2' })).toThrow(
      'DatadogFormula.of: formula must use every query; it does not name "b", got "a * 2". Use each query in the formula, or remove the queries it does not need.');
    expect(() => DatadogFormula.of({ queries: { a: 'avg:x{*}' }, formula: '' })).toThrow('DatadogFormula.of: formula must be a formula over the queries\' names, known at synth time, got "".');
    expect(() => DatadogFormula.of({ queries: { a: 'avg:x{*}' }, formula: 'a', aggregator: 'median' as any })).toThrow(
      'DatadogFormula.of: aggregator must be a DatadogAggregator, got "median".');
    const eleven = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`q${i}`, 'avg:x{*}']));
    expect(() => DatadogFormula.of({ queries: eleven, formula: Object.keys(eleven).join(' + ') })).toThrow('DatadogFormula.of: queries can hold at most 10 queries, got 11 queries.');
  });

  test('fails when a built-in check is measured with Datadog', () => {
    expect(() => metricsOf({ metrics: MetricProvider.datadog() }))
      .toThrow('ArgoRollout: strategy.analysis.checks include "error-rate", which has no Datadog query');
  });
});

describe('provider factories', () => {
  test('fails when the Prometheus address is not a URL', () => {
    expect(() => MetricProvider.prometheus({ address: 'prometheus:9090' }))
      .toThrow('MetricProvider.prometheus: address must be an http(s) URL, got "prometheus:9090".');
  });
  test('fails when custom queries are empty', () => {
    expect(() => PrometheusQueries.custom({})).toThrow('PrometheusQueries.custom: errorRatio/latencySeconds must include at least one query, got neither.');
    expect(() => PrometheusQueries.custom({ errorRatio: ' ' })).toThrow('PrometheusQueries.custom: errorRatio must be a non-empty string, got " ".');
  });
  test('fails when a lookback is not a Duration', () => {
    expect(() => MetricProvider.cloudWatch({ lookback: 5 as any })).toThrow('MetricProvider.cloudWatch: lookback must be a Duration');
  });
  test('describes the query sources', () => {
    expect(PrometheusQueries.nginxIngress().source).toBe('NGINX ingress');
    expect(PrometheusQueries.istio().source).toBe('Istio');
  });
});

describe('one declaration shared by many rollouts', () => {
  test('rollouts sharing a strategy and a provider render the same metrics, each with its router\'s queries', () => {
    const strategy = canaryStrategy();
    const metrics = MetricProvider.prometheus({ address: ADDRESS });
    const chart = cdk8s.Testing.chart();
    new ArgoRollout(chart, 'api', { strategy, metrics, containers: CONTAINERS, trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }) });
    new ArgoRollout(chart, 'web', { strategy, metrics, containers: CONTAINERS, trafficRouting: TrafficRouting.nginx({ stableIngress: 'web' }) });
    new ArgoRollout(chart, 'mesh', { strategy, metrics, containers: CONTAINERS, trafficRouting: TrafficRouting.istio({ virtualService: 'mesh' }) });
    const templates = ofKind(synthValid(chart), 'AnalysisTemplate');
    expect(templates).toHaveLength(3);
    const queries = templates.map(t => t.spec.metrics.map((m: any) => m.provider.prometheus.query));
    expect(queries[0]).toEqual(queries[1]);
    expect(queries[0].every((q: string) => q.includes('nginx_ingress_controller_'))).toBe(true);
    expect(queries[2].every((q: string) => q.includes('istio_request'))).toBe(true);
  });

  test('a refusal is thrown for every rollout that cannot render the shared declaration, not only the first', () => {
    const strategy = canaryStrategy();
    const metrics = MetricProvider.prometheus({ address: ADDRESS });
    const chart = cdk8s.Testing.chart();
    new ArgoRollout(chart, 'api', { strategy, metrics, containers: CONTAINERS, trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }) });
    for (const id of ['smi', 'smi2']) {
      expect(() => new ArgoRollout(chart, id, { strategy, metrics, containers: CONTAINERS, trafficRouting: TrafficRouting.smi({ rootService: id }) }))
        .toThrow(/metrics\.queries must be given for the built-in check "error-rate": there are default queries for the NGINX and Istio routers only, and the router is SMI/);
    }
  });
});
