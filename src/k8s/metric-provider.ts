import { Duration } from 'aws-cdk-lib';
import { requireProps, requireText } from './private/inputs';
import { KayentaOptions } from './private/options';
import { fail, requireDuration, show } from '../private/validate';

/** The metric systems `MetricProvider` can query. */
export enum MetricProviderKind {
  /** Prometheus (PromQL). */
  PROMETHEUS = 'PROMETHEUS',
  /** Amazon CloudWatch (GetMetricData). */
  CLOUDWATCH = 'CLOUDWATCH',
  /** Datadog (metric queries). */
  DATADOG = 'DATADOG',
  /** Kayenta (canary judgements of a baseline comparison). */
  KAYENTA = 'KAYENTA',
}

/** Options for `PrometheusQueries.custom`. */
export interface CustomPrometheusQueriesProps {
  /**
   * PromQL returning the share of failed requests of the new version as a fraction (0 to 1).
   * `{{window}}` is replaced by the analysis interval (for example `1m`); `{{args.service}}` and
   * `{{args.namespace}}` are resolved by Argo Rollouts to the measured Service and the namespace.
   * Make the error count default to zero (`or on() vector(0)`): a series that never saw an error
   * does not exist, and an empty result counts as "no data", not as success.
   * @default - error-rate checks cannot be rendered
   */
  readonly errorRatio?: string;
  /**
   * PromQL returning a latency percentile of the new version in seconds. `{{quantile}}` is replaced
   * by the check's percentile as a fraction (99 → `0.99`), `{{window}}` as for `errorRatio`.
   * @default - latency checks cannot be rendered
   */
  readonly latencySeconds?: string;
  /**
   * PromQL returning the number of requests the new version received during `{{window}}`; used to
   * skip measurements below the analysis' `minRequests`.
   * @default - required when the analysis' minRequests is above zero
   */
  readonly requestCount?: string;
}

/**
 * The PromQL behind the built-in error-rate and latency checks. Each query selects the measured
 * Service with `{{args.service}}` and `{{args.namespace}}`, supplied by the rollout.
 */
export class PrometheusQueries {
  /**
   * Metrics of the NGINX ingress controller (`nginx_ingress_controller_requests`,
   * `nginx_ingress_controller_request_duration_seconds_bucket`), by backend Service.
   * @see https://kubernetes.github.io/ingress-nginx/user-guide/monitoring/
   */
  public static nginxIngress(): PrometheusQueries {
    const sel = 'namespace="{{args.namespace}}",service="{{args.service}}"';
    return new PrometheusQueries('NGINX ingress', {
      errorRatio: `(sum(rate(nginx_ingress_controller_requests{${sel},status=~"5.."}[{{window}}])) or on() vector(0)) / sum(rate(nginx_ingress_controller_requests{${sel}}[{{window}}]))`,
      latencySeconds: `histogram_quantile({{quantile}}, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{${sel}}[{{window}}])))`,
      requestCount: `sum(increase(nginx_ingress_controller_requests{${sel}}[{{window}}]))`,
    });
  }

  /**
   * Istio standard metrics reported by the destination (`istio_requests_total`,
   * `istio_request_duration_milliseconds_bucket`), by destination Service.
   * @see https://istio.io/latest/docs/reference/config/metrics/
   */
  public static istio(): PrometheusQueries {
    const sel = 'reporter="destination",destination_service_namespace="{{args.namespace}}",destination_service_name="{{args.service}}"';
    return new PrometheusQueries('Istio', {
      errorRatio: `(sum(rate(istio_requests_total{${sel},response_code=~"5.."}[{{window}}])) or on() vector(0)) / sum(rate(istio_requests_total{${sel}}[{{window}}]))`,
      latencySeconds: `histogram_quantile({{quantile}}, sum by (le) (rate(istio_request_duration_milliseconds_bucket{${sel}}[{{window}}]))) / 1000`,
      requestCount: `sum(increase(istio_requests_total{${sel}}[{{window}}]))`,
    });
  }

  /** Your own PromQL for the built-in checks. */
  public static custom(props: CustomPrometheusQueriesProps): PrometheusQueries {
    const where = 'PrometheusQueries.custom';
    requireProps(where, props);
    if (props.errorRatio === undefined && props.latencySeconds === undefined) {
      fail(where, 'errorRatio/latencySeconds', 'must include at least one query', 'neither', 'Pass errorRatio, latencySeconds or both.');
    }
    if (props.errorRatio !== undefined) requireText(where, 'errorRatio', props.errorRatio);
    if (props.latencySeconds !== undefined) requireText(where, 'latencySeconds', props.latencySeconds);
    if (props.requestCount !== undefined) requireText(where, 'requestCount', props.requestCount);
    return new PrometheusQueries('custom', { errorRatio: props.errorRatio, latencySeconds: props.latencySeconds, requestCount: props.requestCount });
  }

  /** Where the queries come from ("NGINX ingress", "Istio" or "custom"). */
  public readonly source: string;
  /** The error-ratio query template. */
  public readonly errorRatio?: string;
  /** The latency query template. */
  public readonly latencySeconds?: string;
  /** The request-count query template. */
  public readonly requestCount?: string;

  private constructor(source: string, q: { errorRatio?: string; latencySeconds?: string; requestCount?: string }) {
    this.source = source;
    this.errorRatio = q.errorRatio;
    this.latencySeconds = q.latencySeconds;
    this.requestCount = q.requestCount;
  }
}

/** Options for `MetricProvider.prometheus`. */
export interface PrometheusProviderProps {
  /** Address of the Prometheus server, for example "http://prometheus.monitoring:9090". */
  readonly address: string;
  /**
   * The queries behind the built-in error-rate and latency checks.
   * @default - chosen from the traffic router: `PrometheusQueries.nginxIngress()` for NGINX,
   * `PrometheusQueries.istio()` for Istio; an error for other routers when the analysis has built-in checks
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/prometheus/
   */
  readonly queries?: PrometheusQueries;
}

/** Options for `MetricProvider.cloudWatch`. */
export interface CloudWatchProviderProps {
  /**
   * How far back each measurement looks (the provider's `interval`).
   * @default - the analysis interval
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/cloudwatch/
   */
  readonly lookback?: Duration;
}

/** Options for `MetricProvider.datadog`. */
export interface DatadogProviderProps {
  /**
   * How far back each measurement looks (the provider's `interval`).
   * @default - the analysis interval
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/datadog/
   */
  readonly lookback?: Duration;
}

/** Options for `MetricProvider.kayenta`. */
export interface KayentaProviderProps {
  /** Address of the Kayenta API, for example "http://kayenta.spinnaker:8090". */
  readonly address: string;
  /** The application the canary configurations belong to in Kayenta. */
  readonly application: string;
  /** The Kayenta account that reads the metrics (a metrics store account). */
  readonly metricsAccountName: string;
  /** The Kayenta account that holds the canary configurations. */
  readonly configurationAccountName: string;
  /** The Kayenta account that stores the judgements (an object store account). */
  readonly storageAccountName: string;
  /**
   * How Kayenta selects one version's metrics in the metrics store, with `{{args.pod-template-hash}}`
   * where the version's pod-template hash goes, for example
   * `app="checkout",rollouts_pod_template_hash="{{args.pod-template-hash}}"` for Prometheus. The
   * baseline's hash goes into the control scope and the new version's into the experiment scope.
   */
  readonly scope: string;
  /**
   * Name of the scope in the canary configuration.
   * @default "default"
   */
  readonly scopeName?: string;
  /**
   * Region passed with each scope (the metrics store's region, where it has one).
   * @default "" - no region
   */
  readonly region?: string;
  /**
   * The score at or above which a judgement is marginal instead of failed: a marginal judgement makes the
   * experiment Inconclusive, which pauses the rollout for a person to decide. At most the checks' passing score.
   * @default 75
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/kayenta/
   */
  readonly marginalScore?: number;
}

/**
 * Where the Argo Rollouts analysis reads the measurements of the health checks from.
 */
export class MetricProvider {
  /**
   * Prometheus. Built-in error-rate and latency checks use `queries`; custom checks use their
   * `prometheus` query.
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/prometheus/
   */
  public static prometheus(props: PrometheusProviderProps): MetricProvider {
    const where = 'MetricProvider.prometheus';
    requireProps(where, props);
    const address = requireText(where, 'address', props.address);
    if (!/^https?:\/\/\S+$/.test(address)) {
      fail(where, 'address', 'must be an http(s) URL', show(address), 'Pass the Prometheus address, for example "http://prometheus.monitoring:9090".');
    }
    if (props.queries !== undefined && !(props.queries instanceof PrometheusQueries)) {
      fail(where, 'queries', 'must be PrometheusQueries', show(props.queries), 'Pass PrometheusQueries.nginxIngress(), .istio() or .custom({...}).');
    }
    return new MetricProvider(MetricProviderKind.PROMETHEUS, { address, queries: props.queries });
  }

  /**
   * Amazon CloudWatch: custom checks with a `cloudWatch` metric. The controller needs AWS
   * credentials allowed to call `cloudwatch:GetMetricData`.
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/cloudwatch/
   */
  public static cloudWatch(props: CloudWatchProviderProps = {}): MetricProvider {
    const where = 'MetricProvider.cloudWatch';
    requireProps(where, props);
    return new MetricProvider(MetricProviderKind.CLOUDWATCH, { lookback: props.lookback === undefined ? undefined : requireDuration(where, 'lookback', props.lookback) });
  }

  /**
   * Datadog: custom checks with a `datadog` query. The controller reads the API and application
   * keys from its `datadog` Secret.
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/datadog/
   */
  public static datadog(props: DatadogProviderProps = {}): MetricProvider {
    const where = 'MetricProvider.datadog';
    requireProps(where, props);
    return new MetricProvider(MetricProviderKind.DATADOG, { lookback: props.lookback === undefined ? undefined : requireDuration(where, 'lookback', props.lookback) });
  }

  /**
   * Kayenta: judges a baseline comparison (`BaselineComparison`) with a canary configuration
   * you keep in Kayenta. Each custom check with `kayenta` becomes one judgement of the whole
   * comparison window, the baseline's instances as control and the new version's as experiment.
   * Only for the baseline comparison (`ArgoRolloutProps.baselineMetrics`): Kayenta needs a baseline.
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/kayenta/
   */
  public static kayenta(props: KayentaProviderProps): MetricProvider {
    const where = 'MetricProvider.kayenta';
    requireProps(where, props);
    const address = requireText(where, 'address', props.address);
    if (!/^https?:\/\/\S+$/.test(address)) {
      fail(where, 'address', 'must be an http(s) URL', show(address), 'Pass the Kayenta address, for example "http://kayenta.spinnaker:8090".');
    }
    const scope = requireText(where, 'scope', props.scope);
    if (!scope.includes('{{args.pod-template-hash}}')) {
      fail(where, 'scope', 'must select one version with {{args.pod-template-hash}}', show(scope),
        'Pass for example \'app="checkout",rollouts_pod_template_hash="{{args.pod-template-hash}}"\'.');
    }
    const marginalScore = props.marginalScore ?? 75;
    if (typeof marginalScore !== 'number' || !Number.isInteger(marginalScore) || marginalScore < 0 || marginalScore > 100) {
      fail(where, 'marginalScore', 'must be a whole score between 0 and 100', show(marginalScore), 'Pass for example 75.');
    }
    if (props.region !== undefined && typeof props.region !== 'string') {
      fail(where, 'region', 'must be a string', show(props.region), 'Pass the region, for example "eu-west-1", or omit it.');
    }
    return new MetricProvider(MetricProviderKind.KAYENTA, {
      address,
      kayenta: {
        application: requireText(where, 'application', props.application),
        metricsAccountName: requireText(where, 'metricsAccountName', props.metricsAccountName),
        configurationAccountName: requireText(where, 'configurationAccountName', props.configurationAccountName),
        storageAccountName: requireText(where, 'storageAccountName', props.storageAccountName),
        scope,
        scopeName: props.scopeName === undefined ? 'default' : requireText(where, 'scopeName', props.scopeName),
        region: props.region ?? '',
        marginalScore,
      },
    });
  }

  /** Which metric system this is. */
  public readonly kind: MetricProviderKind;
  /** The Kayenta settings (Kayenta only). @internal */
  public readonly _kayenta?: KayentaOptions;
  /** The Prometheus or Kayenta address (Prometheus and Kayenta only). */
  public readonly address?: string;
  /** The queries given for the built-in checks (Prometheus only). */
  public readonly queries?: PrometheusQueries;
  /** The lookback window, when given (CloudWatch, Datadog). */
  public readonly lookback?: Duration;

  private constructor(kind: MetricProviderKind, o: { address?: string; queries?: PrometheusQueries; lookback?: Duration; kayenta?: KayentaOptions }) {
    this.kind = kind;
    this._kayenta = o.kayenta;
    this.address = o.address;
    this.queries = o.queries;
    this.lookback = o.lookback;
  }
}
