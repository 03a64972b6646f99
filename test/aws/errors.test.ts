import { Duration } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { analysis, canary, image, newStack } from './util';
import {
  Analysis, CanaryStep, Capacity, Comparison, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService,
  ProgressiveFargateServiceProps, Promotion, SmokeTest,
} from '../../src';

const NATIVE = EcsEngine.native();
const CODE_DEPLOY = EcsEngine.codeDeploy();

function build(props: Partial<ProgressiveFargateServiceProps>, stack = newStack()): ProgressiveFargateService {
  return new ProgressiveFargateService(stack, 'Api', { image, containerPort: 8080, strategy: canary(), ...props } as ProgressiveFargateServiceProps);
}

function expectError(props: Partial<ProgressiveFargateServiceProps>, message: RegExp, stack = newStack()): void {
  let error: any;
  try {
    build(props, stack);
  } catch (e) {
    error = e;
  }
  expect(error).toBeDefined();
  expect(error.name).toBe('DeliveryValidationError');
  expect(error.message).toMatch(message);
}

const twoSteps = () => DeploymentStrategy.canary({
  steps: [CanaryStep.of(5, Duration.minutes(5)), CanaryStep.of(50, Duration.minutes(5))],
  analysis: analysis(),
});

const twoMinuteAnalysis = () => Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }); // 1m × 2 = 2m, 3m with the alarm delay

describe('ECS native: what it cannot express', () => {
  test('fails when a canary has several steps', () => {
    expectError({ strategy: twoSteps() },
      /strategy.steps must contain exactly one step for ECS native.*got 2 steps \(5%, 50%\)\. Keep one CanaryStep, use DeploymentStrategy.linear.*Argo Rollouts/);
  });

  test('fails when a canary step waits for a manual approval with CodeDeploy (ECS native renders the gate)', () => {
    const strategy = DeploymentStrategy.canary({ steps: [CanaryStep.withManualGate(5, Duration.minutes(5))], analysis: analysis() });
    expectError({ engine: CODE_DEPLOY, strategy },
      /strategy.steps\[0\] cannot wait for a manual approval with CodeDeploy: traffic shifts on a timer, got CanaryStep.withManualGate\. Use CanaryStep.of/);
  });

  test('fails when the canary percent is not a multiple of 0.1', () => {
    expectError({ strategy: canary(12.34) }, /strategy.steps\[0\].weight must be a multiple of 0.1 for ECS native canary \(canaryPercent\), got 12.34\. Round the weight to one decimal, for example 12.3\./);
  });

  test('fails when the canary bake is not whole minutes', () => {
    expectError({ strategy: canary(10, Duration.seconds(630)) }, /strategy.steps\[0\].bakeTime must be a whole number of minutes: it becomes the ECS canary bake time \(canaryBakeTimeInMinutes\), got 10m 30s\. Use Duration.minutes\(11\)\./);
  });

  test('fails when the canary bake is past the 1440-minute limit', () => {
    expectError({ strategy: canary(10, Duration.minutes(1441)) }, /strategy.steps\[0\].bakeTime must be at most 1440 minutes \(1d\), the limit of the ECS canary bake time.*got 1d 1m/);
  });

  test('fails when the previous version is kept past the ECS bake limit', () => {
    expectError({ strategy: DeploymentStrategy.allAtOnce({ keepPreviousVersionFor: Duration.hours(25) }) },
      /strategy.keepPreviousVersionFor must be at most 1440 minutes.*ECS bake time \(bakeTimeInMinutes\), got 1d 1h\. Shorten it, or: EcsEngine.codeDeploy\(\) keeps the previous version up to 2 days\./);
  });

  test('fails when a linear step is under 3%', () => {
    expectError({ strategy: DeploymentStrategy.linear({ stepPercent: 2, interval: Duration.minutes(5), analysis: analysis() }) },
      /strategy.stepPercent must be at least 3 and a multiple of 0.1 for ECS native linear deployments, got 2\. .*EcsEngine.codeDeploy\(\) \(whole percentages from 1\)/);
  });

  test('fails when a linear step is not a multiple of 0.1', () => {
    expectError({ strategy: DeploymentStrategy.linear({ stepPercent: 3.33, interval: Duration.minutes(5), analysis: analysis() }) }, /strategy.stepPercent must be at least 3 and a multiple of 0.1.*got 3.33/);
  });

  test('fails when a linear interval is past the 1440-minute limit', () => {
    expectError({ strategy: DeploymentStrategy.linear({ stepPercent: 10, interval: Duration.days(2), analysis: analysis() }) },
      /strategy.interval must be at most 1440 minutes \(1d\), the limit of the ECS linear step bake time \(stepBakeTimeInMinutes\), got 2d/);
  });

  test('fails when a manual promotion and the keep window outlast the CloudFormation update', () => {
    expectError({
      engine: EcsEngine.native({ approvalWaitTime: Duration.hours(30) }),
      strategy: DeploymentStrategy.blueGreen({ promotion: Promotion.manual(), keepPreviousVersionFor: Duration.hours(4) }),
    }, /strategy \(approvalWaitTime \+ keepPreviousVersionFor\) must add up to at most 33 hours: CloudFormation rejects an ECS deployment whose PAUSE hook timeout \+ bakeTimeInMinutes exceeds 33 hours.*got 1d 10h/);
  });

  test('fails when a rolling strategy sets its own bake time', () => {
    expectError({ strategy: DeploymentStrategy.rolling({ analysis: analysis(), bakeTime: Duration.minutes(10) }) },
      /strategy.bakeTime cannot be set with the ECS native rolling strategy: ECS derives how long it watches the alarms.*\(2m here\), got 10m\. Leave bakeTime unset/);
  });

  test('fails when a rolling strategy has a smoke test', () => {
    expectError({ internetFacing: false, smokeTest: SmokeTest.http(), strategy: DeploymentStrategy.rolling({ analysis: analysis() }) },
      /smokeTest needs a test listener, which a rolling deployment does not have/);
  });

  test('fails when a rolling strategy has testTrafficFrom', () => {
    expectError({ testTrafficFrom: ec2.Peer.anyIpv4(), strategy: DeploymentStrategy.rolling({ analysis: analysis() }) },
      /testTrafficFrom needs a test listener, which a rolling deployment does not have/);
  });

  test('fails when a rolling surge count is not a whole percentage of the desired count', () => {
    expectError({ desiredCount: 3, strategy: DeploymentStrategy.rolling({ maxSurge: Capacity.count(1), analysis: analysis() }) },
      /maxSurge is 1 of 3 instances, which is not a whole percentage/);
  });
});

describe('both engines: what AWS cannot express', () => {
  test.each([[NATIVE, 'ECS native'], [CODE_DEPLOY, 'CodeDeploy']])('fails when a blue/green holds the preview for a fixed time (%#)', (engine, name) => {
    const strategy = DeploymentStrategy.blueGreen({ promotion: Promotion.automatic(Duration.minutes(5)), postPromotionAnalysis: analysis() });
    expectError({ engine, strategy },
      new RegExp(`strategy.promotion cannot hold the preview for a fixed time with ${name}.*got Promotion.automatic\\(5m\\)`));
  });

  test('fails when a blue/green has preview checks, which alarms cannot measure', () => {
    expectError({ strategy: DeploymentStrategy.blueGreen({ previewAnalysis: analysis() }) },
      /strategy.previewAnalysis cannot be measured on AWS.*Check the preview with smokeTest: SmokeTest.http/);
  });

  test('fails when the analysis interval is not whole minutes', () => {
    expectError({
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(30))],
        analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], interval: Duration.seconds(90) }),
      }),
    }, /strategy.analysis.interval must be a whole number of minutes on AWS.*got 1m 30s\. Use Duration.minutes\(n\)\./);
  });

  test('fails when the analysis has an initial delay', () => {
    expectError({
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(30))],
        analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], initialDelay: Duration.minutes(2) }),
      }),
    }, /strategy.analysis.initialDelay must be zero on AWS.*got 2m/);
  });

  test('fails when a custom check has no CloudWatch query', () => {
    expectError({
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(30))],
        analysis: Analysis.of({ checks: [HealthCheck.custom({ name: 'queue', threshold: 1, failWhen: Comparison.GREATER_THAN, prometheus: 'sum(x)' })] }),
      }),
    }, /strategy.analysis.checks\[0\] \("queue"\) has no CloudWatch query.*Add cloudWatch: \{ namespace, metricName/);
  });

  test('fails when the alarm window is longer than a day', () => {
    expectError({
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.days(2))],
        analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], interval: Duration.hours(12), failureLimit: 2 }),
      }),
      engine: CODE_DEPLOY,
    }, /strategy.analysis.interval × \(failureLimit \+ 1\) must be at most one day.*got 1d 12h/);
  });

  test.each([[NATIVE], [CODE_DEPLOY]])('fails when a step bakes shorter than the alarms need, counting the ingestion delay (%#)', (engine) => {
    expectError({ engine, strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(2))], analysis: twoMinuteAnalysis() }) },
      /strategy.steps\[0\].bakeTime must be at least the time the rollback alarms need to fire, interval × \(failureLimit \+ 1\) \+ 1 minute of ingestion delay = 3m \(CloudWatch ALB and Lambda metrics are 1-minute metrics, and this library assumes 1 minute of ingestion delay.*\), got 2m\. Bake for 3m or more/);
  });

  test('fails when a linear interval is shorter than the alarms need', () => {
    expectError({ strategy: DeploymentStrategy.linear({ stepPercent: 10, interval: Duration.minutes(2), analysis: twoMinuteAnalysis() }) },
      /strategy.interval must be at least the time the rollback alarms need to fire.*= 3m.*got 2m/);
  });

  test('fails when the previous version is not kept long enough for the post-promotion alarms', () => {
    const strategy = DeploymentStrategy.blueGreen({ postPromotionAnalysis: twoMinuteAnalysis(), keepPreviousVersionFor: Duration.minutes(2) });
    expectError({ strategy },
      /strategy.keepPreviousVersionFor must be at least the time the rollback alarms need to fire.*= 3m.*got 2m/);
  });

  test('fails when an all-at-once analysis outlives the kept previous version', () => {
    const strategy = DeploymentStrategy.allAtOnce({ analysis: twoMinuteAnalysis(), keepPreviousVersionFor: Duration.minutes(2) });
    expectError({ engine: CODE_DEPLOY, strategy },
      /strategy.keepPreviousVersionFor must be at least the time the rollback alarms need to fire.*got 2m/);
  });
});

describe('CodeDeploy: what it cannot express', () => {
  test('fails when a canary percent is fractional', () => {
    expectError({ engine: CODE_DEPLOY, strategy: canary(12.5) }, /strategy.steps\[0\].weight must be a whole percentage for CodeDeploy, got 12.5\. Use 13; EcsEngine.native\(\) accepts multiples of 0.1/);
  });

  test('fails when a linear percent is fractional', () => {
    const strategy = DeploymentStrategy.linear({ stepPercent: 2.5, interval: Duration.minutes(5), analysis: analysis() });
    expectError({ engine: CODE_DEPLOY, strategy },
      /strategy.stepPercent must be a whole percentage for CodeDeploy, got 2.5/);
  });

  test('fails when a canary interval is not whole minutes', () => {
    expectError({ engine: CODE_DEPLOY, strategy: canary(10, Duration.seconds(270)) }, /strategy.steps\[0\].bakeTime must be a whole number of minutes: it becomes the CodeDeploy canary interval, got 4m 30s\. Use Duration.minutes\(5\)\./);
  });

  test('fails when a canary has several steps', () => {
    expectError({ engine: CODE_DEPLOY, strategy: twoSteps() },
      /strategy.steps must contain exactly one step for CodeDeploy/);
  });

  test('fails when the previous version is kept past 2 days', () => {
    expectError({ engine: CODE_DEPLOY, strategy: DeploymentStrategy.allAtOnce({ keepPreviousVersionFor: Duration.days(3) }) },
      /strategy.keepPreviousVersionFor must be at most 2880 minutes \(2d\), the limit of the CodeDeploy termination wait, got 3d/);
  });

  test('fails when the strategy is rolling', () => {
    expectError({ engine: CODE_DEPLOY, strategy: DeploymentStrategy.rolling({ analysis: analysis() }) },
      /strategy cannot be rolling with CodeDeploy.*Use EcsEngine.native\(\) for a rolling deployment/);
  });

  test('fails when approvalWaitTime is set without a manual promotion', () => {
    expectError({ engine: EcsEngine.codeDeploy({ approvalWaitTime: Duration.hours(1) }), strategy: canary() },
      /engine.approvalWaitTime is only used with a blue\/green strategy and Promotion.manual\(\), got 1h/);
  });

  test('fails when the approval wait is past 2 days', () => {
    const strategy = DeploymentStrategy.blueGreen({ promotion: Promotion.manual() });
    expectError({ engine: EcsEngine.codeDeploy({ approvalWaitTime: Duration.days(3) }), strategy },
      /engine.approvalWaitTime must be at most 2880 minutes \(2d\), the limit of the CodeDeploy approval wait, got 3d/);
  });

  test('fails when approvalWaitTime is not a Duration', () => {
    expect(() => EcsEngine.codeDeploy({ approvalWaitTime: 5 as any })).toThrow(/EcsEngine.codeDeploy: approvalWaitTime must be a Duration/);
  });
});

describe('construct props', () => {
  test('fails when neither image nor taskDefinition is given', () => {
    expectError({ image: undefined }, /image\/taskDefinition must be given exactly one of the two, got neither/);
  });

  test('fails when both image and taskDefinition are given', () => {
    const stack = newStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    expectError({ taskDefinition }, /image\/taskDefinition must be given exactly one of the two, got both/, stack);
  });

  test('fails when the task definition does not map the container port', () => {
    const stack = newStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    taskDefinition.addContainer('web', { image, portMappings: [{ containerPort: 3000 }] });
    expectError({ image: undefined, taskDefinition }, /containerPort must be mapped by the task definition's default container "web", got 8080/, stack);
  });

  test('fails when the task definition has no container', () => {
    const stack = newStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    expectError({ image: undefined, taskDefinition }, /taskDefinition must have an essential container/, stack);
  });

  test('fails when cpu is given with a task definition', () => {
    const stack = newStack();
    const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task');
    expectError({ image: undefined, taskDefinition, cpu: 512 }, /cpu\/memoryLimitMiB only apply to the task definition created for image/, stack);
  });

  test.each([[0], [70000], [80.5]])('fails when containerPort is %p', port => {
    expectError({ containerPort: port }, /containerPort must be/);
  });

  test('fails when desiredCount is 0', () => {
    expectError({ desiredCount: 0 }, /desiredCount must be at least 1/);
  });

  test('fails when the test listener port is the production port', () => {
    expectError({ listenerPort: 8000, testListenerPort: 8000 }, /testListenerPort must differ from the production listener port, got 8000/);
  });

  test.each([[NATIVE], [CODE_DEPLOY]])('fails when testListenerPort is set without a test listener (%#)', engine => {
    expectError({ engine, testListenerPort: 9100 },
      /testListenerPort only applies to the test listener, which is created for a smokeTest or testTrafficFrom, got 9100\. Remove testListenerPort, or set smokeTest or testTrafficFrom/);
  });

  test('fails when testListenerPort is set with a rolling strategy', () => {
    expectError({ testListenerPort: 9100, strategy: DeploymentStrategy.rolling({ analysis: analysis() }) },
      /testListenerPort needs a test listener, which a rolling deployment does not have, got 9100\. Remove testListenerPort\./);
  });

  test('fails when the health check path does not start with a slash', () => {
    expectError({ healthCheckPath: 'health' }, /healthCheckPath must start with "\/", got "health"/);
  });

  test('fails when internetFacing is given with a load balancer', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Lb', { vpc });
    expectError({ vpc, loadBalancer, internetFacing: false }, /internetFacing only applies to the load balancer the construct creates/, stack);
  });

  test('fails when vpc is given with a cluster', () => {
    const stack = newStack();
    const vpc = new ec2.Vpc(stack, 'Vpc');
    const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });
    expectError({ vpc, cluster }, /vpc only applies to the cluster the construct creates/, stack);
  });

  test('fails when the strategy is not a DeploymentStrategy', () => {
    expectError({ strategy: { kind: 'CANARY' } as any }, /strategy must be a DeploymentStrategy, got \{"kind":"CANARY"\}/);
  });

  test('fails when the engine is not an EcsEngine', () => {
    expectError({ engine: 'native' as any }, /engine must be an EcsEngine, got "native"/);
  });

  test('fails when the smoke test is not a SmokeTest', () => {
    expectError({ smokeTest: { path: '/' } as any }, /smokeTest must be a SmokeTest/);
  });

  test('fails when an HTTP smoke test targets an internet-facing load balancer without testTrafficFrom', () => {
    expectError({ smokeTest: SmokeTest.http(), internetFacing: true }, /smokeTest cannot reach the test listener of an internet-facing load balancer.*Leave internetFacing unset \(an internal load balancer\), or set testTrafficFrom/);
  });

  test('fails when the alarm name prefix has characters CloudWatch refuses', () => {
    expectError({ alarmNamePrefix: 'my alarms' }, /alarmNamePrefix must be 1-180 letters, digits or "_.-\/" known at synth time, got "my alarms"/);
  });

  test('fails when props are missing', () => {
    expect(() => new ProgressiveFargateService(newStack(), 'Api', undefined as any)).toThrow(/props must be an object/);
  });
});

describe('SmokeTest', () => {
  test('fails when the path does not start with a slash', () => {
    expect(() => SmokeTest.http({ path: 'health' })).toThrow(/SmokeTest.http: path must start with "\/" and contain no spaces, got "health"/);
  });

  test('fails when the expected status is not an HTTP status', () => {
    expect(() => SmokeTest.http({ expectStatus: 999 })).toThrow(/SmokeTest.http: expectStatus must be at least 100 and at most 599, got 999/);
  });

  test('fails when the timeout is longer than 5 minutes', () => {
    expect(() => SmokeTest.http({ timeout: Duration.minutes(6) })).toThrow(/SmokeTest.http: timeout must be at most 5 minutes, got 6m/);
  });

  test('fails when SmokeTest.lambda is not given a function', () => {
    expect(() => SmokeTest.lambda({} as any)).toThrow(/SmokeTest.lambda: fn must be a Lambda function, got \{\}/);
  });
});

describe('ECS native through CloudFormation: the 33-hour deployment window', () => {
  test('fails when a canary bake and the kept previous version add up to more than 33 hours', () => {
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.hours(20))], analysis: analysis(), keepPreviousVersionFor: Duration.hours(14),
    });
    expectError({ strategy }, /strategy \(canary bake \+ keepPreviousVersionFor\) must add up to at most 33 hours: CloudFormation rejects an ECS deployment whose bakeTimeInMinutes \+ canaryBakeTimeInMinutes exceeds 33 hours.*got 1d 10h\. .*EcsEngine.codeDeploy\(\)/);
  });

  test('fails when linear steps and the kept previous version add up to more than 33 hours', () => {
    const strategy = DeploymentStrategy.linear({
      stepPercent: 10, interval: Duration.hours(4), analysis: analysis(), keepPreviousVersionFor: Duration.minutes(0),
    });
    expectError({ strategy }, /strategy \(interval × 9 steps \+ keepPreviousVersionFor\) must add up to at most 33 hours.*got 1d 12h/);
  });

  test('33 hours exactly is accepted', () => {
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.hours(19))], analysis: analysis(), keepPreviousVersionFor: Duration.hours(14),
    });
    expect(build({ strategy }).plan.previousVersionReleasedAfter.toHours()).toBe(33);
  });
});
