// Three ECS/Fargate services behind one internal ALB: each gets its own rules (path pattern + priority)
// on the shared production listener and on the shared test listener. ECS shifts the weights of the
// orders and users rules (native canary and blue/green); CodeDeploy switches the search rule (linear).
import { App, Aspects, Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { AwsSolutionsChecks, NagSuppressions } from 'cdk-nag';
import {
  Analysis, CanaryStep, DeploymentStrategy, EcsEngine, HealthCheck, ProgressiveFargateService, Promotion, SmokeTest,
} from '../../src';

const app = new App();
// AWS Solutions best-practice checks: a finding fails synthesis unless suppressed below with a reason.
Aspects.of(app).add(new AwsSolutionsChecks());
const stack = new Stack(app, 'EcsSharedAlb');

const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
const cluster = new ecs.Cluster(stack, 'Cluster', { vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED });
const loadBalancer = new elbv2.ApplicationLoadBalancer(stack, 'Alb', { vpc, internetFacing: false });
const notFound = elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'Not found' });
const listener = loadBalancer.addListener('Http', { port: 80, defaultAction: notFound, open: false });
listener.connections.allowDefaultPortFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock), 'Clients in the VPC');
const testListener = loadBalancer.addListener('Test', { port: 9000, protocol: elbv2.ApplicationProtocol.HTTP, defaultAction: notFound, open: false });

const errorRate = () => Analysis.of({
  checks: [HealthCheck.errorRate({ maxPercent: 1 })], interval: Duration.minutes(1), failureLimit: 2, minRequests: 20,
});
const keepPreviousVersionFor = Duration.minutes(10);
const image = ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable');
const shared = { cluster, listener, testListener, image, containerPort: 80 };

const services = [
  new ProgressiveFargateService(stack, 'Orders', {
    ...shared,
    conditions: [elbv2.ListenerCondition.pathPatterns(['/orders', '/orders/*'])],
    priority: 10,
    smokeTest: SmokeTest.http({ path: '/orders/health' }),
    strategy: DeploymentStrategy.canary({ steps: [CanaryStep.of(10, Duration.minutes(5))], analysis: errorRate(), keepPreviousVersionFor }),
  }),
  new ProgressiveFargateService(stack, 'Users', {
    ...shared,
    conditions: [elbv2.ListenerCondition.pathPatterns(['/users', '/users/*'])],
    priority: 20,
    smokeTest: SmokeTest.http({ path: '/users/health' }),
    strategy: DeploymentStrategy.blueGreen({
      promotion: Promotion.automatic(Duration.seconds(0)), postPromotionAnalysis: errorRate(), keepPreviousVersionFor,
    }),
  }),
  new ProgressiveFargateService(stack, 'Search', {
    ...shared,
    engine: EcsEngine.codeDeploy({ deploymentGroupName: 'search' }),
    conditions: [elbv2.ListenerCondition.pathPatterns(['/search', '/search/*'])],
    priority: 30,
    strategy: DeploymentStrategy.linear({ stepPercent: 25, interval: Duration.minutes(5), analysis: errorRate(), keepPreviousVersionFor }),
  }),
];

for (const svc of services) {
  console.log(svc.plan.toMarkdown());
  console.log(svc.runbook.toMarkdown());
  NagSuppressions.addResourceSuppressions(svc.service, [
    { id: 'AwsSolutions-IAM4', reason: 'ECS shifts traffic between the target groups with the AWS-managed infrastructure policy for load balancers, which AWS keeps current.' },
  ], true);
  if (svc.smokeTestFunction) {
    NagSuppressions.addResourceSuppressions(svc.smokeTestFunction, [
      { id: 'AwsSolutions-IAM4', reason: 'The smoke test writes its logs and attaches to the VPC through the AWS-managed Lambda execution policies.' },
    ], true);
  }
  if (svc.deploymentGroup) {
    NagSuppressions.addResourceSuppressions(svc.deploymentGroup, [
      { id: 'AwsSolutions-IAM4', reason: 'CodeDeploy uses its AWS-managed service policy for ECS deployments, which AWS keeps current.' },
    ], true);
  }
}
NagSuppressions.addResourceSuppressions(loadBalancer, [
  { id: 'AwsSolutions-ELB2', reason: 'Access logs need a bucket with a retention policy chosen by the account owner; this example keeps to the deployment resources.' },
  {
    id: 'CdkNagValidationFailure',
    reason: 'The listener accepts the VPC address range, a CloudFormation attribute that AwsSolutions-EC23 cannot read at synth time (it is not 0.0.0.0/0).',
    appliesTo: ['AwsSolutions-EC23'],
  },
], true);
NagSuppressions.addResourceSuppressions(vpc, [
  { id: 'AwsSolutions-VPC7', reason: 'The example VPC is created with the stack; give a long-lived VPC flow logs where it is owned.' },
], true);

app.synth();
