import { Annotations, CfnOutput, Duration, Fn, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codedeploy from 'aws-cdk-lib/aws-codedeploy';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventsTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { EcsEngine, EcsEngineKind } from './ecs-engine';
import { DeploymentStrategy } from '../strategy/deployment-strategy';
import { fail, requireNumber, show } from '../private/validate';
import { RolloutPlan } from '../strategy/rollout-plan';
import { codeDeployAlarms, createAlbAlarms, defaultAlarmNamePrefix, requireAlarmNamePrefix } from './private/alarms';
import { handlerCode } from './private/handler-code';
import { CodeDeployRender, NativeRender, renderCodeDeploy, renderNative } from './private/render';
import { SmokeTest, SmokeTestKind } from './smoke-test';

/** Options for `ProgressiveFargateService`. */
export interface ProgressiveFargateServiceProps {
  /** How a new version replaces the old one. */
  readonly strategy: DeploymentStrategy;
  /**
   * The engine that runs the deployments.
   * @default EcsEngine.native()
   */
  readonly engine?: EcsEngine;
  /**
   * The cluster the service runs in.
   * @default - a new cluster in `vpc`, with Container Insights enabled so that task-level metrics
   * are there when a deployment has to be investigated
   */
  readonly cluster?: ecs.ICluster;
  /**
   * The VPC of the new cluster (when `cluster` is not passed).
   * @default - the cluster's VPC, or a new VPC with two availability zones
   */
  readonly vpc?: ec2.IVpc;
  /**
   * The container image; the construct creates a Fargate task definition for it. Pass either
   * `image` or `taskDefinition`.
   * @default - `taskDefinition` is used
   */
  readonly image?: ecs.ContainerImage;
  /**
   * Your Fargate task definition; its default (first essential) container must map `containerPort`.
   * Pass either `image` or `taskDefinition`.
   * @default - a task definition is created for `image`
   */
  readonly taskDefinition?: ecs.FargateTaskDefinition;
  /** The port the container listens on. */
  readonly containerPort: number;
  /**
   * CPU units of the task created for `image`.
   * @default 256
   */
  readonly cpu?: number;
  /**
   * Memory (MiB) of the task created for `image`.
   * @default 512
   */
  readonly memoryLimitMiB?: number;
  /**
   * Number of tasks.
   * @default 2
   * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecs-service.html#cfn-ecs-service-desiredcount
   */
  readonly desiredCount?: number;
  /**
   * Path of the target groups' health check.
   * @default "/"
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html
   */
  readonly healthCheckPath?: string;
  /**
   * The load balancer that gets the production listener (and the test listener, when there is one).
   * @default - a new Application Load Balancer
   */
  readonly loadBalancer?: elbv2.IApplicationLoadBalancer;
  /**
   * Whether the new load balancer is internet-facing (only when `loadBalancer` is not passed).
   * @default true
   */
  readonly internetFacing?: boolean;
  /**
   * A certificate for the production listener, which then speaks HTTPS.
   * @default - the production listener speaks HTTP
   * @see https://docs.aws.amazon.com/elasticloadbalancing/latest/application/create-https-listener.html
   */
  readonly certificate?: elbv2.IListenerCertificate;
  /**
   * Port of the production listener.
   * @default 443 with a certificate, otherwise 80
   */
  readonly listenerPort?: number;
  /**
   * Port of the HTTP test listener, on which the new version is reachable before it takes production
   * traffic. Only with a test listener, that is with a `smokeTest` or `testTrafficFrom`.
   * @default 9000
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/alb-resources-for-blue-green.html
   */
  readonly testListenerPort?: number;
  /**
   * Who may reach the test listener, besides the HTTP smoke test. Setting it creates the test listener
   * even without a smoke test, for example for a person or a pipeline to check the new version before
   * it takes production traffic (any `ec2.IPeer`: an address range or a security group).
   * @default - nobody else; without a smoke test there is no test listener
   */
  readonly testTrafficFrom?: ec2.IPeer;
  /**
   * A check of the new version on the test listener before it takes production traffic.
   * @default - no smoke test
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-lifecycle-hooks.html
   */
  readonly smokeTest?: SmokeTest;
  /**
   * A topic notified of deployment events (ECS deployment state changes through EventBridge, or
   * CodeDeploy triggers).
   * @default - no notifications
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs_service_deployment_events.html
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Prefix of the rollback alarm names (`<prefix>-<check name>`).
   * @default - a name derived from the construct path, unique in the account and region
   * @see https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
   */
  readonly alarmNamePrefix?: string;
  /**
   * Name of the ECS service.
   * @default - a CloudFormation-generated name
   */
  readonly serviceName?: string;
}

const DEFAULT_TEST_PORT = 9000;

/**
 * An ECS/Fargate service behind an Application Load Balancer, deployed progressively as declared by a
 * `DeploymentStrategy`: blue and green target groups, a production listener, a test listener when a
 * smoke test or `testTrafficFrom` uses it, rollback alarms from the analysis, and the ECS native or
 * CodeDeploy deployment configuration.
 */
export class ProgressiveFargateService extends Construct {
  /** The engine that runs the deployments. */
  public readonly engine: EcsEngine;
  /** The cluster the service runs in. */
  public readonly cluster: ecs.ICluster;
  /** The task definition of the service. */
  public readonly taskDefinition: ecs.FargateTaskDefinition;
  /** The ECS service. */
  public readonly service: ecs.FargateService;
  /** The security group of the service's tasks. */
  public readonly securityGroup: ec2.ISecurityGroup;
  /** The load balancer. */
  public readonly loadBalancer: elbv2.IApplicationLoadBalancer;
  /** The production listener. */
  public readonly listener: elbv2.ApplicationListener;
  /** The test listener (with a smoke test or `testTrafficFrom`; never with a rolling strategy). */
  public readonly testListener?: elbv2.ApplicationListener;
  /** The target group that serves production traffic before the first deployment. */
  public readonly blueTargetGroup: elbv2.ApplicationTargetGroup;
  /** The target group of the next version (every strategy but rolling). */
  public readonly greenTargetGroup?: elbv2.ApplicationTargetGroup;
  /** The production listener rule whose weights ECS shifts (ECS native, every strategy but rolling). */
  public readonly productionListenerRule?: elbv2.ApplicationListenerRule;
  /** The test listener rule ECS points at the new version (ECS native, when there is a test listener). */
  public readonly testListenerRule?: elbv2.ApplicationListenerRule;
  /** The rollback alarms, one per health check. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** The names of the rollback alarms. */
  public readonly alarmNames: string[];
  /** The composite alarm given to CodeDeploy when there are more than 10 alarms. */
  public readonly compositeAlarm?: cloudwatch.IAlarm;
  /** The function of the smoke test. */
  public readonly smokeTestFunction?: lambda.IFunction;
  /** The CodeDeploy application (CodeDeploy engine). */
  public readonly application?: codedeploy.IEcsApplication;
  /** The CodeDeploy deployment group (CodeDeploy engine). */
  public readonly deploymentGroup?: codedeploy.IEcsDeploymentGroup;
  /** The CodeDeploy deployment configuration (CodeDeploy engine). */
  public readonly deploymentConfig?: codedeploy.IEcsDeploymentConfig;
  /** The EventBridge rule that forwards ECS deployment events to the topic (ECS native, with a topic). */
  public readonly notificationRule?: events.IRule;
  /** What this engine will do on each deployment. */
  public readonly plan: RolloutPlan;

  private readonly containerName: string;
  private readonly containerPort: number;

  constructor(scope: Construct, id: string, props: ProgressiveFargateServiceProps) {
    super(scope, id);
    const where = `ProgressiveFargateService ${this.node.path}`;
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { strategy, containerPort, image }.');
    }
    if (!(props.strategy instanceof DeploymentStrategy)) {
      fail(where, 'strategy', 'must be a DeploymentStrategy', show(props.strategy), 'Build it with DeploymentStrategy.canary, .linear, .blueGreen, .rolling or .allAtOnce.');
    }
    const engine = props.engine ?? EcsEngine.native();
    if (!(engine instanceof EcsEngine)) {
      fail(where, 'engine', 'must be an EcsEngine', show(engine), 'Pass EcsEngine.native() or EcsEngine.codeDeploy().');
    }
    this.engine = engine;
    const port = (field: string, value: unknown) => requireNumber(where, field, value, { min: 1, max: 65535, integer: true }, 'Pass a port between 1 and 65535.');
    this.containerPort = port('containerPort', props.containerPort);
    const desiredCount = requireNumber(where, 'desiredCount', props.desiredCount ?? 2, { min: 1, max: 5000, integer: true }, 'Pass the number of tasks, at least 1.');
    const listenerPort = port('listenerPort', props.listenerPort ?? (props.certificate ? 443 : 80));
    const testPort = port('testListenerPort', props.testListenerPort ?? DEFAULT_TEST_PORT);
    if (testPort === listenerPort) {
      fail(where, 'testListenerPort', 'must differ from the production listener port', String(testPort), `Pick another port than ${listenerPort}.`);
    }
    if (props.smokeTest !== undefined && !(props.smokeTest instanceof SmokeTest)) {
      fail(where, 'smokeTest', 'must be a SmokeTest', show(props.smokeTest), 'Pass SmokeTest.http({ path }) or SmokeTest.lambda(fn).');
    }
    props.smokeTest?._requireKind(where, [SmokeTestKind.HTTP, SmokeTestKind.LAMBDA],
      'SmokeTest.invoke checks a Lambda alias; use SmokeTest.http({ requests }) or SmokeTest.lambda(fn) on the test listener.');
    if ((props.image === undefined) === (props.taskDefinition === undefined)) {
      fail(where, 'image/taskDefinition', 'must be given exactly one of the two', props.image ? 'both' : 'neither',
        'Pass image (the construct creates the task definition) or taskDefinition.');
    }
    if (props.taskDefinition !== undefined && (props.cpu !== undefined || props.memoryLimitMiB !== undefined)) {
      fail(where, 'cpu/memoryLimitMiB', 'only apply to the task definition created for image', 'set with taskDefinition', 'Set them on your task definition instead.');
    }
    const healthCheckPath = props.healthCheckPath ?? '/';
    if (typeof healthCheckPath !== 'string' || !healthCheckPath.startsWith('/')) {
      fail(where, 'healthCheckPath', 'must start with "/"', show(healthCheckPath), 'Pass a path such as "/health".');
    }
    if (props.loadBalancer !== undefined && props.internetFacing !== undefined) {
      fail(where, 'internetFacing', 'only applies to the load balancer the construct creates', String(props.internetFacing), 'Remove it, or do not pass loadBalancer.');
    }

    // The test listener exists only for what reaches it: the smoke test, or the peers of testTrafficFrom.
    // Neither engine requires one: the test listener rule of an ECS native blue/green, canary or linear
    // deployment is optional (AlternateTarget.testListener), and so is the test traffic route of a
    // CodeDeploy ECS deployment group, which then skips the AfterAllowTestTraffic hook.
    const wantsTestListener = props.smokeTest !== undefined || props.testTrafficFrom !== undefined;

    // Map the strategy first: whatever the engine cannot express fails before any resource exists.
    const native: NativeRender | undefined = engine.kind === EcsEngineKind.NATIVE
      ? renderNative(where, props.strategy, engine, desiredCount, props.smokeTest, wantsTestListener) : undefined;
    const cd: CodeDeployRender | undefined = engine.kind === EcsEngineKind.CODE_DEPLOY
      ? renderCodeDeploy(where, props.strategy, engine, 'CodeDeploy', props.smokeTest, wantsTestListener) : undefined;
    const blueGreen = native ? native.blueGreen : true;
    if (!blueGreen && props.testTrafficFrom !== undefined) {
      fail(where, 'testTrafficFrom', 'needs a test listener, which a rolling deployment does not have', 'set', 'Remove testTrafficFrom.');
    }
    const hasTestListener = blueGreen && wantsTestListener;
    if (props.testListenerPort !== undefined && !hasTestListener) {
      if (blueGreen) {
        fail(where, 'testListenerPort', 'only applies to the test listener, which is created for a smokeTest or testTrafficFrom', String(props.testListenerPort),
          'Remove testListenerPort, or set smokeTest or testTrafficFrom (who may reach the test listener).');
      }
      fail(where, 'testListenerPort', 'needs a test listener, which a rolling deployment does not have', String(props.testListenerPort), 'Remove testListenerPort.');
    }
    const analysis = native ? native.analysis : cd!.analysis;
    this.plan = native ? native.plan : cd!.plan;
    const prefix = props.alarmNamePrefix === undefined ? defaultAlarmNamePrefix(this) : requireAlarmNamePrefix(where, props.alarmNamePrefix);

    // Network and compute.
    if (props.cluster !== undefined && props.vpc !== undefined) {
      fail(where, 'vpc', 'only applies to the cluster the construct creates', 'set with cluster', 'Remove vpc; the cluster\'s VPC is used.');
    }
    this.cluster = props.cluster ?? new ecs.Cluster(this, 'Cluster', {
      vpc: props.vpc ?? new ec2.Vpc(this, 'Vpc', { maxAzs: 2 }),
      containerInsightsV2: ecs.ContainerInsights.ENABLED,
    });
    const vpc = this.cluster.vpc;
    if (props.taskDefinition !== undefined) {
      this.taskDefinition = props.taskDefinition;
      const container = props.taskDefinition.defaultContainer;
      if (container === undefined) {
        fail(where, 'taskDefinition', 'must have an essential container', 'none', 'Add a container with taskDefinition.addContainer(...).');
      }
      if (!container.portMappings.some(m => m.containerPort === this.containerPort)) {
        fail(where, 'containerPort', `must be mapped by the task definition's default container "${container.containerName}"`, String(this.containerPort),
          `Add portMappings: [{ containerPort: ${this.containerPort} }] to that container, or pass its port.`);
      }
      this.containerName = container.containerName;
    } else {
      this.taskDefinition = new ecs.FargateTaskDefinition(this, 'TaskDefinition', { cpu: props.cpu ?? 256, memoryLimitMiB: props.memoryLimitMiB ?? 512 });
      this.containerName = 'app';
      this.taskDefinition.addContainer('app', {
        image: props.image!,
        portMappings: [{ containerPort: this.containerPort }],
        logging: ecs.LogDrivers.awsLogs({ streamPrefix: 'app', logRetention: logs.RetentionDays.ONE_MONTH }),
      });
    }

    // Load balancer, target groups and listeners.
    const internetFacing = props.internetFacing ?? true;
    this.loadBalancer = props.loadBalancer ?? new elbv2.ApplicationLoadBalancer(this, 'LoadBalancer', { vpc, internetFacing });
    const targetGroup = (name: string) => new elbv2.ApplicationTargetGroup(this, name, {
      vpc,
      port: this.containerPort,
      protocol: elbv2.ApplicationProtocol.HTTP,
      targetType: elbv2.TargetType.IP,
      healthCheck: { path: healthCheckPath },
      deregistrationDelay: Duration.seconds(30),
    });
    this.blueTargetGroup = targetGroup('BlueTargetGroup');
    this.greenTargetGroup = blueGreen ? targetGroup('GreenTargetGroup') : undefined;
    this.listener = this.loadBalancer.addListener('Listener', {
      port: listenerPort,
      protocol: props.certificate ? elbv2.ApplicationProtocol.HTTPS : elbv2.ApplicationProtocol.HTTP,
      certificates: props.certificate ? [props.certificate] : undefined,
      defaultTargetGroups: [this.blueTargetGroup],
      open: true,
    });
    if (hasTestListener) {
      this.testListener = this.loadBalancer.addListener('TestListener', {
        port: testPort,
        protocol: elbv2.ApplicationProtocol.HTTP,
        defaultTargetGroups: [this.blueTargetGroup],
        open: false,
      });
      if (props.testTrafficFrom !== undefined) {
        this.testListener.connections.allowDefaultPortFrom(props.testTrafficFrom, 'Test traffic to the new version');
      }
    }
    if (native && blueGreen) {
      // ECS shifts the weights of these rules between the blue and green target groups.
      const rule = (ruleId: string, listener: elbv2.ApplicationListener) => new elbv2.ApplicationListenerRule(this, ruleId, {
        listener,
        priority: 1,
        conditions: [elbv2.ListenerCondition.pathPatterns(['/*'])],
        action: elbv2.ListenerAction.weightedForward([
          { targetGroup: this.blueTargetGroup, weight: 100 },
          { targetGroup: this.greenTargetGroup!, weight: 0 },
        ]),
      });
      this.productionListenerRule = rule('ProductionListenerRule', this.listener);
      this.testListenerRule = this.testListener ? rule('TestListenerRule', this.testListener) : undefined;
    }

    // Rollback alarms: the version under test is on the blue or the green target group, so each alarm watches both.
    const loadBalancerFullName = this.loadBalancer instanceof elbv2.ApplicationLoadBalancer
      ? this.loadBalancer.loadBalancerFullName
      : Fn.select(1, Fn.split('loadbalancer/', this.loadBalancer.loadBalancerArn));
    const alarms = analysis === undefined ? [] : createAlbAlarms(this, analysis, {
      loadBalancerFullName,
      targetGroupFullNames: [this.blueTargetGroup, this.greenTargetGroup]
        .filter((t): t is elbv2.ApplicationTargetGroup => t !== undefined)
        .map(t => t.targetGroupFullName),
    }, prefix);
    this.alarms = alarms;
    this.alarmNames = analysis === undefined ? [] : analysis.checks.map(c => `${prefix}-${c.name}`);

    // Smoke test function.
    const smokeTest = props.smokeTest;
    let smokeFn: lambda.IFunction | undefined;
    if (smokeTest?.function !== undefined) {
      smokeFn = smokeTest.function;
    } else if (smokeTest !== undefined) {
      if (props.loadBalancer === undefined && internetFacing && props.testTrafficFrom === undefined) {
        fail(where, 'smokeTest', 'cannot reach the test listener of an internet-facing load balancer from its security group: the request leaves the VPC through the NAT gateway',
          'SmokeTest.http with internetFacing: true', 'Set internetFacing: false, or set testTrafficFrom to the NAT gateways\' addresses (ec2.Peer.ipv4("203.0.113.10/32")).');
      }
      smokeFn = this.createSmokeTestFunction(smokeTest, vpc, testPort, engine.kind === EcsEngineKind.CODE_DEPLOY);
    }
    this.smokeTestFunction = smokeFn;

    // The service.
    this.securityGroup = new ec2.SecurityGroup(this, 'ServiceSecurityGroup', { vpc, description: `Tasks of ${this.node.path}` });
    this.service = new ecs.FargateService(this, 'Service', {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount,
      serviceName: props.serviceName,
      securityGroups: [this.securityGroup],
      minHealthyPercent: native ? native.minHealthyPercent : 100,
      maxHealthyPercent: native ? native.maxHealthyPercent : 200,
      deploymentController: cd ? { type: ecs.DeploymentControllerType.CODE_DEPLOY } : undefined,
      deploymentStrategy: native?.deploymentStrategy,
      canaryConfiguration: native?.canaryConfiguration,
      linearConfiguration: native?.linearConfiguration,
      bakeTime: native?.bakeTime,
      circuitBreaker: native?.circuitBreaker ? { enable: true, rollback: true } : undefined,
      deploymentAlarms: native && alarms.length > 0 ? { alarmNames: this.alarmNames, behavior: ecs.AlarmBehavior.ROLLBACK_ON_ALARM } : undefined,
      lifecycleHooks: native && smokeFn ? [new ecs.DeploymentLifecycleLambdaTarget(smokeFn, 'SmokeTestHook', {
        lifecycleStages: [ecs.DeploymentLifecycleStage.POST_TEST_TRAFFIC_SHIFT],
      })] : undefined,
    });
    if (native) {
      // Alarms are referenced by name, so nothing orders them before the service; deploy them first so
      // that the first deployment can watch them. Only the service resource needs them, not the roles
      // created inside the Service construct.
      alarms.forEach(a => this.service.node.defaultChild!.node.addDependency(a));
    }
    const alternateTarget = native && blueGreen ? new ecs.AlternateTarget('AlternateTarget', {
      alternateTargetGroup: this.greenTargetGroup!,
      productionListener: ecs.ListenerRuleConfiguration.applicationListenerRule(this.productionListenerRule!),
      testListener: this.testListenerRule ? ecs.ListenerRuleConfiguration.applicationListenerRule(this.testListenerRule) : undefined,
    }) : undefined;
    this.blueTargetGroup.addTarget(this.service.loadBalancerTarget({
      containerName: this.containerName,
      containerPort: this.containerPort,
      alternateTarget,
    }));

    // CodeDeploy.
    if (cd) {
      const watched = codeDeployAlarms(this, alarms, prefix, 'service');
      this.compositeAlarm = watched.composite;
      const deploymentAlarms = watched.alarms;
      this.application = engine.application ?? new codedeploy.EcsApplication(this, 'Application');
      this.deploymentConfig = new codedeploy.EcsDeploymentConfig(this, 'DeploymentConfig', { trafficRouting: cd.trafficRouting });
      const group = new codedeploy.EcsDeploymentGroup(this, 'DeploymentGroup', {
        application: this.application,
        deploymentGroupName: engine.deploymentGroupName,
        deploymentConfig: this.deploymentConfig,
        service: this.service,
        alarms: deploymentAlarms,
        autoRollback: { failedDeployment: true, stoppedDeployment: true, deploymentInAlarm: deploymentAlarms.length > 0 },
        blueGreenDeploymentConfig: {
          blueTargetGroup: this.blueTargetGroup,
          greenTargetGroup: this.greenTargetGroup!,
          listener: this.listener,
          testListener: this.testListener,
          terminationWaitTime: cd.terminationWaitTime,
          deploymentApprovalWaitTime: cd.approvalWaitTime,
        },
      });
      this.deploymentGroup = group;
      if (smokeFn) {
        smokeFn.grantInvoke(group.role);
        if (smokeFn.role === undefined) {
          Annotations.of(this).addWarningV2('cdk-progressive-delivery:smokeTestRole',
            'The smoke-test function\'s role is unknown, so it was not allowed to call codedeploy:PutLifecycleEventHookExecutionStatus on the deployment group; grant it yourself, or the hook times out and the deployment fails.');
        }
        smokeFn.addToRolePolicy(new iam.PolicyStatement({
          actions: ['codedeploy:PutLifecycleEventHookExecutionStatus'],
          resources: [group.deploymentGroupArn],
        }));
      }
      if (props.notificationTopic) {
        props.notificationTopic.grantPublish(group.role);
        (group.node.defaultChild as codedeploy.CfnDeploymentGroup).triggerConfigurations = [{
          triggerName: 'deployment-events',
          triggerTargetArn: props.notificationTopic.topicArn,
          triggerEvents: ['DeploymentStart', 'DeploymentSuccess', 'DeploymentFailure', 'DeploymentStop', 'DeploymentRollback', 'DeploymentReady'],
        }];
      }
      new CfnOutput(this, 'AppSpec', {
        description: 'AppSpec for CodeDeploy CreateDeployment (revisionType AppSpecContent); replace TaskDefinition with the new revision\'s ARN',
        value: this.appSpec(),
      });
    } else if (props.notificationTopic) {
      this.notificationRule = new events.Rule(this, 'DeploymentEvents', {
        description: `ECS deployment state changes of ${this.node.path}`,
        eventPattern: {
          source: ['aws.ecs'],
          detailType: ['ECS Deployment State Change'],
          resources: [this.service.serviceArn],
        },
        targets: [new eventsTargets.SnsTopic(props.notificationTopic)],
      });
    }
  }

  /**
   * The AppSpec (JSON) that starts a CodeDeploy deployment of `taskDefinitionArn` (by default the
   * current task definition), with the smoke test as AfterAllowTestTraffic hook. Only for the
   * CodeDeploy engine: CloudFormation does not start CodeDeploy ECS deployments.
   * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/reference-appspec-file-structure-resources.html
   */
  public appSpec(taskDefinitionArn?: string): string {
    if (this.engine.kind !== EcsEngineKind.CODE_DEPLOY) {
      fail(`ProgressiveFargateService ${this.node.path}`, 'appSpec()', 'is only available with EcsEngine.codeDeploy(): the native engine deploys when the stack updates the task definition',
        'EcsEngine.native()', 'Use EcsEngine.codeDeploy(), or deploy by updating the stack.');
    }
    const stack = Stack.of(this);
    const resources = [{
      TargetService: {
        Type: 'AWS::ECS::Service',
        Properties: {
          TaskDefinition: taskDefinitionArn ?? this.taskDefinition.taskDefinitionArn,
          LoadBalancerInfo: { ContainerName: this.containerName, ContainerPort: this.containerPort },
        },
      },
    }];
    const hooks = this.smokeTestFunction === undefined ? [] : [{ AfterAllowTestTraffic: this.smokeTestFunction.functionName }];
    // Written by hand around the JSON values so that the version reads 0.0, as in the AppSpec reference.
    return Fn.join('', [
      '{"version":0.0,"Resources":', stack.toJsonString(resources),
      ...(hooks.length > 0 ? [',"Hooks":', stack.toJsonString(hooks)] : []),
      '}',
    ]);
  }

  private createSmokeTestFunction(smokeTest: SmokeTest, vpc: ec2.IVpc, testPort: number, codeDeploy: boolean): lambda.IFunction {
    const securityGroup = new ec2.SecurityGroup(this, 'SmokeTestSecurityGroup', {
      vpc,
      allowAllOutbound: false,
      description: `Smoke test of ${this.node.path}: reaches the test listener`,
    });
    securityGroup.connections.allowTo(this.loadBalancer, ec2.Port.tcp(testPort), 'Smoke test to the test listener');
    if (codeDeploy) {
      // The CodeDeploy hook reports its result to the CodeDeploy API.
      securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'CodeDeploy API (PutLifecycleEventHookExecutionStatus)');
    }
    return new lambda.Function(this, 'SmokeTest', {
      description: `Smoke test of ${this.node.path}: HTTP requests on the test listener`,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: handlerCode('smoke-test'),
      vpc,
      securityGroups: [securityGroup],
      timeout: smokeTest._functionTimeout(),
      environment: smokeTest._httpEnvironment(`http://${this.loadBalancer.loadBalancerDnsName}:${testPort}`),
    });
  }
}
