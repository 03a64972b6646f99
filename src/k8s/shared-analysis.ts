import { requireDenseArray, requireInteger, requireK8sName, requireProps, requireResolved, requireText } from './private/inputs';
import { ArgoSmokeTest } from './smoke-test';
import { fail, show } from '../private/validate';

/**
 * An existing `AnalysisTemplate` (in the rollout's namespace) or `ClusterAnalysisTemplate`, shared by
 * several rollouts, that an `ArgoAnalysis` runs by name.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/
 */
export class AnalysisTemplateRef {
  /** An `AnalysisTemplate` of this name in the rollout's namespace. */
  public static named(name: string): AnalysisTemplateRef {
    return new AnalysisTemplateRef(requireK8sName('AnalysisTemplateRef.named', 'name', name), false);
  }

  /** A `ClusterAnalysisTemplate` of this name (`clusterScope: true`). */
  public static cluster(name: string): AnalysisTemplateRef {
    return new AnalysisTemplateRef(requireK8sName('AnalysisTemplateRef.cluster', 'name', name), true);
  }

  /** The template's name. */
  public readonly name: string;
  /** Whether it is a ClusterAnalysisTemplate. */
  public readonly clusterScope: boolean;

  private constructor(name: string, clusterScope: boolean) {
    this.name = name;
    this.clusterScope = clusterScope;
  }
}

/** Which ReplicaSet's pod-template hash an argument takes (`valueFrom.podTemplateHashValue`). */
export enum PodTemplateHash {
  /** The stable version's. */
  STABLE = 'Stable',
  /** The new version's. */
  LATEST = 'Latest',
}

/** The kinds of analysis argument. */
export enum AnalysisArgKind {
  /** A literal value. */
  VALUE = 'VALUE',
  /** A field of the Rollout's metadata (downward API). */
  FIELD_REF = 'FIELD_REF',
  /** A ReplicaSet's pod-template hash. */
  POD_TEMPLATE_HASH = 'POD_TEMPLATE_HASH',
  /** A key of a Kubernetes Secret. */
  SECRET = 'SECRET',
}

const ARG_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const FIELD_PATH = /^metadata\.(name|namespace|uid|labels\['[^']+'\]|annotations\['[^']+'\])$/;

/**
 * An argument of the analysis: the templates read it as `{{args.<name>}}`.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/#analysis-template-arguments
 */
export class AnalysisArg {
  /** A literal value. */
  public static value(name: string, value: string): AnalysisArg {
    const where = 'AnalysisArg.value';
    requireResolved(where, 'value', value);
    if (typeof value !== 'string') fail(where, 'value', 'must be a string', show(value), 'Pass the value as a string, for example "5".');
    return new AnalysisArg(AnalysisArgKind.VALUE, argName(where, name), { value });
  }

  /**
   * A field of the Rollout's metadata (`valueFrom.fieldRef`): `metadata.name`, `metadata.namespace`,
   * `metadata.uid`, `metadata.labels['key']` or `metadata.annotations['key']`.
   */
  public static fieldRef(name: string, fieldPath: string): AnalysisArg {
    const where = 'AnalysisArg.fieldRef';
    requireResolved(where, 'fieldPath', fieldPath);
    if (typeof fieldPath !== 'string' || !FIELD_PATH.test(fieldPath)) {
      fail(where, 'fieldPath', 'must be a Rollout metadata field the controller supports (metadata.name, .namespace, .uid, .labels[\'key\'], .annotations[\'key\'])',
        show(fieldPath), 'Pass for example "metadata.labels[\'app\']".');
    }
    return new AnalysisArg(AnalysisArgKind.FIELD_REF, argName(where, name), { fieldPath });
  }

  /** The pod-template hash of the stable or the new ReplicaSet (`valueFrom.podTemplateHashValue`), to select its pods' metrics. */
  public static podTemplateHash(name: string, which: PodTemplateHash): AnalysisArg {
    const where = 'AnalysisArg.podTemplateHash';
    if (!Object.values(PodTemplateHash).includes(which)) {
      fail(where, 'which', 'must be a PodTemplateHash', show(which), 'Pass PodTemplateHash.LATEST or PodTemplateHash.STABLE.');
    }
    return new AnalysisArg(AnalysisArgKind.POD_TEMPLATE_HASH, argName(where, name), { hash: which });
  }

  /**
   * A key of a Secret in the rollout's namespace (`valueFrom.secretKeyRef`). Argo Rollouts reads
   * Secrets only in a template's own arguments, so this works with the smoke tests of an
   * `ArgoAnalysis` (whose template the rollout creates), not with referenced templates: declare the
   * secret in those.
   */
  public static secret(name: string, secretName: string, key: string): AnalysisArg {
    const where = 'AnalysisArg.secret';
    return new AnalysisArg(AnalysisArgKind.SECRET, argName(where, name), {
      secretName: requireK8sName(where, 'secretName', secretName), key: requireText(where, 'key', key),
    });
  }

  /** Which kind of argument this is. */
  public readonly kind: AnalysisArgKind;
  /** The argument's name. */
  public readonly name: string;
  /** @internal */
  public readonly _source: { value?: string; fieldPath?: string; hash?: PodTemplateHash; secretName?: string; key?: string };

  private constructor(kind: AnalysisArgKind, name: string, source: AnalysisArg['_source']) {
    this.kind = kind;
    this.name = name;
    this._source = source;
  }
}

/** How many measurements of the metrics whose names match `metricName` an analysis run keeps. */
export interface MeasurementRetention {
  /** A regular expression on metric names. */
  readonly metricName: string;
  /** Measurements kept (the newest). */
  readonly limit: number;
}

/** What an `ArgoAnalysis` runs, for every factory. */
export interface ArgoAnalysisOptions {
  /**
   * Existing templates to run.
   * @default - none (then `smokeTests` must be given)
   */
  readonly templates?: AnalysisTemplateRef[];
  /**
   * Web probes and Jobs (load tests, synthetic probes, contract tests) against the Service the
   * analysis measures (the canary Service during a canary, the preview Service before promotion,
   * the active Service after it), in a template the rollout creates. A Job gets that Service's URL
   * in `PREVIEW_URL`.
   * @default - none (then `templates` must be given)
   */
  readonly smokeTests?: ArgoSmokeTest[];
  /**
   * Arguments for the templates. The rollout supplies `service`, `stable-service` and `namespace`
   * itself when it runs its own templates beside them.
   * @default - none
   */
  readonly args?: AnalysisArg[];
  /**
   * Metrics (regular expressions on their names) measured in dry-run: their failures are reported
   * but do not fail the analysis.
   * @default - none
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/#dry-run-mode
   */
  readonly dryRun?: string[];
  /**
   * How many measurements each matching metric keeps.
   * @default - Argo Rollouts' default (the last 10)
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/#measurements-retention
   */
  readonly measurementRetention?: MeasurementRetention[];
}

/** Options for `ArgoAnalysis.background`. */
export interface BackgroundAnalysisOptions extends ArgoAnalysisOptions {
  /**
   * The declared canary step (0 is the first) from whose weight on the background analysis runs
   * (`startingStep`). Refused when the strategy has its own checks: they run from the first weight.
   * @default 0 - from the first weight
   * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/#background-analysis
   */
  readonly startAtStep?: number;
}

/** Options for `ArgoAnalysis.atStep`. */
export interface StepAnalysisOptions extends ArgoAnalysisOptions {
  /** The declared canary step (0 is the first): the analysis runs once its weight is set, before its bake. */
  readonly step: number;
}

/** Where an `ArgoAnalysis` runs. */
export enum ArgoAnalysisPoint {
  /** Beside the steps of a canary, in its background analysis. */
  BACKGROUND = 'BACKGROUND',
  /** As a step of a canary. */
  STEP = 'STEP',
  /** Before a blue/green promotion. */
  PRE_PROMOTION = 'PRE_PROMOTION',
  /** After a blue/green promotion. */
  POST_PROMOTION = 'POST_PROMOTION',
}

/**
 * Analysis the rollout runs beside its strategy's checks: shared templates (AnalysisTemplate,
 * ClusterAnalysisTemplate) with your arguments, and web or Job tests, at a point you choose. The
 * controller rules and the plan see them.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/analysis/
 */
export class ArgoAnalysis {
  /** Runs during the canary's steps, in its background analysis (canary and linear). */
  public static background(options: BackgroundAnalysisOptions): ArgoAnalysis {
    const where = 'ArgoAnalysis.background';
    const o = check(where, options);
    const start = options.startAtStep === undefined ? undefined
      : requireInteger(where, 'startAtStep', options.startAtStep, 0, 1000, 'Pass the index of a declared canary step, 0 for the first.');
    return new ArgoAnalysis(ArgoAnalysisPoint.BACKGROUND, o, start);
  }

  /** Runs as a step once the given declared canary step's weight is set; the rollout waits for it, and its failure aborts (canary and linear). */
  public static atStep(options: StepAnalysisOptions): ArgoAnalysis {
    const where = 'ArgoAnalysis.atStep';
    const o = check(where, options);
    const step = requireInteger(where, 'step', options.step, 0, 1000, 'Pass the index of a declared canary step, 0 for the first.');
    return new ArgoAnalysis(ArgoAnalysisPoint.STEP, o, step);
  }

  /** Runs before promotion, beside the preview checks (blue/green, all-at-once with a smoke test). */
  public static prePromotion(options: ArgoAnalysisOptions): ArgoAnalysis {
    return new ArgoAnalysis(ArgoAnalysisPoint.PRE_PROMOTION, check('ArgoAnalysis.prePromotion', options), undefined);
  }

  /** Runs after promotion, beside the post-promotion checks (blue/green, all-at-once). */
  public static postPromotion(options: ArgoAnalysisOptions): ArgoAnalysis {
    return new ArgoAnalysis(ArgoAnalysisPoint.POST_PROMOTION, check('ArgoAnalysis.postPromotion', options), undefined);
  }

  /** Where it runs. */
  public readonly point: ArgoAnalysisPoint;
  /** The declared step (atStep) or the starting step (background), when given. */
  public readonly step?: number;
  /** @internal */
  public readonly _options: Required<ArgoAnalysisOptions>;

  private constructor(point: ArgoAnalysisPoint, options: Required<ArgoAnalysisOptions>, step: number | undefined) {
    this.point = point;
    this._options = options;
    this.step = step;
  }
}

function argName(where: string, name: unknown): string {
  requireResolved(where, 'name', name);
  if (typeof name !== 'string' || !ARG_NAME.test(name)) {
    fail(where, 'name', 'must be an argument name (letters, digits, "-", "_" and ".")', show(name), 'Pass a name such as "error-budget".');
  }
  return name;
}

function check(where: string, options: ArgoAnalysisOptions): Required<ArgoAnalysisOptions> {
  requireProps(where, options);
  const list = <T>(field: string, value: T[] | undefined, type: Function, fix: string): T[] => {
    if (value === undefined) return [];
    requireDenseArray(where, field, value, fix);
    value.forEach((v, i) => {
      if (!(v instanceof type)) fail(where, `${field}[${i}]`, `must be an ${type.name}`, show(v), fix);
    });
    return [...value];
  };
  const templates = list('templates', options.templates, AnalysisTemplateRef, 'Pass AnalysisTemplateRef.named("...") or .cluster("...").');
  const smokeTests = list('smokeTests', options.smokeTests, ArgoSmokeTest, 'Pass ArgoSmokeTest.web({...}) or .job({...}).');
  const args = list('args', options.args, AnalysisArg, 'Pass AnalysisArg.value(...), .fieldRef(...), .podTemplateHash(...) or .secret(...).');
  if (templates.length + smokeTests.length === 0) {
    fail(where, 'templates/smokeTests', 'must name at least one template or test', 'neither', 'Pass templates: [AnalysisTemplateRef.named("...")] or smokeTests.');
  }
  const seen = new Set<string>();
  for (const a of args) {
    if (seen.has(a.name)) fail(where, 'args', `must not repeat an argument ("${a.name}")`, show(args.map(x => x.name)), 'Give each argument once.');
    seen.add(a.name);
  }
  const names = new Set<string>();
  for (const t of smokeTests) {
    if (names.has(t.name)) fail(where, 'smokeTests', `must not repeat a test name ("${t.name}")`, show(smokeTests.map(x => x.name)), 'Give each test its own name.');
    names.add(t.name);
  }
  const regex = (field: string, v: unknown): string => {
    const text = requireText(where, field, v);
    try {
      new RegExp(text);
    } catch {
      fail(where, field, 'must be a regular expression', show(text), 'Pass a metric name or a regular expression such as ".*".');
    }
    return text;
  };
  const dryRun = options.dryRun === undefined ? [] : requireDenseArray(where, 'dryRun', options.dryRun, 'Pass metric names, for example ["load-test"].')
    .map((d, i) => regex(`dryRun[${i}]`, d));
  const measurementRetention = options.measurementRetention === undefined ? []
    : requireDenseArray(where, 'measurementRetention', options.measurementRetention, 'Pass [{ metricName, limit }].').map((m: any, i) => {
      requireProps(where, m);
      return {
        metricName: regex(`measurementRetention[${i}].metricName`, m.metricName),
        limit: requireInteger(where, `measurementRetention[${i}].limit`, m.limit, 1, 1000, 'Pass how many measurements to keep, for example 20.'),
      };
    });
  return { templates, smokeTests, args, dryRun, measurementRetention };
}
