import * as cdk8s from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { plainKey, podTemplateJson, renderPodTemplate, renderWithBarePod, renderWithDeployment } from '../../src/k8s/private/pod-template';

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

describe('templates rendered once for the same plain declaration', () => {
  const plainCases: Array<[string, kplus.ContainerProps[], Partial<kplus.DeploymentProps>]> = [
    ['one container with a port', [{ image: 'cache-test/api:1', portNumber: 8080 }], {}],
    ['plain env, command, args, two containers', [
      { image: 'cache-test/api:1', ports: [{ number: 8080, name: 'http' }], command: ['node'], args: ['server.js'], workingDir: '/app' },
      { name: 'sidecar', image: 'cache-test/proxy:2', portNumber: 15000, securityContext: { ensureNonRoot: false, user: 0 } },
    ], { automountServiceAccountToken: true, securityContext: { ensureNonRoot: false, user: 0, group: 0, fsGroup: 2000 } }],
  ];

  test.each(plainCases)('%s: the second rendering is the first one\'s bytes with its own labels, in fresh objects', (_name, containers, pod) => {
    const first = renderPodTemplate(containers, { app: 'one' }, pod);
    const reference = renderWithDeployment(containers, { app: 'two' }, pod);
    const bare = jest.spyOn(kplus.AbstractPod.prototype as any, '_toPodSpec');
    let second;
    try {
      // structurally equal props, new objects: a hit
      second = renderPodTemplate(JSON.parse(JSON.stringify(containers)), { app: 'two' }, JSON.parse(JSON.stringify(pod)));
      expect(bare).not.toHaveBeenCalled();
    } finally {
      bare.mockRestore();
    }
    expect(JSON.stringify(second.template)).toBe(JSON.stringify(reference.template));
    expect(second.port).toBe(reference.port);
    expect(first.template.metadata.labels).toEqual({ app: 'one' });
    // a caller may change what it gets: the next hit is not affected
    second.template.spec.containers[0].image = 'changed';
    second.template.metadata.labels.extra = 'x';
    const third = renderPodTemplate(containers, { app: 'three' }, pod);
    expect(third.template.spec.containers[0].image).toBe(containers[0].image);
    expect(third.template.metadata.labels).toEqual({ app: 'three' });
  });

  test('declarations with constructs, class instances or values JSON cannot tell apart are rendered anew', () => {
    const chart = new cdk8s.Chart(cdk8s.Testing.app(), 'plain');
    const account = kplus.ServiceAccount.fromServiceAccountName(chart, 'sa', 'api-runner');
    expect(plainKey([{ image: 'a', portNumber: 80 }])).toBe('[{"image":"a","portNumber":80}]');
    expect(plainKey([{ image: 'a', portNumber: undefined }])).toBe('[{"image":"a"}]');
    expect(plainKey({ serviceAccount: account })).toBeUndefined();
    expect(plainKey([{ image: 'a', envVariables: { A: kplus.EnvValue.fromValue('1') } }])).toBeUndefined();
    expect(plainKey([{ image: 'a', resources: { memory: { limit: cdk8s.Size.gibibytes(1) } } }])).toBeUndefined();
    expect(plainKey({ when: new Date(0) })).toBeUndefined();
    expect(plainKey({ port: NaN })).toBeUndefined();
    expect(plainKey({ port: Infinity })).toBeUndefined();
    expect(plainKey({ args: [undefined] })).toBeUndefined();
    // eslint-disable-next-line no-sparse-arrays
    expect(plainKey({ args: ['a', , 'b'] })).toBeUndefined();
    expect(plainKey({ run: () => 1 })).toBeUndefined();
    expect(plainKey({ id: 1n as any })).toBeUndefined();
    expect(plainKey({ bare: Object.assign(Object.create(null), { a: 1 }) })).toBe('{"bare":{"a":1}}');

    // not cached: each rendering goes through cdk8s-plus again
    const containers = [{ image: 'cache-test/env:1', envVariables: { A: kplus.EnvValue.fromValue('1') } }];
    renderPodTemplate(containers, { app: 'one' });
    const bare = jest.spyOn(kplus.AbstractPod.prototype as any, '_toPodSpec');
    try {
      const again = renderPodTemplate(containers, { app: 'two' });
      expect(bare).toHaveBeenCalledTimes(1);
      expect(again.template.spec.containers[0].env).toEqual([{ name: 'A', value: '1' }]);
    } finally {
      bare.mockRestore();
    }
  });

  test('a declaration that fails is not remembered: it fails again with cdk8s-plus\'s error', () => {
    expect(() => renderPodTemplate([], { app: 'one' })).toThrow('PodSpec must have at least 1 container');
    expect(() => renderPodTemplate([], { app: 'two' })).toThrow('PodSpec must have at least 1 container');
  });
});
