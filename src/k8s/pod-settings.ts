/**
 * Labels and annotations that Argo Rollouts adds to the pods of one role (canary or stable, preview
 * or active) while they hold it, and removes after (`canaryMetadata`, `stableMetadata`,
 * `previewMetadata`, `activeMetadata`): for example a label a dashboard or a PodMonitor selects.
 * @see https://argo-rollouts.readthedocs.io/en/stable/features/ephemeral-metadata/
 */
export interface EphemeralPodMetadata {
  /**
   * Labels added to the pods of the role.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
  /**
   * Annotations added to the pods of the role.
   * @default - none
   */
  readonly annotations?: { [key: string]: string };
}
