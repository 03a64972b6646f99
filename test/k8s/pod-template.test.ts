import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { podTemplateJson, renderPodTemplate, renderWithBarePod, renderWithDeployment } from '../../src/k8s/private/pod-template';

/**
 * The pod template is computed from the Deployment's template alone; it must be exactly what the
 * Deployment's own serialization (`ApiObject.toJson()`) writes, for any containers.
 */
function containerCases(chart: cdk8s.Chart): Array<[string, kplus.ContainerProps[]]> {
  const secret = new kplus.Secret(chart, 'secret', { stringData: { password: 'x' } });
  const config = new kplus.ConfigMap(chart, 'config', { data: { mode: 'fast' } });
  const cache = kplus.Volume.fromEmptyDir(chart, 'cache', 'cache', { sizeLimit: cdk8s.Size.mebibytes(64) });
  return [
    ['one container with a port', [{ image: 'api:1', portNumber: 8080 }]],
    ['no port', [{ image: 'worker:1' }]],
    ['env from values, secrets and config maps', [{
      image: 'api:1',
      portNumber: 8080,
      envVariables: {
        MODE: kplus.EnvValue.fromConfigMap(config, 'mode'),
        PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: 'password' }),
        PLAIN: kplus.EnvValue.fromValue('1'),
        POD: kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME),
      },
      envFrom: [kplus.Env.fromConfigMap(config)],
    }]],
    ['resources, probes, security context, command and args', [{
      image: 'api:1',
      ports: [{ number: 8080, name: 'http' }, { number: 9090, name: 'metrics', protocol: kplus.Protocol.TCP }],
      resources: {
        cpu: { request: kplus.Cpu.millis(250), limit: kplus.Cpu.units(1) },
        memory: { request: cdk8s.Size.mebibytes(128), limit: cdk8s.Size.gibibytes(1) },
      },
      readiness: kplus.Probe.fromHttpGet('/ready', { port: 8080, periodSeconds: cdk8s.Duration.seconds(5) }),
      liveness: kplus.Probe.fromTcpSocket({ port: 8080 }),
      securityContext: { user: 1000, group: 3000, ensureNonRoot: true, readOnlyRootFilesystem: true },
      command: ['node'],
      args: ['server.js', '--port', '8080'],
      workingDir: '/app',
    }]],
    ['volume mounts, two containers', [
      { image: 'api:1', portNumber: 8080, volumeMounts: [{ path: '/cache', volume: cache }] },
      { name: 'sidecar', image: 'proxy:2', portNumber: 15000, imagePullPolicy: kplus.ImagePullPolicy.ALWAYS },
    ]],
  ];
}

describe('pod template', () => {
  const chart = new cdk8s.Chart(cdk8s.Testing.app(), 'refs');
  test.each(containerCases(chart))('%s: the same JSON as the Deployment\'s own serialization, without serializing the Deployment', (_name, containers) => {
    const deployment = new kplus.Deployment(new cdk8s.Chart(cdk8s.Testing.app(), 'c'), 'workload', {
      containers, select: false, podMetadata: { labels: { app: 'api' } }, metadata: { name: 'pod-template' },
    });
    const expected = cdk8s.ApiObject.of(deployment).toJson().spec.template;
    const of = jest.spyOn(cdk8s.ApiObject, 'of');
    try {
      expect(podTemplateJson(deployment)).toEqual(expected);
      // the same bytes, key order included
      expect(JSON.stringify(podTemplateJson(deployment))).toBe(JSON.stringify(expected));
      expect(of).not.toHaveBeenCalled();
    } finally {
      of.mockRestore();
    }
  });

  test('renderPodTemplate labels the pods with the given labels only, and reports the first port', () => {
    const { template, port } = renderPodTemplate([{ image: 'worker:1' }, { image: 'api:1', ports: [{ number: 9000 }] }], { app: 'api' });
    expect(template.metadata.labels).toEqual({ app: 'api' });
    expect(template.spec.containers.map((c: any) => c.image)).toEqual(['worker:1', 'api:1']);
    expect(port).toBe(9000);
  });
});

describe('pod template without a Deployment', () => {
  const chart = new cdk8s.Chart(cdk8s.Testing.app(), 'refs');
  const account = kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'api-runner');
  const podSettings: Array<[string, Partial<kplus.DeploymentProps>]> = [
    ['no pod settings', {}],
    ['service account, token and a security context off the defaults', {
      serviceAccount: account,
      automountServiceAccountToken: true,
      securityContext: { ensureNonRoot: false, user: 0, group: 0, fsGroup: 2000, sysctls: [{ name: 'net.core.somaxconn', value: '1024' }] },
    }],
  ];
  const cases = containerCases(chart).flatMap(([name, containers]) =>
    podSettings.map(([settings, pod]) => [`${name}, ${settings}`, containers, pod] as const));

  test.each(cases)('%s: the bare pod renders the same bytes as the throwaway Deployment', (_name, containers, pod) => {
    const labels = { 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/instance': 'c-api-1a2b3c4d' };
    const fast = renderWithBarePod(containers, labels, pod);
    const reference = renderWithDeployment(containers, labels, pod);
    expect(fast).toBeDefined();
    expect(JSON.stringify(fast!.template)).toBe(JSON.stringify(reference.template));
    expect(fast!.port).toBe(reference.port);
    expect(renderPodTemplate(containers, labels, pod)).toEqual(fast);
  });

  test('what the bare pod cannot render is rendered by the Deployment, with cdk8s-plus\'s own error', () => {
    // An empty container list: cdk8s-plus refuses it while rendering the spec.
    expect(renderWithBarePod([], { app: 'api' })).toBeUndefined();
    expect(() => renderPodTemplate([], { app: 'api' })).toThrow('PodSpec must have at least 1 container');
  });
});
