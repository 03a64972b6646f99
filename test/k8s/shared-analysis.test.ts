import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { canaryStrategy, CONTAINERS, ofKind, rolloutOf, synthValid } from './util';
import {
  Analysis, AnalysisArg, AnalysisTemplateRef, ArgoAnalysis, ArgoRollout, ArgoRolloutProps, ArgoSmokeTest, CanaryStep, DeploymentStrategy,
  MetricProvider,
  PodTemplateHash, Promotion, TrafficRouting,
} from '../../src';
import { checkControllerRules } from '../../src/k8s/private/controller-rules';

const metrics = MetricProvider.prometheus({ address: 'http://prometheus:9090' });
const loadTest = () => ArgoSmokeTest.job({
  name: 'load-test', image: 'grafana/k6:0.50.0', command: ['k6', 'run', '--env', 'TARGET=$(PREVIEW_URL)', '/scripts/load.js'],
});

function render(props: Partial<ArgoRolloutProps>) {
  const chart = cdk8s.Testing.chart();
  const rollout = new ArgoRollout(chart, 'api', {
    strategy: canaryStrategy(), trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }), metrics, containers: CONTAINERS, ...props,
  } as ArgoRolloutProps);
  const manifests = synthValid(chart);
  return { rollout, manifests, spec: rolloutOf(manifests).spec, notes: rollout.plan.notes };
}

describe('shared analysis', () => {
  test('a step analysis runs a shared template with typed arguments right after the declared weight', () => {
    const { spec, notes } = render({
      sharedAnalysis: [ArgoAnalysis.atStep({
        step: 1,
        templates: [AnalysisTemplateRef.named('error-budget'), AnalysisTemplateRef.cluster('slo-burn')],
        args: [
          AnalysisArg.value('budget', '0.1'),
          AnalysisArg.fieldRef('app', 'metadata.labels[\'app\']'),
          AnalysisArg.podTemplateHash('canary-hash', PodTemplateHash.LATEST),
        ],
      })],
    });
    const steps = spec.strategy.canary.steps;
    expect(steps[2]).toEqual({ setWeight: 25 });
    expect(steps[3]).toEqual({
      analysis: {
        templates: [{ templateName: 'error-budget' }, { templateName: 'slo-burn', clusterScope: true }],
        args: [
          { name: 'budget', value: '0.1' },
          { name: 'app', valueFrom: { fieldRef: { fieldPath: 'metadata.labels[\'app\']' } } },
          { name: 'canary-hash', valueFrom: { podTemplateHashValue: 'Latest' } },
        ],
      },
    });
    expect(steps[4]).toEqual({ pause: { duration: '10m' } });
    const { rollout } = render({ sharedAnalysis: [ArgoAnalysis.atStep({ step: 1, templates: [AnalysisTemplateRef.named('error-budget')] })] });
    expect(rollout.plan.phases[1].checks).toEqual(['error-rate', 'latency-p99', 'error-budget (AnalysisTemplate)']);
    expect(rollout.plan.phases[0].checks).toEqual(['error-rate', 'latency-p99']);
    expect(notes).toContain('Shared analysis as a step at canary step 1 (25%), before its bake; the rollout waits for it and aborts on failure: '
      + 'AnalysisTemplate error-budget (shared, defined outside this app: its metrics are not checked here), '
      + 'ClusterAnalysisTemplate slo-burn (shared, defined outside this app: its metrics are not checked here); args budget, app, canary-hash.');
  });

  test('a Job test during a canary gets a template of its own, measuring the canary Service', () => {
    const { spec, manifests, rollout } = render({ sharedAnalysis: [ArgoAnalysis.atStep({ step: 0, smokeTests: [loadTest()], dryRun: ['load-test'] })] });
    const step = spec.strategy.canary.steps[1].analysis;
    expect(rollout.analysisTemplateNames).toContain(step.templates[0].templateName);
    expect(step.args).toEqual([
      { name: 'service', value: spec.strategy.canary.canaryService },
      { name: 'stable-service', value: spec.strategy.canary.stableService },
      { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
    ]);
    expect(step.dryRun).toEqual([{ metricName: 'load-test' }]);
    expect(rollout.plan.phases[0].checks).toContain('load-test (dry-run)');
    const template = ofKind(manifests, 'AnalysisTemplate').find(t => t.metadata.name === step.templates[0].templateName);
    expect(template.spec.metrics[0]).toMatchObject({ name: 'load-test', count: 1, failureLimit: 0 });
    expect(template.spec.metrics[0].provider.job.spec.template.spec.containers[0].image).toBe('grafana/k6:0.50.0');
  });

  test('a secret argument is declared in the template the rollout creates', () => {
    const { spec, manifests } = render({
      sharedAnalysis: [ArgoAnalysis.atStep({ step: 0, smokeTests: [loadTest()], args: [AnalysisArg.secret('token', 'load-test-token', 'token')] })],
    });
    const name = spec.strategy.canary.steps[1].analysis.templates[0].templateName;
    const template = ofKind(manifests, 'AnalysisTemplate').find(t => t.metadata.name === name);
    expect(template.spec.args).toContainEqual({ name: 'token', valueFrom: { secretKeyRef: { name: 'load-test-token', key: 'token' } } });
    expect(spec.strategy.canary.steps[1].analysis.args.map((a: any) => a.name)).not.toContain('token');
  });

  test('background templates join the strategy\'s background analysis, with measurementRetention', () => {
    const { spec } = render({
      sharedAnalysis: [ArgoAnalysis.background({ templates: [AnalysisTemplateRef.named('p95-budget')], measurementRetention: [{ metricName: 'error-rate', limit: 20 }] })],
    });
    const a = spec.strategy.canary.analysis;
    expect(a.templates.map((t: any) => t.templateName)).toEqual([expect.stringMatching(/analysis/), 'p95-budget']);
    expect(a.startingStep).toBe(1);
    expect(a.measurementRetention).toEqual([{ metricName: 'error-rate', limit: 20 }]);
  });

  test('startAtStep chooses the startingStep of a background analysis when the strategy has no checks of its own', () => {
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(5, Duration.minutes(5)), CanaryStep.of(50, Duration.minutes(5))],
      analysis: Analysis.none('judged by the shared templates'),
      keepPreviousVersionFor: Duration.seconds(0),
    });
    const { spec, notes } = render({ strategy, metrics: undefined, sharedAnalysis: [ArgoAnalysis.background({ templates: [AnalysisTemplateRef.cluster('slo')], startAtStep: 1 })] });
    expect(spec.strategy.canary.steps[2]).toEqual({ setWeight: 50 });
    expect(spec.strategy.canary.analysis).toEqual({ templates: [{ templateName: 'slo', clusterScope: true }], startingStep: 3 });
    expect(notes.some(n => n.startsWith('Shared analysis in the background analysis from canary step 1 (50%) on; a failure aborts: ClusterAnalysisTemplate slo'))).toBe(true);
  });

  test('pre- and post-promotion analysis join the blue/green runs', () => {
    const { spec } = render({
      strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }),
      trafficRouting: undefined,
      metrics: undefined,
      sharedAnalysis: [
        ArgoAnalysis.prePromotion({ smokeTests: [ArgoSmokeTest.web({ name: 'contract', path: '/contract' })] }),
        ArgoAnalysis.postPromotion({ templates: [AnalysisTemplateRef.named('business-kpi')] }),
      ],
    });
    const bg = spec.strategy.blueGreen;
    expect(bg.prePromotionAnalysis.args[0]).toEqual({ name: 'service', value: bg.previewService });
    expect(bg.postPromotionAnalysis).toEqual({ templates: [{ templateName: 'business-kpi' }] });
    const phases = render({
      strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual() }),
      trafficRouting: undefined,
      metrics: undefined,
      sharedAnalysis: [ArgoAnalysis.prePromotion({ smokeTests: [ArgoSmokeTest.web({ name: 'contract', path: '/contract' })] }),
        ArgoAnalysis.postPromotion({ templates: [AnalysisTemplateRef.named('business-kpi')] })],
    }).rollout.plan.phases;
    expect(phases.map(p => p.checks)).toEqual([['contract'], ['business-kpi (AnalysisTemplate)']]);
  });

  test('fails when the point does not fit the strategy, or the step does not exist', () => {
    const ref = [AnalysisTemplateRef.named('x')];
    expect(() => render({ sharedAnalysis: [ArgoAnalysis.prePromotion({ templates: ref })] }))
      .toThrow('ArgoRollout: sharedAnalysis[0] runs before promotion against the preview, which a canary rollout does not have, got PRE_PROMOTION.');
    expect(() => render({ sharedAnalysis: [ArgoAnalysis.atStep({ step: 2, templates: ref })] }))
      .toThrow('ArgoRollout: sharedAnalysis[0] names canary step 2, but the strategy declares 2 step(s) (0 is the first), got 2. Pass a step from 0 to 1.');
    expect(() => render({ sharedAnalysis: [ArgoAnalysis.background({ templates: ref, startAtStep: 1 })] }))
      .toThrow('ArgoRollout: sharedAnalysis[0].startAtStep would start the strategy\'s own checks late too');
  });

  test('fails when a secret argument goes to a referenced template, or an argument is redefined', () => {
    expect(() => render({ sharedAnalysis: [ArgoAnalysis.atStep({ step: 0, templates: [AnalysisTemplateRef.named('x')], args: [AnalysisArg.secret('t', 's', 'k')] })] }))
      .toThrow('ArgoRollout: sharedAnalysis[0].args include a Secret, which Argo Rollouts reads only in a template\'s own arguments');
    expect(() => render({ sharedAnalysis: [ArgoAnalysis.background({ templates: [AnalysisTemplateRef.named('x')], args: [AnalysisArg.value('service', 'other')] })] }))
      .toThrow('ArgoRollout: sharedAnalysis[0].args must not redefine the argument "service", which the rollout already passes to that analysis');
  });

  test('fails when the declaration is malformed', () => {
    expect(() => ArgoAnalysis.atStep({ step: 0 })).toThrow('ArgoAnalysis.atStep: templates/smokeTests must name at least one template or test, got neither.');
    expect(() => ArgoAnalysis.background({ templates: ['x' as any] })).toThrow('ArgoAnalysis.background: templates[0] must be an AnalysisTemplateRef, got "x".');
    expect(() => ArgoAnalysis.atStep({ step: 0, templates: [AnalysisTemplateRef.named('x')], dryRun: ['('] })).toThrow('ArgoAnalysis.atStep: dryRun[0] must be a regular expression, got "(".');
    expect(() => AnalysisArg.fieldRef('a', 'spec.replicas')).toThrow('AnalysisArg.fieldRef: fieldPath must be a Rollout metadata field the controller supports');
    expect(() => AnalysisArg.podTemplateHash('a', 'Newest' as any)).toThrow('AnalysisArg.podTemplateHash: which must be a PodTemplateHash, got "Newest".');
    expect(() => AnalysisTemplateRef.named('Not A Name')).toThrow('AnalysisTemplateRef.named: name must be a Kubernetes object name');
  });

  test('controller rules: dryRun must match a metric of the templates the app defines; shared templates are not looked up', () => {
    const { manifests } = render({ sharedAnalysis: [ArgoAnalysis.atStep({ step: 0, smokeTests: [loadTest()], dryRun: ['load-.*'] })] });
    const rollout = rolloutOf(manifests);
    const templates = ofKind(manifests, 'AnalysisTemplate');
    expect(() => checkControllerRules(rollout, templates)).not.toThrow();
    rollout.spec.strategy.canary.steps[1].analysis.dryRun = [{ metricName: 'smoke' }];
    expect(() => checkControllerRules(rollout, templates)).toThrow(
      'spec.strategy.canary.steps[1].analysis.dryRun[0].metricName must match a metric of the referenced templates (the controller refuses a rule that matches none), got "smoke".');
    rollout.spec.strategy.canary.steps[1].analysis = { templates: [{ templateName: 'elsewhere' }], args: [{ name: 'h', valueFrom: { podTemplateHashValue: 'Newest' } }] };
    expect(() => checkControllerRules(rollout, templates, new Set(['elsewhere']))).toThrow('spec.strategy.canary.steps[1].analysis.args.h.valueFrom.podTemplateHashValue must be Stable or Latest, got "Newest".');
    rollout.spec.strategy.canary.steps[1].analysis.args = [];
    expect(() => checkControllerRules(rollout, templates, new Set(['elsewhere']))).not.toThrow();
    expect(() => checkControllerRules(rollout, templates)).toThrow('spec.strategy.canary.steps[1].analysis.templates must reference an AnalysisTemplate defined with the rollout, got "elsewhere".');
  });
});
