import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { canaryStrategy } from './util';
import { ArgoRollout, MetricProvider, TrafficRouting } from '../../src';

const DIGEST = 'sha256:' + 'a'.repeat(64);
const common = {
  strategy: canaryStrategy(),
  trafficRouting: TrafficRouting.nginx({ stableIngress: 'api' }),
  metrics: MetricProvider.prometheus({ address: 'http://prometheus:9090' }),
};

describe('requireImageDigests (build once, promote the same image)', () => {
  test('an image pinned by digest is accepted and rendered as given', () => {
    const chart = cdk8s.Testing.chart();
    new ArgoRollout(chart, 'api', { ...common, requireImageDigests: true, containers: [{ image: `registry.example.com/api@${DIGEST}`, portNumber: 8080 }] });
    const rollout = cdk8s.Testing.synth(chart).find((o: any) => o.kind === 'Rollout');
    expect(rollout.spec.template.spec.containers[0].image).toBe(`registry.example.com/api@${DIGEST}`);
  });

  test('fails when an image has a tag and no digest', () => {
    expect(() => new ArgoRollout(cdk8s.Testing.chart(), 'api', { ...common, requireImageDigests: true, containers: [{ image: 'registry.example.com/api:2.4.0', portNumber: 8080 }] }))
      .toThrow('ArgoRollout: containers[0].image must be pinned by digest because requireImageDigests is set: a tag can point at another image than the one that passed staging, got "registry.example.com/api:2.4.0".');
  });

  test('tags are accepted without the option', () => {
    expect(() => new ArgoRollout(cdk8s.Testing.chart(), 'api', { ...common, containers: [{ image: 'registry.example.com/api:latest', portNumber: 8080 }] })).not.toThrow();
  });

  test('fails when a referenced Deployment runs an image without a digest', () => {
    const chart = cdk8s.Testing.chart();
    const deployment = new kplus.Deployment(chart, 'dep', { containers: [{ image: 'registry.example.com/api:latest', portNumber: 8080 }] });
    expect(() => new ArgoRollout(chart, 'api', { ...common, requireImageDigests: true, deployment, port: 80 }))
      .toThrow('ArgoRollout: deployment.containers[0].image must be pinned by digest');
  });

  test('fails when requireImageDigests is not a boolean', () => {
    expect(() => new ArgoRollout(cdk8s.Testing.chart(), 'api', { ...common, requireImageDigests: 'yes' as any, containers: [{ image: 'a', portNumber: 8080 }] }))
      .toThrow('ArgoRollout: requireImageDigests must be true or false, got "yes". Pass true for a production chart.');
  });
});
