import type * as cdk8s from 'cdk8s';
import { Construct } from 'constructs';
import { FlagSet } from '../flags/flag-set';
import { flagInventory, INVENTORY_ANNOTATION } from '../flags/private/inventory';
import { fail, show } from '../private/validate';
import { requireK8sName, requirePort, requireProps } from './private/inputs';
import { k8s } from './private/modules';
import { FEATURE_FLAG, FEATURE_FLAG_SOURCE, openFeatureAnnotations, renderFeatureFlagSourceSpec, renderFeatureFlagSpec } from './private/openfeature';

const WHERE = 'OpenFeatureFlags';

/** Options for `OpenFeatureFlags`. */
export interface OpenFeatureFlagsProps {
  /** The flags to serve. */
  readonly flagSet: FlagSet;
  /**
   * Name of the FeatureFlag and the FeatureFlagSource.
   * @default - the flag set's name
   */
  readonly name?: string;
  /**
   * Namespace of both objects; the FeatureFlagSource and the pod annotation refer to the
   * FeatureFlag as `namespace/name`, so one is required here or on the chart.
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /**
   * Port the injected flagd serves evaluations on.
   * @default - the operator's default, 8013
   * @see https://openfeature.dev/docs/reference/other-technologies/open-feature-operator/
   */
  readonly port?: number;
}

/**
 * A flag set on Kubernetes with the OpenFeature Operator: a `FeatureFlag`
 * (`core.openfeature.dev/v1beta1`) holding the flagd flag definitions and a `FeatureFlagSource`
 * that makes the injected flagd sidecar read it from the cluster. Pods opt in with
 * `podAnnotations` (or `ArgoRollout`'s `featureFlags` prop).
 *
 * flagd watches the FeatureFlag, so every change (a new stage, a kill) is served within seconds of
 * `kubectl apply`: moving a stage is the progressive step, a kill is immediate. Stickiness of
 * percentages holds within flagd, not across platforms (AppConfig hashes differently).
 *
 * @see https://github.com/open-feature/open-feature-operator
 * @see https://flagd.dev/reference/flag-definitions/
 */
export class OpenFeatureFlags extends Construct {
  /** Name of the FeatureFlag and the FeatureFlagSource. */
  public readonly name: string;
  /** Their namespace. */
  public readonly namespace: string;
  /** The flag set served. */
  public readonly flagSet: FlagSet;
  /** The FeatureFlag object, for escape hatches. */
  public readonly featureFlag: cdk8s.ApiObject;
  /** The FeatureFlagSource object, for escape hatches. */
  public readonly featureFlagSource: cdk8s.ApiObject;
  /** Flags close to their expiry (also in the construct's metadata as `warning` entries). */
  public readonly warnings: string[];

  constructor(scope: Construct, id: string, props: OpenFeatureFlagsProps) {
    super(scope, id);
    requireProps(WHERE, props);
    if (!(props.flagSet instanceof FlagSet)) {
      fail(WHERE, 'flagSet', 'must be a FlagSet', show(props.flagSet), 'Pass FlagSet.of({ name, flags, ... }).');
    }
    const { cdk8s: c } = k8s();
    this.flagSet = props.flagSet;
    this.name = props.name === undefined ? requireK8sName(WHERE, 'flagSet.name', props.flagSet.name) : requireK8sName(WHERE, 'name', props.name);
    const namespace = props.namespace === undefined ? c.Chart.of(this).namespace : requireK8sName(WHERE, 'namespace', props.namespace);
    if (namespace === undefined) {
      fail(WHERE, 'namespace', 'is required when the chart has no namespace: the FeatureFlagSource and the pods refer to the FeatureFlag as namespace/name',
        'undefined', 'Pass namespace, or set it on the chart.');
    }
    this.namespace = namespace;
    const port = props.port === undefined ? undefined : requirePort(WHERE, 'port', props.port);
    const metadata = { name: this.name, namespace };
    this.featureFlag = new c.ApiObject(this, 'FeatureFlag', {
      ...FEATURE_FLAG,
      metadata: { ...metadata, annotations: { [INVENTORY_ANNOTATION]: JSON.stringify(flagInventory(props.flagSet, 'openfeature')) } },
      spec: renderFeatureFlagSpec(props.flagSet),
    });
    this.featureFlagSource = new c.ApiObject(this, 'FeatureFlagSource', {
      ...FEATURE_FLAG_SOURCE,
      metadata,
      spec: renderFeatureFlagSourceSpec(namespace, this.name, port),
    });
    this.warnings = [...props.flagSet.warnings];
    for (const w of this.warnings) this.node.addMetadata('warning', w);
  }

  /**
   * The pod annotations that make the OpenFeature Operator inject flagd reading these flags
   * (`openfeature.dev/enabled`, `openfeature.dev/featureflagsource`).
   * @see https://openfeature.dev/docs/reference/other-technologies/open-feature-operator/
   */
  public get podAnnotations(): { [key: string]: string } {
    return openFeatureAnnotations(this.namespace, this.name);
  }
}
