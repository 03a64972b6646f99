import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { image, newStack } from './util';
import {
  Analysis, AppConfigFlags, BaselineComparison, CanaryStep, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService,
  ProgressiveLambdaAlias,
} from '../../src';
import { awsShopFlags } from '../flags/fixtures';

/** A canary judged against a fresh baseline: at most 1.5× the baseline's error share, and at most 2%. */
function withBaseline(): DeploymentStrategy {
  return DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(10))],
    analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
    baseline: BaselineComparison.of({
      analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2, maxRatioToBaseline: 1.5 })] }),
      duration: Duration.minutes(10),
      trafficPercent: 5,
    }),
  });
}

const DESCRIBED = 'got "baseline (previous version, started fresh) and new version, 1 instance(s) each, 5% of traffic each, for 10m"';

describe('baseline comparison on AWS', () => {
  test.each([
    ['ECS native', EcsEngine.native()],
    ['CodeDeploy', EcsEngine.codeDeploy()],
  ])('fails when a Fargate service (%s) is given a baseline comparison, with the reason and the alternative', (_name, engine) => {
    const stack = newStack();
    expect(() => new ProgressiveFargateService(stack, 'Api', { image, containerPort: 8080, strategy: withBaseline(), engine })).toThrow(
      'ProgressiveFargateService Test/Api: strategy.baseline cannot be honoured: an ECS deployment runs the new revision beside the running one, not a fresh baseline of the previous version, '
      + 'and its rollback alarms judge the whole service: the target group that carries the new revision is only known once a deployment runs, so no alarm can tell the two versions apart '
      + `(see docs/aws.md, "Which version the checks judge"), ${DESCRIBED}. Judge the new version with absolute checks in the strategy's analysis `
      + '(HealthCheck.errorRate({ maxPercent }) and .latency({ percentile, max })), or render the strategy with ArgoRollout, which runs the comparison as an experiment.');
    expect(stack.node.tryFindChild('Api')).toBeUndefined();
  });

  test('fails when a Lambda alias is given a baseline comparison: the previous version is not known at synth', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>1') });
    expect(() => new ProgressiveLambdaAlias(stack, 'Live', { version: fn.currentVersion, strategy: withBaseline() })).toThrow(
      'ProgressiveLambdaAlias Test/Live: strategy.baseline cannot be honoured: CodeDeploy shifts the alias from its current version to the new one and starts no baseline; '
      + 'Lambda tells versions apart (the ExecutedVersion dimension), but the alarm would need the previous version\'s number, which is not known when the template is synthesized '
      + 'and which CloudWatch alarms cannot look up (no SEARCH in alarms); subtracting the new version from the alias totals would rest on an undocumented equality and cannot give a latency percentile, '
      + `${DESCRIBED}. Judge the new version with absolute checks in the strategy's analysis: the alarms already measure the new version alone (ExecutedVersion), at every step.`);
  });

  test('fails when AppConfig flags are given a baseline comparison', () => {
    const stack = newStack();
    expect(() => new AppConfigFlags(stack, 'Flags', { flagSet: awsShopFlags(), strategy: withBaseline() })).toThrow(
      'AppConfigFlags Test/Flags: strategy.baseline cannot be honoured: an AppConfig deployment changes the configuration every client reads, with no baseline population to compare with, '
      + `${DESCRIBED}. Judge the flag change with absolute checks in the strategy's analysis.`);
  });

  test('the same strategies without a baseline still synthesize (the refusal is about the comparison only)', () => {
    const stack = newStack();
    const strategy = DeploymentStrategy.canary({
      steps: [CanaryStep.of(10, Duration.minutes(10))],
      analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
    });
    expect(new ProgressiveFargateService(stack, 'Api', { image, containerPort: 8080, strategy }).plan.strategy).toBe('canary');
  });
});
