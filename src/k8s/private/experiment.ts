/**
 * Baseline comparison on Argo Rollouts: an `experiment` canary step before the first setWeight that
 * starts a baseline ReplicaSet from the stable pod template and a canary ReplicaSet from the new one
 * (same size, same time), optionally weighted into the traffic router, with one AnalysisTemplate
 * that compares the two through the experiment's pod-template hashes and Services.
 *
 * Additive to the strategy's rendering: `withBaselineExperiment` prepends the step, adds the template
 * and moves the background analysis' startingStep past the step, like the migrations do.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
 */
import { fail, show } from '../../private/validate';
import { Analysis, TooLittleData } from '../../strategy/analysis';
import { BaselineComparison } from '../../strategy/baseline';
import { HealthCheck, HealthCheckKind } from '../../strategy/health-check';
import type * as at from '../imports/argo-analysis-template-argoproj.io';
import { MetricProvider, MetricProviderKind } from '../metric-provider';
import { TrafficRouterKind, TrafficRouting } from '../traffic-routing';
import { countWithin, metricsFor } from './analysis';
import { argoDuration, seconds } from './durations';
import { plainJson } from './plain-json';
import { StrategyRender, TemplateRender } from './render';

const WHERE = 'ArgoRollout';
const FIELD = 'strategy.baseline';

/** Names of the experiment's two templates; the analysis arguments read their hashes and ReplicaSet names. */
export const BASELINE_TEMPLATE = 'baseline';
export const CANARY_TEMPLATE = 'canary';
/** Name of the experiment's analysis. */
export const COMPARISON_ANALYSIS = 'baseline-comparison';

/** The arguments the comparison's AnalysisTemplate declares; the experiment step supplies all of them. */
export const EXPERIMENT_ARGS = ['baseline-hash', 'canary-hash', 'baseline-service', 'canary-service', 'namespace', 'start-time', 'end-time'];

/**
 * The placeholders a query uses to select one version, and what each becomes for the baseline and the
 * new version: the experiment template's Service (created by Argo Rollouts when the template has a
 * weight, named after its ReplicaSet) and its pod-template hash.
 */
const VERSION_PLACEHOLDERS: Array<[string, string, string]> = [
  ['{{args.service}}', '{{args.baseline-service}}', '{{args.canary-service}}'],
  ['{{args.pod-template-hash}}', '{{args.baseline-hash}}', '{{args.canary-hash}}'],
];

/** Routers whose experiment templates the controller lets carry a weight (v1.9 validation: SMI, ALB, Istio, plugins). */
const WEIGHTED_EXPERIMENT_ROUTERS = [TrafficRouterKind.ISTIO, TrafficRouterKind.ALB, TrafficRouterKind.SMI, TrafficRouterKind.GATEWAY_API];

/** What the experiment needs from the rollout's declaration. */
export interface ExperimentInputs {
  readonly comparison: BaselineComparison;
  readonly router: TrafficRouting;
  /** Where the comparison's checks are measured (`baselineMetrics`, else `metrics`). */
  readonly provider: MetricProvider | undefined;
  /** `ArgoRolloutProps.inconclusiveLimit`. */
  readonly inconclusiveLimit?: number;
}

/** The experiment, rendered up to the name of its AnalysisTemplate. */
export interface ExperimentRender {
  readonly template: TemplateRender;
  /** Remarks for the plan. */
  readonly notes: string[];
  /** The experiment step, once the template has its name. */
  step(templateName: string): any;
}

/** Renders the baseline comparison, or refuses what Argo Rollouts cannot express exactly. */
export function renderBaselineExperiment(i: ExperimentInputs): ExperimentRender {
  const { comparison, router } = i;
  const weighted = comparison.trafficPercent > 0;
  if (weighted && !WEIGHTED_EXPERIMENT_ROUTERS.includes(router.kind)) {
    fail(WHERE, `${FIELD}.trafficPercent`, `cannot send traffic to the baseline and the new version with ${router.describe()}: Argo Rollouts weights experiment templates with the SMI, ALB and Istio routers and router plugins only`,
      show(comparison.trafficPercent), 'Route with TrafficRouting.istio(), .alb(), .smi() or .gatewayApi(), or set trafficPercent: 0 and judge with custom checks fed by your own load.');
  }
  const metrics = comparisonMetrics(i);
  if (!weighted) {
    const byService = metrics.find(m => JSON.stringify(m).includes('{{args.baseline-service}}') || JSON.stringify(m).includes('{{args.canary-service}}'));
    if (byService !== undefined) {
      fail(WHERE, `${FIELD}.analysis.checks ("${byService.name}")`, 'selects a version by {{args.service}}, but without traffic (trafficPercent 0) Argo Rollouts creates no Service for the experiment\'s pods',
        show(comparison.trafficPercent), 'Select the version by {{args.pod-template-hash}} instead, or send traffic with trafficPercent.');
    }
  }
  const spec: at.AnalysisTemplateSpec = { args: EXPERIMENT_ARGS.map(name => ({ name })), metrics };
  const template: TemplateRender = { id: 'BaselineAnalysis', spec: plainJson(spec) };
  const duration = argoDuration(WHERE, `${FIELD}.duration`, comparison.duration);
  return {
    template,
    notes: [experimentNote(comparison, router)],
    // Experiment weights are whole percents: fractional step weights (maxTrafficWeight) are rendered with
    // NGINX only (see weights.ts), which takes no experiment weights.
    step: (templateName) => {
      const weight = weighted ? { weight: comparison.trafficPercent } : {};
      return {
        experiment: {
          duration,
          templates: [
            { name: BASELINE_TEMPLATE, specRef: 'stable', replicas: comparison.replicas, ...weight },
            { name: CANARY_TEMPLATE, specRef: 'canary', replicas: comparison.replicas, ...weight },
          ],
          analyses: [{
            name: COMPARISON_ANALYSIS,
            templateName,
            // The experiment completes once the comparison has, and fails with it.
            requiredForCompletion: true,
            args: [
              { name: 'baseline-hash', value: `{{templates.${BASELINE_TEMPLATE}.podTemplateHash}}` },
              { name: 'canary-hash', value: `{{templates.${CANARY_TEMPLATE}.podTemplateHash}}` },
              { name: 'baseline-service', value: `{{templates.${BASELINE_TEMPLATE}.replicaset.name}}` },
              { name: 'canary-service', value: `{{templates.${CANARY_TEMPLATE}.replicaset.name}}` },
              { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'start-time', value: '{{experiment.availableAt}}' },
              { name: 'end-time', value: '{{experiment.finishedAt}}' },
            ],
          }],
        },
      };
    },
  };
}

/**
 * The strategy with the baseline comparison: the experiment step first (before the first setWeight),
 * its AnalysisTemplate, and the background analysis starting one step later.
 */
export function withBaselineExperiment(rendered: StrategyRender, e: ExperimentRender): StrategyRender {
  return {
    ...rendered,
    templates: [...rendered.templates, e.template],
    notes: [...rendered.notes, ...e.notes],
    strategy: names => {
      const out: any = rendered.strategy(names);
      const templateName = names.templates.BaselineAnalysis;
      if (templateName === undefined) throw new Error('withBaselineExperiment: no name for the AnalysisTemplate BaselineAnalysis');
      const canary = out.canary;
      const analysis = canary.analysis?.startingStep !== undefined
        ? { ...canary.analysis, startingStep: canary.analysis.startingStep + 1 }
        : canary.analysis;
      return {
        ...out,
        canary: {
          ...canary,
          // Before the first setWeight: after a header-only preview or a dark launch (src/k8s/private/traffic-steps.ts),
          // which reach no user, and before any step that does.
          steps: beforeFirstWeight(canary.steps ?? [], e.step(templateName)),
          ...(analysis !== undefined ? { analysis } : {}),
        },
      };
    },
  };
}

function beforeFirstWeight(steps: any[], step: any): any[] {
  const at = steps.findIndex(s => s.setWeight !== undefined);
  const i = at === -1 ? 0 : at;
  return [...steps.slice(0, i), step, ...steps.slice(i)];
}

/** The comparison's metrics: each check on the new version's experiment pods, and each ratio bound against the baseline's. */
function comparisonMetrics(i: ExperimentInputs): any[] {
  const { comparison, provider } = i;
  const analysis = comparison.analysis;
  if (provider === undefined) {
    fail(WHERE, 'baselineMetrics', `is required because ${FIELD} has health checks (${analysis.checkNames.join(', ')})`, 'undefined',
      'Pass baselineMetrics (or metrics): MetricProvider.prometheus({...}), .datadog() or .kayenta({...}).');
  }
  if (provider.kind === MetricProviderKind.CLOUDWATCH) {
    fail(WHERE, 'baselineMetrics', 'cannot be CloudWatch: a CloudWatch metric is selected by fixed dimensions and cannot tell the experiment\'s baseline pods from its new ones',
      provider.kind, 'Measure the comparison with MetricProvider.prometheus({...}), .datadog() or .kayenta({...}).');
  }
  if (provider.kind === MetricProviderKind.KAYENTA) {
    return analysis.checks.map(c => kayentaMetric(c, analysis, provider, comparison));
  }
  const kayentaOnly = analysis.checks.find(c => c.kayenta !== undefined && c.prometheus === undefined
    && c.datadog === undefined && c.datadogFormula === undefined);
  if (kayentaOnly !== undefined) {
    fail(WHERE, `${FIELD}.analysis.checks ("${kayentaOnly.name}")`, `is a Kayenta judgement, which the ${provider.kind.toLowerCase()} provider cannot run`, show(kayentaOnly.describe()),
      'Pass baselineMetrics: MetricProvider.kayenta({...}), or give the check a query for your provider.');
  }
  for (const check of analysis.checks.filter(c => c.kind === HealthCheckKind.CUSTOM)) {
    // Every query of the measurement selects one version (each query of a Datadog formula too).
    const queries = provider.kind === MetricProviderKind.PROMETHEUS ? [check.prometheus]
      : check.datadogFormula !== undefined ? Object.values(check.datadogFormula.queries) : [check.datadog];
    for (const query of queries) {
      if (query !== undefined && !VERSION_PLACEHOLDERS.some(([p]) => query.includes(p))) {
        fail(WHERE, `${FIELD}.analysis.checks ("${check.name}")`, 'must select one version with {{args.pod-template-hash}} or {{args.service}}: otherwise it measures every pod, not the experiment\'s',
          show(query), 'Select the pods in the query, for example rollouts_pod_template_hash="{{args.pod-template-hash}}".');
      }
    }
  }
  const count = countWithin(analysis, seconds(comparison.duration));
  const absolute: any[] = plainJson(metricsFor(analysis, {
    field: `${FIELD}.analysis`,
    provider,
    router: i.router,
    count,
    inconclusiveLimit: analysis.tooLittleData === TooLittleData.INCONCLUSIVE ? i.inconclusiveLimit : undefined,
  }));
  const out: any[] = [];
  analysis.checks.forEach((check, n) => {
    const metric = absolute[n];
    out.push(forVersion(metric, 2));
    if (check.maxRatioToBaseline !== undefined) out.push(ratioMetric(check, metric, analysis));
  });
  return out;
}

/** A metric with its version placeholders set to the baseline's (1) or the new version's (2) arguments. */
function forVersion<T>(value: T, version: 1 | 2): T {
  let text = JSON.stringify(value);
  for (const row of VERSION_PLACEHOLDERS) text = text.split(row[0]).join(row[version]);
  return JSON.parse(text);
}

/**
 * `<check>-vs-baseline`: the new version's measurement minus `maxRatioToBaseline` times the baseline's,
 * over the same interval; positive fails. Each side keeps its own minRequests guard, so an interval in
 * which either version had too few requests has no sample and counts as the analysis' tooLittleData says.
 */
function ratioMetric(check: HealthCheck, absolute: any, analysis: Analysis): any {
  const query: string | undefined = absolute.provider?.prometheus?.query;
  if (query === undefined) {
    fail(WHERE, `${FIELD}.analysis.checks ("${check.name}").maxRatioToBaseline`, 'needs the Prometheus provider, which measures both versions with the same query', 'another provider',
      'Pass baselineMetrics: MetricProvider.prometheus({...}).');
  }
  const ratio = Number(check.maxRatioToBaseline!.toPrecision(12));
  const hasData = 'len(result) > 0 && !isNaN(result[0])';
  const passes = 'result[0] <= 0';
  const fails = 'result[0] > 0';
  const noData = `!(${hasData})`;
  const conditions = analysis.tooLittleData === TooLittleData.PASS
    ? { successCondition: `${noData} || ${passes}`, failureCondition: `${hasData} && ${fails}` }
    : analysis.tooLittleData === TooLittleData.FAIL
      ? { successCondition: `${hasData} && ${passes}`, failureCondition: `${noData} || ${fails}` }
      : { successCondition: `${hasData} && ${passes}`, failureCondition: `${hasData} && ${fails}` };
  const { provider: _provider, successCondition: _s, failureCondition: _f, name: _n, ...rest } = absolute;
  return {
    name: `${check.name}-vs-baseline`,
    ...rest,
    ...conditions,
    provider: {
      prometheus: {
        ...absolute.provider.prometheus,
        query: `(${forVersion(query, 2)}) - on() (${ratio} * (${forVersion(query, 1)}))`,
      },
    },
  };
}

/**
 * One Kayenta judgement of the whole comparison window: started once the window has ended
 * (initialDelay = duration), the baseline's pods as control and the new version's as experiment.
 * The score passes at the check's threshold; at or above marginalScore it is Inconclusive (the rollout pauses).
 */
function kayentaMetric(check: HealthCheck, analysis: Analysis, provider: MetricProvider, comparison: BaselineComparison): any {
  const field = `${FIELD}.analysis`;
  if (check.kayenta === undefined) {
    fail(WHERE, `${field}.checks ("${check.name}")`, 'has no Kayenta configuration, and the Kayenta provider only runs Kayenta judgements', show(check.describe()),
      'Use HealthCheck.custom({ name, threshold: 95, failWhen: Comparison.LESS_THAN, kayenta: "<canary config name>" }), or another provider.');
  }
  if (analysis.failureLimit !== 0) {
    fail(WHERE, `${field}.failureLimit`, 'must be 0 with Kayenta: Kayenta judges the whole window once', show(analysis.failureLimit), 'Pass failureLimit: 0.');
  }
  if (analysis.tooLittleData !== TooLittleData.PASS) {
    fail(WHERE, `${field}.tooLittleData`, 'cannot be set with Kayenta: Kayenta\'s judge decides what missing data counts as', analysis.tooLittleData,
      'Leave tooLittleData at its default.');
  }
  if (seconds(analysis.initialDelay) > 0) {
    fail(WHERE, `${field}.initialDelay`, 'cannot be set with Kayenta: the judgement covers the comparison window from the moment both versions are ready', show(analysis.initialDelay),
      'Remove initialDelay.');
  }
  const k = provider._kayenta!;
  if (k.marginalScore > check.threshold) {
    fail(WHERE, 'baselineMetrics.marginalScore', `must be at most the passing score of "${check.name}" (${check.threshold})`, show(k.marginalScore),
      `Pass a marginalScore of ${check.threshold} or less.`);
  }
  const scope = (hashArg: string) => ({
    scope: k.scope.split('{{args.pod-template-hash}}').join(`{{args.${hashArg}}}`),
    region: k.region,
    step: seconds(analysis.interval),
    start: '{{args.start-time}}',
    end: '{{args.end-time}}',
  });
  return {
    name: check.name,
    initialDelay: argoDuration(WHERE, `${FIELD}.duration`, comparison.duration),
    count: 1,
    failureLimit: 0,
    provider: {
      kayenta: {
        address: provider.address,
        application: k.application,
        canaryConfigName: check.kayenta,
        metricsAccountName: k.metricsAccountName,
        configurationAccountName: k.configurationAccountName,
        storageAccountName: k.storageAccountName,
        threshold: { pass: check.threshold, marginal: k.marginalScore },
        scopes: [{ name: k.scopeName, controlScope: scope('baseline-hash'), experimentScope: scope('canary-hash') }],
      },
    },
  };
}

function experimentNote(c: BaselineComparison, router: TrafficRouting): string {
  const pods = `${c.replicas} pod(s) from the stable pod template (baseline) and ${c.replicas} from the new one (canary)`;
  const traffic = c.trafficPercent > 0
    ? `each receives ${c.trafficPercent}% of production traffic through ${router.describe()} (experiment template weights, applied once both are ready; the stable version keeps ${100 - 2 * c.trafficPercent}%)`
    : 'they receive no production traffic (the stable and canary Services select the rollout\'s own ReplicaSets by pod-template hash, and the experiment\'s pods have their own): only load you send them is measured';
  return `Baseline comparison: an experiment step before the first setWeight starts ${pods}; ${traffic}. `
    + 'Its analysis compares them through the experiment\'s pod-template hashes and Services; a failed or errored comparison aborts the rollout, an inconclusive one pauses it.';
}

/**
 * The longest rollout name whose experiment Services keep to the 63 characters of a Service name: Argo
 * Rollouts names them after the experiment's ReplicaSets, `<rollout>-<pod hash>-<revision>-<step>-<template>`,
 * with a pod hash of up to 10 characters; this leaves room for 4-digit revisions and 2-digit step indexes.
 */
export const MAX_WEIGHTED_EXPERIMENT_ROLLOUT_NAME = 63 - ['', '0123456789', '1234', '12', BASELINE_TEMPLATE].join('-').length;

/**
 * What the experiment's Services need from the rollout: Argo Rollouts creates a Service for a weighted
 * template only from the pod template's container ports, and names it after the ReplicaSet.
 */
export function checkExperimentServices(comparison: BaselineComparison, rolloutName: string, containerPort: number | undefined): void {
  if (comparison.trafficPercent === 0) return;
  if (containerPort === undefined) {
    fail(WHERE, `${FIELD}.trafficPercent`, 'needs a container port: Argo Rollouts creates the experiment\'s Services from the pod template\'s container ports, and routes the weight to them',
      'no container port', 'Give a container a portNumber (or a port in the referenced Deployment).');
  }
  if (rolloutName.length > MAX_WEIGHTED_EXPERIMENT_ROLLOUT_NAME) {
    fail(WHERE, 'rolloutName', `must be at most ${MAX_WEIGHTED_EXPERIMENT_ROLLOUT_NAME} characters with a weighted baseline comparison: Argo Rollouts names the experiment's Services <rollout>-<pod hash>-<revision>-<step>-${BASELINE_TEMPLATE}, and a Service name has at most 63 characters`,
      show(rolloutName), `Pass a rolloutName of ${MAX_WEIGHTED_EXPERIMENT_ROLLOUT_NAME} characters or fewer.`);
  }
}
