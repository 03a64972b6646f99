import type { FlagSet } from '../flag-set';

/** Version of the flag inventory document; the CLI refuses other versions. */
export const INVENTORY_VERSION = 1;
/** Construct metadata type of the inventory in a cloud assembly (cdk.out/manifest.json). */
export const INVENTORY_METADATA_TYPE = 'cdk-progressive-delivery:flag-inventory';
/** Annotation holding the inventory on the OpenFeature FeatureFlag object. */
export const INVENTORY_ANNOTATION = 'cdk-progressive-delivery.dev/flag-inventory';

/**
 * The flag inventory the constructs write beside what they deploy, read by
 * `cdk-progressive-delivery flags`: what is declared, by whom, until when. Never depends on the
 * date of synthesis (the reader judges ages and expiries on its own date).
 */
export function flagInventory(set: FlagSet, platform: string): any {
  return {
    inventoryVersion: INVENTORY_VERSION,
    flagSet: set.name,
    platform,
    flags: set.flags.map(f => ({
      key: f.key,
      owner: f.owner,
      type: f.type,
      valueType: f.valueType,
      ...(f.created ? { created: f.created } : {}),
      ...(f.expires ? { expires: f.expires } : {}),
      ...(f.extension ? { extendedUntil: f.extension.until, extensionReason: f.extension.reason } : {}),
      killed: f.killed,
      ...(f.rollout ? { stage: f.rollout.currentStage, stages: f.rollout.stages.length } : {}),
    })),
  };
}
