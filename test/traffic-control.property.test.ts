import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cdk8s from 'cdk8s';
import * as fc from 'fast-check';
import {
  Analysis, ArgoRollout, CanaryStep, DarkLaunch, DeploymentStrategy, EcsEngine, HeaderPreview, HealthCheck, MetricProvider, ProgressiveFargateService,
  ProgressiveLambdaAlias, PrometheusQueries, RequestMatch, Stickiness, TrafficRouting, WarmUp,
} from '../src';
import { validateManifests } from './k8s/manifest-validator';

/**
 * Random traffic control (header-only preview, dark launch, stickiness, warm-up), valid and invalid,
 * on every target and every Argo router: each either renders, or raises the library's own error
 * naming the field, the value and the fix; never a TypeError. What Argo renders validates against the
 * v1.9.1 CRDs and lists every header and mirror route in managedRoutes.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 300);
const MESSAGE = /^[A-Za-z][\w.]*( [\w/-]+)?: \S+ .+, got .+\. .+$/s;
const analysis = () => Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], minRequests: 10 });
const queries = PrometheusQueries.custom({
  errorRatio: 'sum(rate(errors{service="{{args.service}}"}[{{window}}])) / sum(rate(requests{service="{{args.service}}"}[{{window}}]))',
  requestCount: 'sum(increase(requests{service="{{args.service}}"}[{{window}}]))',
});

const minutes = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 60 }).map(m => Duration.minutes(m)), weight: 5 },
  { arbitrary: fc.integer({ min: 0, max: 200 }).map(s => Duration.seconds(s)), weight: 1 });
const text = fc.oneof({ arbitrary: fc.constantFrom('X-Canary', 'x-preview', 'release'), weight: 5 },
  { arbitrary: fc.string({ maxLength: 6 }), weight: 1 });
const match = fc.record({ kind: fc.constantFrom('header', 'headerPrefix', 'headerRegex', 'cookie'), name: text, value: text })
  .map(m => () => (RequestMatch as any)[m.kind](m.name, m.value) as RequestMatch);
const control = fc.record({
  preview: fc.option(fc.record({ match, duration: minutes, gate: fc.boolean() })),
  mirror: fc.option(fc.record({ percent: fc.integer({ min: -1, max: 101 }), duration: minutes, methods: fc.option(fc.subarray(['GET', 'HEAD', 'OPTIONS', 'POST'])) })),
  sticky: fc.option(fc.oneof(match.map(m => () => Stickiness.byRequest(m())), minutes.map(d => () => Stickiness.loadBalancer(d)))),
});
const declaration = fc.oneof(
  fc.record({ weight: fc.integer({ min: 1, max: 60 }), bake: minutes, control }).map(p => () => DeploymentStrategy.canary({
    steps: [CanaryStep.of(p.weight, p.bake)],
    analysis: analysis(),
    keepPreviousVersionFor: Duration.seconds(0),
    headerPreview: p.control.preview
      ? HeaderPreview.of({ match: p.control.preview.match(), duration: p.control.preview.duration, manualGate: p.control.preview.gate }) : undefined,
    darkLaunch: p.control.mirror
      ? DarkLaunch.mirror({ percent: p.control.mirror.percent, duration: p.control.mirror.duration, methods: p.control.mirror.methods ?? undefined })
      : undefined,
    stickiness: p.control.sticky ? p.control.sticky() : undefined,
  })),
  fc.record({ percent: fc.double({ min: -1, max: 12, noNaN: true }), duration: minutes }).map(p => () => DeploymentStrategy.blueGreen({
    postPromotionAnalysis: analysis(), keepPreviousVersionFor: Duration.minutes(10), warmUp: WarmUp.of(p.percent, p.duration),
  })),
);
const routers = [
  () => TrafficRouting.none(), () => TrafficRouting.nginx({ stableIngress: 'api' }), () => TrafficRouting.istio({ virtualService: 'api' }),
  () => TrafficRouting.alb({ ingress: 'api' }), () => TrafficRouting.smi(), () => TrafficRouting.gatewayApi({ httpRoute: 'api', namespace: 'a' }),
];

function rendersOrExplains(render: () => void): boolean {
  try {
    render();
    return true;
  } catch (e) {
    expect((e as Error).name).toBe('DeliveryValidationError');
    expect((e as Error).message).toMatch(MESSAGE);
    return false;
  }
}

function stack(): Stack {
  return new Stack(new App(), 'Prop', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function fargate(strategy: DeploymentStrategy, engine: EcsEngine): void {
  const s = stack();
  const vpc = ec2.Vpc.fromVpcAttributes(s, 'Vpc', {
    vpcId: 'vpc-1', availabilityZones: ['eu-west-1a', 'eu-west-1b'], privateSubnetIds: ['subnet-3', 'subnet-4'], vpcCidrBlock: '10.0.0.0/16',
  });
  const cluster = ecs.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'c', vpc });
  new ProgressiveFargateService(s, 'Api', { cluster, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), containerPort: 8080, strategy, engine });
}

function lambdaAlias(strategy: DeploymentStrategy): void {
  const s = stack();
  new ProgressiveLambdaAlias(s, 'Live', { version: lambda.Version.fromVersionArn(s, 'V', 'arn:aws:lambda:eu-west-1:123456789012:function:f:3'), strategy });
}

const counts = { declared: 0, refused: 0, argo: 0, argoRefused: 0, aws: 0 };

test(`${RUNS} random traffic-control declarations render on every target and router or raise the library's own error`, () => {
  fc.assert(fc.property(declaration, fc.integer({ min: 0, max: routers.length - 1 }), (declare, r) => {
    let strategy: DeploymentStrategy | undefined;
    if (!rendersOrExplains(() => { strategy = declare(); })) {
      counts.refused++;
      return;
    }
    counts.declared++;
    for (const engine of [EcsEngine.native(), EcsEngine.codeDeploy()]) {
      if (rendersOrExplains(() => fargate(strategy!, engine))) counts.aws++;
    }
    if (rendersOrExplains(() => lambdaAlias(strategy!))) counts.aws++;
    const chart = cdk8s.Testing.chart();
    const router = routers[r]();
    if (rendersOrExplains(() => new ArgoRollout(chart, 'api', {
      strategy: strategy!,
      containers: [{ image: 'registry.example.com/api:1', portNumber: 8080 }],
      trafficRouting: router,
      metrics: MetricProvider.prometheus({ address: 'http://p:9090', queries }),
    }))) {
      counts.argo++;
      const manifests = cdk8s.Testing.synth(chart);
      expect(validateManifests(manifests)).toEqual([]);
      const canary = manifests.find(m => m.kind === 'Rollout').spec.strategy.canary;
      const managed = (canary.trafficRouting?.managedRoutes ?? []).map((m: any) => m.name);
      for (const step of canary.steps) {
        const route = step.setHeaderRoute ?? step.setMirrorRoute;
        if (route) expect(managed).toContain(route.name);
      }
    } else {
      counts.argoRefused++;
      expect(chart.node.children).toHaveLength(0);
    }
  }), { numRuns: RUNS, seed: 20261203 });
  // Both outcomes are reached, so the property is not vacuous.
  for (const key of Object.keys(counts) as Array<keyof typeof counts>) {
    expect(counts[key]).toBeGreaterThan(0);
  }
});
