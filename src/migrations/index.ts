export * from './database-connection';
export * from './database-engine';
export * from './migration-phase';
export * from './migration-runner';
export * from './migration-set';
export * from './migration-sql';
export * from './migration-step';
export * from './sql-lint';
