import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as cdk8s from 'cdk8s';
import * as fc from 'fast-check';
import {
  Analysis, ArgoRollout, CanaryStep, Capacity, Comparison, DeploymentStrategy, EcsEngine, HealthCheck, MetricProvider,
  ProgressiveFargateService, ProgressiveLambdaAlias, PrometheusQueries, Promotion, TrafficRouting,
} from '../src';

/**
 * Random declarations, valid and invalid, rendered on every target: each either renders or raises the
 * library's own error whose message names the field, the value and the fix; never a TypeError, and on
 * Kubernetes no partial output is left in the chart.
 */
const RUNS = Number(process.env.PROPERTY_RUNS ?? 2000);
const MESSAGE = /^[A-Za-z][\w.]*( [\w/-]+)?: \S+ .+, got .+\. .+$/s;

const duration = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 90 }).map(m => Duration.minutes(m)), weight: 6 },
  { arbitrary: fc.integer({ min: 0, max: 7200 }).map(s => Duration.seconds(s)), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 5000 }).map(m => Duration.minutes(m)), weight: 1 },
);
const weight = fc.oneof(
  { arbitrary: fc.integer({ min: 1, max: 99 }), weight: 6 },
  { arbitrary: fc.double({ min: -5, max: 105, noNaN: false }), weight: 1 },
);
const analysis = fc.oneof(
  { arbitrary: fc.constant('none'), weight: 1 },
  {
    arbitrary: fc.record({
      interval: fc.oneof(fc.constant(Duration.minutes(1)), duration),
      failureLimit: fc.integer({ min: -1, max: 4 }),
      minRequests: fc.integer({ min: 0, max: 50 }),
      latency: fc.boolean(),
      custom: fc.boolean(),
    }),
    weight: 6,
  },
).map(a => () => a === 'none' ? Analysis.none('property test') : Analysis.of({
  checks: [
    HealthCheck.errorRate({ maxPercent: 1 }),
    ...(a.latency ? [HealthCheck.latency({ percentile: 99, max: Duration.millis(400) })] : []),
    ...(a.custom ? [HealthCheck.custom({ name: 'queue', threshold: 10, failWhen: Comparison.GREATER_THAN, prometheus: 'sum(queue)' })] : []),
  ],
  interval: a.interval,
  failureLimit: a.failureLimit,
  minRequests: a.minRequests,
}));

const declaration = fc.oneof(
  fc.record({ weights: fc.array(weight, { minLength: 1, maxLength: 4 }), bake: duration, gate: fc.boolean(), analysis, keep: duration })
    .map(p => () => DeploymentStrategy.canary({
      steps: p.weights.map((w, i) => (p.gate && i === 0 ? CanaryStep.withManualGate(w, p.bake) : CanaryStep.of(w, p.bake))),
      analysis: p.analysis(),
      keepPreviousVersionFor: p.keep,
    })),
  fc.record({ step: weight, interval: duration, analysis, keep: duration })
    .map(p => () => DeploymentStrategy.linear({ stepPercent: p.step, interval: p.interval, analysis: p.analysis(), keepPreviousVersionFor: p.keep })),
  fc.record({ preview: fc.option(analysis), post: fc.option(analysis), manual: fc.boolean(), wait: duration, keep: duration })
    .map(p => () => DeploymentStrategy.blueGreen({
      previewAnalysis: p.preview?.(),
      postPromotionAnalysis: p.post?.(),
      keepPreviousVersionFor: p.keep,
      promotion: p.manual ? Promotion.manual() : Promotion.automatic(p.wait),
    })),
  fc.record({ surge: fc.integer({ min: -1, max: 120 }), unavailable: fc.integer({ min: 0, max: 3 }), analysis, bake: fc.option(duration) })
    .map(p => () => DeploymentStrategy.rolling({
      maxSurge: Capacity.percent(p.surge), maxUnavailable: Capacity.count(p.unavailable), analysis: p.analysis(), bakeTime: p.bake ?? undefined,
    })),
  fc.record({ analysis: fc.option(analysis), keep: duration })
    .map(p => () => DeploymentStrategy.allAtOnce({ analysis: p.analysis?.(), keepPreviousVersionFor: p.keep })),
);

/** Runs `render`; a failure must be the library's own, well-formed error. Returns whether it rendered. */
function rendersOrExplains(render: () => void): boolean {
  try {
    render();
    return true;
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    expect((e as Error).name).toBe('DeliveryValidationError');
    expect((e as Error).message).toMatch(MESSAGE);
    return false;
  }
}

const counts = { declared: 0, refused: 0, ecsNative: 0, codeDeploy: 0, lambda: 0, argo: 0 };

function stack(): Stack {
  return new Stack(new App(), 'Prop', { env: { account: '123456789012', region: 'eu-west-1' } });
}

function fargate(strategy: DeploymentStrategy, engine: EcsEngine): void {
  const s = stack();
  const vpc = ec2.Vpc.fromVpcAttributes(s, 'Vpc', {
    vpcId: 'vpc-1',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    publicSubnetIds: ['subnet-1', 'subnet-2'],
    privateSubnetIds: ['subnet-3', 'subnet-4'],
    vpcCidrBlock: '10.0.0.0/16',
  });
  const cluster = ecs.Cluster.fromClusterAttributes(s, 'Cluster', { clusterName: 'c', vpc });
  new ProgressiveFargateService(s, 'Api', {
    cluster, image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'), containerPort: 8080, strategy, engine,
  });
}

function lambdaAlias(strategy: DeploymentStrategy): void {
  const s = stack();
  const fn = lambda.Function.fromFunctionAttributes(s, 'Fn', { functionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:f', sameEnvironment: true });
  new ProgressiveLambdaAlias(s, 'Live', { version: lambda.Version.fromVersionArn(s, 'V', `${fn.functionArn}:3`), strategy });
}

function argo(strategy: DeploymentStrategy, nginx: boolean): void {
  const chart = cdk8s.Testing.chart();
  const ok = rendersOrExplains(() => new ArgoRollout(chart, 'api', {
    strategy,
    containers: [{ image: 'registry.example.com/api:1.2.3', portNumber: 8080 }],
    trafficRouting: nginx ? TrafficRouting.nginx({ stableIngress: 'api' }) : undefined,
    metrics: MetricProvider.prometheus({ address: 'http://prometheus:9090', queries: PrometheusQueries.nginxIngress() }),
  }));
  if (ok) {
    counts.argo++;
    const manifests = cdk8s.Testing.synth(chart);
    expect(manifests.some(m => m.kind === 'Rollout')).toBe(true);
  } else {
    // no partial output: a refused rollout leaves nothing in the chart
    expect(chart.node.children).toHaveLength(0);
  }
}

test(`${RUNS} random declarations render on every target or raise the library's own error`, () => {
  fc.assert(fc.property(declaration, fc.boolean(), (declare, nginx) => {
    let strategy: DeploymentStrategy | undefined;
    if (!rendersOrExplains(() => { strategy = declare(); })) {
      counts.refused++;
      return;
    }
    counts.declared++;
    if (rendersOrExplains(() => fargate(strategy!, EcsEngine.native()))) counts.ecsNative++;
    if (rendersOrExplains(() => fargate(strategy!, EcsEngine.codeDeploy()))) counts.codeDeploy++;
    if (rendersOrExplains(() => lambdaAlias(strategy!))) counts.lambda++;
    argo(strategy!, nginx);
  }), { numRuns: RUNS, seed: 20261121 });
  if (process.env.PROPERTY_DEBUG) console.log(JSON.stringify(counts));
  // The generator reaches both outcomes everywhere, so the property is not vacuous.
  expect(counts.declared + counts.refused).toBe(RUNS);
  for (const key of Object.keys(counts) as Array<keyof typeof counts>) {
    expect(counts[key]).toBeGreaterThan(0);
  }
  for (const target of ['ecsNative', 'codeDeploy', 'lambda', 'argo'] as const) {
    expect(counts[target]).toBeLessThan(counts.declared);
  }
});
