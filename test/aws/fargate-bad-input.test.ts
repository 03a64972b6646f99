import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Duration, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { Construct } from 'constructs';
import { analysis, canary, image, newStack } from './util';
import { Capacity, DeploymentStrategy, EcsEngine, ProgressiveFargateService, ProgressiveFargateServiceProps } from '../../src';

const WHERE = 'ProgressiveFargateService Test/Api: ';

/**
 * Builds the props in the stack (so that constructs they need exist), then checks that the service is
 * refused with exactly that message and leaves nothing behind: no child, no construct of its own.
 */
function expectRefused(props: (stack: Stack) => Partial<ProgressiveFargateServiceProps>, message: string): void {
  const stack = newStack();
  const p = { image, containerPort: 8080, strategy: canary(), ...props(stack) } as ProgressiveFargateServiceProps;
  const before = stack.node.findAll().length;
  let error: any;
  try {
    new ProgressiveFargateService(stack, 'Api', p);
  } catch (e) {
    error = e;
  }
  expect(error?.name).toBe('DeliveryValidationError');
  expect(error.message).toBe(message);
  expect(stack.node.tryFindChild('Api')).toBeUndefined();
  expect(stack.node.findAll().length).toBe(before);
}

describe('props as a Python, Java or plain-JavaScript caller could pass them', () => {
  test.each<[string, (stack: Stack) => Partial<ProgressiveFargateServiceProps>, string]>([
    ['a cluster name instead of a cluster', () => ({ cluster: 'prod' as any }),
      'cluster must be an ECS cluster (ecs.ICluster), got "prod". Pass an ecs.Cluster or ecs.Cluster.fromClusterAttributes(...), or leave cluster unset to create one.'],
    ['a VPC id instead of a VPC', () => ({ vpc: 'vpc-0123456789abcdef0' as any }),
      'vpc must be a VPC (ec2.IVpc), got "vpc-0123456789abcdef0". Pass an ec2.Vpc or ec2.Vpc.fromLookup(...), or leave vpc unset to create one.'],
    ['a certificate ARN instead of a certificate', () => ({ certificate: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' as any }),
      'certificate must be a listener certificate (elbv2.IListenerCertificate), got "arn:aws:acm:eu-west-1:123456789012:certificate/abc". '
      + 'Pass elbv2.ListenerCertificate.fromArn(arn) or a certificate from aws-certificatemanager.'],
    ['a listener ARN instead of a listener', () => ({ listener: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2' as any }),
      'listener must be an ALB listener (elbv2.IApplicationListener), got "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/x/1/2". '
      + 'Pass an elbv2.ApplicationListener or ApplicationListener.fromLookup(...).'],
    ['an object instead of a load balancer', () => ({ loadBalancer: { loadBalancerArn: 'arn' } as any }),
      'loadBalancer must be an Application Load Balancer (elbv2.IApplicationLoadBalancer), got {"loadBalancerArn":"arn"}. '
      + 'Pass an elbv2.ApplicationLoadBalancer or ApplicationLoadBalancer.fromLookup(...).'],
    ['an image name instead of an image', () => ({ image: 'nginx:stable' as any }),
      'image must be a container image (ecs.ContainerImage), got "nginx:stable". Pass ecs.ContainerImage.fromRegistry("repo:tag"), .fromEcrRepository(...) or .fromAsset(...).'],
    ['an EC2 task definition', stack => ({ image: undefined, taskDefinition: new ecs.Ec2TaskDefinition(stack, 'Ec2Task') as any }),
      'taskDefinition must be a Fargate task definition (ecs.FargateTaskDefinition), got Test/Ec2Task. Pass an ecs.FargateTaskDefinition, or pass image and let the construct create it.'],
    ['an address range as a string instead of a peer', () => ({ testTrafficFrom: '10.0.0.0/8' as any }),
      'testTrafficFrom must be a peer (ec2.IPeer), got "10.0.0.0/8". Pass ec2.Peer.ipv4("10.0.0.0/16") or a security group.'],
    ['a topic ARN instead of a topic', () => ({ notificationTopic: 'arn:aws:sns:eu-west-1:123456789012:deploys' as any }),
      'notificationTopic must be an SNS topic (sns.ITopic), got "arn:aws:sns:eu-west-1:123456789012:deploys". Pass an sns.Topic or sns.Topic.fromTopicArn(...).'],
    ['null for a construct', () => ({ cluster: null as any }),
      'cluster must not be null, got null. Leave it out for the default, or pass a value.'],
    ['null for a number', () => ({ desiredCount: null as any }),
      'desiredCount must not be null, got null. Leave it out for the default, or pass a value.'],
    ['NaN as the container port', () => ({ containerPort: NaN }),
      'containerPort must be a finite number, got NaN. Pass a port between 1 and 65535.'],
    ['an unresolved token as the container port', () => ({ containerPort: Token.asNumber({ Ref: 'Port' }) }),
      'containerPort must be a number known at synth time, got an unresolved token. Pass a port between 1 and 65535.'],
    ['an unresolved token as the desired count', () => ({ desiredCount: Token.asNumber({ Ref: 'Count' }) }),
      'desiredCount must be a number known at synth time, got an unresolved token. Pass the number of tasks, at least 1.'],
    ['Infinity as the desired count', () => ({ desiredCount: Infinity }),
      'desiredCount must be a finite number, got Infinity. Pass the number of tasks, at least 1.'],
    ['a string as the listener port', () => ({ listenerPort: '443' as any }),
      'listenerPort must be a finite number, got "443". Pass a port between 1 and 65535.'],
    ['a listener port out of range', () => ({ listenerPort: 70000 }),
      'listenerPort must be at least 1 and at most 65535, got 70000. Pass a port between 1 and 65535.'],
    ['a test listener port out of range', () => ({ testListenerPort: 0 }),
      'testListenerPort must be at least 1 and at most 65535, got 0. Pass a port between 1 and 65535.'],
    ['a VPC imported without its address range, which the listener it creates accepts', stack => ({
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], privateSubnetIds: ['subnet-1'] }),
    }), 'vpc must have a known address range: the listener the construct creates accepts clients from the VPC, got a VPC imported without vpcCidrBlock. '
      + 'Pass vpcCidrBlock to ec2.Vpc.fromVpcAttributes (or use ec2.Vpc.fromLookup), or pass your own listener.'],
    ['a CPU size Fargate does not have', () => ({ cpu: 300 }),
      'cpu must be a Fargate CPU size, got 300. Pass 256, 512, 1024, 2048, 4096, 8192 or 16384.'],
    ['a memory size Fargate does not offer with the CPU size', () => ({ cpu: 512, memoryLimitMiB: 512 }),
      'memoryLimitMiB must be a memory size Fargate offers with 512 CPU units, got 512. Pass 1024 to 4096 in steps of 1024.'],
    ['a service name with spaces', () => ({ serviceName: 'my service' }),
      'serviceName must be 1-255 letters, digits, "-" or "_", got "my service". Pass a name such as "checkout-api".'],
    ['a number as the health check path', () => ({ healthCheckPath: 42 as any }),
      'healthCheckPath must start with "/", got 42. Pass a path such as "/health".'],
    ['a string as internetFacing', () => ({ internetFacing: 'yes' as any }),
      'internetFacing must be true or false, got "yes". Pass true for a load balancer reachable from the internet.'],
    ['a rolling surge larger than the desired count', () => ({
      desiredCount: 2,
      strategy: DeploymentStrategy.rolling({ maxSurge: Capacity.count(5), maxUnavailable: Capacity.count(0), analysis: analysis() }),
    }), 'strategy.maxSurge must be at most the desired count (2 tasks), got Capacity.count(5). Pass Capacity.count(2) or less, or a percentage with Capacity.percent(n).'],
    ['a rolling unavailability larger than the desired count', () => ({
      desiredCount: 2,
      strategy: DeploymentStrategy.rolling({ maxSurge: Capacity.count(1), maxUnavailable: Capacity.count(3), analysis: analysis() }),
    }), 'strategy.maxUnavailable must be at most the desired count (2 tasks), got Capacity.count(3). Pass Capacity.count(2) or less, or a percentage with Capacity.percent(n).'],
    ['circuitBreaker: true with a canary', () => ({ engine: EcsEngine.native({ circuitBreaker: true }) }),
      'engine.circuitBreaker only applies to a rolling strategy: ECS uses the deployment circuit breaker for rolling updates only, and this strategy rolls back on alarms, got true. '
      + 'Remove circuitBreaker from EcsEngine.native(), or use DeploymentStrategy.rolling.'],
  ])('fails when given %s, before anything is created', (_name, props, message) => {
    expectRefused(props, WHERE + message);
  });

  test('fails when the scope is not a construct', () => {
    expect(() => new ProgressiveFargateService('stack' as any, 'Api', { image, containerPort: 80, strategy: canary() }))
      .toThrow('ProgressiveFargateService: scope must be a construct (a Stack or a Construct in it), got "stack". Pass the stack or construct to add the service to.');
  });

  test('a refused service stages no asset: the image built from a directory never reaches the cloud assembly', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-'));
    fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM public.ecr.aws/nginx/nginx:stable\n');
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'out-'));
    const app = new App({ outdir });
    const stack = new Stack(app, 'Test');
    expect(() => new ProgressiveFargateService(stack, 'Api', { image: ecs.ContainerImage.fromAsset(dir), containerPort: 8080, strategy: canary(), listenerPort: -1 }))
      .toThrow('ProgressiveFargateService Test/Api: listenerPort must be at least 1 and at most 65535, got -1.');
    expect(stack.node.children).toHaveLength(0);
    const assembly = app.synth();
    expect(assembly.getStackByName('Test').assets).toEqual([]);
    expect(fs.readdirSync(outdir).filter(f => f.startsWith('asset.'))).toEqual([]);
  });
});

describe('EcsEngine options as any caller could pass them', () => {
  test.each<[string, () => unknown, string]>([
    ['null options', () => EcsEngine.native(null as any), 'EcsEngine.native: options must be an object, got null. Pass an options object, or nothing for the defaults.'],
    ['a string as circuitBreaker', () => EcsEngine.native({ circuitBreaker: 'yes' as any }),
      'EcsEngine.native: circuitBreaker must be true or false, got "yes". Pass true to roll back rolling deployments whose tasks fail to start.'],
    ['null CodeDeploy options', () => EcsEngine.codeDeploy(null as any), 'EcsEngine.codeDeploy: options must be an object, got null.'],
    ['an application name instead of an application', () => EcsEngine.codeDeploy({ application: 'shop' as any }),
      'EcsEngine.codeDeploy: application must be a CodeDeploy ECS application (codedeploy.IEcsApplication), got "shop". Pass a codedeploy.EcsApplication or EcsApplication.fromEcsApplicationName(...).'],
    ['a deployment group name CodeDeploy refuses', () => EcsEngine.codeDeploy({ deploymentGroupName: 'my group!' }),
      'EcsEngine.codeDeploy: deploymentGroupName must be 1-100 letters, digits or "_.+=,@-", got "my group!". Pass a name such as "checkout-api".'],
    ['an unresolved approval wait', () => EcsEngine.codeDeploy({ approvalWaitTime: Duration.minutes(Token.asNumber({ Ref: 'Wait' })) }),
      'EcsEngine.codeDeploy: approvalWaitTime must be a concrete duration known at synth time, got an unresolved token.'],
  ])('fails when given %s', (_name, make, message) => {
    let error: any;
    try {
      make();
    } catch (e) {
      error = e;
    }
    expect(error?.name).toBe('DeliveryValidationError');
    expect(error.message.startsWith(message)).toBe(true);
  });

  test('a token deployment group name is accepted as it is', () => {
    const name = Token.asString({ Ref: 'GroupName' });
    expect(EcsEngine.codeDeploy({ deploymentGroupName: name }).deploymentGroupName).toBe(name);
  });

  test('the refused service leaves the scope it was given untouched', () => {
    const scope = new Construct(newStack(), 'Team');
    expect(() => new ProgressiveFargateService(scope, 'Api', { image, containerPort: 0, strategy: canary() }))
      .toThrow('ProgressiveFargateService Test/Team/Api: containerPort must be at least 1 and at most 65535, got 0.');
    expect(scope.node.children).toHaveLength(0);
  });
});
