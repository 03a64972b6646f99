import { MigrationPhase } from '../migration-phase';

/** The oldest and newest PostgreSQL major versions the lint and the runner image support. */
export const MIN_POSTGRES = 13;
export const MAX_POSTGRES = 18;

/** Largest batch accepted: beyond it a batch is the long transaction batching exists to avoid. */
export const MAX_BATCH_SIZE = 100_000;

/** The phases in the order they run. */
export const PHASE_ORDER: readonly MigrationPhase[] = [MigrationPhase.EXPAND, MigrationPhase.BACKFILL, MigrationPhase.CONTRACT];

/** When each phase runs, platform-neutrally (the targets say which hook or slot implements it). */
export const PHASE_MOMENT: Record<MigrationPhase, string> = {
  [MigrationPhase.EXPAND]: 'before any instance of the new version starts; the previous version serves all traffic and must keep working on the expanded schema',
  [MigrationPhase.BACKFILL]: 'after the new version serves traffic, in the background while both versions may serve (unless declared blocking); one transaction per batch',
  [MigrationPhase.CONTRACT]: 'before the new version starts, after expand: a contract step drops only what the version running at deployment already stopped using (it belongs to the release after the one that stopped using the old shape), so what it drops belongs to versions that can no longer serve or be rolled back to',
};
