// Declares the migrations of one release (expand, batched backfill, contract) for a PostgreSQL 16
// database, lints their SQL with PostgreSQL's parser, and prints the plan and the expand script:
// no infrastructure is synthesized (running the phases inside a rollout is not rendered yet).
import * as path from 'path';
import { Duration } from 'aws-cdk-lib';
import { DatabaseConnection, DatabaseEngine, MigrationSet, MigrationSql, MigrationStep } from '../../src';

const migrations = new MigrationSet({
  engine: DatabaseEngine.postgres(16),
  connection: DatabaseConnection.fromSecretFields({ secretName: 'shop/db' }),
  steps: [
    MigrationStep.expand({ id: 'add-email-lower', sql: MigrationSql.fromFile(path.join(__dirname, 'sql', '001-expand.sql')) }),
    MigrationStep.backfill({
      id: 'fill-email-lower',
      sql: MigrationSql.batchedBackfill({
        table: 'users',
        keyColumn: 'id',
        set: 'email_lower = lower(email)',
        where: 'email_lower IS NULL',
        batchSize: 2000,
        pause: Duration.millis(200),
      }),
    }),
    MigrationStep.contract({ id: 'drop-email-upper', sql: MigrationSql.fromFile(path.join(__dirname, 'sql', '003-contract.sql')) }),
  ],
});

// Paths relative to this folder keep the printed plan the same on every machine.
console.log(migrations.planMarkdown().split(`${__dirname}${path.sep}`).join(''));
console.log('The expand step as psql runs it:\n');
console.log('```sql');
console.log(migrations.script('add-email-lower').split(`${__dirname}${path.sep}`).join('').trimEnd());
console.log('```');
