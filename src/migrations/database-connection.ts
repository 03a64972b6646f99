import { Token } from 'aws-cdk-lib';
import { fail, show } from '../private/validate';

/** An environment variable of the migration container filled from a key of the secret. */
export interface SecretEnvironmentVariable {
  /** The variable, for example PGPASSWORD. */
  readonly name: string;
  /** The key in the secret (a JSON key of a Secrets Manager secret, a data key of a Kubernetes Secret). */
  readonly key: string;
}

/** Options for `DatabaseConnection.fromUrlSecret`. */
export interface UrlSecretProps {
  /** The secret's name: a Secrets Manager secret on AWS, a Kubernetes Secret in the namespace on Kubernetes. */
  readonly secretName: string;
  /**
   * The key holding the `postgresql://user:password@host:port/dbname?sslmode=...` URL.
   * @default "url"
   */
  readonly key?: string;
}

/** Options for `DatabaseConnection.fromSecretFields`. */
export interface SecretFieldsProps {
  /** The secret's name: a Secrets Manager secret on AWS, a Kubernetes Secret in the namespace on Kubernetes. */
  readonly secretName: string;
  /**
   * The key holding the host name (PGHOST).
   * @default "host" (the key of an RDS-managed secret)
   */
  readonly hostKey?: string;
  /**
   * The key holding the port (PGPORT).
   * @default "port"
   */
  readonly portKey?: string;
  /**
   * The key holding the user name (PGUSER).
   * @default "username"
   */
  readonly usernameKey?: string;
  /**
   * The key holding the password (PGPASSWORD).
   * @default "password"
   */
  readonly passwordKey?: string;
  /**
   * The key holding the database name (PGDATABASE).
   * @default "dbname"
   */
  readonly databaseKey?: string;
  /**
   * libpq's `sslmode` for the migration's connection.
   * @default "require"
   * @see https://www.postgresql.org/docs/current/libpq-connect.html#LIBPQ-CONNECT-SSLMODE
   */
  readonly sslMode?: string;
}

const SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full'];

/**
 * How the migration reaches the database, described without naming a platform: a secret and the keys
 * in it. The AWS target maps it to a Secrets Manager secret injected into the task, the Kubernetes
 * target to a Secret referenced by the Job; either way the values reach the container as environment
 * variables and never the synthesized template.
 *
 * @see https://www.postgresql.org/docs/current/libpq-envars.html
 */
export class DatabaseConnection {
  /** A secret holding a connection URL under one key; the container gets it as `DATABASE_URL`. */
  public static fromUrlSecret(props: UrlSecretProps): DatabaseConnection {
    const where = 'DatabaseConnection.fromUrlSecret';
    requireObject(where, props);
    const secretName = requireLiteral(where, 'secretName', props.secretName);
    const key = props.key === undefined ? 'url' : requireLiteral(where, 'key', props.key);
    return new DatabaseConnection(secretName, [{ name: 'DATABASE_URL', key }], {}, true);
  }

  /**
   * A secret with one key per connection field (the shape of an RDS-managed secret); the container
   * gets libpq's variables PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE and PGSSLMODE.
   */
  public static fromSecretFields(props: SecretFieldsProps): DatabaseConnection {
    const where = 'DatabaseConnection.fromSecretFields';
    requireObject(where, props);
    const secretName = requireLiteral(where, 'secretName', props.secretName);
    const key = (field: string, value: unknown, def: string) => value === undefined ? def : requireLiteral(where, field, value);
    const sslMode = props.sslMode === undefined ? 'require' : requireLiteral(where, 'sslMode', props.sslMode);
    if (!SSL_MODES.includes(sslMode)) {
      fail(where, 'sslMode', `must be one of ${SSL_MODES.join(', ')}`, show(sslMode), 'Pass a libpq sslmode, for example "require" or "verify-full".');
    }
    return new DatabaseConnection(secretName, [
      { name: 'PGHOST', key: key('hostKey', props.hostKey, 'host') },
      { name: 'PGPORT', key: key('portKey', props.portKey, 'port') },
      { name: 'PGUSER', key: key('usernameKey', props.usernameKey, 'username') },
      { name: 'PGPASSWORD', key: key('passwordKey', props.passwordKey, 'password') },
      { name: 'PGDATABASE', key: key('databaseKey', props.databaseKey, 'dbname') },
    ], { PGSSLMODE: sslMode }, false);
  }

  /** The secret's name. */
  public readonly secretName: string;
  /** The container's variables filled from the secret. */
  public readonly secretEnvironment: SecretEnvironmentVariable[];
  /** The container's plain variables (no secrets). */
  public readonly environment: Record<string, string>;
  /** Whether the connection is one URL in `DATABASE_URL` (otherwise libpq's PG* variables). */
  public readonly usesUrl: boolean;

  private constructor(secretName: string, secretEnvironment: SecretEnvironmentVariable[], environment: Record<string, string>, usesUrl: boolean) {
    this.secretName = secretName;
    this.secretEnvironment = secretEnvironment;
    this.environment = environment;
    this.usesUrl = usesUrl;
  }
}

function requireObject(where: string, props: unknown): void {
  if (props === null || typeof props !== 'object') {
    fail(where, 'props', 'must be an object', show(props), 'Pass { secretName }.');
  }
}

function requireLiteral(where: string, field: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) {
    fail(where, field, 'must be a non-empty string', show(value), `Pass ${field} as a literal string.`);
  }
  if (Token.isUnresolved(value)) {
    fail(where, field, 'must be known at synth time', 'an unresolved token', `Pass ${field} as a literal string; the target resolves the secret by name.`);
  }
  return value;
}
