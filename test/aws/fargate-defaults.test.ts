import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { newStack, only, service } from './util';
import { EcsEngine, SmokeTest } from '../../src';

describe('what is created by default, and what it exposes', () => {
  test('a VPC over two availability zones with one NAT gateway; the tasks run in its private subnets without public addresses', () => {
    const { template } = service();
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::NatGateway', 1);
    template.resourceCountIs('AWS::EC2::EIP', 1);
    template.resourceCountIs('AWS::EC2::Subnet', 4);
    template.resourceCountIs('AWS::EC2::InternetGateway', 1);
    const subnets = template.findResources('AWS::EC2::Subnet');
    const privateSubnets = Object.entries(subnets).filter(([, r]) => r.Properties.MapPublicIpOnLaunch === false).map(([id]) => id).sort();
    expect(privateSubnets).toHaveLength(2);
    const network = only(template, 'AWS::ECS::Service').Properties.NetworkConfiguration.AwsvpcConfiguration;
    expect(network.AssignPublicIp).toBe('DISABLED');
    expect(network.Subnets.map((s: any) => s.Ref).sort()).toEqual(privateSubnets);
    // Both private subnets route to the internet through the one NAT gateway (image pulls, AWS APIs).
    const natRoutes = Object.values(template.findResources('AWS::EC2::Route')).filter(r => r.Properties.NatGatewayId !== undefined);
    expect(natRoutes).toHaveLength(2);
    expect(new Set(natRoutes.map(r => JSON.stringify(r.Properties.NatGatewayId))).size).toBe(1);
  });

  test('an internal load balancer whose listener accepts the VPC only, with no warning', () => {
    const { template, stack } = service();
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internal' });
    const lbGroup = Object.values(template.findResources('AWS::EC2::SecurityGroup'))
      .find(r => String(r.Properties.GroupDescription).includes('LoadBalancer'))!;
    expect(lbGroup.Properties.SecurityGroupIngress).toEqual([{
      CidrIp: { 'Fn::GetAtt': [expect.stringMatching(/^ApiVpc/), 'CidrBlock'] },
      Description: 'Clients in the VPC',
      FromPort: 80,
      IpProtocol: 'tcp',
      ToPort: 80,
    }]);
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('plain HTTP'));
  });

  test('internetFacing: true opens the listener to anyone and warns about plain HTTP', () => {
    const { template, stack } = service({ internetFacing: true });
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::LoadBalancer', { Scheme: 'internet-facing' });
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      SecurityGroupIngress: [{ CidrIp: '0.0.0.0/0', Description: 'Clients from the internet', FromPort: 80, IpProtocol: 'tcp', ToPort: 80 }],
    });
    Annotations.fromStack(stack).hasWarning('/Test/Api', Match.stringLikeRegexp(
      'The internet-facing load balancer serves plain HTTP on port 80 to anyone: pass certificate for HTTPS, or leave internetFacing unset for an internal load balancer.'));
  });

  test('internetFacing: true with a certificate serves HTTPS on 443 without the warning', () => {
    const stack = newStack();
    const certificate = acm.Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:eu-west-1:123456789012:certificate/abc');
    const { template } = service({ internetFacing: true, certificate }, stack);
    template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS' });
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('plain HTTP'));
  });

  test('a test listener is closed to all but the smoke test and testTrafficFrom', () => {
    const { template } = service({ smokeTest: SmokeTest.http({ path: '/health' }), testTrafficFrom: ec2.Peer.ipv4('10.20.0.0/16') });
    const ingress = Object.values(template.findResources('AWS::EC2::SecurityGroupIngress')).map(r => r.Properties).filter(p => p.FromPort === 9000);
    expect(ingress.map(p => p.Description).sort()).toEqual(['Smoke test to the test listener']);
    const inline = JSON.stringify(template.findResources('AWS::EC2::SecurityGroup'));
    expect(inline).toContain('"CidrIp":"10.20.0.0/16","Description":"Test traffic to the new version","FromPort":9000');
    expect(inline).not.toContain('"CidrIp":"0.0.0.0/0","Description":"Test');
  });

  test('the task is the smallest Fargate size (256 CPU units, 512 MiB) and the service runs two of them', () => {
    const { template } = service({ engine: EcsEngine.codeDeploy() });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '256', Memory: '512' });
    template.hasResourceProperties('AWS::ECS::Service', { DesiredCount: 2 });
  });

  test('a larger CPU size gets the smallest memory Fargate offers for it', () => {
    const { template } = service({ cpu: 1024 });
    template.hasResourceProperties('AWS::ECS::TaskDefinition', { Cpu: '1024', Memory: '2048' });
  });
});
