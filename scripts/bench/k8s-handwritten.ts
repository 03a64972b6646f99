/**
 * Benchmark workload, hand-written variant: the same n Argo rollouts as scripts/bench/k8s-library.ts,
 * written with plain cdk8s `ApiObject`s the way a user would without the library: per application a
 * stable and a canary Service, an AnalysisTemplate with the error-rate and p99 latency queries on the
 * NGINX ingress metrics in Prometheus, and a Rollout (10% then 50%, five minutes each, NGINX traffic
 * routing, background analysis from the first step; then all traffic on the new version for five
 * minutes while the analysis keeps judging it and the previous version stays ready, before promotion).
 *
 * cdk8s derives generated names, and their hashes, from construct paths, so each application is a
 * `Construct` whose objects sit at the same paths as the library's (a Service is a construct with
 * its object as the `Resource` child); names, order and fields come out the same, byte for byte.
 */
import { ApiObject, App, Chart, Names } from 'cdk8s';
import { Construct } from 'constructs';
import { SynthResult } from './worker';

const IMAGE = 'registry.example.com/app:1.0.0';
const PROMETHEUS = 'http://prometheus.monitoring:9090';
export const SERVICE_PORT = 80;
export const CONTAINER_PORT = 8080;
/** Measurement interval of the analysis, also the rate() window of the queries. */
const INTERVAL = '1m';
/** Below this many requests in the window, a measurement has no data, which counts as passing. */
const MIN_REQUESTS = 10;
const FAILURE_LIMIT = 1;

// NGINX ingress controller metrics of the measured Service; Argo Rollouts fills in the {{args.*}}.
const SELECTOR = 'namespace="{{args.namespace}}",service="{{args.service}}"';
const REQUESTS = `nginx_ingress_controller_requests{${SELECTOR}}`;
const ENOUGH_REQUESTS = `and on() ((sum(increase(${REQUESTS}[${INTERVAL}]))) >= ${MIN_REQUESTS})`;
const ERROR_RATIO = `(sum(rate(nginx_ingress_controller_requests{${SELECTOR},status=~"5.."}[${INTERVAL}])) or on() vector(0)) / sum(rate(${REQUESTS}[${INTERVAL}]))`;
const LATENCY_P99 = `histogram_quantile(0.99, sum by (le) (rate(nginx_ingress_controller_request_duration_seconds_bucket{${SELECTOR}}[${INTERVAL}])))`;
const HAS_DATA = 'len(result) > 0 && !isNaN(result[0])';

/** A Prometheus metric that fails above `max` and passes without enough requests (an empty result). */
function metric(name: string, query: string, max: number) {
  return {
    name,
    interval: INTERVAL,
    failureLimit: FAILURE_LIMIT,
    successCondition: `!(${HAS_DATA}) || result[0] <= ${max}`,
    failureCondition: `${HAS_DATA} && result[0] > ${max}`,
    provider: { prometheus: { address: PROMETHEUS, query: `(${query}) ${ENOUGH_REQUESTS}` } },
  };
}

/** Creates a Service at `scope/id` that selects the given pod labels, and returns it. */
export type ServiceFactory = (scope: Construct, id: string, selector: Record<string, string>) => { readonly name: string };

/** A ClusterIP Service in front of the application's pods. */
function service(scope: Construct, id: string, selector: Record<string, string>): ApiObject {
  return new ApiObject(new Construct(scope, id), 'Resource', {
    apiVersion: 'v1',
    kind: 'Service',
    spec: {
      externalIPs: [],
      ports: [{ port: SERVICE_PORT, targetPort: CONTAINER_PORT }],
      selector,
      type: 'ClusterIP',
    },
  });
}

function canaryApp(chart: Chart, id: string, stableIngress: string, makeService: ServiceFactory): void {
  const scope = new Construct(chart, id);
  const name = Names.toDnsLabel(scope);
  const labels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/instance': Names.toLabelValue(scope) };

  const stable = makeService(scope, 'StableService', labels);
  const canary = makeService(scope, 'CanaryService', labels);

  const analysis = new ApiObject(scope, 'Analysis', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AnalysisTemplate',
    spec: {
      args: [{ name: 'service' }, { name: 'stable-service' }, { name: 'namespace' }],
      metrics: [
        metric('error-rate', ERROR_RATIO, 0.01),
        metric('latency-p99', LATENCY_P99, 0.5),
      ],
    },
  });

  new ApiObject(scope, 'Resource', {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name },
    spec: {
      // Abort an update that makes no progress for 10 minutes instead of leaving it Degraded.
      progressDeadlineSeconds: 600,
      progressDeadlineAbort: true,
      replicas: 2,
      selector: { matchLabels: labels },
      strategy: {
        canary: {
          stableService: stable.name,
          canaryService: canary.name,
          steps: [
            { setWeight: 10 },
            { pause: { duration: '5m' } },
            { setWeight: 50 },
            { pause: { duration: '5m' } },
            // Keep the previous version for five minutes: not promoted yet, so an abort returns all
            // traffic to it, and the background analysis keeps running.
            { setWeight: 100 },
            { pause: { duration: '5m' } },
          ],
          analysis: {
            templates: [{ templateName: analysis.name }],
            args: [
              { name: 'service', value: canary.name },
              { name: 'stable-service', value: stable.name },
              { name: 'namespace', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            ],
            startingStep: 1,
          },
          // Argo Rollouts' default: the previous pods go 30 seconds after promotion.
          scaleDownDelaySeconds: 30,
          trafficRouting: { nginx: { stableIngress } },
        },
      },
      template: {
        metadata: { labels },
        spec: {
          // Pod settings written out in full: the library's pods get the same from cdk8s-plus' defaults.
          automountServiceAccountToken: false,
          containers: [{
            name: 'main',
            image: IMAGE,
            imagePullPolicy: 'Always',
            ports: [{ containerPort: CONTAINER_PORT }],
            resources: {
              limits: { cpu: '1500m', memory: '2048Mi' },
              requests: { cpu: '1000m', memory: '512Mi' },
            },
            securityContext: {
              allowPrivilegeEscalation: false,
              privileged: false,
              readOnlyRootFilesystem: true,
              runAsNonRoot: true,
            },
            startupProbe: { failureThreshold: 3, tcpSocket: { port: CONTAINER_PORT } },
          }],
          dnsPolicy: 'ClusterFirst',
          hostNetwork: false,
          restartPolicy: 'Always',
          securityContext: { fsGroupChangePolicy: 'Always', runAsNonRoot: true },
          setHostnameAsFQDN: false,
          terminationGracePeriodSeconds: 30,
        },
      },
    },
  });
}

export function synth(n: number): SynthResult {
  return synthWith(n, service);
}

/** The same apps, with Services made by `makeService` (a floor variant passes cdk8s-plus Services). */
export function synthWith(n: number, makeService: ServiceFactory): SynthResult {
  const app = new App();
  const chart = new Chart(app, 'bench', { namespace: 'bench' });
  for (let i = 0; i < n; i++) {
    canaryApp(chart, `app${i}`, `app${i}`, makeService);
  }
  // In memory: synthYaml() writes no files.
  const yaml = app.synthYaml();
  return { comparable: yaml, resources: (yaml.match(/^kind: /gm) ?? []).length };
}
