/**
 * Shared analysis of an ArgoRollout (ArgoAnalysis): existing templates with the user's arguments,
 * and web or Job tests in a template the rollout creates, added to the rendered strategy at the point
 * each declares (the canary's background analysis, a step after a declared weight, before or after a
 * blue/green promotion). Pure functions on the rendered spec (Kubernetes JSON).
 */
import { fail, show } from '../../private/validate';
import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import { AnalysisArg, AnalysisArgKind, ArgoAnalysis, ArgoAnalysisPoint } from '../shared-analysis';
import { ArgoSmokeTest } from '../smoke-test';
import { smokeTestMetric, TEMPLATE_ARGS, templateArgs } from './analysis';
import { requireDenseArray } from './inputs';
import { plainJson } from './plain-json';
import type { SharedChecks } from './plan';

const WHERE = 'ArgoRollout';

/** The validated shared analyses, and the templates the rollout creates for their tests. */
export interface SharedAnalysisPlan {
  readonly analyses: ArgoAnalysis[];
  /** For each analysis, the spec of the template to create for its tests (undefined without tests). */
  readonly templates: Array<any | undefined>;
  /** Names of the referenced templates that live outside the app (the controller rules cannot see them). */
  readonly external: Set<string>;
}

export function checkSharedAnalysis(value: unknown, strategy: DeploymentStrategy, smokeTest: ArgoSmokeTest | undefined,
  port: number): SharedAnalysisPlan {
  const fix = 'Pass [ArgoAnalysis.atStep({...})], .background({...}), .prePromotion({...}) or .postPromotion({...}).';
  const list = requireDenseArray(WHERE, 'sharedAnalysis', value, fix);
  const kind = strategy.kind;
  const canary = kind === StrategyKind.CANARY || kind === StrategyKind.LINEAR;
  const hasPreview = kind === StrategyKind.BLUE_GREEN || (kind === StrategyKind.ALL_AT_ONCE && smokeTest !== undefined);
  const judged = strategy.analysis !== undefined && !strategy.analysis.isNone;
  let background = 0;
  const analyses = list.map((a, i) => {
    const field = `sharedAnalysis[${i}]`;
    if (!(a instanceof ArgoAnalysis)) fail(WHERE, field, 'must be an ArgoAnalysis', show(a), fix);
    const kindName = kind.toLowerCase().replace(/_/g, '-');
    switch (a.point) {
      case ArgoAnalysisPoint.BACKGROUND:
      case ArgoAnalysisPoint.STEP:
        if (!canary) {
          fail(WHERE, field, `runs during canary steps, which a ${kindName} strategy does not have`, a.point,
            'Use ArgoAnalysis.prePromotion or .postPromotion for blue/green, or a canary strategy.');
        }
        if (a.step !== undefined && a.step >= strategy.steps.length) {
          fail(WHERE, field, `names canary step ${a.step}, but the strategy declares ${strategy.steps.length} step(s) (0 is the first)`, String(a.step),
            `Pass a step from 0 to ${strategy.steps.length - 1}.`);
        }
        if (a.point === ArgoAnalysisPoint.BACKGROUND) {
          if (++background > 1) fail(WHERE, field, 'is a second background analysis; a Rollout has one', 'two', 'Put all templates in one ArgoAnalysis.background.');
          if (a.step !== undefined && a.step > 0 && judged) {
            fail(WHERE, `${field}.startAtStep`, 'would start the strategy\'s own checks late too (a Rollout has one background analysis): the first weights would go unjudged', String(a.step),
              'Omit startAtStep, or run the template with ArgoAnalysis.atStep at the step you want.');
          }
        }
        break;
      case ArgoAnalysisPoint.PRE_PROMOTION:
        if (!hasPreview) {
          fail(WHERE, field, `runs before promotion against the preview, which a ${kindName} rollout${kind === StrategyKind.ALL_AT_ONCE ? ' without a smoke test' : ''} does not have`, a.point,
            'Use a blue/green strategy, or ArgoAnalysis.atStep / .background for a canary.');
        }
        break;
      default:
        if (canary || kind === StrategyKind.ROLLING) {
          fail(WHERE, field, `runs after a blue/green promotion, which a ${kindName} strategy does not have`, a.point, 'Use ArgoAnalysis.background or .atStep for a canary.');
        }
    }
    const o = a._options;
    const secrets = o.args.filter(x => x.kind === AnalysisArgKind.SECRET);
    if (secrets.length > 0 && o.smokeTests.length === 0) {
      fail(WHERE, `${field}.args`, 'include a Secret, which Argo Rollouts reads only in a template\'s own arguments, not in the arguments a Rollout passes', show(secrets.map(s => s.name)),
        'Declare the argument with valueFrom.secretKeyRef in your AnalysisTemplate, or use it with smokeTests (whose template the rollout creates).');
    }
    return a;
  });
  const templates = analyses.map(a => {
    const o = a._options;
    if (o.smokeTests.length === 0) return undefined;
    const secretArgs = o.args.filter(x => x.kind === AnalysisArgKind.SECRET)
      .map(x => ({ name: x.name, valueFrom: { secretKeyRef: { name: x._source.secretName, key: x._source.key } } }));
    // Typed through the generated import, converted to Kubernetes JSON once, as the strategy's templates are.
    return plainJson({ args: [...templateArgs(), ...secretArgs], metrics: o.smokeTests.map(t => smokeTestMetric(t, port)) });
  });
  const external = new Set(analyses.flatMap(a => a._options.templates.map(t => t.name)));
  return { analyses, templates, external };
}

/** Adds the shared analyses to the rendered spec, in place, with the names of the templates created for their tests. */
export function applySharedAnalysis(spec: any, plan: SharedAnalysisPlan, created: Array<string | undefined>): void {
  const canary = spec.strategy.canary;
  const blueGreen = spec.strategy.blueGreen;
  // Steps are inserted from the last declared step back, so that earlier indices stay valid.
  const stepInserts: Array<{ at: number; step: any }> = [];
  plan.analyses.forEach((a, i) => {
    const field = `sharedAnalysis[${i}]`;
    if (!blueGreen && (a.point === ArgoAnalysisPoint.PRE_PROMOTION || a.point === ArgoAnalysisPoint.POST_PROMOTION)) {
      fail(WHERE, field, 'runs around a blue/green promotion, but this blue/green rollout has a warm-up on a traffic router and is rendered as canary steps, without a promotion', a.point,
        'Declare the checks in the strategy (previewAnalysis, postPromotionAnalysis), or remove the warm-up.');
    }
    const measured = canary ? canary.canaryService : a.point === ArgoAnalysisPoint.PRE_PROMOTION ? blueGreen.previewService : blueGreen.activeService;
    const reference = canary ? canary.stableService : blueGreen.activeService;
    const run = runOf(a, created[i], measured, reference);
    switch (a.point) {
      case ArgoAnalysisPoint.STEP:
        stepInserts.push({ at: weightStepIndex(canary.steps, a.step!) + 1, step: { analysis: run } });
        break;
      case ArgoAnalysisPoint.BACKGROUND: {
        const startingStep = weightStepIndex(canary.steps, a.step ?? 0) + 1;
        canary.analysis = merge(field, canary.analysis, run);
        if (canary.analysis.startingStep === undefined || a.step !== undefined) canary.analysis.startingStep = startingStep;
        break;
      }
      case ArgoAnalysisPoint.PRE_PROMOTION:
        blueGreen.prePromotionAnalysis = merge(field, blueGreen.prePromotionAnalysis, run);
        break;
      default:
        blueGreen.postPromotionAnalysis = merge(field, blueGreen.postPromotionAnalysis, run);
    }
  });
  stepInserts.sort((x, y) => y.at - x.at);
  for (const { at, step } of stepInserts) canary.steps.splice(at, 0, step);
}

/** The plan's lines on the shared analyses. */
export function sharedAnalysisNotes(plan: SharedAnalysisPlan, strategy: DeploymentStrategy): string[] {
  return plan.analyses.map(a => {
    const o = a._options;
    const where = a.point === ArgoAnalysisPoint.STEP ? `as a step at canary step ${a.step} (${strategy.steps[a.step!].weight}%), before its bake; the rollout waits for it and aborts on failure${o.dryRun.length ? ' (not of a dry-run metric)' : ''}`
      : a.point === ArgoAnalysisPoint.BACKGROUND ? `in the background analysis from canary step ${a.step ?? 0} (${strategy.steps[a.step ?? 0].weight}%) on; a failure aborts`
        : a.point === ArgoAnalysisPoint.PRE_PROMOTION ? 'before promotion, against the preview; a failure aborts' : 'after promotion, while the previous version is kept; a failure switches back';
    const parts = [
      ...o.templates.map(t => `${t.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'} ${t.name} (shared, defined outside this app: its metrics are not checked here)`),
      ...o.smokeTests.map(t => `${t.kind === 'WEB' ? 'web probe' : 'Job'} ${t.name}`),
    ];
    const extra = [
      o.args.length ? `args ${o.args.map(x => x.name).join(', ')}` : undefined,
      o.dryRun.length ? `dry-run (reported, never failing): ${o.dryRun.join(', ')}` : undefined,
      o.measurementRetention.length ? `keeps ${o.measurementRetention.map(m => `${m.limit} measurements of ${m.metricName}`).join(', ')}` : undefined,
    ].filter(x => x !== undefined);
    return `Shared analysis ${where}: ${parts.join(', ')}${extra.length ? `; ${extra.join('; ')}` : ''}.`;
  });
}

/** What each shared analysis adds to the plan's checks: its tests and templates, by name. */
export function sharedPlanChecks(plan: SharedAnalysisPlan): SharedChecks[] {
  return plan.analyses.map(a => ({
    point: a.point,
    step: a.step,
    names: [
      // A test measured in dry-run is reported but never fails the rollout: the plan says so.
      ...a._options.smokeTests.map(t => (a._options.dryRun.some(d => new RegExp(d).test(t.name)) ? `${t.name} (dry-run)` : t.name)),
      ...a._options.templates.map(t => `${t.name} (${t.clusterScope ? 'ClusterAnalysisTemplate' : 'AnalysisTemplate'})`),
    ],
  }));
}

/** The index in the rendered steps of the setWeight of a declared canary step (the n-th setWeight). */
function weightStepIndex(steps: any[], declared: number): number {
  let seen = -1;
  for (let i = 0; i < steps.length; i++) {
    if (steps[i].setWeight !== undefined && ++seen === declared) return i;
  }
  throw new Error(`shared analysis: no setWeight for declared step ${declared}`);
}

function runOf(a: ArgoAnalysis, createdName: string | undefined, measured: string, reference: string): any {
  const o = a._options;
  const templates = [
    ...o.templates.map(t => ({ templateName: t.name, ...(t.clusterScope ? { clusterScope: true } : {}) })),
    ...(createdName ? [{ templateName: createdName }] : []),
  ];
  const args = o.args.filter(x => x.kind !== AnalysisArgKind.SECRET).map(argJson);
  if (createdName) {
    const taken = o.args.find(x => TEMPLATE_ARGS.includes(x.name));
    if (taken) {
      fail(WHERE, 'sharedAnalysis.args', `must not redefine the argument "${taken.name}", which the rollout passes to the template of its smokeTests`, show(taken.name),
        'Rename the argument in your template.');
    }
    args.push(
      { name: 'service', value: measured },
      { name: 'stable-service', value: reference },
      { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    );
  }
  return {
    templates,
    ...(args.length ? { args } : {}),
    ...(o.dryRun.length ? { dryRun: o.dryRun.map(metricName => ({ metricName })) } : {}),
    ...(o.measurementRetention.length
      ? { measurementRetention: o.measurementRetention.map(m => ({ metricName: m.metricName, limit: m.limit })) } : {}),
  };
}

/** Merges a shared run into the run the strategy already renders at that point (its templates and arguments). */
function merge(field: string, existing: any, run: any): any {
  if (existing === undefined) return run;
  const names = new Set((existing.args ?? []).map((x: any) => x.name));
  for (const arg of run.args ?? []) {
    if (names.has(arg.name)) {
      const own = TEMPLATE_ARGS.includes(arg.name);
      if (own && JSON.stringify((existing.args ?? []).find((x: any) => x.name === arg.name)) === JSON.stringify(arg)) continue;
      fail(WHERE, `${field}.args`, `must not redefine the argument "${arg.name}", which the rollout already passes to that analysis`, show(arg.name), 'Rename the argument in your template.');
    }
  }
  const args = [...(existing.args ?? []), ...(run.args ?? []).filter((x: any) => !names.has(x.name))];
  return {
    ...existing,
    templates: [...existing.templates, ...run.templates],
    ...(args.length ? { args } : {}),
    ...(run.dryRun ? { dryRun: [...(existing.dryRun ?? []), ...run.dryRun] } : {}),
    ...(run.measurementRetention ? { measurementRetention: [...(existing.measurementRetention ?? []), ...run.measurementRetention] } : {}),
  };
}

function argJson(a: AnalysisArg): any {
  switch (a.kind) {
    case AnalysisArgKind.VALUE: return { name: a.name, value: a._source.value };
    case AnalysisArgKind.FIELD_REF: return { name: a.name, valueFrom: { fieldRef: { fieldPath: a._source.fieldPath } } };
    default: return { name: a.name, valueFrom: { podTemplateHashValue: a._source.hash } };
  }
}
