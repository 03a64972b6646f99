/**
 * The Argo Rollouts v1.9 controller's own validation rules, checked on the rendered manifests
 * before they are written: the controller only reports these when it reconciles the Rollout,
 * by then the rollout is stuck in an InvalidSpec condition.
 *
 * Rules follow the controller's rollout spec validation (strategy, services, traffic routing,
 * steps) and its analysis validation (metrics, limits, termination, arguments).
 */
import { fail, show } from '../../private/validate';

const WHERE = 'ArgoRollout (Argo Rollouts controller rule)';

/** Routers for which the controller requires both the stable and the canary Service. */
const ROUTERS_NEEDING_BOTH_SERVICES = ['alb', 'smi', 'apisix', 'ambassador', 'nginx', 'appMesh', 'traefik'];
/** Routers that accept maxTrafficWeight. */
const MAX_WEIGHT_ROUTERS = ['nginx', 'plugins'];
/** Metric providers, exactly one per metric. */
const PROVIDERS = ['prometheus', 'web', 'job', 'cloudWatch', 'datadog', 'graphite', 'influxdb', 'kayenta', 'newRelic', 'wavefront', 'skywalking', 'plugin'];
/** Rollout fields an analysis argument may read through fieldRef. */
const FIELD_REFS = /^metadata\.(name|namespace|uid|labels\['[^']+'\]|annotations\['[^']+'\])$/;
const DURATION = /^\d+(\.\d+)?(ns|us|µs|ms|s|m|h)$|^(\d+(\.\d+)?(h|m|s|ms))+$/;
const INTEGER_OR_PERCENT = /^(\d+|\d+%)$/;

/** A referenced template, rendered, with the arguments the reference supplies. */
interface TemplateRef {
  readonly field: string;
  readonly names: string[];
  readonly args: any[];
  /** Whether the analysis must end by itself (steps, pre/post promotion). */
  readonly mustTerminate: boolean;
  /** The analysis' dryRun and measurementRetention rules (metric-name regular expressions). */
  readonly dryRun?: any[];
  readonly measurementRetention?: any[];
  /** Templates referenced with clusterScope. */
  readonly cluster?: string[];
}

/**
 * Checks a rendered Rollout and the AnalysisTemplates it references (rendered by the same
 * construct) against the controller's rules. Throws the first violation in the library's format.
 */
export function checkControllerRules(rollout: any, templates: any[], external: ReadonlySet<string> = new Set()): void {
  const spec = rollout?.spec ?? {};
  checkSpec(spec);
  const strategy = spec.strategy ?? {};
  const refs: TemplateRef[] = [];
  if (strategy.canary) {
    checkCanary(strategy.canary);
    const c = strategy.canary;
    if (c.analysis) refs.push({ field: 'spec.strategy.canary.analysis', names: names(c.analysis), args: c.analysis.args ?? [], mustTerminate: false, ...runRules(c.analysis) });
    (c.steps ?? []).forEach((s: any, i: number) => {
      if (s.analysis) refs.push({ field: `spec.strategy.canary.steps[${i}].analysis`, names: names(s.analysis), args: s.analysis.args ?? [], mustTerminate: true, ...runRules(s.analysis) });
    });
    // Experiment steps (baseline comparison): their own rules, and their analyses as references.
    refs.push(...checkExperimentSteps(c));
  }
  if (strategy.blueGreen) {
    checkBlueGreen(spec, strategy.blueGreen);
    for (const key of ['prePromotionAnalysis', 'postPromotionAnalysis']) {
      const a = strategy.blueGreen[key];
      if (a) refs.push({ field: `spec.strategy.blueGreen.${key}`, names: names(a), args: a.args ?? [], mustTerminate: true, ...runRules(a) });
    }
  }
  const byName = new Map<string, any>(templates.map(t => [t?.metadata?.name, t]));
  for (const t of templates) {
    checkTemplate(t);
  }
  for (const ref of refs) {
    checkReference(ref, byName, external);
  }
}

/** What a run adds to its templates: dry-run and retention rules, cluster-scoped references. */
function runRules(a: any): Pick<TemplateRef, 'dryRun' | 'measurementRetention' | 'cluster'> {
  return {
    dryRun: a.dryRun,
    measurementRetention: a.measurementRetention,
    cluster: (a.templates ?? []).filter((t: any) => t.clusterScope === true).map((t: any) => t.templateName),
  };
}

/** Routers whose experiment templates may carry a weight (v1.9: SMI, ALB, Istio and plugins). */
const WEIGHTED_EXPERIMENT_ROUTERS = ['alb', 'smi', 'istio', 'plugins'];
/** The experiment values an analysis argument may read (the controller's experiment argument resolution). */
const EXPERIMENT_VALUE = /\{\{\s*(templates\.([^.}\s]+)\.(podTemplateHash|replicaset\.name)|experiment\.(availableAt|finishedAt)|[^}]*)\s*\}\}/g;

/**
 * The experiment steps of a canary: the Rollout's validation (template weights need a router that
 * supports them) and the Experiment's (template names present and unique), plus what makes an
 * experiment resolve and end: a known specRef, arguments that name the experiment's own templates,
 * and a duration or an analysis required for completion. Returns the analyses as template references.
 */
function checkExperimentSteps(c: any): TemplateRef[] {
  const refs: TemplateRef[] = [];
  const tr = c.trafficRouting;
  const routers = tr ? Object.keys(tr).filter(k => !['maxTrafficWeight', 'managedRoutes'].includes(k)) : [];
  const maxWeight = tr?.maxTrafficWeight ?? 100;
  (c.steps ?? []).forEach((step: any, i: number) => {
    const e = step.experiment;
    if (e === undefined) return;
    const path = `spec.strategy.canary.steps[${i}].experiment`;
    if (!Array.isArray(e.templates) || e.templates.length === 0) {
      fail(WHERE, `${path}.templates`, 'must contain at least one template', show(e.templates), 'Add the templates the experiment runs (for example a baseline and a canary).');
    }
    const templateNames = new Set<string>();
    let total = 0;
    e.templates.forEach((t: any, j: number) => {
      const tp = `${path}.templates[${j}]`;
      if (typeof t.name !== 'string' || t.name.length === 0) {
        fail(WHERE, `${tp}.name`, 'must not be empty', show(t.name), 'Name the template.');
      }
      if (templateNames.has(t.name)) {
        fail(WHERE, `${tp}.name`, 'must be unique within the experiment (the controller marks the Experiment InvalidSpec)', show(t.name), 'Give each template its own name.');
      }
      templateNames.add(t.name);
      if (t.specRef !== 'stable' && t.specRef !== 'canary') {
        fail(WHERE, `${tp}.specRef`, 'must be "stable" or "canary"', show(t.specRef), 'Take the pod template from the stable or the canary ReplicaSet.');
      }
      if (t.replicas !== undefined && (!Number.isInteger(t.replicas) || t.replicas < 0)) {
        fail(WHERE, `${tp}.replicas`, 'must be a non-negative whole number', show(t.replicas), 'Set replicas to 0 or more.');
      }
      if (t.weight !== undefined) {
        if (tr === undefined) {
          fail(WHERE, `${tp}.weight`, 'cannot be set unless traffic routing is enabled', show(t.weight), 'Use a traffic router (SMI, ALB, Istio or a plugin), or remove the weight.');
        }
        if (!routers.some(r => WEIGHTED_EXPERIMENT_ROUTERS.includes(r))) {
          fail(WHERE, `${tp}.weight`, 'is only available with the SMI, ALB and Istio routers and router plugins', show(t.weight), 'Use one of those routers, or remove the weight.');
        }
        if (!Number.isInteger(t.weight) || t.weight < 0 || t.weight > maxWeight) {
          fail(WHERE, `${tp}.weight`, `must be a whole number between 0 and ${maxWeight}`, show(t.weight), 'Use a whole weight out of maxTrafficWeight.');
        }
        total += t.weight;
      }
    });
    if (total > maxWeight) {
      fail(WHERE, `${path}.templates`, `must not weigh more than ${maxWeight} together (the stable version keeps the rest)`, String(total), 'Lower the template weights.');
    }
    if (e.duration !== undefined && !DURATION.test(e.duration)) {
      fail(WHERE, `${path}.duration`, 'must be a duration such as 30s, 10m or 1h', show(e.duration), 'Use whole seconds, minutes or hours.');
    }
    const analyses: any[] = e.analyses ?? [];
    if (e.duration === undefined && !analyses.some(a => a.requiredForCompletion)) {
      fail(WHERE, path, 'must have a duration or an analysis with requiredForCompletion: otherwise the experiment, and the rollout with it, never ends', 'neither',
        'Set a duration, or requiredForCompletion: true on an analysis.');
    }
    const analysisNames = new Set<string>();
    analyses.forEach((a: any, j: number) => {
      const ap = `${path}.analyses[${j}]`;
      if (typeof a.name !== 'string' || a.name.length === 0 || analysisNames.has(a.name)) {
        fail(WHERE, `${ap}.name`, 'must be a non-empty name unique within the experiment (it names the AnalysisRun)', show(a.name), 'Give each analysis its own name.');
      }
      analysisNames.add(a.name);
      for (const arg of a.args ?? []) {
        for (const m of String(arg.value ?? '').matchAll(EXPERIMENT_VALUE)) {
          if (m[2] !== undefined && !templateNames.has(m[2])) {
            fail(WHERE, `${ap}.args.${arg.name}`, `reads the template "${m[2]}", which the experiment does not have`, show(arg.value),
              `Use one of ${show([...templateNames])}.`);
          }
          if (m[2] === undefined && m[4] === undefined) {
            fail(WHERE, `${ap}.args.${arg.name}`, 'uses a placeholder the experiment does not resolve (templates.<name>.podTemplateHash, templates.<name>.replicaset.name, experiment.availableAt, experiment.finishedAt)',
              show(arg.value), 'Use one of those.');
          }
          if (m[4] === 'finishedAt' && e.duration === undefined) {
            fail(WHERE, `${ap}.args.${arg.name}`, 'reads experiment.finishedAt, which the controller only sets for an experiment with a duration', show(arg.value), 'Set the experiment\'s duration.');
          }
        }
      }
      refs.push({ field: ap, names: [a.templateName], args: a.args ?? [], mustTerminate: a.requiredForCompletion === true });
    });
  });
  return refs;
}

function names(analysis: any): string[] {
  return (analysis.templates ?? []).map((t: any) => t.templateName);
}

function checkSpec(spec: any): void {
  const replicas = spec.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 0) {
    fail(WHERE, 'spec.replicas', 'must be a non-negative whole number', show(replicas), 'Set replicas to 0 or more.');
  }
  const strategy = spec.strategy ?? {};
  const count = ['canary', 'blueGreen'].filter(k => strategy[k] !== undefined).length;
  if (count !== 1) {
    fail(WHERE, 'spec.strategy', 'must have exactly one of canary and blueGreen', show(Object.keys(strategy)),
      'Render a single strategy; this is a bug in the renderer if it came from a DeploymentStrategy.');
  }
  if (spec.workloadRef === undefined) {
    const labels = spec.selector?.matchLabels ?? {};
    const expressions = spec.selector?.matchExpressions ?? [];
    if (Object.keys(labels).length + expressions.length === 0) {
      fail(WHERE, 'spec.selector', 'must not be empty (the controller requires a selector when no workloadRef is set)', show(spec.selector),
        'Give the pods at least one label the selector can match.');
    }
    const templateLabels = spec.template?.metadata?.labels ?? {};
    for (const [k, v] of Object.entries(labels)) {
      if (templateLabels[k] !== v) {
        fail(WHERE, 'spec.template.metadata.labels', `must match spec.selector (label "${k}")`, show(templateLabels),
          `Add the label ${k}=${v} to the pod template.`);
      }
    }
    if (!Array.isArray(spec.template?.spec?.containers) || spec.template.spec.containers.length === 0) {
      fail(WHERE, 'spec.template.spec.containers', 'must contain at least one container', show(spec.template?.spec?.containers),
        'Pass containers, or a Deployment to reference with workloadRef.');
    }
  } else if (spec.template !== undefined && Object.keys(spec.template).length > 0) {
    fail(WHERE, 'spec.template', 'must be empty for a workload reference rollout', 'a pod template',
      'Pass either containers or a Deployment, not both.');
  }
  for (const f of ['minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds']) {
    if (spec[f] !== undefined && (!Number.isInteger(spec[f]) || spec[f] < 0)) {
      fail(WHERE, `spec.${f}`, 'must be a non-negative whole number', show(spec[f]), `Set ${f} to 0 or more.`);
    }
  }
  // The controller compares its default deadline (600s) when none is set.
  if ((spec.progressDeadlineSeconds ?? 600) <= (spec.minReadySeconds ?? 0)) {
    fail(WHERE, 'spec.progressDeadlineSeconds', `must be greater than minReadySeconds${spec.progressDeadlineSeconds === undefined ? ` (${show(spec.minReadySeconds)}; unset, the controller uses 600)` : ''}`,
      show(spec.progressDeadlineSeconds), 'Raise progressDeadlineSeconds or lower minReadySeconds.');
  }
  checkSafetyFields(spec);
}

function checkBlueGreen(spec: any, bg: any): void {
  if (!bg.activeService) {
    fail(WHERE, 'spec.strategy.blueGreen.activeService', 'is required', show(bg.activeService), 'Name the Service that carries production traffic.');
  }
  if (bg.activeService === bg.previewService) {
    fail(WHERE, 'spec.strategy.blueGreen.previewService', 'must differ from activeService: the controller needs two different Services', show(bg.previewService),
      'Use a separate preview Service.');
  }
  const limit = spec.revisionHistoryLimit ?? 10;
  if (bg.scaleDownDelayRevisionLimit !== undefined && limit < bg.scaleDownDelayRevisionLimit) {
    fail(WHERE, 'spec.strategy.blueGreen.scaleDownDelayRevisionLimit', `must not exceed revisionHistoryLimit (${limit})`, show(bg.scaleDownDelayRevisionLimit),
      'Lower scaleDownDelayRevisionLimit or raise revisionHistoryLimit.');
  }
  nonNegative('spec.strategy.blueGreen', bg, ['autoPromotionSeconds', 'scaleDownDelaySeconds', 'abortScaleDownDelaySeconds', 'previewReplicaCount']);
  checkAntiAffinity('spec.strategy.blueGreen.antiAffinity', bg.antiAffinity);
}

function checkCanary(c: any): void {
  const path = 'spec.strategy.canary';
  if (c.dynamicStableScale !== undefined && typeof c.dynamicStableScale !== 'boolean') {
    fail(WHERE, `${path}.dynamicStableScale`, 'must be true or false (the CRD types it boolean)', show(c.dynamicStableScale), 'Set dynamicStableScale to true or false.');
  }
  const surge = intOrPercent(`${path}.maxSurge`, c.maxSurge ?? '25%');
  const unavailable = intOrPercent(`${path}.maxUnavailable`, c.maxUnavailable ?? '25%');
  if (surge === 0 && unavailable === 0) {
    fail(WHERE, `${path}.maxSurge/maxUnavailable`, 'must not both be zero', `${show(c.maxSurge)} / ${show(c.maxUnavailable)}`,
      'Allow a surge or some unavailability.');
  }
  if (c.canaryService && c.stableService && c.canaryService === c.stableService) {
    fail(WHERE, `${path}.canaryService`, 'must differ from stableService: the controller needs two different Services', show(c.canaryService),
      'Use a separate canary Service.');
  }
  const tr = c.trafficRouting;
  const routers = tr ? Object.keys(tr).filter(k => !['maxTrafficWeight', 'managedRoutes'].includes(k)) : [];
  const needsBoth = routers.some(r => ROUTERS_NEEDING_BOTH_SERVICES.includes(r))
    || (tr?.istio !== undefined && tr.istio.destinationRule === undefined);
  if (needsBoth && (!c.stableService || !c.canaryService)) {
    fail(WHERE, `${path}.stableService/canaryService`, `must both be set for the ${routers.join(', ')} router`, `${show(c.stableService)} / ${show(c.canaryService)}`,
      'Set both Services.');
  }
  if (tr === undefined) {
    if (c.scaleDownDelaySeconds !== undefined) {
      fail(WHERE, `${path}.scaleDownDelaySeconds`, 'can only be used with traffic routing', show(c.scaleDownDelaySeconds),
        'Keep the previous version for zero seconds (keepPreviousVersionFor: Duration.seconds(0)), or use a traffic router.');
    }
    if (c.dynamicStableScale) {
      fail(WHERE, `${path}.dynamicStableScale`, 'can only be used with traffic routing', show(c.dynamicStableScale), 'Use a traffic router.');
    }
  } else {
    if (c.scaleDownDelaySeconds !== undefined && c.dynamicStableScale) {
      fail(WHERE, `${path}.dynamicStableScale`, 'cannot be used with scaleDownDelaySeconds', 'true', 'Remove one of them.');
    }
    if (tr.maxTrafficWeight !== undefined && !routers.some(r => MAX_WEIGHT_ROUTERS.includes(r))) {
      fail(WHERE, `${path}.trafficRouting.maxTrafficWeight`, 'is only supported with the NGINX router and router plugins', show(tr.maxTrafficWeight),
        'Use whole-percent weights, or route with TrafficRouting.nginx().');
    }
    if (tr.nginx && (tr.nginx.stableIngress === undefined) === (tr.nginx.stableIngresses === undefined)) {
      fail(WHERE, `${path}.trafficRouting.nginx`, 'must set exactly one of stableIngress and stableIngresses', show(tr.nginx), 'Name the stable Ingress.');
    }
    if (tr.alb && (tr.alb.ingress === undefined) === (tr.alb.ingresses === undefined)) {
      fail(WHERE, `${path}.trafficRouting.alb`, 'must set exactly one of ingress and ingresses', show(tr.alb), 'Name the Ingress.');
    }
    if (tr.istio && (tr.istio.virtualService === undefined) === (tr.istio.virtualServices === undefined)) {
      fail(WHERE, `${path}.trafficRouting.istio`, 'must set exactly one of virtualService and virtualServices', show(tr.istio), 'Name the VirtualService.');
    }
  }
  nonNegative(path, c, ['scaleDownDelaySeconds', 'abortScaleDownDelaySeconds', 'scaleDownDelayRevisionLimit']);
  checkAntiAffinity(`${path}.antiAffinity`, c.antiAffinity);
  const maxWeight = tr?.maxTrafficWeight ?? 100;
  (c.steps ?? []).forEach((step: any, i: number) => {
    const stepPath = `${path}.steps[${i}]`;
    const kinds = ['setWeight', 'pause', 'experiment', 'analysis', 'setCanaryScale', 'setHeaderRoute', 'setMirrorRoute'].filter(k => step[k] !== undefined);
    if (kinds.length !== 1) {
      fail(WHERE, stepPath, 'must have exactly one of setWeight, pause, experiment, analysis, setCanaryScale, setHeaderRoute, setMirrorRoute', show(kinds),
        'Split the step in two.');
    }
    if (step.setWeight !== undefined && (!Number.isInteger(step.setWeight) || step.setWeight < 0 || step.setWeight > maxWeight)) {
      fail(WHERE, `${stepPath}.setWeight`, `must be a whole number between 0 and ${maxWeight}`, show(step.setWeight),
        maxWeight === 100 ? 'Use whole-percent weights, or the NGINX router (maxTrafficWeight) for finer ones.' : 'Scale the weight to maxTrafficWeight.');
    }
    if (step.pause?.duration !== undefined) {
      const d = step.pause.duration;
      if (typeof d === 'number' ? !Number.isInteger(d) || d < 0 : !DURATION.test(d)) {
        fail(WHERE, `${stepPath}.pause.duration`, 'must be a non-negative duration such as 30s, 10m or 1h', show(d), 'Use whole seconds, minutes or hours.');
      }
    }
    if (step.setCanaryScale !== undefined && tr === undefined) {
      fail(WHERE, `${stepPath}.setCanaryScale`, 'requires traffic routing', show(step.setCanaryScale), 'Use a traffic router.');
    }
    if (step.setCanaryScale !== undefined) checkCanaryScale(`${stepPath}.setCanaryScale`, step.setCanaryScale);
    for (const route of ['setHeaderRoute', 'setMirrorRoute']) {
      if (step[route] === undefined) continue;
      const supported = route === 'setMirrorRoute' ? tr?.istio !== undefined
        : tr !== undefined && (tr.istio !== undefined || tr.alb !== undefined || tr.apisix !== undefined || tr.plugins !== undefined);
      if (!supported) {
        fail(WHERE, `${stepPath}.${route}`, route === 'setMirrorRoute' ? 'requires Istio traffic routing' : 'requires Istio, ALB, Apisix or a router plugin',
          show(step[route]), 'Use a router that supports it.');
      }
      if (tr.managedRoutes === undefined) {
        fail(WHERE, `${path}.trafficRouting.managedRoutes`, `is required by the ${route} step ${i}`, 'undefined',
          'List the route names in managedRoutes, in precedence order.');
      }
      const managed = tr.managedRoutes.map((r: any) => r.name);
      if (!managed.includes(step[route].name)) {
        fail(WHERE, `${stepPath}.${route}.name`, 'must be listed in spec.strategy.canary.trafficRouting.managedRoutes', show(step[route].name),
          'Add the route to managedRoutes.');
      }
    }
    (step.setHeaderRoute?.match ?? []).forEach((m: any, j: number) => {
      const field = `${stepPath}.setHeaderRoute.match[${j}].headerValue`;
      if (tr.alb !== undefined) {
        if (!m.headerValue?.exact || m.headerValue.prefix || m.headerValue.regex) {
          fail(WHERE, field, 'must be an exact value with the ALB router (Argo Rollouts supports only exact ALB header matches)', show(m.headerValue),
            'Match the whole header value with exact.');
        }
      } else {
        oneMatchValue(field, m.headerValue);
      }
    });
    (step.setMirrorRoute?.match ?? []).forEach((m: any, j: number) => {
      const field = `${stepPath}.setMirrorRoute.match[${j}]`;
      if (m.method !== undefined) oneMatchValue(`${field}.method`, m.method);
      if (m.path !== undefined) oneMatchValue(`${field}.path`, m.path);
      for (const [name, value] of Object.entries(m.headers ?? {})) oneMatchValue(`${field}.headers.${name}`, value);
    });
    if (step.setMirrorRoute?.percentage !== undefined) {
      const pct = step.setMirrorRoute.percentage;
      if (!Number.isInteger(pct) || pct < 0 || pct > 100) {
        fail(WHERE, `${stepPath}.setMirrorRoute.percentage`, 'must be a whole number between 0 and 100', show(pct), 'Mirror a whole percentage of requests.');
      }
    }
  });
  const managedNames = (tr?.managedRoutes ?? []).map((r: any) => r.name);
  const duplicate = managedNames.find((n: string, k: number) => managedNames.indexOf(n) !== k);
  if (duplicate !== undefined) {
    fail(WHERE, `${path}.trafficRouting.managedRoutes`, 'must not list a route twice', show(duplicate), 'List each route once.');
  }
}

/** Exactly one of exact, prefix and regex (the controller's rule for every StringMatch of a route). */
function oneMatchValue(field: string, value: any): void {
  const set = ['exact', 'prefix', 'regex'].filter(k => value?.[k] !== undefined && value[k] !== '');
  if (set.length !== 1) {
    fail(WHERE, field, 'must set exactly one of exact, prefix and regex', show(value), 'Give one kind of match.');
  }
}

/**
 * setCanaryScale: the controller reads matchTrafficWeight first, then replicas, then weight, so a
 * step that sets several silently loses some; weight is a percent of spec.replicas.
 */
function checkCanaryScale(field: string, scale: any): void {
  const set = ['weight', 'replicas', 'matchTrafficWeight'].filter(k => scale?.[k] !== undefined);
  if (set.length !== 1) {
    fail(WHERE, field, 'must set exactly one of weight, replicas and matchTrafficWeight', show(scale), 'Split the step, or keep one field.');
  }
  if (scale.weight !== undefined && (!Number.isInteger(scale.weight) || scale.weight < 0 || scale.weight > 100)) {
    fail(WHERE, `${field}.weight`, 'must be a whole percent of spec.replicas between 0 and 100', show(scale.weight), 'Use a whole percentage.');
  }
  if (scale.replicas !== undefined && (!Number.isInteger(scale.replicas) || scale.replicas < 0)) {
    fail(WHERE, `${field}.replicas`, 'must be a non-negative whole number', show(scale.replicas), 'Use 0 or more pods.');
  }
  if (scale.matchTrafficWeight !== undefined && scale.matchTrafficWeight !== true) {
    fail(WHERE, `${field}.matchTrafficWeight`, 'must be true when set (false does nothing)', show(scale.matchTrafficWeight), 'Remove it, or set weight or replicas.');
  }
}

function checkReference(ref: TemplateRef, byName: Map<string, any>, external: ReadonlySet<string>): void {
  if (ref.names.length === 0) {
    fail(WHERE, `${ref.field}.templates`, 'must reference at least one AnalysisTemplate', '[]', 'Reference a template or remove the analysis.');
  }
  const metricNames = new Set<string>();
  const supplied = new Set<string>();
  for (const arg of ref.args) {
    if (arg.valueFrom?.fieldRef !== undefined && !FIELD_REFS.test(arg.valueFrom.fieldRef.fieldPath ?? '')) {
      fail(WHERE, `${ref.field}.args.${arg.name}`, 'must read a Rollout metadata field supported by the downward API (metadata.name, .namespace, .uid, .labels[...], .annotations[...])',
        show(arg.valueFrom.fieldRef.fieldPath), 'Use one of those fields.');
    }
    const hash = arg.valueFrom?.podTemplateHashValue;
    if (hash !== undefined && hash !== 'Stable' && hash !== 'Latest') {
      fail(WHERE, `${ref.field}.args.${arg.name}.valueFrom.podTemplateHashValue`, 'must be Stable or Latest', show(hash), 'Use Stable or Latest.');
    }
    supplied.add(arg.name);
  }
  // Templates outside the app (shared, or cluster-scoped) cannot be checked: the rules below see only those the app defines.
  let unknown = false;
  for (const name of ref.names) {
    const t = byName.get(name);
    if (t === undefined && (external.has(name) || (ref.cluster ?? []).includes(name))) {
      unknown = true;
      continue;
    }
    if (t === undefined) {
      fail(WHERE, `${ref.field}.templates`, 'must reference an AnalysisTemplate defined with the rollout', show(name), 'Reference a template this construct created.');
    }
    for (const m of t.spec?.metrics ?? []) {
      if (metricNames.has(m.name)) {
        fail(WHERE, `${ref.field}.templates`, `must not repeat a metric name across the referenced templates ("${m.name}")`, show(ref.names),
          'Give every check and smoke test its own name.');
      }
      metricNames.add(m.name);
      if (ref.mustTerminate && (m.count === undefined || Number(m.count) <= 0)) {
        fail(WHERE, `${ref.field}`, `references AnalysisTemplate ${name} whose metric ${m.name} runs indefinitely (no count)`, show(m.count),
          'Set a count on every metric of an analysis used by a step or a promotion.');
      }
    }
    for (const arg of t.spec?.args ?? []) {
      if (arg.value === undefined && arg.valueFrom === undefined && !supplied.has(arg.name)) {
        fail(WHERE, `${ref.field}.args`, `must supply the argument "${arg.name}" of AnalysisTemplate ${name}`, show([...supplied]), `Add an argument named ${arg.name}.`);
      }
    }
  }
  if (!unknown) checkMetricRules(ref, metricNames);
}

/**
 * Frozen metrics (shared by the rollouts of one declaration, see analysis.ts) that passed the rules,
 * with the argument names they were checked against: the rules depend on nothing else, so the same
 * metrics with the same arguments pass again. Only a pass is kept; a violation is thrown every time.
 */
const passed = new WeakMap<object, Set<string>>();

function checkTemplate(t: any): void {
  const name = t?.metadata?.name;
  const field = `AnalysisTemplate ${name}`;
  const metrics = t?.spec?.metrics ?? [];
  if (metrics.length === 0) {
    fail(WHERE, `${field} spec.metrics`, 'must contain at least one metric', '[]', 'Add a metric.');
  }
  const declared = new Set<string>((t.spec.args ?? []).map((a: any) => a.name));
  const argsKey = JSON.stringify([...declared]);
  const frozen = Object.isFrozen(metrics);
  if (frozen && passed.get(metrics)?.has(argsKey)) return;
  const seen = new Set<string>();
  metrics.forEach((m: any, i: number) => {
    const mf = `${field} spec.metrics[${i}]`;
    if (seen.has(m.name)) {
      fail(WHERE, `${mf}.name`, 'must be unique within the template', show(m.name), 'Rename the metric.');
    }
    seen.add(m.name);
    const count = m.count === undefined ? 0 : Number(m.count);
    const failureLimit = m.failureLimit === undefined ? 0 : Number(m.failureLimit);
    const inconclusiveLimit = m.inconclusiveLimit === undefined ? 0 : Number(m.inconclusiveLimit);
    if (failureLimit < 0) fail(WHERE, `${mf}.failureLimit`, 'must be >= 0', show(failureLimit), 'Use 0 or more.');
    if (inconclusiveLimit < 0) fail(WHERE, `${mf}.inconclusiveLimit`, 'must be >= 0', show(inconclusiveLimit), 'Use 0 or more.');
    if (count > 0 && count < failureLimit) {
      fail(WHERE, `${mf}.count`, `must be >= failureLimit (${failureLimit})`, show(count), 'Measure at least failureLimit times.');
    }
    if (count > 0 && count < inconclusiveLimit) {
      fail(WHERE, `${mf}.count`, `must be >= inconclusiveLimit (${inconclusiveLimit})`, show(count), 'Lower inconclusiveLimit or measure more often.');
    }
    if (count > 1 && !m.interval) {
      fail(WHERE, `${mf}.interval`, 'must be set when count > 1', show(m.interval), 'Set an interval.');
    }
    for (const f of ['interval', 'initialDelay']) {
      if (m[f] !== undefined && !DURATION.test(m[f])) {
        fail(WHERE, `${mf}.${f}`, 'must be a duration such as 30s, 1m or 1h', show(m[f]), 'Use whole seconds, minutes or hours.');
      }
    }
    const providers = PROVIDERS.filter(p => m.provider?.[p] !== undefined);
    if (providers.length !== 1) {
      fail(WHERE, `${mf}.provider`, 'must configure exactly one provider', show(providers), 'Configure one provider per metric.');
    }
    for (const arg of argsUsed(m)) {
      if (!declared.has(arg)) {
        fail(WHERE, `${mf}`, `uses {{args.${arg}}}, which the template does not declare`, show([...declared]), `Declare the argument ${arg}.`);
      }
    }
  });
  if (frozen) {
    const keys = passed.get(metrics) ?? new Set<string>();
    keys.add(argsKey);
    passed.set(metrics, keys);
  }
}

const ARG_USE = /\{\{\s*args\.([^}\s]+)\s*\}\}/g;

/** The arguments (`{{args.<name>}}`) a metric uses anywhere in its keys or values, in order. */
function argsUsed(value: unknown, found: string[] = []): string[] {
  if (typeof value === 'string') {
    if (value.includes('{{')) for (const m of value.matchAll(ARG_USE)) found.push(m[1]);
  } else if (Array.isArray(value)) {
    for (const v of value) argsUsed(v, found);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      argsUsed(k, found);
      argsUsed(v, found);
    }
  }
  return found;
}

function intOrPercent(field: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && INTEGER_OR_PERCENT.test(value)) return parseInt(value, 10);
  return fail(WHERE, field, 'must be a non-negative whole number or a percentage such as "25%"', show(value), 'Use a count or a percentage.');
}

function nonNegative(path: string, obj: any, fields: string[]): void {
  for (const f of fields) {
    if (obj[f] !== undefined && (!Number.isInteger(obj[f]) || obj[f] < 0)) {
      fail(WHERE, `${path}.${f}`, 'must be a non-negative whole number', show(obj[f]), `Set ${f} to 0 or more.`);
    }
  }
}

/**
 * The Rollout fields the controller leaves to its CRD schema (progressDeadlineAbort, rollbackWindow):
 * checked here too, so that a patched manifest the API server would refuse fails at synth.
 */
function checkSafetyFields(spec: any): void {
  if (spec.progressDeadlineAbort !== undefined && typeof spec.progressDeadlineAbort !== 'boolean') {
    fail(WHERE, 'spec.progressDeadlineAbort', 'must be true or false (the CRD types it boolean)', show(spec.progressDeadlineAbort), 'Set progressDeadlineAbort to true or false.');
  }
  if (spec.rollbackWindow !== undefined) {
    if (spec.rollbackWindow === null || typeof spec.rollbackWindow !== 'object' || Array.isArray(spec.rollbackWindow)) {
      fail(WHERE, 'spec.rollbackWindow', 'must be an object with revisions', show(spec.rollbackWindow), 'Set rollbackWindow: { revisions: n }.');
    }
    nonNegative('spec.rollbackWindow', spec.rollbackWindow, ['revisions']);
  }
}

/** The controller's anti-affinity rule: exactly one of preferred and required, a preferred weight of 1 to 100. */
function checkAntiAffinity(field: string, a: any): void {
  if (a === undefined) return;
  const preferred = a?.preferredDuringSchedulingIgnoredDuringExecution;
  const required = a?.requiredDuringSchedulingIgnoredDuringExecution;
  if ((preferred === undefined) === (required === undefined)) {
    fail(WHERE, field, 'must have exactly one of preferredDuringSchedulingIgnoredDuringExecution and requiredDuringSchedulingIgnoredDuringExecution', show(a),
      'Use AntiAffinity.preferred(weight) or AntiAffinity.required().');
  }
  if (preferred !== undefined && (!Number.isInteger(preferred?.weight) || preferred.weight < 1 || preferred.weight > 100)) {
    fail(WHERE, `${field}.preferredDuringSchedulingIgnoredDuringExecution.weight`, 'must be a whole number between 1 and 100', show(preferred?.weight),
      'Use a weight from 1 to 100.');
  }
}

/**
 * The controller's rule on a run's dryRun and measurementRetention: each metric-name expression must
 * match a metric of the run's templates (it refuses the run otherwise). Checked when every template
 * of the run is in the app.
 */
function checkMetricRules(ref: TemplateRef, metricNames: Set<string>): void {
  for (const [key, rules] of [['dryRun', ref.dryRun], ['measurementRetention', ref.measurementRetention]] as const) {
    (rules ?? []).forEach((r: any, i: number) => {
      let re: RegExp;
      try {
        re = new RegExp(r?.metricName);
      } catch {
        return fail(WHERE, `${ref.field}.${key}[${i}].metricName`, 'must be a regular expression', show(r?.metricName), 'Fix the expression.');
      }
      if (![...metricNames].some(m => re.test(m))) {
        fail(WHERE, `${ref.field}.${key}[${i}].metricName`, 'must match a metric of the referenced templates (the controller refuses a rule that matches none)', show(r?.metricName),
          `Use one of ${show([...metricNames])}.`);
      }
    });
  }
}
