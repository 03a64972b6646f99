import type { Duration } from 'aws-cdk-lib';
import type * as cdk8s from 'cdk8s';
import type * as kplus from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import type { OpenFeatureFlags } from './feature-flags';
import { MetricProvider, MetricProviderKind } from './metric-provider';
import type { RolloutNotification } from './notifications';
import type { EphemeralPodMetadata } from './pod-settings';
import { applyEphemeralMetadata, applyPodSettings, checkServiceSettings, podDeploymentProps, refusePodPropsWithDeployment, ServiceSettings } from './private/pod-settings';
import type * as sharedAnalysisModule from './private/shared-analysis';
import type { ArgoAnalysis } from './shared-analysis';
import type { MigrationSet } from '../migrations/migration-set';
import { fail, show } from '../private/validate';
import { TooLittleData } from '../strategy/analysis';
import type { Capacity } from '../strategy/capacity';
import { DeploymentStrategy, StrategyKind } from '../strategy/deployment-strategy';
import { RolloutPlan } from '../strategy/rollout-plan';
import { Runbook } from '../strategy/runbook';
import { ANALYSIS_TEMPLATE, ROLLOUT } from './private/argo-types';
import { checkControllerRules } from './private/controller-rules';
import type * as experimentModule from './private/experiment';
import type * as featureFlagPods from './private/feature-flag-pods';
import { finalManifestValidation } from './private/final-manifest';
import { requireDenseArray, requireDnsLabel, requireInteger, requireK8sName, requirePort, requireText } from './private/inputs';
import type * as argoMigrations from './private/migrations';
import { k8s } from './private/modules';
import type * as notificationsModule from './private/notifications';
import type * as planModule from './private/plan';
import { firstPort, renderPodTemplate } from './private/pod-template';
import { AppObject, ingressBackendProblems, missingReferenceWarnings, Reference, routerReferences } from './private/references';
import { ObjectNames, renderRolloutSpec, renderStrategy, RolloutDeclaration, ServiceId, serviceIds } from './private/render';
import type * as runbookModule from './private/runbook';
import { applySafety, checkSafety, notesWithSafety, SafetySettings, safetyNotes } from './private/safety';
import { isBlueGreenOnRouter } from './private/traffic-steps';
import type { AbortScaleDown, AntiAffinity } from './rollout-safety';
import { ArgoSmokeTest } from './smoke-test';
import { TrafficRouterKind, TrafficRouting } from './traffic-routing';

const WHERE = 'ArgoRollout';
/* eslint-disable @typescript-eslint/no-require-imports */
// Loaded only by a rollout that has migrations or feature flags: the migration checks bring the SQL
// parser and lint rules, which a rollout without migrations must not pay for.
const loadMigrations = (): typeof argoMigrations => require('./private/migrations');
const loadFeatureFlagPods = (): typeof featureFlagPods => require('./private/feature-flag-pods');
// Loaded only by a rollout that uses them (notifications, shared analysis, a baseline comparison), or
// when its plan or runbook is read: a rollout does not load the code of the features it does not use.
const loadNotifications = (): typeof notificationsModule => require('./private/notifications');
const loadSharedAnalysis = (): typeof sharedAnalysisModule => require('./private/shared-analysis');
const loadExperiment = (): typeof experimentModule => require('./private/experiment');
const loadPlan = (): typeof planModule => require('./private/plan');
const loadRunbook = (): typeof runbookModule => require('./private/runbook');
/* eslint-enable @typescript-eslint/no-require-imports */
const NAME_LABEL = 'app.kubernetes.io/name';
const INSTANCE_LABEL = 'app.kubernetes.io/instance';
/** The props that name Services, and the Service each names. */
const SERVICE_NAME_PROPS: Array<['stableServiceName' | 'canaryServiceName' | 'activeServiceName' | 'previewServiceName' | 'serviceName', ServiceId]> = [
  ['stableServiceName', 'StableService'],
  ['canaryServiceName', 'CanaryService'],
  ['activeServiceName', 'ActiveService'],
  ['previewServiceName', 'PreviewService'],
  ['serviceName', 'Service'],
];

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
   * Where the strategy's baseline comparison (`baseline: BaselineComparison.of({...})`) reads its
   * measurements: Prometheus or Datadog queries that select one version by `{{args.pod-template-hash}}`
   * or `{{args.service}}`, or Kayenta judgements. Only with a baseline comparison.
   * @default - `metrics`
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/experiment/
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/kayenta/
   */
  readonly baselineMetrics?: MetricProvider;
  /**
   * A test run once against the new version on the preview Service before promotion
   * (blue/green and all-at-once only), in the pre-promotion analysis.
   * @default - no smoke test
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#prepromotionanalysis
   */
  readonly smokeTest?: ArgoSmokeTest;
  /**
   * For an analysis declared with `tooLittleData: TooLittleData.INCONCLUSIVE`: how many measurements
   * without data (for example fewer than `minRequests` requests) it tolerates before it turns
   * Inconclusive, which pauses the rollout for a person to judge instead of passing or aborting it.
   * Refused when no analysis of the strategy is inconclusive.
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
   * Name of the Rollout, also the `app.kubernetes.io/name` label of its pods (which the Services
   * select, beside an `app.kubernetes.io/instance` label unique to this construct).
   * @default - a name generated from the construct's path, unique in the app
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/specification/
   */
  readonly rolloutName?: string;
  /**
   * Name of the stable Service (canary and linear strategies): the Service clients call and the
   * traffic router's stable backend (an NGINX or ALB Ingress must route to it).
   * @default - a name generated from the construct's path
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/canary/
   */
  readonly stableServiceName?: string;
  /**
   * Name of the canary Service (canary and linear strategies), which selects the new version.
   * @default - a name generated from the construct's path
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/canary/
   */
  readonly canaryServiceName?: string;
  /**
   * Name of the active Service (blue/green and all-at-once strategies), which carries production traffic.
   * @default - a name generated from the construct's path
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#activeservice
   */
  readonly activeServiceName?: string;
  /**
   * Name of the preview Service (blue/green, and all-at-once with a smoke test), which selects the new version before promotion.
   * @default - a name generated from the construct's path
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#previewservice
   */
  readonly previewServiceName?: string;
  /**
   * Name of the only Service of a rolling strategy.
   * @default - a name generated from the construct's path
   */
  readonly serviceName?: string;
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
  /**
   * Refuse container images that are not pinned by digest (`<repository>@sha256:<digest>`), so that a
   * production chart promotes exactly the image that passed the previous environment (build once,
   * promote everywhere). A tag such as `:2.4.0` or `:latest` can point at another image tomorrow.
   * Set it on the charts of production environments.
   * @default false
   */
  readonly requireImageDigests?: boolean;
  /**
   * The database migrations of this release (canary and linear strategies with `trafficRouting`
   * only). Expand and contract steps run, in the declared order, as the first canary step: an inline
   * analysis whose AnalysisTemplate has one Job metric (one container per step, in order), before
   * the first `setWeight`, so before any canary pod exists; a failed step aborts the rollout. Blocking
   * backfill steps run the same way after the last canary step, before the keep window and promotion. A contract step
   * must drop only what the stable version already stopped using (it belongs to the release after
   * the one that stopped using the old shape). The connection's secret is the Kubernetes Secret of
   * that name in the namespace; a psql script reaches its container in `MIGRATION_SCRIPT`.
   *
   * Refused with blue/green (unless `migrationsAfterPreviewStarts`) and all-at-once (the preview pods
   * start before the pre-promotion analysis), rolling, no traffic routing, and non-blocking
   * backfill steps (no hook after promotion). Argo Rollouts skips every step on the initial deploy, so the migration step does not
   * run when the Rollout is first created.
   * @default - no migrations
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/canary/
   * @see https://argo-rollouts.readthedocs.io/en/stable/analysis/job/
   */
  readonly migrations?: MigrationSet;
  /**
   * Accept that, with a blue/green strategy, the migration runs after the new version started: the
   * migration Job joins the pre-promotion analysis (beside the other pre-promotion checks, while the
   * preview pods already run on the schema before expand), and blocking backfills the post-promotion
   * analysis. Without it, `migrations` with blue/green is refused. Only with `migrations` and a
   * blue/green strategy.
   * @default false
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/
   */
  readonly migrationsAfterPreviewStarts?: boolean;

  // Safety fields (src/k8s/private/safety.ts): each refused where Argo Rollouts would ignore or reject it.

  /**
   * How long an update may go without progress (new pods created or becoming available) before
   * the controller marks it failed (`progressDeadlineSeconds`). Pauses, analysis steps and
   * experiment steps do not count; the library assumes that a blue/green rollout's wait on its
   * preview and post-promotion analysis does (it is not a pause), and must be covered.
   * Must be longer than `minReadyTime`.
   * @default - 10 minutes (Argo Rollouts' default), plus, for blue/green and all-at-once, the time the
   * rollout waits on its preview (promotion wait, preview analysis, smoke test) or post-promotion analysis
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/specification/
   */
  readonly progressDeadline?: Duration;
  /**
   * Abort an update that misses its progress deadline, returning all traffic to the previous
   * version (`progressDeadlineAbort`). Without it, a stuck update stays Degraded, with the new
   * version serving its share, until a person acts: an unattended pipeline must not leave that.
   * @default true
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/specification/
   */
  readonly progressDeadlineAbort?: boolean;
  /**
   * Rolling back to one of this many most recent revisions is promoted at once, without steps or
   * analysis (`rollbackWindow.revisions`); 1 to revisionHistoryLimit.
   * @default - no window: a rollback goes through every step and check, like any update
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/rollback/
   */
  readonly rollbackWindowRevisions?: number;
  /**
   * When the new version's pods are scaled down after an abort (`abortScaleDownDelaySeconds`).
   * Blue/green, all-at-once, and canary or linear with traffic routing (Argo Rollouts ignores it otherwise).
   * @default - Argo Rollouts' default: 30 seconds after the abort
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/scaledown-aborted-rs/
   */
  readonly abortScaleDown?: AbortScaleDown;
  /**
   * How long a new pod must be ready without a container crashing before it counts as available
   * (`minReadySeconds`); whole seconds.
   * @default - no minimum: a pod is available as soon as it is ready
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/specification/
   */
  readonly minReadyTime?: Duration;
  /**
   * Scale the previous version down as traffic moves to the new one (`dynamicStableScale`):
   * fewer pods during the update (cost), but an abort must first scale the previous version back
   * up (slower abort). Canary and linear with traffic routing only, and only with
   * `keepPreviousVersionFor: Duration.seconds(0)` (nothing of the previous version is left at 100%);
   * the scale-down delay is then not written, as the controller requires.
   * @default false - the previous version stays at full scale, so an abort returns traffic at once
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/canary/#dynamic-stable-scale-with-traffic-routing
   */
  readonly dynamicStableScale?: boolean;
  /**
   * Pods above `replicas` while a canary without traffic routing replaces pods (`maxSurge`).
   * Refused with a traffic router (pod counts follow the weights) and for other strategies
   * (a rolling strategy declares its own).
   * @default Capacity.percent(25)
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/canary/
   */
  readonly maxSurge?: Capacity;
  /**
   * Pods that may be unavailable while a canary without traffic routing replaces pods
   * (`maxUnavailable`). Same conditions as `maxSurge`; both may not be zero.
   * @default Capacity.percent(25)
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/canary/
   */
  readonly maxUnavailable?: Capacity;
  /**
   * Pods the preview runs before promotion (`previewReplicaCount`), 1 to `replicas`; the rest start
   * before the switch. Blue/green, and all-at-once with a smoke test.
   * @default - the full replicas
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#previewreplicacount
   */
  readonly previewReplicaCount?: number;
  /**
   * How many previous ReplicaSets may wait for their scale-down delay at once
   * (`scaleDownDelayRevisionLimit`); older ones are scaled down at once. At most
   * revisionHistoryLimit. Blue/green, all-at-once, and canary or linear with traffic routing.
   * @default - no limit
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#scaledowndelayrevisionlimit
   */
  readonly scaleDownDelayRevisionLimit?: number;
  /**
   * Keep the new version's pods off the nodes of the previous version (`antiAffinity`).
   * @default - no anti-affinity
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/anti-affinity/anti-affinity/
   */
  readonly antiAffinity?: AntiAffinity;

  /**
   * Who hears what about this rollout: each subscription becomes a
   * `notifications.argoproj.io/subscribe.<trigger>.<service>` annotation on the Rollout, read by the
   * Argo Rollouts notification controller (which must have the service configured).
   * @default - no subscription
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/notifications/
   */
  readonly notifications?: RolloutNotification[];

  // Pod and Service settings (src/k8s/private/pod-settings.ts); the pod ones only with containers.

  /**
   * Labels of the pods, beside the two that select them (which they may not change).
   * @default - only the selecting labels
   */
  readonly podLabels?: { [key: string]: string };
  /**
   * Annotations of the pods, for example `sidecar.istio.io/inject: "true"` for mesh injection.
   * @default - none
   */
  readonly podAnnotations?: { [key: string]: string };
  /**
   * The service account the pods run as.
   * @default - the namespace's default service account
   */
  readonly serviceAccount?: kplus.IServiceAccount;
  /**
   * Mount the service account's API token into the pods.
   * @default false - cdk8s-plus's default; set true for pods that call the Kubernetes API
   */
  readonly automountServiceAccountToken?: boolean;
  /**
   * The pods' security context. cdk8s-plus makes pods refuse to run as root
   * (`runAsNonRoot: true`); for an image that needs root, pass `{ ensureNonRoot: false }` here and
   * give its container `securityContext: { ensureNonRoot: false, user: 0, readOnlyRootFilesystem: false }`
   * (see docs/kubernetes.md).
   * @default - cdk8s-plus's defaults: runAsNonRoot true
   * @see https://cdk8s.io/docs/latest/plus/cdk8s-plus-28/#security-context
   */
  readonly podSecurityContext?: kplus.PodSecurityContextProps;
  /**
   * The pods' affinity (node, pod and pod anti-affinity), as in a Kubernetes pod spec.
   * For keeping the new version off the previous version's nodes, use `antiAffinity`.
   * @default - none
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
   */
  readonly affinity?: kplus.k8s.Affinity;
  /**
   * The pods' tolerations, as in a Kubernetes pod spec.
   * @default - none
   * @see https://kubernetes.io/docs/concepts/scheduling-eviction/taint-and-toleration/
   */
  readonly tolerations?: kplus.k8s.Toleration[];
  /**
   * Labels and annotations on the new version's pods while they are the canary (canary, linear, rolling).
   * @default - none
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/ephemeral-metadata/
   */
  readonly canaryMetadata?: EphemeralPodMetadata;
  /**
   * Labels and annotations on the stable version's pods during an update (canary, linear, rolling).
   * @default - none
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/ephemeral-metadata/
   */
  readonly stableMetadata?: EphemeralPodMetadata;
  /**
   * Labels and annotations on the new version's pods while they are the preview (blue/green, all-at-once).
   * @default - none
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/ephemeral-metadata/
   */
  readonly previewMetadata?: EphemeralPodMetadata;
  /**
   * Labels and annotations on the pods the active Service selects (blue/green, all-at-once).
   * @default - none
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/ephemeral-metadata/
   */
  readonly activeMetadata?: EphemeralPodMetadata;
  /**
   * Type of the Services: `ServiceType.NODE_PORT` for an AWS Load Balancer Controller Ingress in
   * instance mode (`alb.ingress.kubernetes.io/target-type: instance`).
   * @default ServiceType.CLUSTER_IP
   */
  readonly serviceType?: kplus.ServiceType;
  /**
   * Name of the Services' port (for example "http", which Istio uses to detect the protocol).
   * @default - unnamed
   */
  readonly portName?: string;

  /**
   * Analysis beside the strategy's checks (src/k8s/private/shared-analysis.ts): existing
   * AnalysisTemplates and ClusterAnalysisTemplates with your arguments, and web or Job tests (load
   * tests, synthetic probes, contract tests), at the point each declares: a step after a canary
   * weight, the canary's background analysis, before or after a blue/green promotion.
   * @default - only the strategy's checks
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/
   */
  readonly sharedAnalysis?: ArgoAnalysis[];
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
  /** The Rollout object, for escape hatches (JSON patches). */
  public readonly rollout: cdk8s.ApiObject;
  /** What the rendering could only approximate (also in the construct's metadata as `warning` entries). */
  private readonly renderWarnings: string[];
  /** The objects the traffic routing names. */
  private readonly references: Reference[];
  /** What the plan is made from, known once the rollout is rendered. */
  private readonly planInputs: Omit<planModule.ArgoPlanInputs, 'warnings' | 'notes'> & {
    /** The plan's notes, composed when the plan is first read. */
    readonly notes: () => string[];
  };
  private cachedPlan?: { readonly warnings: string; readonly plan: RolloutPlan };
  /** The migrations and how the rollout runs them. */
  private readonly migrations?: argoMigrations.ArgoMigrationRender;
  /** The safety settings, for the runbook. */
  private readonly safety: SafetySettings;

  constructor(scope: Construct, id: string, props: ArgoRolloutProps) {
    super(scope, id);
    try {
      const c = this.validateProps(props);
      // Safety fields (src/k8s/private/safety.ts): checked before rendering, written into the spec after it.
      const safety = checkSafety(props, {
        strategy: c.declaration.strategy,
        router: c.declaration.router,
        smokeTest: c.declaration.smokeTest,
        replicas: c.replicas,
        revisionHistoryLimit: c.revisionHistoryLimit,
      });
      // Notification subscriptions (src/k8s/private/notifications.ts): annotations on the Rollout.
      const subscriptions = props.notifications === undefined ? [] : loadNotifications().checkNotifications(props.notifications);
      const shared = props.sharedAnalysis === undefined ? undefined
        : loadSharedAnalysis().checkSharedAnalysis(props.sharedAnalysis, c.declaration.strategy, c.declaration.smokeTest, c.port);
      // Database migrations (src/k8s/private/migrations.ts): checked, then added around the strategy's steps.
      const migrations = props.migrations === undefined && props.migrationsAfterPreviewStarts === undefined ? undefined
        : loadMigrations().checkArgoMigrations(WHERE, props.migrations, c.declaration.strategy, c.declaration.router,
          props.migrationsAfterPreviewStarts);
      // Baseline comparison (src/k8s/private/experiment.ts): the experiment step before the first setWeight,
      // after the migrations (which must run before any new pod starts).
      const baseline = c.declaration.strategy.baseline;
      if (baseline !== undefined) loadExperiment().checkExperimentServices(baseline, c.rolloutName, c.pods.port);
      const strategyRender = baseline === undefined ? renderStrategy(c.declaration)
        : loadExperiment().withBaselineExperiment(renderStrategy(c.declaration), loadExperiment().renderBaselineExperiment({
          comparison: baseline,
          router: c.declaration.router,
          provider: props.baselineMetrics ?? props.metrics,
          inconclusiveLimit: c.declaration.inconclusiveLimit,
        }));
      const rendered = migrations ? loadMigrations().withMigrations(strategyRender, migrations) : strategyRender;
      this.migrations = migrations;

      // The objects the strategy needs, in the order cdk8s writes them: Services, templates, the Rollout.
      const services: { [id in ServiceId]?: kplus.Service } = {};
      const serviceSettings = checkServiceSettings(props);
      for (const serviceId of rendered.services) services[serviceId] = this.newService(c, serviceId, serviceSettings);
      const templates = rendered.templates.map(t => ({
        id: t.id,
        spec: t.spec,
        object: new (k8s().cdk8s.ApiObject)(this, t.id, {
          ...ANALYSIS_TEMPLATE,
          metadata: c.namespace ? { namespace: c.namespace } : {},
          spec: t.spec,
        }),
      }));
      const names: ObjectNames = {
        rollout: c.rolloutName,
        services: Object.fromEntries(Object.entries(services).map(([k, v]) => [k, v!.name])),
        templates: Object.fromEntries(templates.map(t => [t.id, t.object.name])),
      };
      const spec = renderRolloutSpec({
        replicas: c.replicas,
        revisionHistoryLimit: c.revisionHistoryLimit,
        selector: c.pods.selector,
        workloadRef: props.deployment
          ? { name: props.deployment.name, scaleDown: props.deploymentScaleDown ?? DeploymentScaleDown.ON_SUCCESS }
          : undefined,
        // Feature flags: the OpenFeature injection annotations on the pod template.
        template: props.featureFlags === undefined ? c.pods.template
          : loadFeatureFlagPods().withFeatureFlagAnnotations(WHERE, c.pods.template, props.featureFlags),
        strategy: rendered.strategy(names),
      });
      applySafety(spec, safety);
      this.safety = safety;
      applyEphemeralMetadata(spec, props, c.declaration.strategy.kind, c.pods.selector);
      // Shared analysis: the templates of its tests, then its runs added to the rendered strategy.
      const sharedTemplates = (shared?.templates ?? []).map((tspec, i) => tspec === undefined ? undefined : {
        id: `SharedAnalysis${i}`,
        spec: tspec,
        object: new (k8s().cdk8s.ApiObject)(this, `SharedAnalysis${i}`, { ...ANALYSIS_TEMPLATE, metadata: c.namespace ? { namespace: c.namespace } : {}, spec: tspec }),
      });
      if (shared) loadSharedAnalysis().applySharedAnalysis(spec, shared, sharedTemplates.map(t => t?.object.name));
      const allTemplates = [...templates, ...sharedTemplates.filter(<T>(t: T | undefined): t is T => t !== undefined)];
      if (subscriptions.length > 0) loadNotifications().refuseSilentSubscriptions(subscriptions, spec.strategy);
      // The controller's rules, on exactly what will be written.
      checkControllerRules({ ...ROLLOUT, spec, metadata: { name: c.rolloutName } },
        allTemplates.map(t => ({ ...ANALYSIS_TEMPLATE, spec: t.spec, metadata: { name: t.object.name } })), shared?.external);

      this.rollout = new (k8s().cdk8s.ApiObject)(this, 'Resource', {
        ...ROLLOUT,
        metadata: {
          name: c.rolloutName,
          ...(c.namespace ? { namespace: c.namespace } : {}),
          ...(subscriptions.length ? { annotations: loadNotifications().notificationAnnotations(subscriptions) } : {}),
        },
        spec,
      });
      this.rolloutName = this.rollout.name;
      // Escape hatches keep the checks (src/k8s/private/final-manifest.ts): the controller rules run again at synthesis on the patched manifests.
      this.node.addValidation(finalManifestValidation(this.rollout, () => allTemplates.map(t => t.object), shared?.external));
      this.service = (services.StableService ?? services.ActiveService ?? services.Service)!;
      this.stableService = services.StableService;
      this.canaryService = services.CanaryService;
      this.activeService = services.ActiveService;
      this.previewService = services.PreviewService;
      this.analysisTemplateNames = allTemplates.map(t => t.object.name);
      this.renderWarnings = rendered.warnings;
      for (const w of rendered.warnings) this.node.addMetadata('warning', w);
      this.references = c.declaration.router.kind === TrafficRouterKind.NONE ? []
        : routerReferences(c.declaration.router, c.declaration.namespace, (names.services.StableService ?? names.services.ActiveService)!);
      // Objects may be added to the app after the rollout: the controller's Ingress rule is checked at synthesis.
      if (this.references.some(r => r.backendService !== undefined)) {
        this.node.addValidation({ validate: () => ingressBackendProblems(this.references, appObjects(this, true)) });
      }
      // The plan is built when first read: it only restates the validated strategy and what was rendered.
      const { strategy, router, smokeTest } = c.declaration;
      this.planInputs = {
        strategy,
        router,
        smokeTest,
        dynamicStableScale: safety.dynamicStableScale,
        sharedChecks: shared ? loadSharedAnalysis().sharedPlanChecks(shared) : undefined,
        notes: () => [...notesWithSafety(rendered.notes, safety), ...safetyNotes(safety),
          ...(subscriptions.length ? loadNotifications().notificationNotes(subscriptions) : []),
          ...(shared ? loadSharedAnalysis().sharedAnalysisNotes(shared, strategy) : [])],
      };
    } catch (e) {
      // No partial output: whatever was created before the error leaves the tree with the construct.
      scope.node.tryRemoveChild(id);
      throw e;
    }
  }

  /**
   * What the construct could only approximate, and what you should know about: also in `plan.notes`.
   * cdk8s has no warning channel of its own. The objects the traffic routing names (an Ingress, a
   * VirtualService, an HTTPRoute, a root Service) are looked up in the app when this is read, so
   * read it once the app is complete.
   */
  public get warnings(): string[] {
    return [...this.renderWarnings, ...missingReferenceWarnings(this.planInputs.router, this.references, appObjects(this))];
  }

  /** What this rollout will do, phase by phase (its notes include the `warnings` as they are when read). */
  public get plan(): RolloutPlan {
    const warnings = this.warnings;
    const key = warnings.join('\n');
    if (this.cachedPlan?.warnings !== key) {
      const plan = loadPlan().argoPlan({ ...this.planInputs, notes: this.planInputs.notes(), warnings });
      // Database migrations (src/k8s/private/migrations.ts): their phases and notes on the plan.
      this.cachedPlan = { warnings: key, plan: this.migrations ? loadMigrations().argoMigrationPlan(plan, this.migrations) : plan };
    }
    return this.cachedPlan.plan;
  }

  /**
   * What an operator does when this rollout goes wrong: what aborts by itself, and the
   * `kubectl argo rollouts` commands to abort, promote, watch and undo it, with its name and namespace.
   */
  public get runbook(): Runbook {
    const strategy = this.planInputs.strategy;
    const analyses = [strategy.analysis, strategy.previewAnalysis].filter(a => a !== undefined && !a.isNone);
    // A baseline comparison pauses the rollout when inconclusive: too little data, or a marginal Kayenta score.
    const comparison = strategy.baseline?.analysis;
    const inconclusiveComparison = comparison !== undefined
      && (comparison.tooLittleData === TooLittleData.INCONCLUSIVE || comparison.checks.some(c => c.kayenta !== undefined));
    return loadRunbook().argoRunbook({
      title: this.node.path,
      rolloutName: this.rolloutName,
      namespace: this.rollout.metadata.namespace,
      plan: this.plan,
      manualGate: this.plan.waitsForApproval,
      inconclusive: analyses.some(a => a!.tooLittleData === TooLittleData.INCONCLUSIVE) || inconclusiveComparison,
      blueGreen: strategy.kind === StrategyKind.BLUE_GREEN || strategy.kind === StrategyKind.ALL_AT_ONCE,
      schema: this.migrations?.set.rollbackSchemaNotes(),
      progressDeadline: { seconds: this.safety.progressDeadlineSeconds, abort: this.safety.progressDeadlineAbort },
      rollbackWindowRevisions: this.safety.rollbackWindowRevisions,
    });
  }

  /** Checks the props and resolves the defaults, the pods and the port. */
  private validateProps(props: ArgoRolloutProps): ValidatedProps {
    if (props === null || typeof props !== 'object') {
      fail(WHERE, 'props', 'must be an object', show(props), 'Pass { strategy, containers, ... }.');
    }
    const strategy = props.strategy;
    if (!(strategy instanceof DeploymentStrategy)) {
      fail(WHERE, 'strategy', 'must be a DeploymentStrategy', show(strategy), 'Pass DeploymentStrategy.canary({...}) or another factory.');
    }
    // null is refused below with the type check: only an absent prop takes the default.
    const router = props.trafficRouting === undefined ? TrafficRouting.none() : props.trafficRouting;
    if (!(router instanceof TrafficRouting)) {
      fail(WHERE, 'trafficRouting', 'must be a TrafficRouting', show(router), 'Pass TrafficRouting.nginx({...}) or another factory.');
    }
    if (props.metrics !== undefined && !(props.metrics instanceof MetricProvider)) {
      fail(WHERE, 'metrics', 'must be a MetricProvider', show(props.metrics), 'Pass MetricProvider.prometheus({...}) or another factory.');
    }
    if (props.baselineMetrics !== undefined && !(props.baselineMetrics instanceof MetricProvider)) {
      fail(WHERE, 'baselineMetrics', 'must be a MetricProvider', show(props.baselineMetrics), 'Pass MetricProvider.prometheus({...}), .datadog() or .kayenta({...}).');
    }
    if (props.baselineMetrics !== undefined && strategy.baseline === undefined) {
      fail(WHERE, 'baselineMetrics', 'only applies to a strategy with a baseline comparison, and this strategy has none', props.baselineMetrics.kind,
        'Remove baselineMetrics, or add baseline: BaselineComparison.of({...}) to the canary or linear strategy.');
    }
    if (props.metrics?.kind === MetricProviderKind.KAYENTA && hasChecks(strategy)) {
      fail(WHERE, 'metrics', 'cannot be Kayenta for the strategy\'s own checks: Kayenta compares the new version with a baseline, which only the baseline comparison runs', props.metrics.kind,
        'Pass the Kayenta provider as baselineMetrics, and a Prometheus, CloudWatch or Datadog provider as metrics.');
    }
    if (props.smokeTest !== undefined && !(props.smokeTest instanceof ArgoSmokeTest)) {
      fail(WHERE, 'smokeTest', 'must be an ArgoSmokeTest', show(props.smokeTest), 'Pass ArgoSmokeTest.web({...}) or .job({...}).');
    }
    const replicas = props.replicas === undefined ? 1 : requireInteger(WHERE, 'replicas', props.replicas, 0, 10_000, 'Pass the number of pods, for example 3.');
    const revisionHistoryLimit = props.revisionHistoryLimit === undefined ? undefined
      : requireInteger(WHERE, 'revisionHistoryLimit', props.revisionHistoryLimit, 0, 1000, 'Pass the number of old ReplicaSets to keep, for example 10.');
    const inconclusiveLimit = props.inconclusiveLimit === undefined ? undefined
      : requireInteger(WHERE, 'inconclusiveLimit', props.inconclusiveLimit, 0, 1000, 'Pass the number of measurements without data to tolerate, for example 2.');
    if (inconclusiveLimit !== undefined
      && ![strategy.analysis, strategy.previewAnalysis, strategy.baseline?.analysis]
        .some(a => a !== undefined && !a.isNone && a.tooLittleData === TooLittleData.INCONCLUSIVE)) {
      fail(WHERE, 'inconclusiveLimit', 'only applies to an analysis whose tooLittleData is TooLittleData.INCONCLUSIVE, and no analysis of the strategy is', String(inconclusiveLimit),
        'Remove inconclusiveLimit, or declare Analysis.of({ ..., tooLittleData: TooLittleData.INCONCLUSIVE }).');
    }
    const namespace = props.namespace === undefined ? undefined : requireK8sName(WHERE, 'namespace', props.namespace);
    const isCanary = strategy.kind === StrategyKind.CANARY || strategy.kind === StrategyKind.LINEAR;
    const isBlueGreen = strategy.kind === StrategyKind.BLUE_GREEN || strategy.kind === StrategyKind.ALL_AT_ONCE;
    // A blue/green with a warm-up takes a router: it runs as canary steps (src/k8s/private/traffic-steps.ts).
    const warmUpOnRouter = isBlueGreenOnRouter(strategy, router);
    if (warmUpOnRouter && (props.migrations !== undefined || props.migrationsAfterPreviewStarts !== undefined)) {
      fail(WHERE, 'migrations', 'cannot run with a blue/green warm-up on a traffic router, which Argo Rollouts runs as canary steps', 'a MigrationSet',
        'Run the migrations with a canary or linear strategy, or declare the blue/green without warmUp.');
    }
    if (!isCanary && !warmUpOnRouter && router.kind !== TrafficRouterKind.NONE) {
      const why = isBlueGreen ? 'Argo Rollouts switches the Services' : 'pods are replaced in place and traffic follows them';
      fail(WHERE, 'trafficRouting', `must be TrafficRouting.none() for a ${strategy.kind.toLowerCase().replace(/_/g, '-')} strategy: ${why}`,
        router.describe(), `Omit trafficRouting, or use a canary or linear strategy to shift traffic by weight${isBlueGreen ? ' (or add a warmUp to the blue/green, which then runs as canary steps on the router)' : ''}.`);
    }
    if (props.smokeTest !== undefined && !isBlueGreen) {
      fail(WHERE, 'smokeTest', 'runs as a pre-promotion analysis, which only blue/green and all-at-once strategies have', props.smokeTest.name,
        'Use DeploymentStrategy.blueGreen(), or express the test as a HealthCheck in the strategy\'s analysis.');
    }
    // With a baseline comparison, metrics also measures its checks unless baselineMetrics does.
    if (props.metrics !== undefined && !hasChecks(strategy) && (strategy.baseline === undefined || props.baselineMetrics !== undefined)) {
      fail(WHERE, 'metrics', 'is given but the strategy has no health checks to measure', props.metrics.kind,
        'Remove metrics, or add checks to the strategy\'s analysis.');
    }
    const rolloutName = props.rolloutName === undefined ? k8s().cdk8s.Names.toDnsLabel(this)
      : requireDnsLabel(WHERE, 'rolloutName', props.rolloutName, false);
    const serviceNames = this.validateServiceNames(props, strategy);
    const pods = this.resolvePods(props, rolloutName);
    requireDigests(props, pods);
    const port = requirePort(WHERE, 'port', props.port !== undefined ? props.port : pods.port ?? fail(WHERE, 'port', 'is required because no container declares a port', 'undefined',
      'Pass port, or give a container a portNumber.'));
    const targetPort = props.targetPort === undefined ? port : requirePort(WHERE, 'targetPort', props.targetPort);
    return {
      declaration: {
        strategy,
        router,
        metrics: props.metrics,
        smokeTest: props.smokeTest,
        replicas,
        port,
        inconclusiveLimit,
        namespace: namespace ?? k8s().cdk8s.Chart.of(this).namespace,
      },
      replicas,
      revisionHistoryLimit,
      namespace,
      rolloutName,
      serviceNames,
      pods,
      port,
      targetPort,
    };
  }

  /** The Service names given in the props, each checked to name a Service the strategy creates. */
  private validateServiceNames(props: ArgoRolloutProps, strategy: DeploymentStrategy): { [id in ServiceId]?: string } {
    const created = serviceIds(strategy, props.smokeTest);
    const names: { [id in ServiceId]?: string } = {};
    for (const [field, id] of SERVICE_NAME_PROPS) {
      const value = props[field];
      if (value === undefined) continue;
      requireDnsLabel(WHERE, field, value, true);
      if (!created.includes(id)) {
        const kind = strategy.kind.toLowerCase().replace(/_/g, '-');
        const applicable = SERVICE_NAME_PROPS.filter(([, i]) => created.includes(i)).map(([f]) => f);
        fail(WHERE, field, `names a Service that a ${kind} rollout${props.smokeTest ? ' with a smoke test' : ''} does not create`, show(value),
          `Remove it; this rollout's Services are named with ${applicable.join(' and ')}.`);
      }
      names[id] = value;
    }
    return names;
  }

  /** The pods: rendered from containers, or those of a referenced Deployment. */
  private resolvePods(props: ArgoRolloutProps, rolloutName: string): Pods {
    if (props.containers === null) {
      fail(WHERE, 'containers', 'must be an array of containers', 'null', 'Pass the pod\'s containers, for example [{ image: "my-app:1.0", portNumber: 8080 }], or omit it and pass deployment.');
    }
    if (props.deployment === null) {
      fail(WHERE, 'deployment', 'must be a cdk8s-plus Deployment', 'null', 'Pass a kplus.Deployment, or omit it and pass containers.');
    }
    if ((props.containers === undefined) === (props.deployment === undefined)) {
      fail(WHERE, 'containers/deployment', 'must have exactly one of them', props.containers === undefined ? 'neither' : 'both',
        'Pass containers for the pod template, or a cdk8s-plus Deployment to reference.');
    }
    if (props.deploymentScaleDown !== undefined && props.deployment === undefined) {
      fail(WHERE, 'deploymentScaleDown', 'only applies with deployment', show(props.deploymentScaleDown), 'Remove it, or pass a deployment.');
    }
    if (props.deploymentScaleDown !== undefined && !Object.values(DeploymentScaleDown).includes(props.deploymentScaleDown)) {
      fail(WHERE, 'deploymentScaleDown', 'must be a DeploymentScaleDown', show(props.deploymentScaleDown),
        'Pass DeploymentScaleDown.NEVER, ON_SUCCESS or PROGRESSIVELY.');
    }
    if (props.containers !== undefined) {
      const containersFix = 'Pass the pod\'s containers, for example [{ image: "my-app:1.0", portNumber: 8080 }].';
      if (!Array.isArray(props.containers) || props.containers.length === 0) {
        fail(WHERE, 'containers', 'must contain at least one container', show(props.containers), containersFix);
      }
      requireDenseArray(WHERE, 'containers', props.containers, containersFix);
      props.containers.forEach((container, i) => {
        if (container === null || typeof container !== 'object' || Array.isArray(container)) {
          fail(WHERE, `containers[${i}]`, 'must be a container (an object with at least an image)', show(container), containersFix);
        }
        requireText(WHERE, `containers[${i}].image`, container.image);
        if (container.portNumber !== undefined) requirePort(WHERE, `containers[${i}].portNumber`, container.portNumber);
      });
      const selector = { [NAME_LABEL]: rolloutName, [INSTANCE_LABEL]: k8s().cdk8s.Names.toLabelValue(this) };
      const rendered = renderPodTemplate(props.containers, selector, podDeploymentProps(props));
      return { selector, template: applyPodSettings(rendered.template, props, selector), port: rendered.port };
    }
    refusePodPropsWithDeployment(props);
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
  private newService(c: ValidatedProps, id: ServiceId, settings: ServiceSettings): kplus.Service {
    const svc = new (k8s().kplus.Service)(this, id, {
      // A name only when one is given: an undefined name would replace the generated one.
      metadata: { namespace: c.namespace, ...(c.serviceNames[id] !== undefined ? { name: c.serviceNames[id] } : {}) },
      ports: [{ port: c.port, targetPort: c.targetPort, ...(settings.portName !== undefined ? { name: settings.portName } : {}) }],
      ...(settings.type !== undefined ? { type: settings.type } : {}),
    });
    for (const [k, v] of Object.entries(c.pods.selector)) svc.selectLabel(k, v);
    return svc;
  }
}

/**
 * The Kubernetes objects of the app the construct is in. During synthesis every rollout's validation
 * asks in turn, while the tree does not change: the first answer is reused until the current
 * synchronous run ends.
 */
function appObjects(scope: Construct, reuse = false): AppObject[] {
  const root = scope.node.root;
  const known = reuse ? objectsDuringSynthesis.get(root) : undefined;
  if (known !== undefined) return known;
  const { ApiObject } = k8s().cdk8s;
  const objects = root.node.findAll().filter(c => ApiObject.isApiObject(c)).map(c => {
    const o = c as cdk8s.ApiObject;
    return { apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: o.metadata.namespace, manifest: () => o.toJson() };
  });
  if (reuse) {
    objectsDuringSynthesis.set(root, objects);
    queueMicrotask(() => objectsDuringSynthesis.delete(root));
  }
  return objects;
}

const objectsDuringSynthesis = new WeakMap<IConstruct, AppObject[]>();

function hasChecks(strategy: DeploymentStrategy): boolean {
  return [strategy.analysis, strategy.previewAnalysis].some(a => a !== undefined && !a.isNone);
}

/** The pods of the rollout. */
const DIGEST = /@sha256:[a-f0-9]{64}$/;

/** With `requireImageDigests`, every container image of the pods must be pinned by digest. */
function requireDigests(props: ArgoRolloutProps, pods: Pods): void {
  const required = props.requireImageDigests;
  if (required === undefined || required === false) return;
  if (required !== true) {
    fail(WHERE, 'requireImageDigests', 'must be true or false', show(required), 'Pass true for a production chart.');
  }
  const field = pods.template !== undefined ? 'containers' : 'deployment.containers';
  const images: unknown[] = pods.template !== undefined
    ? (pods.template.spec?.containers ?? []).map((c: { image?: unknown }) => c.image)
    : (props.deployment?.containers ?? []).map(c => c.image);
  images.forEach((image, i) => {
    if (typeof image !== 'string' || !DIGEST.test(image)) {
      fail(WHERE, `${field}[${i}].image`, 'must be pinned by digest because requireImageDigests is set: a tag can point at another image than the one that passed staging',
        show(image), 'Give the image as <repository>@sha256:<digest>, the digest your build pushed (for example from `docker buildx imagetools inspect`).');
    }
  });
}

interface Pods {
  readonly selector: Record<string, string>;
  /** The pod template, when the rollout renders it (not with workloadRef). */
  readonly template?: any;
  /** The first container port, if any. */
  readonly port?: number;
}

/** The validated props and what is derived from them. */
interface ValidatedProps {
  /** What the renderers need. */
  readonly declaration: RolloutDeclaration;
  readonly replicas: number;
  readonly revisionHistoryLimit?: number;
  /** The namespace given in the props (written on every object). */
  readonly namespace?: string;
  readonly rolloutName: string;
  /** The Service names given in the props. */
  readonly serviceNames: { readonly [id in ServiceId]?: string };
  readonly pods: Pods;
  readonly port: number;
  readonly targetPort: number;
}
