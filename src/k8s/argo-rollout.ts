import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { Analysis } from '../strategy/analysis';
import { DeploymentStrategy, StrategyKind } from '../strategy/deployment-strategy';
import { fail, formatDuration, show } from '../strategy/private/validate';
import { PlanPhaseSpec, RolloutPlan } from '../strategy/rollout-plan';
import * as at from './imports/argo-analysis-template-argoproj.io';
import * as ro from './imports/argo-rollout-argoproj.io';
import { MetricProvider } from './metric-provider';
import { countWithin, metricsFor, smokeTestMetric, templateArgs } from './private/analysis';
import { checkControllerRules } from './private/controller-rules';
import { argoDuration, seconds } from './private/durations';
import { requireInteger, requireK8sName, requirePort } from './private/inputs';
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
  /** What this rollout will do, phase by phase. */
  public readonly plan: RolloutPlan;
  /**
   * What the construct could only approximate, and you should know about (also in `plan.notes` and
   * in the construct's metadata as `warning` entries). cdk8s has no warning channel of its own.
   */
  public readonly warnings: string[];
  /** The Rollout object, for escape hatches (JSON patches). */
  public readonly rollout: cdk8s.ApiObject;

  constructor(scope: Construct, id: string, props: ArgoRolloutProps) {
    super(scope, id);
    try {
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
        fail(WHERE, 'trafficRouting', `must be TrafficRouting.none() for a ${strategy.kind.toLowerCase().replace(/_/g, '-')} strategy: ${isBlueGreen ? 'Argo Rollouts switches the Services' : 'pods are replaced in place and traffic follows them'}`,
          router.describe(), 'Omit trafficRouting, or use a canary or linear strategy to shift traffic by weight.');
      }
      if (props.smokeTest !== undefined && !isBlueGreen) {
        fail(WHERE, 'smokeTest', 'runs as a pre-promotion analysis, which only blue/green and all-at-once strategies have', props.smokeTest.name,
          'Use DeploymentStrategy.blueGreen(), or express the test as a HealthCheck in the strategy\'s analysis.');
      }

      // The pods: containers rendered here, or a referenced Deployment.
      if ((props.containers === undefined) === (props.deployment === undefined)) {
        fail(WHERE, 'containers/deployment', 'must have exactly one of them', props.containers === undefined ? 'neither' : 'both',
          'Pass containers for the pod template, or a cdk8s-plus Deployment to reference.');
      }
      if (props.deploymentScaleDown !== undefined && props.deployment === undefined) {
        fail(WHERE, 'deploymentScaleDown', 'only applies with deployment', props.deploymentScaleDown, 'Remove it, or pass a deployment.');
      }
      let selector: Record<string, string>;
      let template: any;
      let defaultPort: number | undefined;
      const rolloutObjectName = cdk8s.Names.toDnsLabel(this);
      if (props.containers !== undefined) {
        if (!Array.isArray(props.containers) || props.containers.length === 0) {
          fail(WHERE, 'containers', 'must contain at least one container', show(props.containers), 'Pass the pod\'s containers, for example [{ image: "my-app:1.0", portNumber: 8080 }].');
        }
        selector = { [NAME_LABEL]: rolloutObjectName, [INSTANCE_LABEL]: cdk8s.Names.toLabelValue(this) };
        const rendered = renderPodTemplate(props.containers, selector);
        template = rendered.template;
        defaultPort = rendered.port;
      } else {
        if (!(props.deployment instanceof kplus.Deployment)) {
          fail(WHERE, 'deployment', 'must be a cdk8s-plus Deployment', show(props.deployment), 'Pass a kplus.Deployment.');
        }
        selector = props.deployment.matchLabels;
        if (Object.keys(selector).length === 0) {
          fail(WHERE, 'deployment', 'must select its pods by label', 'a Deployment created with select: false',
            'Create the Deployment with the default select: true, or call deployment.select(...).');
        }
        defaultPort = firstPort(props.deployment);
      }
      const port = requirePort(WHERE, 'port', props.port ?? defaultPort ?? fail(WHERE, 'port', 'is required because no container declares a port', 'undefined',
        'Pass port, or give a container a portNumber.'));
      const targetPort = requirePort(WHERE, 'targetPort', props.targetPort ?? port);

      // Services.
      const newService = (sid: string) => {
        const svc = new kplus.Service(this, sid, { metadata: { namespace }, ports: [{ port, targetPort }] });
        for (const [k, v] of Object.entries(selector)) svc.selectLabel(k, v);
        return svc;
      };
      const metaNs = namespace ? { namespace } : {};
      const warnings: string[] = [];
      const templates: at.AnalysisTemplate[] = [];
      const addTemplate = (tid: string, metrics: at.AnalysisTemplateSpecMetrics[]) => {
        const t = new at.AnalysisTemplate(this, tid, { metadata: { ...metaNs }, spec: { args: templateArgs(), metrics } });
        templates.push(t);
        return t.name;
      };
      const args = (measured: kplus.Service, reference: kplus.Service) => [
        { name: 'service', value: measured.name },
        { name: 'stable-service', value: reference.name },
        { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
      ];
      const ctx = (field: string, count?: number) => ({ field, provider: props.metrics, router, count, inconclusiveLimit });
      if (props.metrics !== undefined && !hasChecks(strategy)) {
        fail(WHERE, 'metrics', 'is given but the strategy has no health checks to measure', props.metrics.kind,
          'Remove metrics, or add checks to the strategy\'s analysis.');
      }

      let strategySpec: ro.RolloutSpecStrategy;
      let service: kplus.Service;
      const phaseNotes: string[] = [];
      switch (strategy.kind) {
        case StrategyKind.CANARY:
        case StrategyKind.LINEAR: {
          const stable = newService('StableService');
          const canary = newService('CanaryService');
          this.stableService = stable;
          this.canaryService = canary;
          service = stable;
          const { setWeights, maxTrafficWeight } = scaleWeights(WHERE, strategy.steps.map(s => s.weight), router);
          const steps: ro.RolloutSpecStrategyCanarySteps[] = [];
          strategy.steps.forEach((s, i) => {
            steps.push({ setWeight: setWeights[i] });
            steps.push({ pause: { duration: ro.RolloutSpecStrategyCanaryStepsPauseDuration.fromString(argoDuration(WHERE, `strategy.steps[${i}].bakeTime`, s.bakeTime)) } });
            if (s.manualGate) steps.push({ pause: {} });
          });
          const keep = seconds(strategy.keepPreviousVersionFor);
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
            const name = addTemplate('Analysis', metricsFor(strategy.analysis, ctx('strategy.analysis')));
            analysis = { templates: [{ templateName: name }], args: args(canary, stable), startingStep: 1 };
          }
          strategySpec = {
            canary: {
              stableService: stable.name,
              canaryService: canary.name,
              steps,
              ...(analysis ? { analysis } : {}),
              ...(router.kind !== TrafficRouterKind.NONE ? {
                scaleDownDelaySeconds: keep,
                trafficRouting: this.renderRouter(router, port, maxTrafficWeight, namespace, rolloutObjectName),
              } : {}),
            },
          };
          phaseNotes.push('The background analysis stops when the rollout is promoted: during the scale-down delay nothing judges the new version, and a rollback is `kubectl argo rollouts undo` (fast while the previous ReplicaSet is kept).');
          break;
        }
        case StrategyKind.ROLLING: {
          service = newService('Service');
          const bake = seconds(strategy.rollingBakeTime!);
          const steps: ro.RolloutSpecStrategyCanarySteps[] = bake > 0
            ? [{ setWeight: 100 }, { pause: { duration: ro.RolloutSpecStrategyCanaryStepsPauseDuration.fromString(argoDuration(WHERE, 'strategy.bakeTime', strategy.rollingBakeTime!)) } }]
            : [];
          let analysis: ro.RolloutSpecStrategyCanaryAnalysis | undefined;
          if (strategy.analysis && !strategy.analysis.isNone) {
            const name = addTemplate('Analysis', metricsFor(strategy.analysis, ctx('strategy.analysis')));
            analysis = { templates: [{ templateName: name }], args: args(service, service) };
          }
          strategySpec = {
            canary: {
              maxSurge: strategy.maxSurge!.isPercent
                ? ro.RolloutSpecStrategyCanaryMaxSurge.fromString(`${strategy.maxSurge!.value}%`)
                : ro.RolloutSpecStrategyCanaryMaxSurge.fromNumber(strategy.maxSurge!.value),
              maxUnavailable: strategy.maxUnavailable!.isPercent
                ? ro.RolloutSpecStrategyCanaryMaxUnavailable.fromString(`${strategy.maxUnavailable!.value}%`)
                : ro.RolloutSpecStrategyCanaryMaxUnavailable.fromNumber(strategy.maxUnavailable!.value),
              steps,
              ...(analysis ? { analysis } : {}),
            },
          };
          break;
        }
        default: {
          // Blue/green, and all-at-once as a blue/green that promotes at once.
          const active = newService('ActiveService');
          this.activeService = active;
          service = active;
          const isBg = strategy.kind === StrategyKind.BLUE_GREEN;
          const preview = isBg || props.smokeTest ? newService('PreviewService') : undefined;
          this.previewService = preview;
          const promotion = strategy.promotion;
          const previewAnalysis = strategy.previewAnalysis;
          let pre: ro.RolloutSpecStrategyBlueGreenPrePromotionAnalysis | undefined;
          const preTemplates: string[] = [];
          if (previewAnalysis && !previewAnalysis.isNone) {
            const window = Math.max(seconds(promotion!.wait), seconds(previewAnalysis.timeToDetect));
            preTemplates.push(addTemplate('PreviewAnalysis', metricsFor(previewAnalysis, ctx('strategy.previewAnalysis', countWithin(previewAnalysis, window)))));
          }
          if (props.smokeTest) {
            preTemplates.push(addTemplate('SmokeTest', [smokeTestMetric(props.smokeTest, port)]));
          }
          if (preTemplates.length > 0) {
            const target = preview ?? active;
            pre = { templates: preTemplates.map(templateName => ({ templateName })), args: args(target, active) };
          }
          let post: ro.RolloutSpecStrategyBlueGreenPostPromotionAnalysis | undefined;
          const analysis: Analysis | undefined = strategy.analysis;
          if (analysis && !analysis.isNone) {
            const name = addTemplate('PostPromotionAnalysis', metricsFor(analysis, ctx(isBg ? 'strategy.postPromotionAnalysis' : 'strategy.analysis',
              countWithin(analysis, seconds(strategy.keepPreviousVersionFor)))));
            post = { templates: [{ templateName: name }], args: args(active, active) };
          }
          const manual = promotion?.isManual ?? false;
          const wait = promotion ? seconds(promotion.wait) : 0;
          strategySpec = {
            blueGreen: {
              activeService: active.name,
              ...(preview ? { previewService: preview.name } : {}),
              autoPromotionEnabled: !manual,
              ...(!manual && wait > 0 ? { autoPromotionSeconds: wait } : {}),
              ...(pre ? { prePromotionAnalysis: pre } : {}),
              ...(post ? { postPromotionAnalysis: post } : {}),
              scaleDownDelaySeconds: seconds(strategy.keepPreviousVersionFor),
            },
          };
          break;
        }
      }
      this.service = service;

      const spec: ro.RolloutSpec = {
        replicas,
        ...(revisionHistoryLimit !== undefined ? { revisionHistoryLimit } : {}),
        selector: { matchLabels: selector },
        ...(props.deployment ? {
          workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: props.deployment.name, scaleDown: props.deploymentScaleDown ?? DeploymentScaleDown.ON_SUCCESS },
        } : {}),
        strategy: strategySpec,
      };
      const manifest = ro.Rollout.manifest({ spec });
      if (template !== undefined) {
        manifest.spec.template = template;
      }
      // The controller's rules, on exactly what will be written.
      checkControllerRules({ ...manifest, metadata: { name: rolloutObjectName } }, templates.map(t => t.toJson()));

      this.rollout = new cdk8s.ApiObject(this, 'Resource', {
        apiVersion: ro.Rollout.GVK.apiVersion,
        kind: ro.Rollout.GVK.kind,
        metadata: { name: rolloutObjectName, ...metaNs },
        spec: manifest.spec,
      });
      this.rolloutName = this.rollout.name;
      this.analysisTemplateNames = templates.map(t => t.name);
      this.warnings = warnings;
      for (const w of warnings) this.node.addMetadata('warning', w);
      this.plan = this.buildPlan(strategy, router, props.smokeTest, warnings, phaseNotes);

    } catch (e) {
      // No partial output: whatever was created before the error leaves the tree with the construct.
      scope.node.tryRemoveChild(id);
      throw e;
    }
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
        const ns = o.namespace ?? namespace ?? cdk8s.Chart.of(this).namespace;
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
