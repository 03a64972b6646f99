import { fail, show } from '../../private/validate';
import { OpenFeatureFlags } from '../feature-flags';

/**
 * The pod template with the OpenFeature injection annotations of `flags` added (a new object; the
 * template's other annotations are kept). Refuses a rollout whose pods it does not render.
 */
export function withFeatureFlagAnnotations(where: string, template: any, flags: unknown): any {
  if (!(flags instanceof OpenFeatureFlags)) {
    fail(where, 'featureFlags', 'must be an OpenFeatureFlags', show(flags), 'Pass new OpenFeatureFlags(chart, "flags", { flagSet }).');
  }
  if (template === undefined) {
    fail(where, 'featureFlags', 'needs the pod template, which a rollout referencing a Deployment (workloadRef) does not render', 'a deployment',
      'Add flags.podAnnotations to the Deployment\'s podMetadata, or pass containers instead of deployment.');
  }
  const metadata = template.metadata ?? {};
  return { ...template, metadata: { ...metadata, annotations: { ...(metadata.annotations ?? {}), ...flags.podAnnotations } } };
}
