import { Token } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { fail, show } from '../../private/validate';
import { Analysis, TooLittleData } from '../../strategy/analysis';
import { Comparison, HealthCheck, HealthCheckKind } from '../../strategy/health-check';
import type * as at from '../imports/argo-analysis-template-argoproj.io';
import { MetricProvider, MetricProviderKind, PrometheusQueries } from '../metric-provider';
import { ArgoSmokeTest, ArgoSmokeTestKind } from '../smoke-test';
import { TrafficRouterKind, TrafficRouting } from '../traffic-routing';
import { union } from './argo-types';
import { argoDuration, seconds } from './durations';

const WHERE = 'ArgoRollout';

/** The arguments every generated AnalysisTemplate declares; the rollout supplies all of them. */
export const TEMPLATE_ARGS = ['service', 'stable-service', 'namespace'];

/** The opposite comparison: the measurement passes when it does not fail. */
const NEGATED: Record<Comparison, string> = {
  [Comparison.GREATER_THAN]: '<=',
  [Comparison.GREATER_THAN_OR_EQUAL]: '<',
  [Comparison.LESS_THAN]: '>=',
  [Comparison.LESS_THAN_OR_EQUAL]: '>',
};
const SYMBOL: Record<Comparison, string> = {
  [Comparison.GREATER_THAN]: '>',
  [Comparison.GREATER_THAN_OR_EQUAL]: '>=',
  [Comparison.LESS_THAN]: '<',
  [Comparison.LESS_THAN_OR_EQUAL]: '<=',
};

export interface MetricContext {
  /** The field of the strategy the analysis comes from, for messages. */
  readonly field: string;
  readonly provider: MetricProvider | undefined;
  readonly router: TrafficRouting;
  /**
   * Number of measurements; undefined for a background analysis that runs until the rollout
   * completes.
   */
  readonly count?: number;
  /** How many measurements without data are tolerated before the analysis turns Inconclusive. */
  readonly inconclusiveLimit?: number;
}

/** The queries used for the built-in checks with Prometheus. */
export function prometheusQueries(provider: MetricProvider, router: TrafficRouting): PrometheusQueries | undefined {
  if (provider.queries) return provider.queries;
  if (router.kind === TrafficRouterKind.NGINX) return PrometheusQueries.nginxIngress();
  if (router.kind === TrafficRouterKind.ISTIO) return PrometheusQueries.istio();
  return undefined;
}

/** The number of measurements that fit in `window` (first one after initialDelay, then every interval). */
export function countWithin(analysis: Analysis, windowSeconds: number): number {
  const usable = windowSeconds - seconds(analysis.initialDelay);
  return Math.max(analysis.failureLimit + 1, Math.floor(usable / seconds(analysis.interval)));
}

/**
 * Rendered metrics by analysis, provider and the rest of the context. Analyses, providers and
 * routers are immutable and the rendering depends on the router only through its kind, so the
 * rollouts of an app that share one declaration (the usual case: one strategy for many services)
 * render its metrics once. The cached metrics are frozen: whoever adds to them works on a copy.
 */
const rendered = new WeakMap<Analysis, WeakMap<MetricProvider, Map<string, at.AnalysisTemplateSpecMetrics[]>>>();

/** The Argo metrics for an analysis' checks. */
export function metricsFor(analysis: Analysis, ctx: MetricContext): at.AnalysisTemplateSpecMetrics[] {
  if (analysis.isNone) return [];
  if (ctx.provider === undefined) return renderMetrics(analysis, ctx);
  let byProvider = rendered.get(analysis);
  if (byProvider === undefined) rendered.set(analysis, byProvider = new WeakMap());
  let byContext = byProvider.get(ctx.provider);
  if (byContext === undefined) byProvider.set(ctx.provider, byContext = new Map());
  const key = `${ctx.router.kind}\u0000${ctx.field}\u0000${ctx.count}\u0000${ctx.inconclusiveLimit}`;
  let metrics = byContext.get(key);
  if (metrics === undefined) {
    // Only a rendering that succeeded is kept: a refusal is thrown again, with this call's context.
    metrics = deepFreeze(renderMetrics(analysis, ctx));
    byContext.set(key, metrics);
  }
  return metrics;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function renderMetrics(analysis: Analysis, ctx: MetricContext): at.AnalysisTemplateSpecMetrics[] {
  const provider = ctx.provider;
  if (provider === undefined) {
    fail(WHERE, 'metrics', `is required because ${ctx.field} has health checks (${analysis.checkNames.join(', ')})`, 'undefined',
      'Pass metrics: MetricProvider.prometheus({ address: "http://prometheus.monitoring:9090" }), .cloudWatch() or .datadog().');
  }
  const interval = argoDuration(WHERE, `${ctx.field}.interval`, analysis.interval);
  const initialDelay = seconds(analysis.initialDelay) > 0 ? argoDuration(WHERE, `${ctx.field}.initialDelay`, analysis.initialDelay) : undefined;
  const inconclusive = ctx.inconclusiveLimit ?? analysis.failureLimit + 1;
  return analysis.checks.map(check => {
    const measured = measure(check, analysis, provider, ctx, interval);
    const passes = measured.value(NEGATED[measured.failWhen], measured.threshold);
    const fails = measured.value(SYMBOL[measured.failWhen], measured.threshold);
    // Too little data (below minRequests the query returns no sample, or the provider returned nothing)
    // is matched by exactly one condition, or by neither for an inconclusive measurement.
    const noData = `!(${measured.hasData})`;
    const conditions = analysis.tooLittleData === TooLittleData.PASS
      ? { successCondition: `${noData} || ${passes}`, failureCondition: `${measured.hasData} && ${fails}` }
      : analysis.tooLittleData === TooLittleData.FAIL
        ? { successCondition: `${measured.hasData} && ${passes}`, failureCondition: `${noData} || ${fails}` }
        : { successCondition: `${measured.hasData} && ${passes}`, failureCondition: `${measured.hasData} && ${fails}` };
    return {
      name: check.name,
      interval,
      ...(initialDelay ? { initialDelay } : {}),
      ...(ctx.count !== undefined ? { count: union<at.AnalysisTemplateSpecMetricsCount>(ctx.count) } : {}),
      failureLimit: union<at.AnalysisTemplateSpecMetricsFailureLimit>(analysis.failureLimit),
      ...(analysis.tooLittleData === TooLittleData.INCONCLUSIVE ? {
        inconclusiveLimit: union<at.AnalysisTemplateSpecMetricsInconclusiveLimit>(
          ctx.count !== undefined ? Math.min(inconclusive, ctx.count) : inconclusive),
      } : {}),
      ...conditions,
      provider: measured.provider,
    };
  });
}

interface Measured {
  readonly provider: at.AnalysisTemplateSpecMetricsProvider;
  /** An expression that is true when the measurement returned a number. */
  readonly hasData: string;
  /** An expression comparing the measurement with the threshold. */
  readonly value: (op: string, threshold: number) => string;
  readonly threshold: number;
  readonly failWhen: Comparison;
}

function measure(check: HealthCheck, analysis: Analysis, provider: MetricProvider, ctx: MetricContext, interval: string): Measured {
  switch (provider.kind) {
    case MetricProviderKind.PROMETHEUS: {
      const { query, threshold } = prometheusQuery(check, analysis, provider, ctx, interval);
      return {
        provider: { prometheus: { address: provider.address, query } },
        hasData: 'len(result) > 0 && !isNaN(result[0])',
        value: (op, t) => `result[0] ${op} ${t}`,
        threshold,
        failWhen: check.failWhen,
      };
    }
    case MetricProviderKind.CLOUDWATCH: {
      const cw = check.cloudWatch;
      if (check.kind !== HealthCheckKind.CUSTOM || (cw === undefined && check.cloudWatchMetric === undefined)) {
        missingQuery(check, ctx, 'CloudWatch', 'HealthCheck.custom({ ..., cloudWatch: { namespace, metricName, dimensions, statistic } }) or cloudWatchMetric');
      }
      const lookback = argoDuration(WHERE, 'metrics.lookback', provider.lookback ?? analysis.interval);
      const metricDataQueries = check.cloudWatchMetric !== undefined
        ? metricDataQueriesOf(check, analysis, ctx)
        : [{
          id: 'm',
          returnData: true,
          metricStat: {
            metric: {
              namespace: cw!.namespace,
              metricName: cw!.metricName,
              dimensions: Object.entries(cw!.dimensions ?? {}).sort(([a], [b]) => a.localeCompare(b)).map(([name, value]) => ({ name, value })),
            },
            period: union<at.AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueriesMetricStatPeriod>(seconds(analysis.interval)),
            stat: cw!.statistic ?? 'Average',
          },
        }];
      return {
        provider: {
          cloudWatch: {
            interval: lookback,
            metricDataQueries,
          },
        },
        hasData: 'len(result[0].Values) > 0',
        value: (op, t) => (op === SYMBOL[check.failWhen] ? `any(result[0].Values, {# ${op} ${t}})` : `all(result[0].Values, {# ${op} ${t}})`),
        threshold: check.threshold,
        failWhen: check.failWhen,
      };
    }
    default: {
      if (check.kind !== HealthCheckKind.CUSTOM || (check.datadog === undefined && check.datadogFormula === undefined)) {
        missingQuery(check, ctx, 'Datadog', 'HealthCheck.custom({ ..., datadog: "<metric query>" })');
      }
      const lookback = argoDuration(WHERE, 'metrics.lookback', provider.lookback ?? analysis.interval);
      const formula = check.datadogFormula;
      return {
        provider: {
          // A formula is Datadog's v2 query API: named queries and the formula over them.
          datadog: formula === undefined ? { interval: lookback, query: check.datadog } : {
            apiVersion: 'v2' as string as at.AnalysisTemplateSpecMetricsProviderDatadogApiVersion,
            interval: lookback,
            queries: { ...formula.queries },
            formula: formula.formula,
            ...(formula.aggregator === undefined ? {}
              : { aggregator: formula.aggregator as string as at.AnalysisTemplateSpecMetricsProviderDatadogAggregator }),
          },
        },
        hasData: 'result != nil && !isNaN(result)',
        value: (op, t) => `result ${op} ${t}`,
        threshold: check.threshold,
        failWhen: check.failWhen,
      };
    }
  }
}

/**
 * The GetMetricData queries of a check given as a CloudWatch IMetric: one metricStat query, or the
 * expression (returned) with the metrics it uses (not returned), ids as the expression names them.
 */
type DataQuery = at.AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueries;

function metricDataQueriesOf(check: HealthCheck, analysis: Analysis, ctx: MetricContext): DataQuery[] {
  const field = `${ctx.field}.checks ("${check.name}").cloudWatchMetric`;
  const concrete = (what: string, value: unknown): string => {
    if (typeof value !== 'string' || Token.isUnresolved(value)) {
      fail(WHERE, field, `must have a concrete ${what} for Argo Rollouts' CloudWatch provider (the AnalysisTemplate is not a CloudFormation template)`,
        typeof value === 'string' ? 'an unresolved token' : show(value), 'Build the metric from literal names, for example dimensionsMap: { FunctionName: "checkout" }.');
    }
    return value;
  };
  const statQuery = (queryId: string, metric: cloudwatch.IMetric, returnData: boolean): DataQuery => {
    const stat = metric.toMetricConfig().metricStat!;
    const period = stat.period.toSeconds();
    if (period !== seconds(analysis.interval)) {
      fail(WHERE, field, `must have the analysis' interval (${seconds(analysis.interval)}s) as its period`, `${period}s`, 'Pass the metric with { period } equal to the analysis interval.');
    }
    return {
      id: queryId,
      returnData,
      metricStat: {
        metric: {
          namespace: concrete('namespace', stat.namespace),
          metricName: concrete('metric name', stat.metricName),
          dimensions: [...(stat.dimensions ?? [])].sort((a, b) => a.name.localeCompare(b.name))
            .map(d => ({ name: concrete('dimension name', d.name), value: concrete(`value for dimension ${d.name}`, d.value) })),
        },
        period: union<at.AnalysisTemplateSpecMetricsProviderCloudWatchMetricDataQueriesMetricStatPeriod>(period),
        stat: concrete('statistic', stat.statistic),
        ...(stat.unitFilter ? { unit: stat.unitFilter } : {}),
      },
    };
  };
  const config = check.cloudWatchMetric!.toMetricConfig();
  if (config.metricStat !== undefined) {
    return [statQuery('m', check.cloudWatchMetric!, true)];
  }
  const math = config.mathExpression!;
  if (math.period !== seconds(analysis.interval)) {
    fail(WHERE, field, `must have the analysis' interval (${seconds(analysis.interval)}s) as its period`, `${math.period}s`, 'Pass the expression with { period } equal to the analysis interval.');
  }
  const used = Object.entries(math.usingMetrics).sort(([a], [b]) => a.localeCompare(b));
  if (used.some(([, m]) => m.toMetricConfig().metricStat === undefined)) {
    fail(WHERE, field, 'may only use plain metrics in its expression for Argo Rollouts', 'a nested expression', 'Inline the nested expression into one expression over metrics.');
  }
  const names = new Set(used.map(([name]) => name));
  const resultId = ['e', 'expr', 'result'].find(n => !names.has(n))!;
  return [
    { id: resultId, expression: concrete('expression', math.expression), returnData: true },
    ...used.map(([name, m]) => statQuery(name, m, false)),
  ];
}

function prometheusQuery(check: HealthCheck, analysis: Analysis, provider: MetricProvider, ctx: MetricContext,
  window: string): { query: string; threshold: number } {
  if (check.kind === HealthCheckKind.CUSTOM) {
    if (check.prometheus === undefined) {
      missingQuery(check, ctx, 'Prometheus', 'HealthCheck.custom({ ..., prometheus: "<PromQL returning one number>" })');
    }
    return { query: check.prometheus, threshold: check.threshold };
  }
  const queries = prometheusQueries(provider, ctx.router);
  if (queries === undefined) {
    fail(WHERE, 'metrics.queries', `must be given for the built-in check "${check.name}": there are default queries for the NGINX and Istio routers only, and the router is ${ctx.router.describe()}`,
      'undefined', 'Pass MetricProvider.prometheus({ address, queries: PrometheusQueries.nginxIngress() | .istio() | .custom({...}) }).');
  }
  const template = check.kind === HealthCheckKind.ERROR_RATE ? queries.errorRatio : queries.latencySeconds;
  const field = check.kind === HealthCheckKind.ERROR_RATE ? 'errorRatio' : 'latencySeconds';
  if (template === undefined) {
    fail(WHERE, `metrics.queries.${field}`, `is required for the check "${check.name}"`, 'undefined', `Add ${field} to PrometheusQueries.custom({...}).`);
  }
  const fill = (q: string) => q.split('{{window}}').join(window).split('{{quantile}}').join(String((check.percentile ?? 0) / 100));
  let query = fill(template);
  if (analysis.minRequests > 0) {
    if (queries.requestCount === undefined) {
      fail(WHERE, 'metrics.queries.requestCount', `is required because the analysis' minRequests is ${analysis.minRequests}`, 'undefined',
        'Add requestCount to PrometheusQueries.custom({...}), or set minRequests: 0 in the analysis.');
    }
    // Below minRequests the query returns no sample: the analysis' tooLittleData decides what that counts as.
    query = `(${query}) and on() ((${fill(queries.requestCount)}) >= ${analysis.minRequests})`;
  }
  const threshold = check.kind === HealthCheckKind.ERROR_RATE ? check.threshold / 100 : check.threshold / 1000;
  return { query, threshold: Number(threshold.toPrecision(12)) };
}

function missingQuery(check: HealthCheck, ctx: MetricContext, provider: string, fix: string): never {
  fail(WHERE, `${ctx.field}.checks`, `include "${check.name}", which has no ${provider} query`, show(check.describe()),
    `Give it one with ${fix}, or choose a metric provider it has a query for.`);
}

/** The single metric of a smoke test: one measurement, no tolerated failure. */
export function smokeTestMetric(test: ArgoSmokeTest, servicePort: number): at.AnalysisTemplateSpecMetrics {
  const o = test._options;
  const base = `http://{{args.service}}.{{args.namespace}}.svc.cluster.local:${o.port ?? servicePort}`;
  const common = {
    name: test.name,
    count: union<at.AnalysisTemplateSpecMetricsCount>(1),
    failureLimit: union<at.AnalysisTemplateSpecMetricsFailureLimit>(0),
  };
  if (test.kind === ArgoSmokeTestKind.WEB) {
    return {
      ...common,
      successCondition: o.successCondition ?? 'true',
      provider: {
        web: {
          url: `${base}${o.path}`,
          timeoutSeconds: seconds(o.timeout!),
          ...(o.jsonPath ? { jsonPath: o.jsonPath } : {}),
        },
      },
    };
  }
  return {
    ...common,
    provider: {
      job: {
        spec: {
          backoffLimit: 0,
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{
                name: test.name,
                image: o.image!,
                command: o.command,
                ...(o.args ? { args: o.args } : {}),
                env: [{ name: 'PREVIEW_URL', value: base }],
              }],
            },
          },
        },
      },
    },
  };
}

/** The template's declared arguments (values supplied by the rollout). */
export function templateArgs(): at.AnalysisTemplateSpecArgs[] {
  return TEMPLATE_ARGS.map(name => ({ name }));
}
