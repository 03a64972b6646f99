import { Token } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { Construct } from 'constructs';
import { fail, requireNumber, show } from '../../private/validate';
import { Analysis } from '../../strategy/analysis';
import { DeploymentEvent } from '../../strategy/deployment-event';
import { DeploymentStrategy } from '../../strategy/deployment-strategy';
import { RolloutPlan } from '../../strategy/rollout-plan';
import { AlarmRollback } from '../alarm-rollback';
import { DeploymentHook } from '../deployment-hook';
import { EcsEngine, EcsEngineKind } from '../ecs-engine';
import type { ProgressiveFargateServiceProps } from '../progressive-fargate-service';
import { SmokeTest, SmokeTestKind, SmokeTestRequest } from '../smoke-test';
import { requireAlarmNamePrefix } from './alarms';
import { BaselineTarget, refuseBaseline } from './baseline';
import { checkDeploymentHooks, hookPlanNotes } from './hooks';
import type * as ecsMigrations from './migrations';
import { checkNotificationEvents, NotificationEngine, notificationPlanNote } from './notifications';
import { ecsPlan } from './plan-notes';
import { CodeDeployRender, NativeRender, renderCodeDeploy, renderNative } from './render';
import { requireRunbookParameterName } from './runbook';
import { checkStackDeployment } from './stack-deployment';
import { EcsHeaderRoute } from './traffic-control';
import { withPlanNotes } from '../../strategy/private/plan-phases';

/** Port of the test listener when `testListenerPort` is not given. */
export const DEFAULT_TEST_PORT = 9000;

/** Everything `ProgressiveFargateService` needs, checked and rendered before any construct exists. */
export interface FargateInput {
  readonly where: string;
  readonly strategy: DeploymentStrategy;
  readonly engine: EcsEngine;
  readonly native?: NativeRender;
  readonly cd?: CodeDeployRender;
  /** Whether the service has a green target group (every strategy but rolling). */
  readonly blueGreen: boolean;
  readonly hasTestListener: boolean;
  /**
   * ECS native with a header-only preview: the header route, a test listener rule on the production
   * listener at `priority - 1` (the service then has no separate test listener).
   */
  readonly headerRoute?: EcsHeaderRoute;
  /** Where the HTTP smoke test sends its requests: the port, and the headers added to each request. */
  readonly smokeTestTarget?: { readonly port: number; readonly headers?: { [name: string]: string }; readonly via: string };
  readonly analysis?: Analysis;
  readonly plan: RolloutPlan;
  /** The migrations and how the native engine runs them. */
  readonly migrations?: ecsMigrations.EcsMigrationRender;
  readonly alarmRollback: AlarmRollback;
  /** The events to notify `notificationTopic` of, checked, in the order of a deployment (undefined: the engine's default). */
  readonly notificationEvents?: DeploymentEvent[];
  /** The user's deployment hooks, in the order a deployment runs them. */
  readonly hooks: DeploymentHook[];
  readonly containerPort: number;
  readonly desiredCount: number;
  readonly listenerPort: number;
  /** Port of the test listener, when it is known (a created test listener, or a passed ApplicationListener). */
  readonly testPort?: number;
  readonly healthCheckPath: string;
  readonly internetFacing: boolean;
  /** The load balancer given, or the one of the given listener. */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /** The conditions of the service's listener rules, when given. */
  readonly conditions?: elbv2.ListenerCondition[];
  readonly priority: number;
  readonly alarmNamePrefix?: string;
  /** Where the runbook is published, if anywhere. */
  readonly runbookParameterName?: string;
  /** The container of a given task definition that receives the traffic. */
  readonly containerName?: string;
  readonly cpu: number;
  readonly memoryLimitMiB: number;
}

/**
 * ALB: condition values per listener rule.
 * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html
 */
const MAX_CONDITION_VALUES = 5;

/** The number of values a rendered listener condition carries. */
function conditionValues(raw: any): number {
  const config = raw.hostHeaderConfig ?? raw.pathPatternConfig ?? raw.httpHeaderConfig
    ?? raw.httpRequestMethodConfig ?? raw.queryStringConfig ?? raw.sourceIpConfig;
  const values = config?.values ?? raw.values;
  return Array.isArray(values) ? values.length : 1;
}

/** Fargate CPU units and the memory (MiB) each accepts: [min, max, step]. */
const FARGATE_MEMORY: Record<number, [number, number, number]> = {
  256: [512, 2048, 0], // 512, 1024, 2048
  512: [1024, 4096, 1024],
  1024: [2048, 8192, 1024],
  2048: [4096, 16384, 1024],
  4096: [8192, 30720, 1024],
  8192: [16384, 61440, 4096],
  16384: [32768, 122880, 8192],
};

function fargateMemoryOk(cpu: number, memory: number): boolean {
  const [min, max, step] = FARGATE_MEMORY[cpu];
  if (step === 0) return [512, 1024, 2048].includes(memory);
  return memory >= min && memory <= max && (memory - min) % step === 0;
}

function isConstructWith(value: unknown, ...keys: string[]): boolean {
  return Construct.isConstruct(value) && keys.every(k => k in (value as any));
}

function requireShape(where: string, field: string, value: unknown, ok: boolean, what: string, fix: string): void {
  if (!ok) {
    fail(where, field, `must be ${what}`, value === null ? 'null' : show(value), fix);
  }
}

/**
 * Checks every prop as a TypeScript, Python, Java or plain-JavaScript caller could pass it, and maps
 * the strategy onto the engine. Nothing is created: a refused service leaves no construct behind.
 */
export function checkFargateProps(scope: Construct, id: string, props: ProgressiveFargateServiceProps): FargateInput {
  if (!Construct.isConstruct(scope)) {
    fail('ProgressiveFargateService', 'scope', 'must be a construct (a Stack or a Construct in it)', show(scope), 'Pass the stack or construct to add the service to.');
  }
  const where = `ProgressiveFargateService ${scope.node.path ? `${scope.node.path}/${id}` : id}`;
  if (props === null || typeof props !== 'object') {
    fail(where, 'props', 'must be an object', show(props), 'Pass { strategy, containerPort, image }.');
  }
  for (const [field, value] of Object.entries(props)) {
    if (value === null) {
      fail(where, field, 'must not be null', 'null', 'Leave it out for the default, or pass a value.');
    }
  }
  if (!(props.strategy instanceof DeploymentStrategy)) {
    fail(where, 'strategy', 'must be a DeploymentStrategy', show(props.strategy), 'Build it with DeploymentStrategy.canary, .linear, .blueGreen, .rolling or .allAtOnce.');
  }
  refuseBaseline(where, props.strategy, BaselineTarget.ECS);
  const engine = props.engine ?? EcsEngine.native();
  if (!(engine instanceof EcsEngine)) {
    fail(where, 'engine', 'must be an EcsEngine', show(engine), 'Pass EcsEngine.native() or EcsEngine.codeDeploy().');
  }
  const alarmRollback = props.alarmRollback ?? AlarmRollback.enabled();
  if (!(alarmRollback instanceof AlarmRollback)) {
    fail(where, 'alarmRollback', 'must be an AlarmRollback', show(alarmRollback), 'Pass AlarmRollback.enabled() or AlarmRollback.breakGlass(reason).');
  }

  // Constructs and values from aws-cdk-lib, checked by shape so that any language's objects pass.
  const optional = (field: keyof ProgressiveFargateServiceProps, ok: (v: any) => boolean, what: string, fix: string) => {
    const value = props[field];
    if (value !== undefined) requireShape(where, field, value, ok(value), what, fix);
  };
  optional('cluster', v => isConstructWith(v, 'clusterName', 'vpc'), 'an ECS cluster (ecs.ICluster)', 'Pass an ecs.Cluster or ecs.Cluster.fromClusterAttributes(...), or leave cluster unset to create one.');
  optional('vpc', v => isConstructWith(v, 'vpcId') && typeof v.selectSubnets === 'function', 'a VPC (ec2.IVpc)', 'Pass an ec2.Vpc or ec2.Vpc.fromLookup(...), or leave vpc unset to create one.');
  optional('image', v => v !== null && typeof v === 'object' && typeof v.bind === 'function', 'a container image (ecs.ContainerImage)',
    'Pass ecs.ContainerImage.fromRegistry("repo:tag"), .fromEcrRepository(...) or .fromAsset(...).');
  optional('taskDefinition', v => isConstructWith(v, 'taskDefinitionArn', 'family') && v.isFargateCompatible === true, 'a Fargate task definition (ecs.FargateTaskDefinition)',
    'Pass an ecs.FargateTaskDefinition, or pass image and let the construct create it.');
  optional('loadBalancer', v => isConstructWith(v, 'loadBalancerArn', 'connections') && typeof v.addListener === 'function',
    'an Application Load Balancer (elbv2.IApplicationLoadBalancer)', 'Pass an elbv2.ApplicationLoadBalancer or ApplicationLoadBalancer.fromLookup(...).');
  optional('listener', v => isConstructWith(v, 'listenerArn') && v.isApplicationListener === true, 'an ALB listener (elbv2.IApplicationListener)',
    'Pass an elbv2.ApplicationListener or ApplicationListener.fromLookup(...).');
  optional('testListener', v => isConstructWith(v, 'listenerArn') && v.isApplicationListener === true, 'an ALB listener (elbv2.IApplicationListener)',
    'Pass an elbv2.ApplicationListener or ApplicationListener.fromLookup(...).');
  optional('certificate', v => v !== null && typeof v === 'object' && typeof v.certificateArn === 'string', 'a listener certificate (elbv2.IListenerCertificate)',
    'Pass elbv2.ListenerCertificate.fromArn(arn) or a certificate from aws-certificatemanager.');
  optional('testTrafficFrom', v => v !== null && typeof v === 'object' && typeof v.toIngressRuleConfig === 'function', 'a peer (ec2.IPeer)',
    'Pass ec2.Peer.ipv4("10.0.0.0/16") or a security group.');
  optional('notificationTopic', v => isConstructWith(v, 'topicArn'), 'an SNS topic (sns.ITopic)', 'Pass an sns.Topic or sns.Topic.fromTopicArn(...).');
  if (props.smokeTest !== undefined && !(props.smokeTest instanceof SmokeTest)) {
    fail(where, 'smokeTest', 'must be a SmokeTest', show(props.smokeTest), 'Pass SmokeTest.http({ path }) or SmokeTest.lambda(fn).');
  }
  props.smokeTest?._requireKind(where, [SmokeTestKind.HTTP, SmokeTestKind.LAMBDA],
    'SmokeTest.invoke checks a Lambda alias; use SmokeTest.http({ requests }) or SmokeTest.lambda(fn) on the test listener.');
  if (props.internetFacing !== undefined && typeof props.internetFacing !== 'boolean') {
    fail(where, 'internetFacing', 'must be true or false', show(props.internetFacing), 'Pass true for a load balancer reachable from the internet.');
  }
  if (props.serviceName !== undefined && !Token.isUnresolved(props.serviceName)
    && (typeof props.serviceName !== 'string' || !/^[A-Za-z0-9_-]{1,255}$/.test(props.serviceName))) {
    fail(where, 'serviceName', 'must be 1-255 letters, digits, "-" or "_"', show(props.serviceName), 'Pass a name such as "checkout-api".');
  }

  // Numbers.
  const port = (field: string, value: unknown) => requireNumber(where, field, value, { min: 1, max: 65535, integer: true }, 'Pass a port between 1 and 65535.');
  const containerPort = port('containerPort', props.containerPort);
  const desiredCount = requireNumber(where, 'desiredCount', props.desiredCount ?? 2, { min: 1, max: 5000, integer: true }, 'Pass the number of tasks, at least 1.');
  const listenerPort = port('listenerPort', props.listenerPort ?? (props.certificate ? 443 : 80));
  if (props.listener === undefined && props.testListener === undefined && props.testListenerPort !== undefined
    && port('testListenerPort', props.testListenerPort) === listenerPort) {
    fail(where, 'testListenerPort', 'must differ from the production listener port', String(props.testListenerPort), `Pick another port than ${listenerPort}.`);
  }
  // Listeners: the production listener is the given one or created; the test listener likewise.
  if (props.listener !== undefined) {
    if (props.listenerPort !== undefined || props.certificate !== undefined) {
      fail(where, props.listenerPort !== undefined ? 'listenerPort' : 'certificate', 'only applies to the listener the construct creates',
        props.listenerPort !== undefined ? show(props.listenerPort) : 'a certificate', 'Configure the listener you pass, or do not pass listener.');
    }
  }
  if (props.testListener !== undefined && props.testListenerPort !== undefined) {
    fail(where, 'testListenerPort', 'only applies to the test listener the construct creates', show(props.testListenerPort), 'Remove testListenerPort; the port is the one of the testListener you pass.');
  }
  let loadBalancer = props.loadBalancer;
  const listenerLb = props.listener instanceof elbv2.ApplicationListener ? props.listener.loadBalancer : undefined;
  if (props.listener !== undefined) {
    if (loadBalancer === undefined && listenerLb === undefined) {
      fail(where, 'loadBalancer', 'must be given with an imported listener: the alarms and the test listener need the load balancer', 'undefined',
        'Pass loadBalancer: the load balancer of that listener (ApplicationLoadBalancer.fromLookup or fromApplicationLoadBalancerAttributes).');
    }
    if (loadBalancer !== undefined && listenerLb !== undefined && loadBalancer !== listenerLb) {
      fail(where, 'listener', 'must belong to loadBalancer', `a listener of ${listenerLb.node.path}`, 'Pass the listener of that load balancer, or leave loadBalancer unset.');
    }
    loadBalancer = loadBalancer ?? listenerLb;
  }
  if (props.testListener instanceof elbv2.ApplicationListener && loadBalancer !== undefined && props.testListener.loadBalancer !== loadBalancer) {
    fail(where, 'testListener', 'must belong to the same load balancer as the production listener', `a listener of ${props.testListener.loadBalancer.node.path}`,
      'Pass a listener of that load balancer.');
  }
  if (props.testListener !== undefined && loadBalancer === undefined) {
    fail(where, 'testListener', 'needs the load balancer it belongs to', 'a listener without loadBalancer',
      'Pass loadBalancer (or listener) too: the test listener must be on the load balancer of the production listener.');
  }

  // Rule conditions and priority.
  let conditions: elbv2.ListenerCondition[] | undefined;
  if (props.conditions !== undefined) {
    if (!Array.isArray(props.conditions) || props.conditions.length === 0) {
      fail(where, 'conditions', 'must be a non-empty list of listener conditions', show(props.conditions),
        'Pass for example [elbv2.ListenerCondition.hostHeaders(["api.example.com"])].');
    }
    for (let i = 0; i < props.conditions.length; i++) {
      const c: unknown = props.conditions[i];
      if (!(i in props.conditions) || c === null || typeof c !== 'object' || typeof (c as any).renderRawCondition !== 'function') {
        fail(where, `conditions[${i}]`, 'must be a listener condition', i in props.conditions ? show(c) : 'an empty slot',
          'Build it with elbv2.ListenerCondition.hostHeaders([...]) or .pathPatterns([...]).');
      }
    }
    conditions = [...props.conditions];
    // An ALB rule takes at most 5 condition values in all (host headers, path patterns, …).
    const values = conditions.map(c => c.renderRawCondition()).reduce((n: number, raw: any) => n + conditionValues(raw), 0);
    if (values > MAX_CONDITION_VALUES) {
      fail(where, 'conditions', `must have at most ${MAX_CONDITION_VALUES} values in all: an ALB listener rule takes no more`, `${values} values`,
        'Use fewer host names or path patterns (a wildcard pattern such as "/api/*" covers many paths), or split the service\'s traffic differently.');
    }
  }
  let priority = 1;
  if (props.priority !== undefined) {
    priority = requireNumber(where, 'priority', props.priority, { min: 1, max: 50000, integer: true }, 'Pass a rule priority between 1 and 50000, unique on the listener.');
  }
  const sharedListener = props.listener !== undefined || props.testListener !== undefined;
  if (sharedListener && (conditions === undefined || props.priority === undefined)) {
    fail(where, conditions === undefined ? 'conditions' : 'priority', 'must be given with a listener you pass: the service gets a rule on that listener, beside the rules of other services',
      'undefined', 'Pass conditions (host header and/or path patterns that select this service) and a priority unique on the listener.');
  }
  if (!sharedListener && props.priority !== undefined && conditions === undefined) {
    fail(where, 'priority', 'only applies with conditions', show(props.priority), 'Pass conditions, or remove priority.');
  }

  // The task definition.
  if ((props.image === undefined) === (props.taskDefinition === undefined)) {
    fail(where, 'image/taskDefinition', 'must be given exactly one of the two', props.image ? 'both' : 'neither',
      'Pass image (the construct creates the task definition) or taskDefinition.');
  }
  if (props.taskDefinition !== undefined && (props.cpu !== undefined || props.memoryLimitMiB !== undefined)) {
    fail(where, 'cpu/memoryLimitMiB', 'only apply to the task definition created for image', 'set with taskDefinition', 'Set them on your task definition instead.');
  }
  let cpu = 256;
  let memoryLimitMiB = 512;
  if (props.taskDefinition === undefined) {
    cpu = requireNumber(where, 'cpu', props.cpu ?? 256, { min: 256, max: 16384, integer: true }, 'Pass 256, 512, 1024, 2048, 4096, 8192 or 16384.');
    if (FARGATE_MEMORY[cpu] === undefined) {
      fail(where, 'cpu', 'must be a Fargate CPU size', show(cpu), 'Pass 256, 512, 1024, 2048, 4096, 8192 or 16384.');
    }
    memoryLimitMiB = requireNumber(where, 'memoryLimitMiB', props.memoryLimitMiB ?? FARGATE_MEMORY[cpu][0], { min: 512, max: 122880, integer: true },
      'Pass a memory size Fargate offers for the CPU size.');
    if (!fargateMemoryOk(cpu, memoryLimitMiB)) {
      const [min, max, step] = FARGATE_MEMORY[cpu];
      fail(where, 'memoryLimitMiB', `must be a memory size Fargate offers with ${cpu} CPU units`, show(memoryLimitMiB),
        step === 0 ? 'Pass 512, 1024 or 2048.' : `Pass ${min} to ${max} in steps of ${step}.`);
    }
  }
  let containerName: string | undefined;
  if (props.taskDefinition !== undefined) {
    const container = props.taskDefinition.defaultContainer;
    if (container === undefined) {
      fail(where, 'taskDefinition', 'must have an essential container', 'none', 'Add a container with taskDefinition.addContainer(...).');
    }
    if (!container.portMappings.some(m => m.containerPort === containerPort)) {
      fail(where, 'containerPort', `must be mapped by the task definition's default container "${container.containerName}"`, String(containerPort),
        `Add portMappings: [{ containerPort: ${containerPort} }] to that container, or pass its port.`);
    }
    containerName = container.containerName;
  }
  const healthCheckPath = props.healthCheckPath ?? '/';
  if (typeof healthCheckPath !== 'string' || (!Token.isUnresolved(healthCheckPath) && !healthCheckPath.startsWith('/'))) {
    fail(where, 'healthCheckPath', 'must start with "/"', show(healthCheckPath), 'Pass a path such as "/health".');
  }
  if (healthCheckPath.length > 1024) {
    fail(where, 'healthCheckPath', 'must be at most 1024 characters', `${healthCheckPath.length} characters`, 'Pass a shorter path.');
  }
  if (props.loadBalancer !== undefined && props.internetFacing !== undefined) {
    fail(where, 'internetFacing', 'only applies to the load balancer the construct creates', String(props.internetFacing), 'Remove it, or do not pass loadBalancer.');
  }
  if (props.cluster !== undefined && props.vpc !== undefined) {
    fail(where, 'vpc', 'only applies to the cluster the construct creates', 'set with cluster', 'Remove vpc; the cluster\'s VPC is used.');
  }

  // The test listener exists only for what reaches it: the smoke test, the peers of testTrafficFrom, or
  // the shared test listener passed in. Neither engine requires one: the test listener rule of an ECS
  // native blue/green, canary or linear deployment is optional (AlternateTarget.testListener), and so
  // is the test traffic route of a CodeDeploy ECS deployment group, which then skips the
  // AfterAllowTestTraffic hook.
  // A header-only preview on ECS native is the test route itself: a rule on the production listener,
  // and ECS manages one test listener rule per service, so no separate test listener goes with it.
  const headerPreview = engine.kind === EcsEngineKind.NATIVE && props.strategy.headerPreview !== undefined;
  if (headerPreview) {
    const route = props.strategy.headerPreview!.match.describe();
    const why = `the header-only preview's rule on the production listener (${route}) is the service's test route, and ECS switches one test listener rule per service`;
    if (props.testTrafficFrom !== undefined) {
      fail(where, 'testTrafficFrom', `cannot be combined with a header-only preview: ${why}; a separate test listener would never reach the new version`, 'set',
        'Remove testTrafficFrom: whoever reaches the production listener reaches the new version during the preview by sending the header.');
    }
    if (props.testListener !== undefined) {
      fail(where, 'testListener', `cannot be combined with a header-only preview: ${why}`, props.testListener.node.path,
        'Remove testListener (the preview needs none), or remove headerPreview to keep the shared test listener.');
    }
    if (props.testListenerPort !== undefined) {
      fail(where, 'testListenerPort', `cannot be combined with a header-only preview: ${why}, so no test listener is created`, show(props.testListenerPort), 'Remove testListenerPort.');
    }
  }
  const wantsTestListener = !headerPreview
    && (props.smokeTest !== undefined || props.testTrafficFrom !== undefined || props.testListener !== undefined);
  if (props.testListener !== undefined && props.testTrafficFrom !== undefined) {
    fail(where, 'testTrafficFrom', 'only opens the test listener the construct creates', 'set with testListener',
      'Open the test listener you pass yourself (listener.connections.allowDefaultPortFrom(peer)), or remove testListener.');
  }

  // Map the strategy first: whatever the engine cannot express fails before any resource exists.
  const native = engine.kind === EcsEngineKind.NATIVE
    ? renderNative(where, props.strategy, engine, desiredCount, props.smokeTest, wantsTestListener) : undefined;
  const cd = engine.kind === EcsEngineKind.CODE_DEPLOY
    ? renderCodeDeploy(where, props.strategy, engine, 'CodeDeploy', props.smokeTest, wantsTestListener) : undefined;
  const blueGreen = native ? native.blueGreen : true;
  const headerRoute = native?.headerRoute;
  if (headerRoute !== undefined) {
    // The header rule takes the priority just before the service's production rule, and the service's
    // conditions plus the header condition.
    if (props.priority === undefined) {
      priority = 2;
    } else if (priority < 2) {
      fail(where, 'priority', 'must be at least 2 with a header-only preview: the preview\'s rule takes the priority just before the production rule (priority - 1)', show(priority),
        'Pass a priority of 2 or more, with priority - 1 free on the listener too.');
    }
    const values = (conditions ?? []).map(c => c.renderRawCondition()).reduce((n: number, raw: any) => n + conditionValues(raw), 0);
    if (values + 1 > MAX_CONDITION_VALUES) {
      fail(where, 'conditions', `must have at most ${MAX_CONDITION_VALUES - 1} values in all with a header-only preview: the preview's rule adds the header value to them, and an ALB listener rule takes at most ${MAX_CONDITION_VALUES}`,
        `${values} values`, 'Use fewer host names or path patterns (a wildcard pattern such as "/api/*" covers many paths).');
    }
  }
  if (!blueGreen && props.testTrafficFrom !== undefined) {
    fail(where, 'testTrafficFrom', 'needs a test listener, which a rolling deployment does not have', 'set', 'Remove testTrafficFrom.');
  }
  if (!blueGreen && props.testListener !== undefined) {
    fail(where, 'testListener', 'needs a blue/green, canary or linear strategy: a rolling deployment has no test route', props.testListener.node.path, 'Remove testListener.');
  }
  const hasTestListener = blueGreen && wantsTestListener;
  if (props.testListenerPort !== undefined && !hasTestListener) {
    if (blueGreen) {
      fail(where, 'testListenerPort', 'only applies to the test listener, which is created for a smokeTest or testTrafficFrom', String(props.testListenerPort),
        'Remove testListenerPort, or set smokeTest or testTrafficFrom (who may reach the test listener).');
    }
    fail(where, 'testListenerPort', 'needs a test listener, which a rolling deployment does not have', String(props.testListenerPort), 'Remove testListenerPort.');
  }
  let testPort: number | undefined;
  if (props.testListener !== undefined) {
    testPort = props.testListener instanceof elbv2.ApplicationListener ? props.testListener.port : undefined;
  } else {
    testPort = port('testListenerPort', props.testListenerPort ?? DEFAULT_TEST_PORT);
  }

  // The production listener the construct creates accepts the VPC's address range unless the load
  // balancer it creates is internet-facing: that range must be known.
  const internetFacing = props.internetFacing ?? false;
  if (props.listener === undefined && !(props.loadBalancer === undefined && internetFacing)) {
    const vpc = props.cluster?.vpc ?? props.vpc;
    let known = true;
    try {
      if (vpc !== undefined) void vpc.vpcCidrBlock;
    } catch {
      known = false;
    }
    if (!known) {
      fail(where, props.cluster ? 'cluster.vpc' : 'vpc', 'must have a known address range: the listener the construct creates accepts clients from the VPC',
        'a VPC imported without vpcCidrBlock', 'Pass vpcCidrBlock to ec2.Vpc.fromVpcAttributes (or use ec2.Vpc.fromLookup), or pass your own listener.');
    }
  }

  // Listeners the construct creates on a load balancer it is given must not take a port already in use.
  if (loadBalancer instanceof elbv2.ApplicationLoadBalancer) {
    const used = (p: number) => loadBalancer.listeners.find(l => l.port === p);
    const clash = (field: string, p: number) => {
      const other = used(p);
      if (other) {
        fail(where, field, `is already used on the load balancer by ${other.node.path}`, String(p),
          'Share that listener: pass listener (and testListener) with conditions and a priority, or pick a free port.');
      }
    };
    if (props.listener === undefined) clash('listenerPort', listenerPort);
    if (hasTestListener && props.testListener === undefined) clash('testListenerPort', testPort!);
  }

  // The HTTP smoke test sends a plain GET to the test listener: the service's rule has to match it.
  const smokeTest = props.smokeTest;
  if (smokeTest !== undefined && smokeTest.function === undefined) {
    if (hasTestListener && testPort === undefined) {
      fail(where, 'smokeTest', 'needs the port of the test listener, which an imported listener does not tell', 'SmokeTest.http with an imported testListener',
        'Pass the elbv2.ApplicationListener itself as testListener, or use SmokeTest.lambda(fn).');
    }
    if (conditions !== undefined) {
      const raw = conditions.map(c => c.renderRawCondition());
      (smokeTest.requests ?? []).forEach((request, i) => {
        const miss = raw.find(r => !requestMatches(r, request));
        if (miss !== undefined) {
          fail(where, `smokeTest.requests[${i}]`, `does not match the ${miss.field} condition of the service's rule, so it would not reach the new version`,
            `${request.method ?? 'GET'} ${request.path ?? '/'}${request.headers ? ` with headers ${JSON.stringify(request.headers)}` : ''}`,
            miss.field === 'source-ip' ? 'A source-ip condition cannot be checked here: use SmokeTest.lambda(fn).'
              : 'Send what the rule matches (a path its patterns match, a Host header for a host-header condition), or use SmokeTest.lambda(fn).');
        }
      });
    }
  }
  const httpSmokeTest = smokeTest !== undefined && smokeTest.function === undefined;
  let smokeTestTarget: FargateInput['smokeTestTarget'];
  if (httpSmokeTest && headerRoute !== undefined) {
    // The smoke test reaches the new version the way testers do: on the production listener, with the header.
    const fix = 'Use SmokeTest.lambda(fn), whose function sends the header itself to the listener you choose, or remove smokeTest.';
    const test = 'SmokeTest.http with a header-only preview';
    if (props.listener !== undefined) {
      fail(where, 'smokeTest', 'cannot reach a shared production listener with a header-only preview: the HTTP smoke test sends its requests with the preview header to the production listener, and the construct neither knows how a listener it did not create is reached nor opens it',
        test, fix);
    }
    if (props.certificate !== undefined) {
      fail(where, 'smokeTest', 'cannot reach an HTTPS production listener with a header-only preview: the HTTP smoke test would connect to the load balancer\'s DNS name, which the certificate does not name',
        test, fix);
    }
    if (props.loadBalancer === undefined && internetFacing) {
      fail(where, 'smokeTest', 'cannot reach the production listener of an internet-facing load balancer from its security group with a header-only preview: the request leaves the VPC through the NAT gateway',
        test, `Leave internetFacing unset (an internal load balancer), or: ${fix}`);
    }
    (smokeTest.requests ?? []).forEach((request, i) => {
      const own = Object.keys(request.headers ?? {}).find(k => k.toLowerCase() === headerRoute.headerName.toLowerCase());
      if (own !== undefined) {
        fail(where, `smokeTest.requests[${i}].headers`, `must not set ${headerRoute.headerName}: with a header-only preview the smoke test sends it itself (${headerRoute.headerName}: ${headerRoute.sampleValue}) on every request, to reach the new version`,
          `${own}: ${request.headers![own]}`, `Remove ${own} from the request's headers.`);
      }
    });
    const via = `on the production listener with ${headerRoute.headerName}: ${headerRoute.sampleValue}`;
    const headers = { [headerRoute.headerName]: headerRoute.sampleValue };
    smokeTest._requireFitsWith(where, headers);
    smokeTestTarget = { port: listenerPort, headers, via };
  } else if (httpSmokeTest && hasTestListener) {
    smokeTestTarget = { port: testPort!, via: 'on the test listener' };
  }
  if (httpSmokeTest && headerRoute === undefined && props.loadBalancer === undefined && internetFacing && props.testTrafficFrom === undefined) {
    fail(where, 'smokeTest', 'cannot reach the test listener of an internet-facing load balancer from its security group: the request leaves the VPC through the NAT gateway',
      'SmokeTest.http with internetFacing: true', 'Leave internetFacing unset (an internal load balancer), or set testTrafficFrom to the NAT gateways\' addresses (ec2.Peer.ipv4("203.0.113.10/32")).');
  }

  const analysis = native ? native.analysis : cd!.analysis;
  if (!alarmRollback.isEnabled && analysis === undefined) {
    fail(where, 'alarmRollback', 'has no alarms to turn off: the strategy has no analysis', `AlarmRollback.breakGlass(${show(alarmRollback.reason)})`,
      'Remove alarmRollback.');
  }
  const alarmNamePrefix = props.alarmNamePrefix === undefined ? undefined : requireAlarmNamePrefix(where, props.alarmNamePrefix);
  const notificationEngine = native ? NotificationEngine.ECS_NATIVE : NotificationEngine.CODE_DEPLOY_ECS;
  const notificationEvents = checkNotificationEvents(where, notificationEngine, props.notificationTopic !== undefined, props.notificationEvents,
    {
      pauses: native ? native.manualGate !== undefined || native.previewGate !== undefined : cd!.approvalWaitTime !== undefined,
      hasChecks: analysis !== undefined,
      canaryGate: native?.canaryGate !== undefined,
    });
  const runbookParameterName = requireRunbookParameterName(where, props.runbookParameterName);
  // The migration checks, and the SQL parser behind them, load only for a service with migrations.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const migrationsModule = props.migrations === undefined ? undefined : require('./migrations') as typeof ecsMigrations;
  const migrations = migrationsModule?.checkEcsMigrations(where, props.migrations, { codeDeploy: cd !== undefined, rolling: !blueGreen });
  const strategyPlan = ecsPlan(native ? native.plan : cd!.plan, analysis !== undefined, alarmRollback);
  const migrationPlan = migrations ? migrationsModule!.ecsMigrationPlan(strategyPlan, migrations) : strategyPlan;
  // The user's hooks (src/aws/private/hooks.ts): the smoke test already takes AfterAllowTestTraffic on CodeDeploy.
  const hooks = checkDeploymentHooks(where, props.hooks, {
    codeDeploy: cd !== undefined,
    rolling: !blueGreen,
    testListener: hasTestListener || headerRoute !== undefined,
    reserved: cd === undefined ? [] : [
      ...(props.smokeTest !== undefined ? [{ stage: 'AfterAllowTestTraffic', by: 'the smokeTest' }] : []),
      ...(migrations !== undefined ? [{ stage: 'BeforeInstall', by: 'the migrations' }] : []),
    ],
  });
  const hookedPlan = hooks.length === 0 ? migrationPlan : withPlanNotes(migrationPlan, hookPlanNotes(hooks));
  // CodeDeploy deployments started by the stack update (src/aws/private/stack-deployment.ts).
  // Who hears what (src/aws/private/notifications.ts).
  const notifiedPlan = props.notificationTopic === undefined ? hookedPlan
    : withPlanNotes(hookedPlan, [notificationPlanNote(notificationEngine, notificationEvents)]);
  const plan = cd !== undefined && engine.deployOnStackUpdate ? checkStackDeployment(where, notifiedPlan, cd.approvalWaitTime) : notifiedPlan;

  return {
    where,
    strategy: props.strategy,
    engine,
    native,
    cd,
    blueGreen,
    hasTestListener,
    headerRoute,
    smokeTestTarget,
    analysis,
    plan,
    migrations,
    alarmRollback,
    notificationEvents,
    hooks,
    containerPort,
    desiredCount,
    listenerPort,
    testPort,
    healthCheckPath,
    internetFacing,
    loadBalancer,
    conditions,
    priority,
    alarmNamePrefix,
    runbookParameterName,
    containerName,
    cpu,
    memoryLimitMiB,
  };
}

/** Whether an ALB pattern (`*` any characters, `?` one character) matches a value. */
export function patternMatches(pattern: string, value: string, caseSensitive: boolean): boolean {
  const regex = pattern.split('').map(ch => ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')).join('');
  return new RegExp(`^${regex}$`, caseSensitive ? '' : 'i').test(value);
}

/**
 * Whether an HTTP smoke-test request satisfies one rendered listener condition (the values of one
 * condition are alternatives; the conditions of a rule must all hold). A condition whose values are
 * tokens is taken as matching; a source-ip condition never is (the function's address is not known).
 */
export function requestMatches(raw: any, request: SmokeTestRequest): boolean {
  const [path, query = ''] = (request.path ?? '/').split('?');
  const header = (name: string) => Object.entries(request.headers ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  const any = (values: string[], test: (v: string) => boolean) => values.some(v => Token.isUnresolved(v) || test(v));
  switch (raw.field) {
    case 'path-pattern':
      return any(raw.pathPatternConfig?.values ?? raw.values ?? [], p => patternMatches(p, path, true));
    case 'host-header': {
      const host = header('host')?.split(':')[0];
      return host !== undefined && any(raw.hostHeaderConfig?.values ?? raw.values ?? [], h => patternMatches(h, host, false));
    }
    case 'http-header': {
      const value = header(raw.httpHeaderConfig.httpHeaderName);
      return value !== undefined && any(raw.httpHeaderConfig.values, v => patternMatches(v, value, false));
    }
    case 'http-request-method':
      return (raw.httpRequestMethodConfig.values as string[]).includes(request.method ?? 'GET');
    case 'query-string': {
      const pairs = query.split('&').filter(Boolean).map(kv => kv.split('=').map(decodeURIComponent));
      return (raw.queryStringConfig.values as Array<{ key?: string; value: string }>)
        .some(q => pairs.some(([k, v = '']) => (q.key === undefined || patternMatches(q.key, k, false)) && patternMatches(q.value, v, false)));
    }
    default:
      return false;
  }
}

