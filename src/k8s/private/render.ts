/**
 * Rendering of an ArgoRollout: pure functions from the validated declaration to the Argo Rollouts
 * and Kubernetes JSON, testable without a Chart. The construct validates its props, calls these
 * and creates the objects they describe.
 *
 * cdk8s names an object after its place in the construct tree, so names are only known once the
 * objects exist: `renderStrategy` first renders everything that does not depend on names (the
 * steps, the AnalysisTemplates, which Services are needed) and validates the strategy against Argo;
 * its `strategy(names)` then renders `spec.strategy` with the names of the objects created.
 */
import { Duration } from 'aws-cdk-lib';
import { fail, formatDuration } from '../../private/validate';
import { Analysis } from '../../strategy/analysis';
import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import type * as at from '../imports/argo-analysis-template-argoproj.io';
import type * as ro from '../imports/argo-rollout-argoproj.io';
import { MetricProvider } from '../metric-provider';
import { ArgoSmokeTest } from '../smoke-test';
import { TrafficRouterKind, TrafficRouting } from '../traffic-routing';
import { countWithin, MetricContext, metricsFor, smokeTestMetric, templateArgs } from './analysis';
import { union } from './argo-types';
import { argoDuration, seconds } from './durations';
import { plainJson } from './plain-json';
import { renderTrafficRouter } from './router';
// Sticky canary, header-only preview, dark launch (src/k8s/private/traffic-steps.ts).
import { isBlueGreenOnRouter, refuseBlueGreenTrafficControl, renderTrafficControl, withTrafficControl } from './traffic-steps';
import { scaleWeights } from './weights';

const WHERE = 'ArgoRollout';

/**
 * Argo Rollouts' default `scaleDownDelaySeconds`: how long a replaced ReplicaSet keeps running after
 * the Services switch, so that the switch reaches every node before its pods go.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/specification/
 */
export const ARGO_SCALE_DOWN_DELAY_SECONDS = 30;

/** What the renderers need from the construct's validated props. */
export interface RolloutDeclaration {
  readonly strategy: DeploymentStrategy;
  readonly router: TrafficRouting;
  readonly metrics?: MetricProvider;
  readonly smokeTest?: ArgoSmokeTest;
  /** Pods of the stable version. */
  readonly replicas: number;
  /** Port of the Services. */
  readonly port: number;
  /** Measurements without data an analysis tolerates (`ArgoRolloutProps.inconclusiveLimit`). */
  readonly inconclusiveLimit?: number;
  /** The namespace the rollout runs in (its own, else its chart's), when known. */
  readonly namespace?: string;
}

/** The Services a strategy needs, by construct id. */
export type ServiceId = 'StableService' | 'CanaryService' | 'ActiveService' | 'PreviewService' | 'Service';
/** The AnalysisTemplates a strategy needs, by construct id. */
export type TemplateId = 'Analysis' | 'PreviewAnalysis' | 'SmokeTest' | 'PostPromotionAnalysis'
  // Database migrations (see ./migrations.ts).
  | 'Migrations' | 'Backfill'
  // Baseline comparison (see ./experiment.ts).
  | 'BaselineAnalysis';

/** An AnalysisTemplate to create. */
export interface TemplateRender {
  readonly id: TemplateId;
  /** Its `spec`, as Kubernetes JSON. */
  readonly spec: any;
}

/** The names of the objects created for the rollout. */
export interface ObjectNames {
  readonly rollout: string;
  readonly services: { readonly [id in ServiceId]?: string };
  readonly templates: { readonly [id in TemplateId]?: string };
}

/** A strategy rendered for Argo Rollouts, up to the names of the objects. */
export interface StrategyRender {
  /** The Services to create, in order. */
  readonly services: ServiceId[];
  /** The AnalysisTemplates to create, in order. */
  readonly templates: TemplateRender[];
  /** What could only be approximated, for the user to know. */
  readonly warnings: string[];
  /** Remarks for the plan. */
  readonly notes: string[];
  /** `spec.strategy`, once the objects have their names. */
  strategy(names: ObjectNames): ro.RolloutSpecStrategy;
}

/** The Services a strategy's rollout needs, in the order they are created. */
export function serviceIds(strategy: DeploymentStrategy, smokeTest: ArgoSmokeTest | undefined): ServiceId[] {
  switch (strategy.kind) {
    case StrategyKind.CANARY:
    case StrategyKind.LINEAR:
      return ['StableService', 'CanaryService'];
    case StrategyKind.ROLLING:
      return ['Service'];
    case StrategyKind.BLUE_GREEN:
      return ['ActiveService', 'PreviewService'];
    default:
      return smokeTest !== undefined ? ['ActiveService', 'PreviewService'] : ['ActiveService'];
  }
}

/** Renders the strategy, or refuses what Argo Rollouts cannot express exactly. */
export function renderStrategy(decl: RolloutDeclaration): StrategyRender {
  switch (decl.strategy.kind) {
    case StrategyKind.CANARY:
    case StrategyKind.LINEAR:
      return renderCanary(decl);
    case StrategyKind.ROLLING:
      return renderRolling(decl);
    default:
      // A blue/green warm-up needs a router: rendered as a canary whose new version runs at full scale (src/k8s/private/traffic-steps.ts).
      return isBlueGreenOnRouter(decl.strategy, decl.router) ? renderBlueGreenWarmUp(decl) : renderBlueGreen(decl);
  }
}

/**
 * Blue/green with a warm-up, on a traffic router: a canary whose new version is scaled to full size
 * at 0% (the preview, on the preview Service, checked by an inline analysis with the preview checks and
 * the smoke test, then the promotion), then the warm-up weight for its duration, then 100% for the keep
 * window; the post-promotion checks judge from the warm-up on, as a background analysis.
 */
export function renderBlueGreenWarmUp(decl: RolloutDeclaration): StrategyRender {
  const { strategy, router, smokeTest } = decl;
  const warmUp = strategy.warmUp!;
  const promotion = strategy.promotion!;
  const preview = strategy.previewAnalysis;
  const pre: TemplateRender[] = [];
  if (isJudged(preview)) {
    pre.push(template('PreviewAnalysis', metricsFor(preview, metricContext(decl, 'strategy.previewAnalysis', countWithin(preview, seconds(preview.timeToDetect))))));
  }
  if (smokeTest) pre.push(template('SmokeTest', [smokeTestMetric(smokeTest, decl.port)]));
  const wait = seconds(promotion.wait);
  if (pre.length > 0 && !promotion.isManual && wait > 0) {
    fail(WHERE, 'strategy.promotion', 'cannot hold the preview for a fixed time beside the preview checks when a blue/green warm-up is rendered as canary steps: the steps run one after the other, so the wait would add to the checks instead of overlapping them',
      `Promotion.automatic(${formatDuration(promotion.wait)})`, 'Use Promotion.automatic(Duration.seconds(0)) (promote when the checks pass) or Promotion.manual().');
  }
  const analysis = strategy.analysis;
  const post: TemplateRender[] = [];
  const judgedWindow = seconds(warmUp.duration) + seconds(strategy.keepPreviousVersionFor);
  if (isJudged(analysis)) {
    post.push(template('PostPromotionAnalysis', metricsFor(analysis, metricContext(decl, 'strategy.postPromotionAnalysis', countWithin(analysis, judgedWindow)))));
  }
  const { setWeights, maxTrafficWeight } = scaleWeights(WHERE, [warmUp.percent], router);
  const keep = seconds(strategy.keepPreviousVersionFor);
  const services = serviceIds(strategy, smokeTest);
  return {
    services,
    templates: [...pre, ...post],
    warnings: [],
    notes: [`Blue/green with a warm-up on ${router.describe()}: rendered as canary steps. The new version starts at full scale with no production traffic (setCanaryScale weight 100), reachable on the preview Service`
      + `${pre.length > 0 ? ' and checked by an inline analysis (preview checks, smoke test)' : ''}${promotion.isManual ? ', then waits for `kubectl argo rollouts promote`' : ''}; `
      + `then ${warmUp.percent}% of production traffic for ${formatDuration(warmUp.duration)} (the warm-up), then 100%${keep > 0 ? ' for keepPreviousVersionFor with the previous version at full scale' : ''}. `
      + `${isJudged(analysis) ? 'The post-promotion checks judge from the warm-up on (background analysis); a failure aborts the rollout and all traffic returns to the previous version. ' : ''}`
      + `Argo Rollouts then promotes and scales the previous ReplicaSet down ${ARGO_SCALE_DOWN_DELAY_SECONDS}s later (scaleDownDelaySeconds).`],
    strategy: names => {
      const active = serviceName(names, 'ActiveService');
      const previewService = serviceName(names, 'PreviewService');
      const steps: ro.RolloutSpecStrategyCanarySteps[] = [{ setCanaryScale: { weight: 100 } }];
      if (pre.length > 0) steps.push({ analysis: { templates: templateRefs(names, pre), args: analysisArgs(previewService, active) } });
      if (promotion.isManual) steps.push({ pause: {} });
      else if (wait > 0) steps.push({ pause: { duration: pauseFor('strategy.promotion', promotion.wait) } });
      const startingStep = steps.length + 1;
      steps.push({ setWeight: setWeights[0] }, { pause: { duration: pauseFor('strategy.warmUp.duration', warmUp.duration) } });
      if (keep > 0) steps.push({ setWeight: maxTrafficWeight ?? 100 }, { pause: { duration: pauseFor('strategy.keepPreviousVersionFor', strategy.keepPreviousVersionFor) } });
      return {
        canary: {
          stableService: active,
          canaryService: previewService,
          steps,
          ...(post.length > 0
            ? { analysis: { templates: templateRefs(names, post), args: analysisArgs(previewService, active), startingStep } } : {}),
          scaleDownDelaySeconds: ARGO_SCALE_DOWN_DELAY_SECONDS,
          trafficRouting: renderTrafficRouter(router, { port: decl.port, maxTrafficWeight, namespace: decl.namespace, rolloutName: names.rollout }),
        },
      };
    },
  };
}

/** Canary and linear: setWeight/pause steps, a background analysis, the router and the scale-down delay. */
export function renderCanary(decl: RolloutDeclaration): StrategyRender {
  const { strategy, router, replicas } = decl;
  const { setWeights, maxTrafficWeight } = scaleWeights(WHERE, strategy.steps.map(s => s.weight), router);
  const control = renderTrafficControl(strategy, router);
  const steps: ro.RolloutSpecStrategyCanarySteps[] = [...control.before];
  strategy.steps.forEach((s, i) => {
    steps.push({ setWeight: setWeights[i] });
    steps.push({ pause: { duration: pauseFor(`strategy.steps[${i}].bakeTime`, s.bakeTime) } });
    if (s.manualGate) steps.push({ pause: {} });
  });
  const keep = seconds(strategy.keepPreviousVersionFor);
  const warnings: string[] = [];
  if (router.kind === TrafficRouterKind.NONE) {
    if (keep > 0) {
      fail(WHERE, 'strategy.keepPreviousVersionFor', 'cannot be honoured without a traffic router: a basic canary at 100% runs the new version in place of the old one '
        + '(Argo Rollouts scales the previous ReplicaSet to zero, so an abort has to start its pods again), and scaleDownDelaySeconds needs traffic routing',
      formatDuration(strategy.keepPreviousVersionFor), 'Set keepPreviousVersionFor: Duration.seconds(0) in the strategy, or pass a trafficRouting such as TrafficRouting.nginx({...}).');
    }
    const pods = strategy.steps.map(s => `${s.weight}% → ${Math.ceil((replicas * s.weight) / 100)} new pod(s)`).join(', ');
    warnings.push(`No traffic router: Argo Rollouts approximates each weight by the number of new pods running beside the ${replicas} old one(s) (${pods}), so the share of requests is not the declared weight. Pass trafficRouting (NGINX, Istio, ALB, SMI or Gateway API) for exact weights.`);
  }
  if (keep > 0) {
    // The keep window is a step: all traffic on the new version while the stable ReplicaSet stays at full
    // scale and the background analysis keeps judging; a failure aborts, and all traffic returns to stable.
    if (isJudged(strategy.analysis) && keep < seconds(strategy.analysis.timeToDetect)) {
      fail(WHERE, 'strategy.keepPreviousVersionFor', `must be zero or at least the analysis' time to detect a failure (${formatDuration(strategy.analysis.timeToDetect)}): the analysis judges the kept window at 100% and would end before a failure is detected`,
        formatDuration(strategy.keepPreviousVersionFor), `Keep the previous version for ${formatDuration(strategy.analysis.timeToDetect)} or more, or set keepPreviousVersionFor: Duration.seconds(0).`);
    }
    steps.push({ setWeight: maxTrafficWeight ?? 100 });
    steps.push({ pause: { duration: pauseFor('strategy.keepPreviousVersionFor', strategy.keepPreviousVersionFor) } });
  }
  const templates: TemplateRender[] = [];
  if (isJudged(strategy.analysis)) {
    templates.push(template('Analysis', metricsFor(strategy.analysis, metricContext(decl, 'strategy.analysis'))));
  }
  return {
    services: serviceIds(strategy, decl.smokeTest),
    templates,
    warnings,
    notes: [...control.notes, ...canaryNotes(decl, keep)],
    strategy: names => {
      const stable = serviceName(names, 'StableService');
      const canary = serviceName(names, 'CanaryService');
      const analysis: ro.RolloutSpecStrategyCanaryAnalysis | undefined = templates.length === 0 ? undefined
        // Once the first setWeight has sent traffic to the canary (after any preview or dark launch).
        : { templates: templateRefs(names, templates), args: analysisArgs(canary, stable), startingStep: control.before.length + 1 };
      return {
        canary: {
          stableService: stable,
          canaryService: canary,
          steps,
          ...(analysis ? { analysis } : {}),
          ...(router.kind !== TrafficRouterKind.NONE ? {
            // The keep window is the final step; once promoted, the old pods get no traffic.
            scaleDownDelaySeconds: ARGO_SCALE_DOWN_DELAY_SECONDS,
            trafficRouting: withTrafficControl(
              renderTrafficRouter(router, { port: decl.port, maxTrafficWeight, namespace: decl.namespace, rolloutName: names.rollout }), control),
          } : {}),
        },
      };
    },
  };
}

/** Rolling: a canary without Service switching, with maxSurge/maxUnavailable, then a bake at 100% with the analysis. */
export function renderRolling(decl: RolloutDeclaration): StrategyRender {
  const { strategy } = decl;
  const steps: ro.RolloutSpecStrategyCanarySteps[] = seconds(strategy.rollingBakeTime!) > 0
    ? [{ setWeight: 100 }, { pause: { duration: pauseFor('strategy.bakeTime', strategy.rollingBakeTime!) } }]
    : [];
  const templates: TemplateRender[] = [];
  if (isJudged(strategy.analysis)) {
    templates.push(template('Analysis', metricsFor(strategy.analysis, metricContext(decl, 'strategy.analysis'))));
  }
  const surge = strategy.maxSurge!;
  const unavailable = strategy.maxUnavailable!;
  return {
    services: serviceIds(strategy, decl.smokeTest),
    templates,
    warnings: [],
    notes: [],
    strategy: names => {
      const service = serviceName(names, 'Service');
      const analysis: ro.RolloutSpecStrategyCanaryAnalysis | undefined = templates.length === 0 ? undefined
        : { templates: templateRefs(names, templates), args: analysisArgs(service, service) };
      return {
        canary: {
          maxSurge: surge.isPercent
            ? union<ro.RolloutSpecStrategyCanaryMaxSurge>(`${surge.value}%`)
            : union<ro.RolloutSpecStrategyCanaryMaxSurge>(surge.value),
          maxUnavailable: unavailable.isPercent
            ? union<ro.RolloutSpecStrategyCanaryMaxUnavailable>(`${unavailable.value}%`)
            : union<ro.RolloutSpecStrategyCanaryMaxUnavailable>(unavailable.value),
          steps,
          ...(analysis ? { analysis } : {}),
        },
      };
    },
  };
}

/** Blue/green, and all-at-once as a blue/green that promotes at once. */
export function renderBlueGreen(decl: RolloutDeclaration): StrategyRender {
  const { strategy, smokeTest } = decl;
  refuseBlueGreenTrafficControl(strategy);
  const isBlueGreen = strategy.kind === StrategyKind.BLUE_GREEN;
  const services = serviceIds(strategy, smokeTest);
  const hasPreview = services.includes('PreviewService');
  const promotion = strategy.promotion;
  const previewAnalysis = strategy.previewAnalysis;
  const templates: TemplateRender[] = [];
  if (isJudged(previewAnalysis)) {
    // Measured for as long as the preview lasts: the promotion wait, or the time to detect a failure.
    const window = Math.max(seconds(promotion!.wait), seconds(previewAnalysis.timeToDetect));
    templates.push(template('PreviewAnalysis',
      metricsFor(previewAnalysis, metricContext(decl, 'strategy.previewAnalysis', countWithin(previewAnalysis, window)))));
  }
  if (smokeTest) {
    templates.push(template('SmokeTest', [smokeTestMetric(smokeTest, decl.port)]));
  }
  const analysis = strategy.analysis;
  if (isJudged(analysis)) {
    // Measured while the previous version is kept, so that a failure can still switch back.
    const field = isBlueGreen ? 'strategy.postPromotionAnalysis' : 'strategy.analysis';
    templates.push(template('PostPromotionAnalysis',
      metricsFor(analysis, metricContext(decl, field, countWithin(analysis, seconds(strategy.keepPreviousVersionFor))))));
  }
  const manual = promotion?.isManual ?? false;
  const wait = promotion ? seconds(promotion.wait) : 0;
  // With a post-promotion analysis the previous version stays the stable ReplicaSet, at full scale, until
  // the analysis (as long as keepPreviousVersionFor) succeeds: the delay after it only lets the switch propagate.
  const judgedKeep = isJudged(analysis);
  const keep = seconds(strategy.keepPreviousVersionFor);
  return {
    services,
    templates,
    warnings: [],
    notes: blueGreenNotes(judgedKeep, keep),
    strategy: names => {
      const active = serviceName(names, 'ActiveService');
      const preview = hasPreview ? serviceName(names, 'PreviewService') : undefined;
      const preTemplates = templates.filter(t => t.id !== 'PostPromotionAnalysis');
      const postTemplates = templates.filter(t => t.id === 'PostPromotionAnalysis');
      const pre: ro.RolloutSpecStrategyBlueGreenPrePromotionAnalysis | undefined = preTemplates.length === 0 ? undefined
        : { templates: templateRefs(names, preTemplates), args: analysisArgs(preview ?? active, active) };
      const post: ro.RolloutSpecStrategyBlueGreenPostPromotionAnalysis | undefined = postTemplates.length === 0 ? undefined
        : { templates: templateRefs(names, postTemplates), args: analysisArgs(active, active) };
      return {
        blueGreen: {
          activeService: active,
          ...(preview ? { previewService: preview } : {}),
          autoPromotionEnabled: !manual,
          ...(!manual && wait > 0 ? { autoPromotionSeconds: wait } : {}),
          ...(pre ? { prePromotionAnalysis: pre } : {}),
          ...(post ? { postPromotionAnalysis: post } : {}),
          scaleDownDelaySeconds: judgedKeep ? ARGO_SCALE_DOWN_DELAY_SECONDS : keep,
        },
      };
    },
  };
}

function canaryNotes(decl: RolloutDeclaration, keep: number): string[] {
  if (decl.router.kind === TrafficRouterKind.NONE) {
    return ['Without a traffic router the rollout is promoted after the last step: Argo Rollouts replaces the previous pods with new ones (within maxSurge and maxUnavailable, 25% each by default), the background analysis stops, and a rollback is a new rollout (`kubectl argo rollouts undo`).'];
  }
  const release = `promotes the new version and scales the previous ReplicaSet down ${ARGO_SCALE_DOWN_DELAY_SECONDS}s later (scaleDownDelaySeconds), without traffic; from then on a rollback is a new rollout (\`kubectl argo rollouts undo\`).`;
  if (keep === 0) {
    return [`keepPreviousVersionFor is zero: after the last step Argo Rollouts ${release}`];
  }
  const judged = isJudged(decl.strategy.analysis)
    ? 'the background analysis keeps judging the new version, and a failure aborts the rollout: all traffic returns to the previous version, still running at full scale'
    : 'nothing judges the new version automatically; `kubectl argo rollouts abort` returns all traffic to the previous version, still running at full scale';
  return [`The previous version is kept by a final step, setWeight 100 then a pause of keepPreviousVersionFor: ${judged}. After it, Argo Rollouts ${release}`];
}

function blueGreenNotes(judgedKeep: boolean, keep: number): string[] {
  if (judgedKeep) {
    return [`After the switch the previous version stays the stable ReplicaSet, at full scale, until the post-promotion analysis (keepPreviousVersionFor) succeeds; a failure switches the active Service back to it. It is then scaled down ${ARGO_SCALE_DOWN_DELAY_SECONDS}s later (scaleDownDelaySeconds), without traffic.`];
  }
  return keep === 0 ? [] : ['After the switch the previous ReplicaSet keeps running for keepPreviousVersionFor (scaleDownDelaySeconds) without traffic and without checks: `kubectl argo rollouts undo` switches back to it at once.'];
}

/** What the Rollout's spec is made of besides its strategy. */
export interface RolloutSpecInputs {
  readonly replicas: number;
  readonly revisionHistoryLimit?: number;
  /** The labels that select the rollout's pods. */
  readonly selector: Record<string, string>;
  /** The Deployment referenced with workloadRef, when the pods come from one. */
  readonly workloadRef?: { readonly name: string; readonly scaleDown: string };
  /** The pod template (Kubernetes JSON), when the rollout renders it. */
  readonly template?: any;
  readonly strategy: ro.RolloutSpecStrategy;
}

/** The Rollout's `spec`, as Kubernetes JSON. */
export function renderRolloutSpec(i: RolloutSpecInputs): any {
  const spec: ro.RolloutSpec = {
    replicas: i.replicas,
    ...(i.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: i.revisionHistoryLimit } : {}),
    selector: { matchLabels: i.selector },
    ...(i.workloadRef ? {
      workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: i.workloadRef.name, scaleDown: i.workloadRef.scaleDown },
    } : {}),
    strategy: i.strategy,
  };
  // Typed through the generated import, converted in one walk; the pod template is cdk8s-plus output, already Kubernetes JSON.
  const json = plainJson(spec);
  if (i.template !== undefined) {
    json.template = i.template;
  }
  return json;
}

/** An AnalysisTemplate with the arguments every generated template declares. */
function template(id: TemplateId, metrics: at.AnalysisTemplateSpecMetrics[]): TemplateRender {
  const spec: at.AnalysisTemplateSpec = { args: templateArgs(), metrics };
  // Typed through the generated import once, here: the object is written from the converted JSON.
  return { id, spec: plainJson(spec) };
}

function serviceName(names: ObjectNames, id: ServiceId): string {
  const name = names.services[id];
  if (name === undefined) throw new Error(`renderStrategy: no name for the Service ${id}`);
  return name;
}

/** References to the rendered templates, by the names they were created with. */
function templateRefs(names: ObjectNames, templates: TemplateRender[]): Array<{ templateName: string }> {
  return templates.map(t => {
    const templateName = names.templates[t.id];
    if (templateName === undefined) throw new Error(`renderStrategy: no name for the AnalysisTemplate ${t.id}`);
    return { templateName };
  });
}

function isJudged(analysis: Analysis | undefined): analysis is Analysis {
  return analysis !== undefined && !analysis.isNone;
}

function metricContext(decl: RolloutDeclaration, field: string, count?: number): MetricContext {
  return { field, provider: decl.metrics, router: decl.router, count, inconclusiveLimit: decl.inconclusiveLimit };
}

/** The arguments every generated template declares: the measured Service, the reference Service and the namespace. */
function analysisArgs(measured: string, reference: string) {
  return [
    { name: 'service', value: measured },
    { name: 'stable-service', value: reference },
    { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];
}

function pauseFor(field: string, d: Duration): ro.RolloutSpecStrategyCanaryStepsPauseDuration {
  return union<ro.RolloutSpecStrategyCanaryStepsPauseDuration>(argoDuration(WHERE, field, d));
}
