/**
 * Benchmark workload, hand-written variant: the same n progressive ECS services as
 * scripts/bench/aws-library.ts, written with aws-cdk-lib alone, the way a user would without the
 * library: a Fargate service with the ECS-native CANARY strategy (10% for 10 minutes, 15 minutes of
 * bake), blue and green target groups, a production listener whose rule ECS reweights, and two
 * rollback alarms (5xx rate and p99 latency) that each watch both target groups. Without a smoke test
 * nothing would use a test listener, so there is none; with one (scripts/bench/aws-smoke-handwritten.ts)
 * each service also gets a test listener and its rule, and a smoke-test Lambda function in the VPC,
 * with its security group, that ECS runs as a lifecycle hook once test traffic reaches the new version.
 * scripts/bench/aws-migrations-handwritten.ts adds each service's database migrations.
 *
 * Each service lives in its own `Construct` with the same ids as the library's, so the logical IDs
 * and the synthesized template are the same, byte for byte.
 */
import * as path from 'path';
import { App, Duration, Names, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SynthResult } from './worker';

const CONTAINER_PORT = 8080;
const ALARM_PERIOD = Duration.minutes(1);
/** The alarms fire after 3 bad minutes in a row. */
const ALARM_DATAPOINTS = 3;
/** Below this many requests a minute, a target group's error rate and latency count as 0 (passing). */
const MIN_REQUESTS = 10;
const TEST_LISTENER_PORT = 9000;
/**
 * The smoke-test handler: sends the requests in REQUESTS to BASE_URL and answers the ECS lifecycle
 * hook. A user without the library would keep such a handler in their repository; here it is the
 * compiled handler the package ships, referenced by its path (see docs/benchmarks.md).
 */
const SMOKE_TEST_HANDLER = path.join(__dirname, '..', '..', 'lib', 'aws', 'private', 'handlers', 'smoke-test');
/** How long one smoke-test request may take, in milliseconds; the function gets 30 seconds more to report. */
const SMOKE_TEST_TIMEOUT_MS = 10_000;

/** What a workload adds to each service (scripts/bench/aws-migrations-handwritten.ts: the migrations). */
export interface ServiceAdditions {
  /** Lifecycle hooks of the service, before the smoke test's. */
  readonly lifecycleHooks: ecs.IDeploymentLifecycleHookTarget[];
  /** Adds what needs the service, once it exists. */
  afterService(service: ecs.FargateService): void;
}

/**
 * Adds resources to service number `index` (the construct `self`), after its security group and
 * before its Fargate service.
 */
export type AddToService = (self: Construct, index: number, cluster: ecs.ICluster, securityGroup: ec2.ISecurityGroup) => ServiceAdditions;

function progressiveService(scope: Construct, id: string, cluster: ecs.ICluster, image: ecs.ContainerImage, smokeTest: boolean,
  add?: (self: Construct, securityGroup: ec2.ISecurityGroup) => ServiceAdditions): void {
  const self = new Construct(scope, id);
  const vpc = cluster.vpc;
  // Alarm names are fixed strings, unique in the account and region, that the service refers to
  // without waiting for the alarm resources.
  const alarmPrefix = Names.uniqueResourceName(self, { maxLength: 160, separator: '-' });
  const errorRateAlarmName = `${alarmPrefix}-error-rate`;
  const latencyAlarmName = `${alarmPrefix}-latency-p99`;

  const taskDefinition = new ecs.FargateTaskDefinition(self, 'TaskDefinition', { cpu: 256, memoryLimitMiB: 512 });
  taskDefinition.addContainer('app', {
    image,
    portMappings: [{ containerPort: CONTAINER_PORT }],
    logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app', logRetention: logs.RetentionDays.ONE_MONTH }),
  });

  const loadBalancer = new elbv2.ApplicationLoadBalancer(self, 'LoadBalancer', { vpc, internetFacing: false });
  const targetGroup = (name: string) => new elbv2.ApplicationTargetGroup(self, name, {
    vpc,
    port: CONTAINER_PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    targetType: elbv2.TargetType.IP,
    healthCheck: { path: '/' },
    deregistrationDelay: Duration.seconds(30),
  });
  const blue = targetGroup('BlueTargetGroup');
  const green = targetGroup('GreenTargetGroup');
  const listener = loadBalancer.addListener('Listener', {
    port: 80,
    protocol: elbv2.ApplicationProtocol.HTTP,
    defaultAction: elbv2.ListenerAction.forward([blue]),
    open: false,
  });
  // An internal load balancer: clients from the VPC only.
  listener.connections.allowDefaultPortFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), 'Clients in the VPC');
  // The smoke test reaches the new version on the test listener before it takes production traffic.
  const testListener = smokeTest ? loadBalancer.addListener('TestListener', {
    port: TEST_LISTENER_PORT,
    protocol: elbv2.ApplicationProtocol.HTTP,
    defaultAction: elbv2.ListenerAction.forward([blue]),
    open: false,
  }) : undefined;
  // ECS moves the weights of these rules from blue to green (and back) during a deployment.
  const weightedRule = (ruleId: string, ruleListener: elbv2.IApplicationListener) => new elbv2.ApplicationListenerRule(self, ruleId, {
    listener: ruleListener,
    priority: 1,
    conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
    action: elbv2.ListenerAction.weightedForward([
      { targetGroup: blue, weight: 100 },
      { targetGroup: green, weight: 0 },
    ]),
  });
  const productionRule = weightedRule('ProductionListenerRule', listener);
  const testRule = testListener ? weightedRule('TestListenerRule', testListener) : undefined;

  // The new version runs in blue or green depending on the deployment, so the alarms take the worse of the two.
  const albMetric = (targetGroupFullName: string, metricName: string, statistic: string) => new cloudwatch.Metric({
    namespace: 'AWS/ApplicationELB',
    metricName,
    statistic,
    period: ALARM_PERIOD,
    dimensionsMap: { LoadBalancer: loadBalancer.loadBalancerFullName, TargetGroup: targetGroupFullName },
  });
  // Below MIN_REQUESTS requests in a minute, a target group's measurement counts as passing (0).
  const errorRate = (i: number) => `IF(FILL(req${i}, 0) >= ${MIN_REQUESTS}, 100 * FILL(err${i}, 0) / FILL(req${i}, 0), 0)`;
  const latency = (i: number) => `IF(FILL(req${i}, 0) >= ${MIN_REQUESTS}, FILL(lat${i}, 0), 0)`;
  const errorRateAlarm = new cloudwatch.Alarm(self, 'Alarm-error-rate', {
    alarmName: errorRateAlarmName,
    alarmDescription: 'Rolls the deployment back: error-rate: fails when errors > 1% of requests, measured every 1m, alarm after 3 failed measurement(s).',
    metric: new cloudwatch.MathExpression({
      expression: `MAX([${errorRate(0)}, ${errorRate(1)}])`,
      usingMetrics: {
        req0: albMetric(blue.targetGroupFullName, 'RequestCount', 'Sum'),
        err0: albMetric(blue.targetGroupFullName, 'HTTPCode_Target_5XX_Count', 'Sum'),
        req1: albMetric(green.targetGroupFullName, 'RequestCount', 'Sum'),
        err1: albMetric(green.targetGroupFullName, 'HTTPCode_Target_5XX_Count', 'Sum'),
      },
      period: ALARM_PERIOD,
      label: `error-rate: 5xx % of requests (intervals with at least ${MIN_REQUESTS} requests), worst target group`,
    }),
    threshold: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: ALARM_DATAPOINTS,
    datapointsToAlarm: ALARM_DATAPOINTS,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  const latencyAlarm = new cloudwatch.Alarm(self, 'Alarm-latency-p99', {
    alarmName: latencyAlarmName,
    alarmDescription: 'Rolls the deployment back: latency-p99: fails when p99 latency > 500ms, measured every 1m, alarm after 3 failed measurement(s).',
    metric: new cloudwatch.MathExpression({
      expression: `MAX([${latency(0)}, ${latency(1)}])`,
      usingMetrics: {
        req0: albMetric(blue.targetGroupFullName, 'RequestCount', 'Sum'),
        lat0: albMetric(blue.targetGroupFullName, 'TargetResponseTime', 'p99'),
        req1: albMetric(green.targetGroupFullName, 'RequestCount', 'Sum'),
        lat1: albMetric(green.targetGroupFullName, 'TargetResponseTime', 'p99'),
      },
      period: ALARM_PERIOD,
      label: `latency-p99: p99 response time (s) (intervals with at least ${MIN_REQUESTS} requests), worst target group`,
    }),
    threshold: 0.5, // seconds
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    evaluationPeriods: ALARM_DATAPOINTS,
    datapointsToAlarm: ALARM_DATAPOINTS,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });

  // The smoke test: a function in the VPC that may reach the test listener and nothing else.
  let smokeTestFunction: lambda.IFunction | undefined;
  if (smokeTest) {
    const smokeTestSecurityGroup = new ec2.SecurityGroup(self, 'SmokeTestSecurityGroup', {
      vpc,
      allowAllOutbound: false,
      description: `Smoke test of ${self.node.path}: reaches the test listener`,
    });
    smokeTestSecurityGroup.connections.allowTo(loadBalancer, ec2.Port.tcp(TEST_LISTENER_PORT), 'Smoke test to the test listener');
    smokeTestFunction = new lambda.Function(self, 'SmokeTest', {
      description: `Smoke test of ${self.node.path}: HTTP requests on the test listener`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      // The handler's folder, without TypeScript declarations and source maps.
      code: lambda.Code.fromAsset(SMOKE_TEST_HANDLER, { exclude: ['*.ts', '*.map'] }),
      vpc,
      securityGroups: [smokeTestSecurityGroup],
      timeout: Duration.seconds(SMOKE_TEST_TIMEOUT_MS / 1000 + 30),
      environment: {
        BASE_URL: `http://${loadBalancer.loadBalancerDnsName}:${TEST_LISTENER_PORT}`,
        REQUESTS: JSON.stringify([{ method: 'GET', path: '/health', expectStatus: 200 }]),
        TIMEOUT_MS: String(SMOKE_TEST_TIMEOUT_MS),
        RETRIES: '0',
        RETRY_INTERVAL_MS: '5000',
        DEADLINE_MS: String(SMOKE_TEST_TIMEOUT_MS),
      },
    });
  }

  const securityGroup = new ec2.SecurityGroup(self, 'ServiceSecurityGroup', { vpc, description: `Tasks of ${self.node.path}` });
  const additions = add?.(self, securityGroup);
  const lifecycleHooks = [...additions?.lifecycleHooks ?? []];
  // ECS runs the smoke test once test traffic reaches the new version; a failure rolls back.
  if (smokeTestFunction) {
    lifecycleHooks.push(new ecs.DeploymentLifecycleLambdaTarget(smokeTestFunction, 'SmokeTestHook', {
      lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
    }));
  }
  const service = new ecs.FargateService(self, 'Service', {
    cluster,
    taskDefinition,
    desiredCount: 2,
    securityGroups: [securityGroup],
    minHealthyPercent: 100,
    maxHealthyPercent: 200,
    deploymentStrategy: ecs.DeploymentStrategy.CANARY,
    canaryConfiguration: { stepPercent: 10, stepBakeTime: Duration.minutes(10) },
    bakeTime: Duration.minutes(15),
    // A canary rolls back on alarms; the circuit breaker (rolling updates only) is set off explicitly.
    circuitBreaker: { enable: false, rollback: false },
    deploymentAlarms: {
      alarmNames: [errorRateAlarmName, latencyAlarmName],
      behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM,
    },
    lifecycleHooks: lifecycleHooks.length > 0 ? lifecycleHooks : undefined,
  });
  // The service names the alarms; create them first so that the first deployment can watch them.
  service.node.defaultChild!.node.addDependency(errorRateAlarm, latencyAlarm);
  blue.addTarget(service.loadBalancerTarget({
    containerName: 'app',
    containerPort: CONTAINER_PORT,
    alternateTarget: new ecs.AlternateTarget('AlternateTarget', {
      alternateTargetGroup: green,
      productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(productionRule),
      testListener: testRule ? ecs.ListenerRuleConfiguration.applicationListenerRule(testRule) : undefined,
    }),
  }));
  additions?.afterService(service);
}

export function synth(n: number): SynthResult {
  return synthWith(n, false);
}

/** The same services, each with a smoke test when `smokeTest` is true, and what `add` adds to each. */
export function synthWith(n: number, smokeTest: boolean, add?: AddToService): SynthResult {
  // At n = 50 the stack holds about 1,000 resources, past CloudFormation's 500 per stack, which
  // aws-cdk-lib refuses at synth time; the benchmark measures synthesis, so the check is turned off.
  const app = new App({ context: { '@aws-cdk/core:stackResourceLimit': 0 } });
  const stack = new Stack(app, 'Bench');
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2 });
  const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
  const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
  for (let i = 0; i < n; i++) {
    progressiveService(stack, `Service${i}`, cluster, image, smokeTest, add && ((self, securityGroup) => add(self, i, cluster, securityGroup)));
  }
  const template = app.synth().getStackByName(stack.stackName).template;
  return { comparable: JSON.stringify(template), resources: Object.keys(template.Resources).length };
}
