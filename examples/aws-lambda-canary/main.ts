// A Lambda function whose "live" alias CodeDeploy shifts as a 10% canary for 5 minutes, rolled back when
// the new version's error rate or p99 duration alarm fires; deployment events go to an SNS topic.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Analysis, CanaryStep, DeploymentStrategy, HealthCheck, ProgressiveLambdaAlias } from '../../src';

const app = new App();
const stack = new Stack(app, 'LambdaCanary');

const fn = new lambda.Function(stack, 'Handler', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "ok" });'),
});

const live = new ProgressiveLambdaAlias(stack, 'Live', {
  version: fn.currentVersion,
  aliasName: 'live',
  notificationTopic: new sns.Topic(stack, 'DeploymentEvents'),
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
app.synth();
