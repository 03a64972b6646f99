/**
 * The three phases of an expand-contract schema change, in the order they run in a release.
 *
 * @see https://www.postgresql.org/docs/current/explicit-locking.html
 */
export enum MigrationPhase {
  /**
   * Additive changes (new tables, columns, indexes, constraints `NOT VALID`). Runs before any task,
   * pod or function of the new version starts, while the previous version serves all traffic; the
   * previous version must keep working on the expanded schema.
   */
  EXPAND = 'expand',
  /**
   * Data copied into the expanded shape in batches, a commit per batch. Runs after the new version
   * serves, in the background, while both versions may serve; not on the rollout's critical path
   * unless the step is declared blocking.
   */
  BACKFILL = 'backfill',
  /**
   * Drops and renames of what no running version and no version a rollback can return to uses. A
   * contract step belongs to the release *after* the one that stopped using the old shape: when it
   * is deployed, the running version (the one a rollback returns to) already does without what the
   * step drops, so the targets run it before the new version starts, right after expand. Never
   * declare in a release the drop of something the version running now still uses.
   */
  CONTRACT = 'contract',
}
