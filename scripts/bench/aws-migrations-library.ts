/**
 * Benchmark workload, library variant with migrations: the services of scripts/bench/aws-library.ts,
 * each with the database migrations of its release (`MigrationSet`, PostgreSQL 16): an expand step, a
 * batched backfill and a contract step, with the connection from the service's own Secrets Manager
 * secret. Constructing each set lints its SQL with PostgreSQL's parser, part of what the library does
 * at synth. scripts/bench/aws-migrations-handwritten.ts defines the same resources with aws-cdk-lib
 * alone (and no lint).
 */
import { Duration } from 'aws-cdk-lib';
import { synthWith } from './aws-library';
import { SynthResult } from './worker';
// lib/ is the compiled package, which the bench task builds before it runs.
// eslint-disable-next-line import/no-unresolved
import { DatabaseConnection, DatabaseEngine, MigrationSet, MigrationSql, MigrationStep } from '../../lib';

export function synth(n: number): SynthResult {
  return synthWith(n, undefined, i => new MigrationSet({
    engine: DatabaseEngine.postgres(16),
    // Each service has its own database, with the same release of the same schema change.
    connection: DatabaseConnection.fromSecretFields({ secretName: `service${i}/db` }),
    steps: [
      MigrationStep.expand({ id: 'add-email-lower', sql: MigrationSql.inline('ALTER TABLE users ADD COLUMN IF NOT EXISTS email_lower text;') }),
      MigrationStep.backfill({
        id: 'fill-email-lower',
        sql: MigrationSql.batchedBackfill({
          table: 'users', keyColumn: 'id', set: 'email_lower = lower(email)', where: 'email_lower IS NULL', batchSize: 1000, pause: Duration.millis(100),
        }),
      }),
      MigrationStep.contract({ id: 'drop-email-upper', sql: MigrationSql.inline('ALTER TABLE users DROP COLUMN IF EXISTS email_upper;') }),
    ],
  }));
}
