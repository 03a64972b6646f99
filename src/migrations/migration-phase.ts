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
   * Drops and renames of what the previous version used. Runs only once no running version and no
   * version a rollback can return to uses the old shape: after the rollout completed and the
   * previous version was released (after the keep/bake window), never before traffic of the same
   * release.
   */
  CONTRACT = 'contract',
}
