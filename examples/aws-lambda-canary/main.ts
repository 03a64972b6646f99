// A Lambda function whose "live" alias CodeDeploy shifts as a 10% canary for 5 minutes, after a smoke test
// that invokes the new version before any traffic reaches it, rolled back when the new version's error rate
// or p99 duration alarm fires, including during the 10 minutes the deployment stays open at 100%
// (keepPreviousVersionFor); deployment events go to an SNS topic.
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { Analysis, CanaryStep, DeploymentStrategy, HealthCheck, ProgressiveLambdaAlias, SmokeTest } from '../../src';

const app = new App();
// AWS Solutions best-practice checks: a finding fails synthesis unless suppressed below with a reason.
Aspects.of(app).add(new AwsSolutionsChecks());
const stack = new Stack(app, 'LambdaCanary');

const fn = new lambda.Function(stack, 'Handler', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
});

const live = new ProgressiveLambdaAlias(stack, 'Live', {
  version: fn.currentVersion,
  aliasName: 'live',
  notificationTopic: new sns.Topic(stack, 'DeploymentEvents', { enforceSSL: true }),
  smokeTest: SmokeTest.invoke({ payload: { path: '/health' }, expectResult: { statusCode: 200 }, retries: 2 }),
  strategy: DeploymentStrategy.canary({
    steps: [CanaryStep.of(10, Duration.minutes(5))],
    analysis: Analysis.of({
      checks: [
        HealthCheck.errorRate({ maxPercent: 1 }),
        HealthCheck.latency({ percentile: 99, max: Duration.millis(800) }),
      ],
      interval: Duration.minutes(1),
      failureLimit: 1,
      minRequests: 10,
    }),
    keepPreviousVersionFor: Duration.minutes(10),
  }),
});

console.log(live.plan.toMarkdown());
console.log(live.runbook.toMarkdown());
NagSuppressions.addResourceSuppressions(fn, [
  { id: 'AwsSolutions-IAM4', reason: 'The function only writes its logs, through the AWS-managed basic execution policy.' },
], true);
for (const hook of [live.smokeTestFunction!, live.keepWindowFunction!]) {
  NagSuppressions.addResourceSuppressions(hook, [
    { id: 'AwsSolutions-IAM4', reason: 'The hook writes its logs through the AWS-managed basic execution policy; its other permissions name the version, the deployment group and the alarms.' },
  ], true);
}
NagSuppressions.addResourceSuppressions(live.deploymentGroup, [
  { id: 'AwsSolutions-IAM4', reason: 'CodeDeploy uses its AWS-managed service policy for Lambda deployments, which AWS keeps current.' },
  {
    id: 'AwsSolutions-IAM5',
    reason: 'CodeDeploy invokes the two hook functions; aws-cdk-lib grants the invocation on each function and its qualified ARNs (<arn>:*).',
    appliesTo: [{ regex: '/^Resource::<Live(SmokeTest|KeepWindow)[0-9A-F]+\\.Arn>:\\*$/g' }],
  },
], true);

app.synth();
