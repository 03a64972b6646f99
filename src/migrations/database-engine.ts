import { Token } from 'aws-cdk-lib';
import { MAX_POSTGRES, MIN_POSTGRES } from './private/constants';
import { fail, requireNumber, show } from '../private/validate';


/**
 * The database engine a migration set runs against, with its major version.
 *
 * Only PostgreSQL is supported: the lint knows PostgreSQL's lock levels statement by statement, and
 * the default runner uses PostgreSQL's own client. MySQL's lock model (and its online-schema-change
 * tools, gh-ost and pt-online-schema-change) is different; it is refused rather than approximated.
 *
 * @see https://www.postgresql.org/docs/current/explicit-locking.html
 */
export class DatabaseEngine {
  /**
   * PostgreSQL of the given major version (13 to 18).
   *
   * The version chooses the runner image (`postgres:<major>-alpine`) and the advice the lint gives
   * (for example `DETACH PARTITION ... CONCURRENTLY` exists from 14).
   */
  public static postgres(majorVersion: number): DatabaseEngine {
    const where = 'DatabaseEngine.postgres';
    if (Token.isUnresolved(majorVersion)) {
      fail(where, 'majorVersion', 'must be known at synth time', 'an unresolved token', `Pass the major version as a number from ${MIN_POSTGRES} to ${MAX_POSTGRES}.`);
    }
    const v = requireNumber(where, 'majorVersion', majorVersion, { min: MIN_POSTGRES, max: MAX_POSTGRES, integer: true },
      `Pass the PostgreSQL major version (${MIN_POSTGRES} to ${MAX_POSTGRES}), for example DatabaseEngine.postgres(16).`);
    return new DatabaseEngine('postgres', v);
  }

  /**
   * An engine by name, for declarations read from configuration: "postgres" (or "postgresql") is
   * PostgreSQL; every other engine is refused with the reason.
   */
  public static of(name: string, majorVersion: number): DatabaseEngine {
    const where = 'DatabaseEngine.of';
    if (typeof name !== 'string' || Token.isUnresolved(name)) {
      fail(where, 'name', 'must be a literal engine name', Token.isUnresolved(name) ? 'an unresolved token' : show(name), 'Pass "postgres".');
    }
    const key = name.trim().toLowerCase();
    if (key === 'postgres' || key === 'postgresql') {
      return DatabaseEngine.postgres(majorVersion);
    }
    const why = key === 'mysql' || key === 'mariadb' || key === 'aurora-mysql'
      ? 'is not supported: MySQL locks differently (online schema changes there use gh-ost or pt-online-schema-change), and the lint and runner know PostgreSQL only'
      : 'is not supported: only PostgreSQL migrations are linted and run';
    return fail(where, 'name', why, show(name), 'Use DatabaseEngine.postgres(<major version>), or run this database\'s migrations outside the rollout.');
  }

  /** The engine: always "postgres". */
  public readonly name: string;
  /** The major version. */
  public readonly majorVersion: number;

  private constructor(name: string, majorVersion: number) {
    this.name = name;
    this.majorVersion = majorVersion;
  }
}
