import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { analysis, newStack, service } from './util';
import {
  CanaryStep, DarkLaunch, DeploymentStrategy, EcsEngine, HeaderPreview, ProgressiveLambdaAlias, Promotion, RequestMatch, SmokeTest, Stickiness,
  WarmUp,
} from '../../src';

const warm = (percent = 2, minutes = 10, extra: Partial<Parameters<typeof DeploymentStrategy.blueGreen>[0]> = {}) => DeploymentStrategy.blueGreen({
  postPromotionAnalysis: analysis(), keepPreviousVersionFor: Duration.minutes(15), warmUp: WarmUp.of(percent, Duration.minutes(minutes)), ...extra,
});
const canaryWith = (extra: Partial<Parameters<typeof DeploymentStrategy.canary>[0]>) => DeploymentStrategy.canary({
  steps: [CanaryStep.of(10, Duration.minutes(10))], analysis: analysis(), ...extra,
});

describe('warm-up before a blue/green switch', () => {
  test('ECS native: a CANARY at the warm-up percent for its duration, then 100%, keeping the test-listener smoke test', () => {
    const { template, svc } = service({ strategy: warm(1.5, 10), smokeTest: SmokeTest.http() });
    template.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: Match.objectLike({
        Strategy: 'CANARY',
        CanaryConfiguration: { CanaryPercent: 1.5, CanaryBakeTimeInMinutes: 10 },
        BakeTimeInMinutes: 15,
        LifecycleHooks: [Match.objectLike({ LifecycleStages: ['POST_TEST_TRAFFIC_SHIFT'] })],
      }),
    });
    expect(svc.testListenerRule).toBeDefined();
    expect(svc.plan.phases.map(p => [p.name, p.trafficPercent, p.duration.toSeconds()])).toEqual([
      ['Preview (test listener only)', 0, svc.smokeTest!.deadline!.toSeconds()],
      ['Warm-up before the switch (canary)', 1.5, 600],
      ['Full traffic, previous version kept', 100, 900],
    ]);
    expect(svc.plan.phases[1].checks).toEqual(['error-rate', 'latency-p99']);
    expect(svc.plan.phases[1].timeToDetect).toBeDefined();
  });

  test('ECS native without a warm-up stays BLUE_GREEN', () => {
    const strategy = DeploymentStrategy.blueGreen({ postPromotionAnalysis: analysis(), keepPreviousVersionFor: Duration.minutes(15) });
    const { template } = service({ strategy });
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Strategy: 'BLUE_GREEN', CanaryConfiguration: Match.absent() }) });
  });

  test('CodeDeploy (ECS): a TimeBasedCanary at the warm-up percent, after the approval wait of a manual promotion', () => {
    const { template, svc } = service({ strategy: warm(2, 10, { promotion: Promotion.manual() }), engine: EcsEngine.codeDeploy() });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentConfig', {
      TrafficRoutingConfig: { Type: 'TimeBasedCanary', TimeBasedCanary: { CanaryPercentage: 2, CanaryInterval: 10 } },
    });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      BlueGreenDeploymentConfiguration: Match.objectLike({ DeploymentReadyOption: Match.objectLike({ ActionOnTimeout: 'STOP_DEPLOYMENT' }) }),
    });
    expect(svc.plan.phases.map(p => p.name)).toEqual(['Preview (no traffic, no test listener)', 'Warm-up before the switch (canary)', 'Full traffic, previous version kept']);
    expect(svc.plan.phases[0].manualGate).toBe(true);
  });

  test('fails when the ECS native warm-up percent is finer than 0.1 or its duration not whole minutes', () => {
    expect(() => service({ strategy: warm(1.25) }))
      .toThrow('ProgressiveFargateService Test/Api: strategy.warmUp.percent must be a multiple of 0.1 for ECS native (canaryPercent), got 1.25. Round the warm-up percent to one decimal');
    expect(() => service({
      strategy: DeploymentStrategy.blueGreen({
        postPromotionAnalysis: analysis(), keepPreviousVersionFor: Duration.minutes(15), warmUp: WarmUp.of(2, Duration.seconds(630)),
      }),
    })).toThrow('strategy.warmUp.duration must be a whole number of minutes: it becomes the ECS canary bake time (canaryBakeTimeInMinutes), got 10m 30s. Use Duration.minutes(11).');
  });

  test('fails when the CodeDeploy warm-up percent is not whole', () => {
    expect(() => service({ strategy: warm(1.5), engine: EcsEngine.codeDeploy() }))
      .toThrow('ProgressiveFargateService Test/Api: strategy.warmUp.percent must be a whole percentage for CodeDeploy, got 1.5.');
  });

  test('fails when the warm-up is shorter than the analysis needs to detect a failure, in the declaration and against the alarms', () => {
    expect(() => warm(2, 1)).toThrow("DeploymentStrategy.blueGreen: warmUp.duration must be at least the post-promotion analysis' time to detect a failure (2m), or the switch happens before a failure in the warm-up can be detected, got 1m. Warm up for 2m or more.");
    expect(() => service({ strategy: warm(2, 2, { keepPreviousVersionFor: Duration.minutes(30) }) })).toThrow('ProgressiveFargateService Test/Api: strategy.warmUp.duration');
  });

  test('fails when a Lambda alias is given a blue/green with a warm-up, pointing at a one-step canary', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', { version: fn.currentVersion, strategy: warm() }))
      .toThrow('ProgressiveLambdaAlias Test/Live: strategy cannot be blue/green for a Lambda alias, even with a warm-up: an alias has no preview route, got DeploymentStrategy.blueGreen with WarmUp.of(2, ...). A warm-up without a preview is a canary: declare DeploymentStrategy.canary with one CanaryStep at the warm-up percentage (a CodeDeploy TimeBasedCanary)');
  });
});

describe('ECS refuses what it cannot express', () => {
  for (const engine of [EcsEngine.native(), EcsEngine.codeDeploy()]) {
    const target = engine === undefined || engine.kind === 'NATIVE' ? 'ECS native' : 'CodeDeploy';
    test(`fails when load-balancer stickiness is asked of ${target}: ECS rewrites the weighted rule and stickiness would outlast a rollback`, () => {
      expect(() => service({ engine, strategy: canaryWith({ stickiness: Stickiness.loadBalancer(Duration.hours(1)) }) }))
        .toThrow(`ProgressiveFargateService Test/Api: strategy.stickiness cannot be expressed with ${target}: ECS rewrites the production listener rule's weighted forward action at each traffic step, and AWS does not document that it keeps a target-group stickiness configuration there; and ALB target-group stickiness takes precedence over the weights`);
    });
    test(`fails when a sticky header route is asked of ${target}`, () => {
      expect(() => service({ engine, strategy: canaryWith({ stickiness: Stickiness.byRequest(RequestMatch.cookie('release', 'canary')) }) }))
        .toThrow(`strategy.stickiness cannot be expressed with ${target}: ECS manages only the production and test listener rules`);
    });
    test(`fails when a dark launch is asked of ${target}: an ALB has no mirroring`, () => {
      expect(() => service({ engine, strategy: canaryWith({ darkLaunch: DarkLaunch.mirror({ percent: 10, duration: Duration.minutes(10) }) }) }))
        .toThrow(`ProgressiveFargateService Test/Api: strategy.darkLaunch cannot be expressed with ${target}: an Application Load Balancer forwards each request to one target group and has no request mirroring, got 10% of GET/HEAD requests mirrored to the new version, responses discarded.`);
    });
  }

  const preview = () => canaryWith({ headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(10) }) });
  test('fails when a header-only preview is asked of CodeDeploy, whose test route is a whole listener, pointing at the native engine', () => {
    expect(() => service({ strategy: preview(), engine: EcsEngine.codeDeploy(), smokeTest: SmokeTest.http() }))
      .toThrow('ProgressiveFargateService Test/Api: strategy.headerPreview cannot be expressed with CodeDeploy: its test traffic route is a whole listener (the deployment group\'s TestTrafficRoute takes listener ARNs, not listener rules), which CodeDeploy points at the replacement task set by port, so it cannot route by header; and CodeDeploy holds that stage only while the AfterAllowTestTraffic hook runs, not for a set duration, got header X-Preview: qa. Use EcsEngine.native(), which renders the preview as a header-matched test listener rule on the production listener, or remove headerPreview and check the new version on the test listener with smokeTest (and testTrafficFrom for testers).');
    expect(() => service({ strategy: preview(), engine: EcsEngine.codeDeploy() }))
      .toThrow('or remove headerPreview and pass smokeTest or testTrafficFrom to create a test listener that reaches the new version before any user.');
  });
});

describe('Lambda alias refuses what it cannot express', () => {
  const alias = (strategy: DeploymentStrategy) => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    return () => new ProgressiveLambdaAlias(stack, 'Live', { version: fn.currentVersion, strategy });
  };
  test('fails when a sticky canary is asked of an alias', () => {
    expect(alias(canaryWith({ stickiness: Stickiness.loadBalancer(Duration.hours(1)) })))
      .toThrow('ProgressiveLambdaAlias Test/Live: strategy.stickiness cannot be expressed with Lambda CodeDeploy: a weighted alias picks a version for each invocation at random, with no notion of a client, header or cookie, got Stickiness.loadBalancer.');
    expect(alias(canaryWith({ stickiness: Stickiness.byRequest(RequestMatch.header('X-Cohort', 'canary')) }))).toThrow('got header X-Cohort: canary.');
  });
  test('fails when a header-only preview is asked of an alias', () => {
    expect(alias(canaryWith({ headerPreview: HeaderPreview.of({ match: RequestMatch.header('X-Preview', 'qa'), duration: Duration.minutes(5) }) })))
      .toThrow('ProgressiveLambdaAlias Test/Live: strategy.headerPreview cannot be expressed with Lambda CodeDeploy: an alias routes invocations by weight only, and an invocation carries no header the alias could match, got header X-Preview: qa.');
  });
  test('fails when a dark launch is asked of an alias', () => {
    expect(alias(canaryWith({ darkLaunch: DarkLaunch.mirror({ percent: 5, duration: Duration.minutes(5) }) })))
      .toThrow('ProgressiveLambdaAlias Test/Live: strategy.darkLaunch cannot be expressed with Lambda CodeDeploy: an alias sends each invocation to one version and cannot copy it to another');
  });
});
