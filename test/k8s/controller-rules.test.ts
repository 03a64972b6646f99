import { Duration } from 'aws-cdk-lib';
import * as cdk8s from 'cdk8s';
import { canaryStrategy, CONTAINERS, ofKind, rolloutOf } from './util';
import { Analysis, ArgoRollout, DeploymentStrategy, HealthCheck, MetricProvider, PrometheusQueries, Promotion, TrafficRouting } from '../../src';
import { checkControllerRules } from '../../src/k8s/private/controller-rules';

/** A valid rendered canary (NGINX, background analysis) and blue/green (pre/post analysis), to break one rule at a time. */
function rendered(kind: 'canary' | 'blueGreen'): { rollout: any; templates: any[] } {
  const chart = cdk8s.Testing.chart();
  const checks = Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] });
  new ArgoRollout(chart, 'api', kind === 'canary'
    ? { strategy: canaryStrategy(), containers: CONTAINERS, trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }), metrics: MetricProvider.prometheus({ address: 'http://p:9090' }) }
    : {
      strategy: DeploymentStrategy.blueGreen({
        previewAnalysis: checks, promotion: Promotion.manual(), postPromotionAnalysis: checks, keepPreviousVersionFor: Duration.minutes(5),
      }),
      containers: CONTAINERS,
      metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries: PrometheusQueries.istio() }),
    });
  const manifests = cdk8s.Testing.synth(chart);
  return { rollout: rolloutOf(manifests), templates: ofKind(manifests, 'AnalysisTemplate') };
}

function broken(kind: 'canary' | 'blueGreen', mutate: (r: any, t: any[]) => void): () => void {
  const { rollout, templates } = rendered(kind);
  mutate(rollout, templates);
  return () => checkControllerRules(rollout, templates);
}

const canary = (r: any) => r.spec.strategy.canary;
const blueGreen = (r: any) => r.spec.strategy.blueGreen;

test('the rendered canary and blue/green pass every rule', () => {
  expect(broken('canary', () => undefined)).not.toThrow();
  expect(broken('blueGreen', () => undefined)).not.toThrow();
});

describe('rollout spec', () => {
  test('fails when both strategies are set', () => {
    expect(broken('canary', r => { r.spec.strategy.blueGreen = { activeService: 'a' }; }))
      .toThrow('ArgoRollout (Argo Rollouts controller rule): spec.strategy must have exactly one of canary and blueGreen, got ["canary","blueGreen"].');
  });
  test('fails when no strategy is set', () => {
    expect(broken('canary', r => { r.spec.strategy = {}; })).toThrow('spec.strategy must have exactly one of canary and blueGreen, got [].');
  });
  test('fails when replicas is negative', () => {
    expect(broken('canary', r => { r.spec.replicas = -1; })).toThrow('spec.replicas must be a non-negative whole number, got -1.');
  });
  test('fails when the selector is empty', () => {
    expect(broken('canary', r => { r.spec.selector = { matchLabels: {} }; })).toThrow('spec.selector must not be empty');
  });
  test('fails when the pod template does not match the selector', () => {
    expect(broken('canary', r => { r.spec.template.metadata.labels = { app: 'other' }; }))
      .toThrow('spec.template.metadata.labels must match spec.selector (label "app.kubernetes.io/instance"), got {"app":"other"}.');
  });
  test('fails when the pod template has no containers', () => {
    expect(broken('canary', r => { r.spec.template.spec.containers = []; })).toThrow('spec.template.spec.containers must contain at least one container, got [].');
  });
  test('fails when a workloadRef rollout also has a template', () => {
    expect(broken('canary', r => { r.spec.workloadRef = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }; }))
      .toThrow('spec.template must be empty for a workload reference rollout, got a pod template.');
  });
  test('fails when progressDeadlineSeconds is not above minReadySeconds', () => {
    expect(broken('canary', r => { r.spec.minReadySeconds = 60; r.spec.progressDeadlineSeconds = 60; }))
      .toThrow('spec.progressDeadlineSeconds must be greater than minReadySeconds, got 60.');
  });
  test('fails when revisionHistoryLimit is negative', () => {
    expect(broken('canary', r => { r.spec.revisionHistoryLimit = -2; })).toThrow('spec.revisionHistoryLimit must be a non-negative whole number, got -2.');
  });
});

describe('canary', () => {
  test('fails when the stable and canary Services are the same', () => {
    expect(broken('canary', r => { canary(r).canaryService = canary(r).stableService; }))
      .toThrow('spec.strategy.canary.canaryService must differ from stableService: the controller needs two different Services');
  });
  test('fails when a router that needs both Services lacks one', () => {
    expect(broken('canary', r => { delete canary(r).canaryService; }))
      .toThrow('spec.strategy.canary.stableService/canaryService must both be set for the nginx router');
  });
  test('fails when Istio host-level routing lacks a Service', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = { istio: { virtualService: { name: 'v' } } }; delete canary(r).stableService; }))
      .toThrow('must both be set for the istio router');
  });
  test('fails when maxSurge and maxUnavailable are both zero', () => {
    expect(broken('canary', r => { canary(r).maxSurge = 0; canary(r).maxUnavailable = '0%'; }))
      .toThrow('spec.strategy.canary.maxSurge/maxUnavailable must not both be zero, got 0 / "0%".');
  });
  test('fails when maxSurge is not a count or a percentage', () => {
    expect(broken('canary', r => { canary(r).maxSurge = '2.5'; })).toThrow('spec.strategy.canary.maxSurge must be a non-negative whole number or a percentage such as "25%", got "2.5".');
  });
  test('fails when scaleDownDelaySeconds is used without traffic routing', () => {
    expect(broken('canary', r => { delete canary(r).trafficRouting; }))
      .toThrow('spec.strategy.canary.scaleDownDelaySeconds can only be used with traffic routing, got 30.');
  });
  test('fails when dynamicStableScale is used without traffic routing', () => {
    expect(broken('canary', r => { delete canary(r).trafficRouting; delete canary(r).scaleDownDelaySeconds; canary(r).dynamicStableScale = true; }))
      .toThrow('spec.strategy.canary.dynamicStableScale can only be used with traffic routing, got true.');
  });
  test('fails when dynamicStableScale meets scaleDownDelaySeconds', () => {
    expect(broken('canary', r => { canary(r).dynamicStableScale = true; })).toThrow('spec.strategy.canary.dynamicStableScale cannot be used with scaleDownDelaySeconds');
  });
  test('fails when maxTrafficWeight is used with a router that does not support it', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = { maxTrafficWeight: 1000, alb: { ingress: 'i', servicePort: 80 } }; }))
      .toThrow('spec.strategy.canary.trafficRouting.maxTrafficWeight is only supported with the NGINX router and router plugins, got 1000.');
  });
  test('fails when NGINX names no stable Ingress, or two ways', () => {
    expect(broken('canary', r => { canary(r).trafficRouting.nginx = {}; })).toThrow('trafficRouting.nginx must set exactly one of stableIngress and stableIngresses');
    expect(broken('canary', r => { canary(r).trafficRouting.nginx.stableIngresses = ['b']; })).toThrow('trafficRouting.nginx must set exactly one of stableIngress and stableIngresses');
  });
  test('fails when ALB names no Ingress', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = { alb: { servicePort: 80 } }; })).toThrow('trafficRouting.alb must set exactly one of ingress and ingresses');
  });
  test('fails when Istio names no VirtualService', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = { istio: {} }; })).toThrow('trafficRouting.istio must set exactly one of virtualService and virtualServices');
  });
  test('fails when setWeight is above 100 without maxTrafficWeight', () => {
    expect(broken('canary', r => { canary(r).steps[0] = { setWeight: 101 }; }))
      .toThrow('spec.strategy.canary.steps[0].setWeight must be a whole number between 0 and 100, got 101.');
  });
  test('fails when setWeight is above maxTrafficWeight', () => {
    expect(broken('canary', r => { canary(r).trafficRouting.maxTrafficWeight = 1000; canary(r).steps[0] = { setWeight: 1001 }; }))
      .toThrow('steps[0].setWeight must be a whole number between 0 and 1000, got 1001.');
  });
  test('fails when setWeight is negative or fractional', () => {
    expect(broken('canary', r => { canary(r).steps[0] = { setWeight: -1 }; })).toThrow('steps[0].setWeight must be a whole number between 0 and 100, got -1.');
    expect(broken('canary', r => { canary(r).steps[0] = { setWeight: 2.5 }; })).toThrow('steps[0].setWeight must be a whole number between 0 and 100, got 2.5.');
  });
  test('fails when a step has two kinds or none', () => {
    expect(broken('canary', r => { canary(r).steps[0] = { setWeight: 5, pause: {} }; })).toThrow('spec.strategy.canary.steps[0] must have exactly one of setWeight, pause');
    expect(broken('canary', r => { canary(r).steps[0] = {}; })).toThrow('spec.strategy.canary.steps[0] must have exactly one of setWeight, pause');
  });
  test('fails when a pause duration is negative or malformed', () => {
    expect(broken('canary', r => { canary(r).steps[1] = { pause: { duration: -5 } }; })).toThrow('steps[1].pause.duration must be a non-negative duration such as 30s, 10m or 1h, got -5.');
    expect(broken('canary', r => { canary(r).steps[1] = { pause: { duration: 'ten minutes' } }; })).toThrow('got "ten minutes"');
  });
  test('fails when setCanaryScale is used without traffic routing', () => {
    expect(broken('canary', r => { delete canary(r).trafficRouting; delete canary(r).scaleDownDelaySeconds; canary(r).steps[0] = { setCanaryScale: { weight: 5 } }; }))
      .toThrow('steps[0].setCanaryScale requires traffic routing');
  });
  test('fails when a header route step has no router that supports it', () => {
    expect(broken('canary', r => { canary(r).steps[0] = { setHeaderRoute: { name: 'h' } }; }))
      .toThrow('steps[0].setHeaderRoute requires Istio, ALB, Apisix or a router plugin');
  });
  test('fails when a mirror route step is used without Istio', () => {
    expect(broken('canary', r => { canary(r).steps[0] = { setMirrorRoute: { name: 'm' } }; })).toThrow('steps[0].setMirrorRoute requires Istio traffic routing');
  });
  test('fails when a header or mirror route is not a managed route', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = { istio: { virtualService: { name: 'v' } }, managedRoutes: [{ name: 'other' }] }; canary(r).steps[0] = { setHeaderRoute: { name: 'h' } }; }))
      .toThrow('steps[0].setHeaderRoute.name must be listed in spec.strategy.canary.trafficRouting.managedRoutes, got "h".');
    expect(broken('canary', r => { canary(r).trafficRouting = { istio: { virtualService: { name: 'v' } }, managedRoutes: [{ name: 'h' }] }; canary(r).steps[0] = { setMirrorRoute: { name: 'm' } }; }))
      .toThrow('steps[0].setMirrorRoute.name must be listed in spec.strategy.canary.trafficRouting.managedRoutes, got "m".');
  });
  test('fails when a header or mirror route step has no managedRoutes at all', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = { istio: { virtualService: { name: 'v' } } }; canary(r).steps[0] = { setMirrorRoute: { name: 'm' } }; }))
      .toThrow('ArgoRollout (Argo Rollouts controller rule): spec.strategy.canary.trafficRouting.managedRoutes is required by the setMirrorRoute step 0, got undefined. List the route names in managedRoutes, in precedence order.');
  });
  test('fails when a managed route is listed twice', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = { istio: { virtualService: { name: 'v' } }, managedRoutes: [{ name: 'h' }, { name: 'h' }] }; }))
      .toThrow('spec.strategy.canary.trafficRouting.managedRoutes must not list a route twice, got "h".');
  });
  const alb = { alb: { ingress: 'api', servicePort: 8080 }, managedRoutes: [{ name: 'h' }] };
  const istio = { istio: { virtualService: { name: 'v' } }, managedRoutes: [{ name: 'h' }, { name: 'm' }] };
  test('accepts an exact ALB header route, and an Istio header route by prefix or regex', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = alb; canary(r).steps[0] = { setHeaderRoute: { name: 'h', match: [{ headerName: 'X-Canary', headerValue: { exact: 'yes' } }] } }; }))
      .not.toThrow();
    for (const headerValue of [{ prefix: 'y' }, { regex: '^y.*' }]) {
      expect(broken('canary', r => { canary(r).trafficRouting = istio; canary(r).steps[0] = { setHeaderRoute: { name: 'h', match: [{ headerName: 'x-canary', headerValue }] } }; }))
        .not.toThrow();
    }
  });
  test('fails when an ALB header route matches by prefix or regex', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = alb; canary(r).steps[0] = { setHeaderRoute: { name: 'h', match: [{ headerName: 'X-Canary', headerValue: { prefix: 'y' } }] } }; }))
      .toThrow('steps[0].setHeaderRoute.match[0].headerValue must be an exact value with the ALB router (Argo Rollouts supports only exact ALB header matches), got {"prefix":"y"}.');
    expect(broken('canary', r => { canary(r).trafficRouting = alb; canary(r).steps[0] = { setHeaderRoute: { name: 'h', match: [{ headerName: 'X-Canary', headerValue: { exact: 'y', regex: 'y' } }] } }; }))
      .toThrow('must be an exact value with the ALB router');
  });
  test('fails when a header or mirror match sets no value or several', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = istio; canary(r).steps[0] = { setHeaderRoute: { name: 'h', match: [{ headerName: 'x', headerValue: { exact: 'a', prefix: 'b' } }] } }; }))
      .toThrow('steps[0].setHeaderRoute.match[0].headerValue must set exactly one of exact, prefix and regex, got {"exact":"a","prefix":"b"}.');
    expect(broken('canary', r => { canary(r).trafficRouting = istio; canary(r).steps[0] = { setMirrorRoute: { name: 'm', match: [{ method: {} }] } }; }))
      .toThrow('steps[0].setMirrorRoute.match[0].method must set exactly one of exact, prefix and regex, got {}.');
    expect(broken('canary', r => { canary(r).trafficRouting = istio; canary(r).steps[0] = { setMirrorRoute: { name: 'm', match: [{ headers: { 'x-a': { regex: 'a', exact: 'a' } } }] } }; }))
      .toThrow('steps[0].setMirrorRoute.match[0].headers.x-a must set exactly one of exact, prefix and regex');
  });
  test('fails when a mirror percentage is not a whole percentage', () => {
    expect(broken('canary', r => { canary(r).trafficRouting = istio; canary(r).steps[0] = { setMirrorRoute: { name: 'm', percentage: 150, match: [{ method: { exact: 'GET' } }] } }; }))
      .toThrow('steps[0].setMirrorRoute.percentage must be a whole number between 0 and 100, got 150.');
  });
  test('fails when setCanaryScale sets several fields, none, or values out of range', () => {
    expect(broken('canary', r => { canary(r).steps[0] = { setCanaryScale: { weight: 5, replicas: 1 } }; }))
      .toThrow('steps[0].setCanaryScale must set exactly one of weight, replicas and matchTrafficWeight, got {"weight":5,"replicas":1}.');
    expect(broken('canary', r => { canary(r).steps[0] = { setCanaryScale: {} }; })).toThrow('must set exactly one of weight, replicas and matchTrafficWeight, got {}.');
    expect(broken('canary', r => { canary(r).steps[0] = { setCanaryScale: { weight: 101 } }; }))
      .toThrow('steps[0].setCanaryScale.weight must be a whole percent of spec.replicas between 0 and 100, got 101.');
    expect(broken('canary', r => { canary(r).steps[0] = { setCanaryScale: { replicas: -1 } }; })).toThrow('steps[0].setCanaryScale.replicas must be a non-negative whole number, got -1.');
    expect(broken('canary', r => { canary(r).steps[0] = { setCanaryScale: { matchTrafficWeight: false } }; }))
      .toThrow('steps[0].setCanaryScale.matchTrafficWeight must be true when set (false does nothing), got false.');
  });
});

describe('blue/green', () => {
  test('fails when the active and preview Services are the same', () => {
    expect(broken('blueGreen', r => { blueGreen(r).previewService = blueGreen(r).activeService; }))
      .toThrow('spec.strategy.blueGreen.previewService must differ from activeService: the controller needs two different Services');
  });
  test('fails when there is no active Service', () => {
    expect(broken('blueGreen', r => { delete blueGreen(r).activeService; })).toThrow('spec.strategy.blueGreen.activeService is required, got undefined.');
  });
  test('fails when scaleDownDelayRevisionLimit exceeds revisionHistoryLimit', () => {
    expect(broken('blueGreen', r => { r.spec.revisionHistoryLimit = 2; blueGreen(r).scaleDownDelayRevisionLimit = 3; }))
      .toThrow('spec.strategy.blueGreen.scaleDownDelayRevisionLimit must not exceed revisionHistoryLimit (2), got 3.');
  });
  test('fails when a delay is negative', () => {
    expect(broken('blueGreen', r => { blueGreen(r).scaleDownDelaySeconds = -1; })).toThrow('spec.strategy.blueGreen.scaleDownDelaySeconds must be a non-negative whole number, got -1.');
  });
});

describe('analysis', () => {
  test('fails when a promotion analysis runs indefinitely', () => {
    expect(broken('blueGreen', (_r, t) => { delete t[0].spec.metrics[0].count; }))
      .toThrow('whose metric error-rate runs indefinitely (no count)');
  });
  test('fails when a step analysis runs indefinitely', () => {
    expect(broken('canary', (r, t) => { canary(r).steps.push({ analysis: { templates: [{ templateName: t[0].metadata.name }], args: canary(r).analysis.args } }); }))
      .toThrow('ArgoRollout (Argo Rollouts controller rule): spec.strategy.canary.steps[7].analysis references AnalysisTemplate');
  });
  test('fails when a referenced template is not defined', () => {
    expect(broken('canary', r => { canary(r).analysis.templates = [{ templateName: 'missing' }]; }))
      .toThrow('spec.strategy.canary.analysis.templates must reference an AnalysisTemplate defined with the rollout, got "missing".');
  });
  test('fails when an analysis references no template', () => {
    expect(broken('canary', r => { canary(r).analysis.templates = []; })).toThrow('spec.strategy.canary.analysis.templates must reference at least one AnalysisTemplate, got [].');
  });
  test('fails when a template argument is not supplied', () => {
    expect(broken('canary', r => { canary(r).analysis.args = canary(r).analysis.args.filter((a: any) => a.name !== 'namespace'); }))
      .toThrow('spec.strategy.canary.analysis.args must supply the argument "namespace" of AnalysisTemplate');
  });
  test('fails when an argument reads a field the downward API does not offer', () => {
    expect(broken('canary', r => { canary(r).analysis.args[2].valueFrom.fieldRef.fieldPath = 'spec.replicas'; }))
      .toThrow('spec.strategy.canary.analysis.args.namespace must read a Rollout metadata field supported by the downward API');
  });
  test('fails when a metric uses an argument the template does not declare', () => {
    expect(broken('canary', (_r, t) => { t[0].spec.metrics[0].provider.prometheus.query = 'up{pod="{{args.pod}}"}'; }))
      .toThrow('spec.metrics[0] uses {{args.pod}}, which the template does not declare');
  });
  test('fails when a template has no metrics', () => {
    expect(broken('canary', (_r, t) => { t[0].spec.metrics = []; })).toThrow('spec.metrics must contain at least one metric, got [].');
  });
  test('fails when two metrics of a template share a name', () => {
    expect(broken('canary', (_r, t) => { t[0].spec.metrics[1].name = t[0].spec.metrics[0].name; })).toThrow('spec.metrics[1].name must be unique within the template, got "error-rate".');
  });
  test('fails when count is below failureLimit or inconclusiveLimit', () => {
    expect(broken('blueGreen', (_r, t) => { t[0].spec.metrics[0].failureLimit = 5; })).toThrow('spec.metrics[0].count must be >= failureLimit (5), got 2.');
    expect(broken('blueGreen', (_r, t) => { t[0].spec.metrics[0].inconclusiveLimit = 5; })).toThrow('spec.metrics[0].count must be >= inconclusiveLimit (5), got 2.');
  });
  test('fails when limits are negative', () => {
    expect(broken('canary', (_r, t) => { t[0].spec.metrics[0].failureLimit = -1; })).toThrow('spec.metrics[0].failureLimit must be >= 0, got -1.');
    expect(broken('canary', (_r, t) => { t[0].spec.metrics[0].inconclusiveLimit = -1; })).toThrow('spec.metrics[0].inconclusiveLimit must be >= 0, got -1.');
  });
  test('fails when a repeated metric has no interval', () => {
    expect(broken('blueGreen', (_r, t) => { delete t[0].spec.metrics[0].interval; })).toThrow('spec.metrics[0].interval must be set when count > 1, got undefined.');
  });
  test('fails when an interval or initial delay is not a duration', () => {
    expect(broken('canary', (_r, t) => { t[0].spec.metrics[0].interval = 'often'; })).toThrow('spec.metrics[0].interval must be a duration such as 30s, 1m or 1h, got "often".');
    expect(broken('canary', (_r, t) => { t[0].spec.metrics[0].initialDelay = '5 min'; })).toThrow('spec.metrics[0].initialDelay must be a duration');
  });
  test('fails when a metric has no provider or two', () => {
    expect(broken('canary', (_r, t) => { t[0].spec.metrics[0].provider = {}; })).toThrow('spec.metrics[0].provider must configure exactly one provider, got [].');
    expect(broken('canary', (_r, t) => { t[0].spec.metrics[0].provider.web = { url: 'http://x' }; })).toThrow('spec.metrics[0].provider must configure exactly one provider, got ["prometheus","web"].');
  });
});
