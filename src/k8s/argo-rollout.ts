import { Duration } from 'aws-cdk-lib';
import type * as cdk8s from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { OpenFeatureFlags } from './feature-flags';
import { fail, formatDuration, show } from '../private/validate';
import { Analysis } from '../strategy/analysis';
import { DeploymentStrategy, StrategyKind } from '../strategy/deployment-strategy';
import { PlanPhaseSpec, RolloutPlan } from '../strategy/rollout-plan';
import type * as at from './imports/argo-analysis-template-argoproj.io';
import type * as ro from './imports/argo-rollout-argoproj.io';
import { MetricProvider } from './metric-provider';
import { countWithin, MetricContext, metricsFor, smokeTestMetric, templateArgs } from './private/analysis';
import { ANALYSIS_TEMPLATE, ROLLOUT, union } from './private/argo-types';
import { checkControllerRules } from './private/controller-rules';
import { argoDuration, seconds } from './private/durations';
import { withFeatureFlagAnnotations } from './private/feature-flag-pods';
import { requireInteger, requireK8sName, requirePort } from './private/inputs';
import { k8s } from './private/modules';
import { plainJson } from './private/plain-json';
import { firstPort, renderPodTemplate } from './private/pod-template';
import { scaleWeights } from './private/weights';
import { ArgoSmokeTest } from './smoke-test';
import { TrafficRouterKind, TrafficRouting } from './traffic-routing';

const WHERE = 'ArgoRollout';
const NAME_LABEL = 'app.kubernetes.io/name';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** What Argo Rollouts does with a referenced Deployment once the Rollout runs its pods. */
export enum DeploymentScaleDown {
  /** Leave the Deployment as it is (scale it down yourself). */
  NEVER = 'never',
  /** Scale the Deployment to zero once the Rollout is healthy. */
  ON_SUCCESS = 'onsuccess',
  /** Scale the Deployment down as the Rollout scales up. */
  PROGRESSIVELY = 'progressively',
}

/** Options for `ArgoRollout`. */
export interface ArgoRolloutProps {
  /** How the new version replaces the old one. */
  readonly strategy: DeploymentStrategy;
  /**
   * The pod's containers, as for a cdk8s-plus Deployment. Give either `containers` or `deployment`.
   * @default - none: `deployment` is required
   */
  readonly containers?: kplus.ContainerProps[];
  /**
   * A cdk8s-plus Deployment whose pod template the Rollout runs, referenced with `workloadRef`
   * (the Deployment itself stays in your chart). Give either `containers` or `deployment`.
   * @default - none: `containers` is required
   * @see https://argo-rollouts.readthedocs.io/en/stable/migrating/#reference-deployment-from-rollout
   */
  readonly deployment?: kplus.Deployment;
  /**
   * What Argo Rollouts does with the referenced Deployment (`workloadRef.scaleDown`); only with `deployment`.
   * @default DeploymentScaleDown.ON_SUCCESS - the Deployment's pods go away once the Rollout is healthy
   * @see https://argo-rollouts.readthedocs.io/en/stable/migrating/#reference-deployment-from-rollout
   */
  readonly deploymentScaleDown?: DeploymentScaleDown;
  /**
   * Number of pods of the stable version.
   * @default 1
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/specification/
   */
  readonly replicas?: number;
  /**
   * Port of the Services.
   * @default - the first container port
   */
  readonly port?: number;
  /**
   * Container port the Services send traffic to.
   * @default - same as `port`
   */
  readonly targetPort?: number;
  /**
   * How traffic is split during a canary. Blue/green, all-at-once and rolling strategies switch
   * Services or pods and take no router.
   * @default TrafficRouting.none() - canary weights are approximated by pod counts (with a warning)
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/traffic-management/
   */
  readonly trafficRouting?: TrafficRouting;
  /**
   * Where the analysis reads the health checks' measurements from; required when the strategy has checks.
   * @default - none: a strategy with health checks is an error
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/
   */
  readonly metrics?: MetricProvider;
  /**
   * A test run once against the new version on the preview Service before promotion
   * (blue/green and all-at-once only), in the pre-promotion analysis.
   * @default - no smoke test
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#prepromotionanalysis
   */
  readonly smokeTest?: ArgoSmokeTest;
  /**
   * How many measurements without data (for example fewer than `minRequests` requests) an analysis
   * tolerates before it turns Inconclusive, which pauses the rollout for a person to judge instead of
   * passing or aborting it.
   * @default - the analysis' failureLimit + 1
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/#inconclusive-runs
   */
  readonly inconclusiveLimit?: number;
  /**
   * Namespace of every object the construct creates.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Number of old ReplicaSets kept for rollback.
   * @default 10
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/specification/
   */
  readonly revisionHistoryLimit?: number;
  /**
   * Feature flags the pods evaluate: the OpenFeature Operator injects flagd into them (the pod
   * template gets `openfeature.dev/enabled` and `openfeature.dev/featureflagsource`).
   * Only with `containers` (a referenced Deployment's pods are annotated on the Deployment).
   * @default - no flagd injection
   * @see https://openfeature.dev/docs/reference/other-technologies/open-feature-operator/
   */
  readonly featureFlags?: OpenFeatureFlags;
}

/**
 * An Argo Rollouts `Rollout` rendered from a `DeploymentStrategy`, with its Services, its traffic
 * routing and the `AnalysisTemplate`s that judge the new version. The Argo Rollouts controller's
 * validation rules are checked at synth time; a strategy Argo cannot express exactly is an error.
 */
export class ArgoRollout extends Construct {
  /** Name of the Rollout. */
  public readonly rolloutName: string;
  /** The Service clients use: stable (canary), active (blue/green, all-at-once) or the only Service (rolling). */
  public readonly service: kplus.Service;
  /** The Service that selects the stable version (canary and linear). */
  public readonly stableService?: kplus.Service;
  /** The Service that selects the new version during a canary (canary and linear). */
  public readonly canaryService?: kplus.Service;
  /** The Service that carries production traffic (blue/green, all-at-once). */
  public readonly activeService?: kplus.Service;
  /** The Service that selects the new version before promotion (blue/green). */
  public readonly previewService?: kplus.Service;
  /** Names of the AnalysisTemplates created. */
  public readonly analysisTemplateNames: string[];
  /**
   * What the construct could only approximate, and you should know about (also in `plan.notes` and
   * in the construct's metadata as `warning` entries). cdk8s has no warning channel of its own.
   */
  public readonly warnings: string[];
  /** The Rollout object, for escape hatches (JSON patches). */
  public readonly rollout: cdk8s.ApiObject;
  /** What the plan is made from, known once the rollout is rendered. */
  private readonly planInputs: PlanInputs;
  private cachedPlan?: RolloutPlan;

  constructor(scope: Construct, id: string, props: ArgoRolloutProps) {
    super(scope, id);
    try {
      const c = this.validateProps(props);
      const rendered = c.strategy.kind === StrategyKind.CANARY || c.strategy.kind === StrategyKind.LINEAR ? this.renderCanary(c)
        : c.strategy.kind === StrategyKind.ROLLING ? this.renderRolling(c)
          : this.renderBlueGreen(c);
      this.service = rendered.service;
      this.stableService = rendered.stable;
      this.canaryService = rendered.canary;
      this.activeService = rendered.active;
      this.previewService = rendered.preview;

      const spec: ro.RolloutSpec = {
        replicas: c.replicas,
        ...(c.revisionHistoryLimit !== undefined ? { revisionHistoryLimit: c.revisionHistoryLimit } : {}),
        selector: { matchLabels: c.pods.selector },
        ...(props.deployment ? {
          workloadRef: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: props.deployment.name,
            scaleDown: props.deploymentScaleDown ?? DeploymentScaleDown.ON_SUCCESS,
          },
        } : {}),
        strategy: rendered.strategy,
      };
      // Typed through the generated import, converted in one walk; the pod template is cdk8s-plus output, already Kubernetes JSON.
      const manifest = { ...ROLLOUT, spec: plainJson(spec) };
      if (c.pods.template !== undefined) {
        manifest.spec.template = c.pods.template;
      }
      // Feature flags: the OpenFeature injection annotations on the pod template.
      if (props.featureFlags !== undefined) {
        manifest.spec.template = withFeatureFlagAnnotations(WHERE, manifest.spec.template, props.featureFlags);
      }
      // The controller's rules, on exactly what will be written.
      checkControllerRules({ ...manifest, metadata: { name: c.rolloutName } }, c.templates.map(t => t.manifest));

      this.rollout = new (k8s().cdk8s.ApiObject)(this, 'Resource', {
        ...ROLLOUT,
        metadata: { name: c.rolloutName, ...(c.namespace ? { namespace: c.namespace } : {}) },
        spec: manifest.spec,
      });
      this.rolloutName = this.rollout.name;
      this.analysisTemplateNames = c.templates.map(t => t.name);
      this.warnings = rendered.warnings;
      for (const w of rendered.warnings) this.node.addMetadata('warning', w);
      // The plan is built when first read: it only restates the validated strategy and what was rendered.
      this.planInputs = { strategy: c.strategy, router: c.router, smokeTest: props.smokeTest, warnings: rendered.warnings, notes: rendered.notes };
    } catch (e) {
      // No partial output: whatever was created before the error leaves the tree with the construct.
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  /** What this rollout will do, phase by phase. */
  public get plan(): RolloutPlan {
    if (this.cachedPlan === undefined) {
      const p = this.planInputs;
      this.cachedPlan = this.buildPlan(p.strategy, p.router, p.smokeTest, p.warnings, p.notes);
    }
    return this.cachedPlan;
  }

  /** Checks the props and resolves the defaults, the pods and the port. */
  private validateProps(props: ArgoRolloutProps): RenderContext {
    if (props === null || typeof props !== 'object') {
      fail(WHERE, 'props', 'must be an object', show(props), 'Pass { strategy, containers, ... }.');
    }
    const strategy = props.strategy;
    if (!(strategy instanceof DeploymentStrategy)) {
      fail(WHERE, 'strategy', 'must be a DeploymentStrategy', show(strategy), 'Pass DeploymentStrategy.canary({...}) or another factory.');
    }
    const router = props.trafficRouting ?? TrafficRouting.none();
    if (!(router instanceof TrafficRouting)) {
      fail(WHERE, 'trafficRouting', 'must be a TrafficRouting', show(router), 'Pass TrafficRouting.nginx({...}) or another factory.');
    }
    if (props.metrics !== undefined && !(props.metrics instanceof MetricProvider)) {
      fail(WHERE, 'metrics', 'must be a MetricProvider', show(props.metrics), 'Pass MetricProvider.prometheus({...}) or another factory.');
    }
    if (props.smokeTest !== undefined && !(props.smokeTest instanceof ArgoSmokeTest)) {
      fail(WHERE, 'smokeTest', 'must be an ArgoSmokeTest', show(props.smokeTest), 'Pass ArgoSmokeTest.web({...}) or .job({...}).');
    }
    const replicas = requireInteger(WHERE, 'replicas', props.replicas ?? 1, 0, 10_000, 'Pass the number of pods, for example 3.');
    const revisionHistoryLimit = props.revisionHistoryLimit === undefined ? undefined
      : requireInteger(WHERE, 'revisionHistoryLimit', props.revisionHistoryLimit, 0, 1000, 'Pass the number of old ReplicaSets to keep, for example 10.');
    const inconclusiveLimit = props.inconclusiveLimit === undefined ? undefined
      : requireInteger(WHERE, 'inconclusiveLimit', props.inconclusiveLimit, 0, 1000, 'Pass the number of measurements without data to tolerate, for example 2.');
    const namespace = props.namespace === undefined ? undefined : requireK8sName(WHERE, 'namespace', props.namespace);
    const isCanary = strategy.kind === StrategyKind.CANARY || strategy.kind === StrategyKind.LINEAR;
    const isBlueGreen = strategy.kind === StrategyKind.BLUE_GREEN || strategy.kind === StrategyKind.ALL_AT_ONCE;
    if (!isCanary && router.kind !== TrafficRouterKind.NONE) {
      const why = isBlueGreen ? 'Argo Rollouts switches the Services' : 'pods are replaced in place and traffic follows them';
      fail(WHERE, 'trafficRouting', `must be TrafficRouting.none() for a ${strategy.kind.toLowerCase().replace(/_/g, '-')} strategy: ${why}`,
        router.describe(), 'Omit trafficRouting, or use a canary or linear strategy to shift traffic by weight.');
    }
    if (props.smokeTest !== undefined && !isBlueGreen) {
      fail(WHERE, 'smokeTest', 'runs as a pre-promotion analysis, which only blue/green and all-at-once strategies have', props.smokeTest.name,
        'Use DeploymentStrategy.blueGreen(), or express the test as a HealthCheck in the strategy\'s analysis.');
    }
    if (props.metrics !== undefined && !hasChecks(strategy)) {
      fail(WHERE, 'metrics', 'is given but the strategy has no health checks to measure', props.metrics.kind,
        'Remove metrics, or add checks to the strategy\'s analysis.');
    }
    const rolloutName = k8s().cdk8s.Names.toDnsLabel(this);
    const pods = this.resolvePods(props, rolloutName);
    const port = requirePort(WHERE, 'port', props.port ?? pods.port ?? fail(WHERE, 'port', 'is required because no container declares a port', 'undefined',
      'Pass port, or give a container a portNumber.'));
    const targetPort = requirePort(WHERE, 'targetPort', props.targetPort ?? port);
    return {
      strategy, router, props, replicas, revisionHistoryLimit, inconclusiveLimit, namespace, rolloutName, pods, port, targetPort, templates: [],
    };
  }

  /** The pods: rendered from containers, or those of a referenced Deployment. */
  private resolvePods(props: ArgoRolloutProps, rolloutName: string): Pods {
    if ((props.containers === undefined) === (props.deployment === undefined)) {
      fail(WHERE, 'containers/deployment', 'must have exactly one of them', props.containers === undefined ? 'neither' : 'both',
        'Pass containers for the pod template, or a cdk8s-plus Deployment to reference.');
    }
    if (props.deploymentScaleDown !== undefined && props.deployment === undefined) {
      fail(WHERE, 'deploymentScaleDown', 'only applies with deployment', props.deploymentScaleDown, 'Remove it, or pass a deployment.');
    }
    if (props.containers !== undefined) {
      if (!Array.isArray(props.containers) || props.containers.length === 0) {
        fail(WHERE, 'containers', 'must contain at least one container', show(props.containers),
          'Pass the pod\'s containers, for example [{ image: "my-app:1.0", portNumber: 8080 }].');
      }
      const selector = { [NAME_LABEL]: rolloutName, [INSTANCE_LABEL]: k8s().cdk8s.Names.toLabelValue(this) };
      const rendered = renderPodTemplate(props.containers, selector);
      return { selector, template: rendered.template, port: rendered.port };
    }
    if (!(props.deployment instanceof k8s().kplus.Deployment)) {
      fail(WHERE, 'deployment', 'must be a cdk8s-plus Deployment', show(props.deployment), 'Pass a kplus.Deployment.');
    }
    const selector = props.deployment.matchLabels;
    if (Object.keys(selector).length === 0) {
      fail(WHERE, 'deployment', 'must select its pods by label', 'a Deployment created with select: false',
        'Create the Deployment with the default select: true, or call deployment.select(...).');
    }
    return { selector, port: firstPort(props.deployment) };
  }

  /** A Service that selects the rollout's pods (Argo Rollouts narrows it to one ReplicaSet where it manages it). */
  private newService(c: RenderContext, id: string): kplus.Service {
    const svc = new (k8s().kplus.Service)(this, id, { metadata: { namespace: c.namespace }, ports: [{ port: c.port, targetPort: c.targetPort }] });
    for (const [k, v] of Object.entries(c.pods.selector)) svc.selectLabel(k, v);
    return svc;
  }

  /** An AnalysisTemplate with the standard arguments; returns its name. */
  private addTemplate(c: RenderContext, id: string, metrics: at.AnalysisTemplateSpecMetrics[]): string {
    const spec: at.AnalysisTemplateSpec = { args: templateArgs(), metrics };
    // Typed through the generated import once, here: the object is written from the converted
    // Kubernetes JSON (as the Rollout is), so synthesis does not convert the same props again.
    const manifest = { ...ANALYSIS_TEMPLATE, spec: plainJson(spec) };
    const t = new (k8s().cdk8s.ApiObject)(this, id, {
      ...ANALYSIS_TEMPLATE,
      metadata: c.namespace ? { namespace: c.namespace } : {},
      spec: manifest.spec,
    });
    // The same JSON for the controller's rules.
    c.templates.push({ name: t.name, manifest: { ...manifest, metadata: { name: t.name } } });
    return t.name;
  }

  /** Canary and linear: setWeight/pause steps, a background analysis, the router and the scale-down delay. */
  private renderCanary(c: RenderContext): Rendered {
    const { strategy, router, replicas } = c;
    const stable = this.newService(c, 'StableService');
    const canary = this.newService(c, 'CanaryService');
    const { setWeights, maxTrafficWeight } = scaleWeights(WHERE, strategy.steps.map(s => s.weight), router);
    const steps: ro.RolloutSpecStrategyCanarySteps[] = [];
    strategy.steps.forEach((s, i) => {
      steps.push({ setWeight: setWeights[i] });
      steps.push({ pause: { duration: pauseFor(`strategy.steps[${i}].bakeTime`, s.bakeTime) } });
      if (s.manualGate) steps.push({ pause: {} });
    });
    const keep = seconds(strategy.keepPreviousVersionFor);
    const warnings: string[] = [];
    if (router.kind === TrafficRouterKind.NONE) {
      if (keep > 0) {
        fail(WHERE, 'strategy.keepPreviousVersionFor', 'cannot be honoured without a traffic router: Argo Rollouts scales the previous version down as soon as a basic canary completes (scaleDownDelaySeconds needs traffic routing)',
          formatDuration(strategy.keepPreviousVersionFor), 'Set keepPreviousVersionFor: Duration.seconds(0) in the strategy, or pass a trafficRouting such as TrafficRouting.nginx({...}).');
      }
      const pods = strategy.steps.map(s => `${s.weight}% → ${Math.ceil((replicas * s.weight) / 100)} new pod(s)`).join(', ');
      warnings.push(`No traffic router: Argo Rollouts approximates each weight by the number of new pods running beside the ${replicas} old one(s) (${pods}), so the share of requests is not the declared weight. Pass trafficRouting (NGINX, Istio, ALB, SMI or Gateway API) for exact weights.`);
    }
    let analysis: ro.RolloutSpecStrategyCanaryAnalysis | undefined;
    if (strategy.analysis && !strategy.analysis.isNone) {
      const name = this.addTemplate(c, 'Analysis', metricsFor(strategy.analysis, metricContext(c, 'strategy.analysis')));
      // From step 1: once the first setWeight has sent traffic to the canary.
      analysis = { templates: [{ templateName: name }], args: analysisArgs(canary, stable), startingStep: 1 };
    }
    return {
      strategy: {
        canary: {
          stableService: stable.name,
          canaryService: canary.name,
          steps,
          ...(analysis ? { analysis } : {}),
          ...(router.kind !== TrafficRouterKind.NONE ? {
            scaleDownDelaySeconds: keep,
            trafficRouting: this.renderRouter(router, c.port, maxTrafficWeight, c.namespace, c.rolloutName),
          } : {}),
        },
      },
      service: stable,
      stable,
      canary,
      warnings,
      notes: ['The background analysis stops when the rollout is promoted: during the scale-down delay nothing judges the new version, and a rollback is `kubectl argo rollouts undo` (fast while the previous ReplicaSet is kept).'],
    };
  }

  /** Rolling: a canary without Service switching, with maxSurge/maxUnavailable, then a bake at 100% with the analysis. */
  private renderRolling(c: RenderContext): Rendered {
    const { strategy } = c;
    const service = this.newService(c, 'Service');
    const steps: ro.RolloutSpecStrategyCanarySteps[] = seconds(strategy.rollingBakeTime!) > 0
      ? [{ setWeight: 100 }, { pause: { duration: pauseFor('strategy.bakeTime', strategy.rollingBakeTime!) } }]
      : [];
    let analysis: ro.RolloutSpecStrategyCanaryAnalysis | undefined;
    if (strategy.analysis && !strategy.analysis.isNone) {
      const name = this.addTemplate(c, 'Analysis', metricsFor(strategy.analysis, metricContext(c, 'strategy.analysis')));
      analysis = { templates: [{ templateName: name }], args: analysisArgs(service, service) };
    }
    const surge = strategy.maxSurge!;
    const unavailable = strategy.maxUnavailable!;
    return {
      strategy: {
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
      },
      service,
      warnings: [],
      notes: [],
    };
  }

  /** Blue/green, and all-at-once as a blue/green that promotes at once. */
  private renderBlueGreen(c: RenderContext): Rendered {
    const { strategy, props } = c;
    const isBlueGreen = strategy.kind === StrategyKind.BLUE_GREEN;
    const active = this.newService(c, 'ActiveService');
    const preview = isBlueGreen || props.smokeTest ? this.newService(c, 'PreviewService') : undefined;
    const promotion = strategy.promotion;
    const previewAnalysis = strategy.previewAnalysis;
    const preTemplates: string[] = [];
    if (previewAnalysis && !previewAnalysis.isNone) {
      // Measured for as long as the preview lasts: the promotion wait, or the time to detect a failure.
      const window = Math.max(seconds(promotion!.wait), seconds(previewAnalysis.timeToDetect));
      preTemplates.push(this.addTemplate(c, 'PreviewAnalysis',
        metricsFor(previewAnalysis, metricContext(c, 'strategy.previewAnalysis', countWithin(previewAnalysis, window)))));
    }
    if (props.smokeTest) {
      preTemplates.push(this.addTemplate(c, 'SmokeTest', [smokeTestMetric(props.smokeTest, c.port)]));
    }
    const pre: ro.RolloutSpecStrategyBlueGreenPrePromotionAnalysis | undefined = preTemplates.length === 0 ? undefined
      : { templates: preTemplates.map(templateName => ({ templateName })), args: analysisArgs(preview ?? active, active) };
    let post: ro.RolloutSpecStrategyBlueGreenPostPromotionAnalysis | undefined;
    const analysis: Analysis | undefined = strategy.analysis;
    if (analysis && !analysis.isNone) {
      // Measured while the previous version is kept, so that a failure can still switch back.
      const field = isBlueGreen ? 'strategy.postPromotionAnalysis' : 'strategy.analysis';
      const name = this.addTemplate(c, 'PostPromotionAnalysis',
        metricsFor(analysis, metricContext(c, field, countWithin(analysis, seconds(strategy.keepPreviousVersionFor)))));
      post = { templates: [{ templateName: name }], args: analysisArgs(active, active) };
    }
    const manual = promotion?.isManual ?? false;
    const wait = promotion ? seconds(promotion.wait) : 0;
    return {
      strategy: {
        blueGreen: {
          activeService: active.name,
          ...(preview ? { previewService: preview.name } : {}),
          autoPromotionEnabled: !manual,
          ...(!manual && wait > 0 ? { autoPromotionSeconds: wait } : {}),
          ...(pre ? { prePromotionAnalysis: pre } : {}),
          ...(post ? { postPromotionAnalysis: post } : {}),
          scaleDownDelaySeconds: seconds(strategy.keepPreviousVersionFor),
        },
      },
      service: active,
      active,
      preview,
      warnings: [],
      notes: [],
    };
  }

  private renderRouter(router: TrafficRouting, port: number, maxTrafficWeight: number | undefined, namespace: string | undefined,
    rolloutName: string): ro.RolloutSpecStrategyCanaryTrafficRouting {
    const o = router._options;
    const max = maxTrafficWeight !== undefined ? { maxTrafficWeight } : {};
    switch (router.kind) {
      case TrafficRouterKind.NGINX:
        return {
          ...max,
          nginx: {
            stableIngress: o.stableIngress,
            ...(o.additionalIngressAnnotations ? { additionalIngressAnnotations: o.additionalIngressAnnotations } : {}),
            ...(o.annotationPrefix ? { annotationPrefix: o.annotationPrefix } : {}),
          },
        };
      case TrafficRouterKind.ISTIO:
        return { istio: { virtualService: { name: o.virtualService!, ...(o.routes ? { routes: o.routes } : {}) } } };
      case TrafficRouterKind.ALB:
        return { alb: { ingress: o.ingress, servicePort: o.servicePort ?? port, ...(o.rootService ? { rootService: o.rootService } : {}) } };
      case TrafficRouterKind.SMI:
        return { smi: { trafficSplitName: o.trafficSplitName ?? rolloutName, ...(o.rootService ? { rootService: o.rootService } : {}) } };
      default: {
        const ns = o.namespace ?? namespace ?? k8s().cdk8s.Chart.of(this).namespace;
        if (ns === undefined) {
          fail(WHERE, 'trafficRouting.namespace', 'is required by the Gateway API plugin when neither the rollout nor its chart has a namespace', 'undefined',
            'Pass TrafficRouting.gatewayApi({ httpRoute, namespace }), or set namespace on the rollout or the chart.');
        }
        return { ...max, plugins: { 'argoproj-labs/gatewayAPI': { httpRoute: o.httpRoute, namespace: ns } } };
      }
    }
  }

  private buildPlan(strategy: DeploymentStrategy, router: TrafficRouting, smokeTest: ArgoSmokeTest | undefined, warnings: string[],
    canaryNotes: string[]): RolloutPlan {
    const base = strategy.plan();
    const isCanary = strategy.kind === StrategyKind.CANARY || strategy.kind === StrategyKind.LINEAR;
    const phases: PlanPhaseSpec[] = base.phases.map((p, i) => {
      const last = i === base.phases.length - 1;
      if (isCanary && last) {
        // Argo's background analysis ends at promotion: the kept version is not judged any more.
        return { name: 'Promoted, previous ReplicaSet kept (scaleDownDelaySeconds)', trafficPercent: 100, duration: p.duration, manualGate: p.manualGate };
      }
      const checks = [...p.checks];
      if (strategy.kind === StrategyKind.BLUE_GREEN && i === 0 && smokeTest) checks.push(smokeTest.name);
      return {
        name: p.name,
        trafficPercent: p.trafficPercent,
        duration: p.duration,
        manualGate: p.manualGate,
        ...(checks.length ? { checks } : {}),
        ...(p.timeToDetect ? { timeToDetect: p.timeToDetect } : {}),
        ...(p.note ? { note: p.note } : {}),
      };
    });
    if (strategy.kind === StrategyKind.ALL_AT_ONCE && smokeTest) {
      phases.unshift({ name: 'Smoke test on the new pods (no production traffic)', trafficPercent: 0, duration: smokeTest._options.timeout ?? phases[0].duration, checks: [smokeTest.name] });
    }
    const notes = [...base.notes];
    if (isCanary) {
      notes.push(`Traffic routing: ${router.describe()}.`);
      notes.push(...canaryNotes);
    }
    notes.push(...warnings.map(w => `Warning: ${w}`));
    return RolloutPlan.fromPhases({ target: 'Argo Rollouts', strategy: base.strategy, phases, notes });
  }
}

function hasChecks(strategy: DeploymentStrategy): boolean {
  return [strategy.analysis, strategy.previewAnalysis].some(a => a !== undefined && !a.isNone);
}

/** The pods of the rollout. */
interface Pods {
  readonly selector: Record<string, string>;
  /** The pod template, when the rollout renders it (not with workloadRef). */
  readonly template?: any;
  /** The first container port, if any. */
  readonly port?: number;
}

/** The validated props and what is derived from them, shared by the renderers. */
interface RenderContext {
  readonly strategy: DeploymentStrategy;
  readonly router: TrafficRouting;
  readonly props: ArgoRolloutProps;
  readonly replicas: number;
  readonly revisionHistoryLimit?: number;
  readonly inconclusiveLimit?: number;
  readonly namespace?: string;
  readonly rolloutName: string;
  readonly pods: Pods;
  readonly port: number;
  readonly targetPort: number;
  /** The AnalysisTemplates created so far. */
  readonly templates: RenderedTemplate[];
}

/** An AnalysisTemplate the rollout created: its name and its manifest. */
interface RenderedTemplate {
  readonly name: string;
  readonly manifest: any;
}

/** What `ArgoRollout.plan` is built from. */
interface PlanInputs {
  readonly strategy: DeploymentStrategy;
  readonly router: TrafficRouting;
  readonly smokeTest?: ArgoSmokeTest;
  readonly warnings: string[];
  readonly notes: string[];
}

/** What a strategy renderer produces. */
interface Rendered {
  readonly strategy: ro.RolloutSpecStrategy;
  readonly service: kplus.Service;
  readonly stable?: kplus.Service;
  readonly canary?: kplus.Service;
  readonly active?: kplus.Service;
  readonly preview?: kplus.Service;
  readonly warnings: string[];
  readonly notes: string[];
}

function metricContext(c: RenderContext, field: string, count?: number): MetricContext {
  return { field, provider: c.props.metrics, router: c.router, count, inconclusiveLimit: c.inconclusiveLimit };
}

/** The arguments every generated template declares: the measured Service, the reference Service and the namespace. */
function analysisArgs(measured: kplus.Service, reference: kplus.Service) {
  return [
    { name: 'service', value: measured.name },
    { name: 'stable-service', value: reference.name },
    { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];
}

function pauseFor(field: string, d: Duration): ro.RolloutSpecStrategyCanaryStepsPauseDuration {
  return union<ro.RolloutSpecStrategyCanaryStepsPauseDuration>(argoDuration(WHERE, field, d));
}
