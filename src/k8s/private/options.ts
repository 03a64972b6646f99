import { Duration } from 'aws-cdk-lib';

/** What each traffic router needs, as given to its `TrafficRouting` factory. */
export interface RouterOptions {
  readonly stableIngress?: string;
  readonly additionalIngressAnnotations?: { [name: string]: string };
  readonly annotationPrefix?: string;
  readonly virtualService?: string;
  readonly routes?: string[];
  readonly ingress?: string;
  readonly servicePort?: number;
  readonly rootService?: string;
  readonly trafficSplitName?: string;
  readonly httpRoute?: string;
  readonly namespace?: string;
}

/** What each smoke test needs, as given to its `ArgoSmokeTest` factory. */
export interface SmokeTestOptions {
  readonly path?: string;
  readonly port?: number;
  readonly timeout?: Duration;
  readonly successCondition?: string;
  readonly jsonPath?: string;
  readonly image?: string;
  readonly command?: string[];
  readonly args?: string[];
}

/** What the Kayenta provider needs, as given to `MetricProvider.kayenta`. */
export interface KayentaOptions {
  readonly application: string;
  readonly metricsAccountName: string;
  readonly configurationAccountName: string;
  readonly storageAccountName: string;
  readonly scope: string;
  readonly scopeName: string;
  readonly region: string;
  readonly marginalScore: number;
}
