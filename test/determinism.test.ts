import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cdk8s from 'cdk8s';
import {
  Analysis, ArgoRollout, ArgoSmokeTest, CanaryStep, DeploymentStrategy, EcsEngine, HealthCheck, MetricProvider,
  ProgressiveFargateService, ProgressiveLambdaAlias, PrometheusQueries, Promotion, SmokeTest, TrafficRouting,
} from '../src';

/**
 * The same input synthesizes byte-identical output: every strategy on every target is built twice in
 * fresh apps, and the serialized results are compared as strings.
 */
const analysis = () => Analysis.of({
  checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(500) })],
  failureLimit: 2,
});
const strategies: Record<string, () => DeploymentStrategy> = {
  canary: () => DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(10))], analysis: analysis() }),
  linear: () => DeploymentStrategy.linear({ stepPercent: 20, interval: Duration.minutes(5), analysis: analysis() }),
  blueGreen: () => DeploymentStrategy.blueGreen({
    postPromotionAnalysis: analysis(), promotion: Promotion.automatic(Duration.seconds(0)), keepPreviousVersionFor: Duration.minutes(10),
  }),
};

function ecsTemplate(strategy: DeploymentStrategy, engine: EcsEngine, smoke: boolean): string {
  const stack = new Stack(new App(), 'Det', { env: { account: '123456789012', region: 'eu-west-1' } });
  new ProgressiveFargateService(stack, 'Api', {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    containerPort: 8080,
    strategy,
    engine,
    internetFacing: false,
    smokeTest: smoke ? SmokeTest.http({ path: '/health' }) : undefined,
  });
  return JSON.stringify(Template.fromStack(stack).toJSON());
}

function lambdaTemplate(strategy: DeploymentStrategy): string {
  const stack = new Stack(new App(), 'Det');
  const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
  new ProgressiveLambdaAlias(stack, 'Live', { version: fn.currentVersion, aliasName: 'live', strategy });
  return JSON.stringify(Template.fromStack(stack).toJSON());
}

function manifests(strategy: DeploymentStrategy, blueGreen: boolean): string {
  const chart = cdk8s.Testing.chart();
  new ArgoRollout(chart, 'api', {
    strategy,
    containers: [{ image: 'registry.example.com/api:1.2.3', portNumber: 8080 }],
    trafficRouting: blueGreen ? undefined : TrafficRouting.nginx({ stableIngress: 'api' }),
    metrics: MetricProvider.prometheus({ address: 'http://prometheus:9090', queries: PrometheusQueries.nginxIngress() }),
    smokeTest: blueGreen ? ArgoSmokeTest.web({ path: '/health' }) : undefined,
  });
  return JSON.stringify(cdk8s.Testing.synth(chart));
}

describe.each(Object.keys(strategies))('%s synthesizes byte-identical output twice', name => {
  const make = strategies[name];
  test('plan', () => {
    expect(JSON.stringify(make().plan().toJson())).toBe(JSON.stringify(make().plan().toJson()));
    expect(make().plan().toMarkdown()).toBe(make().plan().toMarkdown());
  });
  test('ECS native with a smoke test', () => {
    const first = ecsTemplate(make(), EcsEngine.native(), true);
    expect(first.length).toBeGreaterThan(1000);
    expect(ecsTemplate(make(), EcsEngine.native(), true)).toBe(first);
  });
  test('CodeDeploy', () => {
    expect(ecsTemplate(make(), EcsEngine.codeDeploy(), false)).toBe(ecsTemplate(make(), EcsEngine.codeDeploy(), false));
  });
  test('Lambda (an alias has no preview route: blue/green is refused there)', () => {
    if (name === 'blueGreen') {
      expect(() => lambdaTemplate(make())).toThrow(/strategy cannot be blue\/green for a Lambda alias/);
      return;
    }
    expect(lambdaTemplate(make())).toBe(lambdaTemplate(make()));
  });
  test('Argo Rollouts', () => {
    const blueGreen = name === 'blueGreen';
    const first = manifests(make(), blueGreen);
    expect(first).toContain('"kind":"Rollout"');
    expect(manifests(make(), blueGreen)).toBe(first);
  });
});
