// A Lambda function whose "live" alias CodeDeploy shifts as a 10% canary for 5 minutes, rolled back when
// the new version's error rate or p99 duration alarm fires; deployment events go to an SNS topic.
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import { Analysis, CanaryStep, DeploymentStrategy, HealthCheck, ProgressiveLambdaAlias } from '../../src';

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
  }),
});

console.log(live.plan.toMarkdown());
NagSuppressions.addResourceSuppressions(fn, [
  { id: 'AwsSolutions-IAM4', reason: 'The function only writes its logs, through the AWS-managed basic execution policy.' },
], true);
NagSuppressions.addResourceSuppressions(live.deploymentGroup, [
  { id: 'AwsSolutions-IAM4', reason: 'CodeDeploy uses its AWS-managed service policy for Lambda deployments, which AWS keeps current.' },
], true);

app.synth();
