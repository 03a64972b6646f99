import { Duration, Token } from 'aws-cdk-lib';
import { DatabaseEngine } from './database-engine';
import { toMillis } from '../private/duration';
import { fail, requireDuration, show } from '../private/validate';

/** Options for `MigrationRunner.psql`. */
export interface PsqlRunnerProps {
  /**
   * The image with `psql`.
   * @default "postgres:<major>-alpine" for the set's engine version
   */
  readonly image?: string;
  /**
   * `lock_timeout` set before every DDL statement: the longest a statement waits for its lock. While it
   * waits, every query on the table queues behind it, so this bounds the stall the running version
   * sees; a statement that times out fails the step (and the rollout rolls back) instead of stalling
   * production.
   *
   * The default, 5 seconds, is below the request timeouts of typical clients and load balancers (so a
   * stall shows as latency, not errors) and long enough not to fail on ordinary short transactions.
   * @default Duration.seconds(5)
   * @see https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-LOCK-TIMEOUT
   */
  readonly lockTimeout?: Duration;
  /**
   * `statement_timeout` set before every DDL statement; zero disables it. Guards against a statement
   * that rewrites or scans a big table while holding its lock. `CREATE INDEX CONCURRENTLY` on a large
   * table may legitimately need longer. A generated batched backfill is one `DO` statement for all its
   * batches, so it runs with `statement_timeout = 0` (each batch still waits at most `lockTimeout`).
   * @default Duration.hours(1)
   * @see https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-STATEMENT-TIMEOUT
   */
  readonly statementTimeout?: Duration;
}

/** Options for `MigrationRunner.command`. */
export interface CommandRunnerProps {
  /** The image with your migration tool, for example your application image. */
  readonly image: string;
  /** The command and its arguments, for example `["npx", "prisma", "migrate", "deploy"]`. */
  readonly command: string[];
  /**
   * Whether your command sets `lock_timeout` itself before DDL (in its configuration or in every
   * migration file). When false, the lint requires a `SET lock_timeout` in the declared SQL before
   * its first DDL statement (rule require-lock-timeout).
   * @default false
   */
  readonly setsLockTimeout?: boolean;
  /**
   * Whether your tool wraps each SQL file in one transaction (Flyway does by default). When true the
   * lint treats every declared file as one transaction: `CONCURRENTLY` and a batched backfill's
   * commits are refused there.
   * @default false
   */
  readonly transactionPerFile?: boolean;
}

const DEFAULT_LOCK_TIMEOUT = Duration.seconds(5);
const DEFAULT_STATEMENT_TIMEOUT = Duration.hours(1);

/**
 * What runs a step's SQL: `psql` in a PostgreSQL image (the default), or your own migration
 * command in your image.
 */
export class MigrationRunner {
  /**
   * `psql` runs the step's SQL, statement by statement with autocommit, stopping at the first error,
   * with `lock_timeout` and `statement_timeout` set before every DDL statement.
   * @see https://www.postgresql.org/docs/current/app-psql.html
   */
  public static psql(props: PsqlRunnerProps = {}): MigrationRunner {
    const where = 'MigrationRunner.psql';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass {} or leave it out.');
    }
    const image = props.image === undefined ? undefined : requireImage(where, props.image);
    const lockTimeout = props.lockTimeout === undefined ? DEFAULT_LOCK_TIMEOUT
      : requireDuration(where, 'lockTimeout', props.lockTimeout, { allowFractionalSeconds: true });
    const statementTimeout = props.statementTimeout === undefined ? DEFAULT_STATEMENT_TIMEOUT
      : requireDuration(where, 'statementTimeout', props.statementTimeout, { allowZero: true, allowFractionalSeconds: true });
    if (toMillis(statementTimeout) !== 0 && toMillis(statementTimeout) < toMillis(lockTimeout)) {
      fail(where, 'statementTimeout', `must be zero (no limit) or at least lockTimeout (${show(lockTimeout)})`, show(statementTimeout),
        'A statement that may wait lockTimeout for its lock needs at least that long to run.');
    }
    return new MigrationRunner('psql', image, undefined, lockTimeout, statementTimeout, true, false);
  }

  /**
   * Your migration command in your image (`prisma migrate deploy`, `flyway migrate`,
   * `node-pg-migrate up`, ...). The SQL declared on the step is still linted; the library cannot set
   * timeouts for your tool, so declare whether it does.
   */
  public static command(props: CommandRunnerProps): MigrationRunner {
    const where = 'MigrationRunner.command';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { image, command }.');
    }
    const image = requireImage(where, props.image);
    if (!Array.isArray(props.command) || props.command.length === 0) {
      fail(where, 'command', 'must be a non-empty list of strings', show(props.command), 'Pass the command and its arguments, for example ["npx", "prisma", "migrate", "deploy"].');
    }
    props.command.forEach((part, i) => {
      if (typeof part !== 'string' || part.length === 0) {
        fail(where, `command[${i}]`, 'must be a non-empty string', show(part), 'Pass each argument as a string.');
      }
      if (Token.isUnresolved(part)) {
        fail(where, `command[${i}]`, 'must be known at synth time', 'an unresolved token', 'Pass literal arguments.');
      }
    });
    const sets = requireBoolean(where, 'setsLockTimeout', props.setsLockTimeout);
    const txPerFile = requireBoolean(where, 'transactionPerFile', props.transactionPerFile);
    return new MigrationRunner('command', image, [...props.command], undefined, undefined, sets, txPerFile);
  }

  /** "psql" or "command". */
  public readonly kind: string;
  /**
   * The command of a command runner.
   * @default - psql, see `MigrationSet.invocation`
   */
  public readonly commandLine?: string[];
  /**
   * lock_timeout the psql runner sets before every DDL statement.
   * @default - not set by the library (command runner)
   */
  public readonly lockTimeout?: Duration;
  /**
   * statement_timeout the psql runner sets before every DDL statement (zero: none).
   * @default - not set by the library (command runner)
   */
  public readonly statementTimeout?: Duration;
  /** Whether lock_timeout is set before DDL by the runner (the library, or your command as declared). */
  public readonly setsLockTimeout: boolean;
  /** Whether each SQL file runs inside one transaction. */
  public readonly transactionPerFile: boolean;
  private readonly image?: string;

  private constructor(kind: string, image: string | undefined, command: string[] | undefined, lockTimeout: Duration | undefined,
    statementTimeout: Duration | undefined, setsLockTimeout: boolean, transactionPerFile: boolean) {
    this.kind = kind;
    this.image = image;
    this.commandLine = command;
    this.lockTimeout = lockTimeout;
    this.statementTimeout = statementTimeout;
    this.setsLockTimeout = setsLockTimeout;
    this.transactionPerFile = transactionPerFile;
  }

  /** The container image for an engine: the named image, or `postgres:<major>-alpine`. */
  public imageFor(engine: DatabaseEngine): string {
    return this.image ?? `postgres:${engine.majorVersion}-alpine`;
  }
}

function requireImage(where: string, image: unknown): string {
  if (typeof image !== 'string' || image.trim().length === 0 || /\s/.test(image)) {
    fail(where, 'image', 'must be a container image reference without spaces', show(image), 'Pass an image such as "postgres:16-alpine" or "registry.example.com/api:1.4.2".');
  }
  if (Token.isUnresolved(image)) {
    fail(where, 'image', 'must be known at synth time', 'an unresolved token', 'Pass a literal image reference; a target that builds images takes them in its own props.');
  }
  return image;
}

function requireBoolean(where: string, field: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    fail(where, field, 'must be true or false', show(value), `Pass ${field} as a boolean.`);
  }
  return value;
}
