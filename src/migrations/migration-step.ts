import { Duration } from 'aws-cdk-lib';
import { MigrationPhase } from './migration-phase';
import { MigrationRunner } from './migration-runner';
import { MigrationSql } from './migration-sql';
import { fail, requireDuration, requireName, show } from '../private/validate';

/** Options of every migration step. */
export interface MigrationStepProps {
  /**
   * The step's id: 1-63 lower-case letters, digits or "-" (it names the task, Job or hook that runs
   * it), unique in the set.
   */
  readonly id: string;
  /**
   * The SQL: run by the psql runner, linted for every runner.
   * @default - none; only a command runner can run a step without SQL, and then nothing is linted
   */
  readonly sql?: MigrationSql;
  /**
   * What runs the step.
   * @default - the set's runner
   */
  readonly runner?: MigrationRunner;
  /**
   * The longest the step may run before it counts as failed (targets map it to the hook timeout,
   * the task's or Job's deadline).
   * @default - Duration.hours(1) for expand and contract, Duration.hours(6) for backfill
   */
  readonly timeout?: Duration;
}

/** Options of a backfill step. */
export interface BackfillStepProps extends MigrationStepProps {
  /**
   * Whether the rollout waits for the backfill before it completes (and fails with it). By default
   * the backfill runs in the background after the new version serves, off the critical path.
   * @default false
   */
  readonly blocking?: boolean;
}

/** Options of `MigrationStep.of`: a step of any phase. */
export interface MigrationStepSpec extends BackfillStepProps {
  /** The phase. */
  readonly phase: MigrationPhase;
}

const PHASES = Object.values(MigrationPhase) as string[];

/** One step of a migration set: an id, a phase and the SQL (or command) it runs. */
export class MigrationStep {
  /** An additive change, run before any instance of the new version starts. */
  public static expand(props: MigrationStepProps): MigrationStep {
    return MigrationStep.build('MigrationStep.expand', MigrationPhase.EXPAND, props);
  }

  /** A data backfill, run in batches after the new version serves, while both versions may serve. */
  public static backfill(props: BackfillStepProps): MigrationStep {
    return MigrationStep.build('MigrationStep.backfill', MigrationPhase.BACKFILL, props);
  }

  /** Drops and renames, run once no running or rollback-able version uses the old shape. */
  public static contract(props: MigrationStepProps): MigrationStep {
    return MigrationStep.build('MigrationStep.contract', MigrationPhase.CONTRACT, props);
  }

  /** A step whose phase is given as data (for declarations read from configuration). */
  public static of(props: MigrationStepSpec): MigrationStep {
    const where = 'MigrationStep.of';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { id, phase, sql }.');
    }
    if (typeof props.phase !== 'string' || !PHASES.includes(props.phase)) {
      fail(where, 'phase', `must be one of ${PHASES.join(', ')}`, show(props.phase), 'Pass MigrationPhase.EXPAND, MigrationPhase.BACKFILL or MigrationPhase.CONTRACT.');
    }
    return MigrationStep.build(where, props.phase, props);
  }

  private static build(where: string, phase: MigrationPhase, props: BackfillStepProps): MigrationStep {
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { id, sql }.');
    }
    const id = requireName(where, 'id', props.id);
    if (props.sql !== undefined && !(props.sql instanceof MigrationSql)) {
      fail(where, 'sql', 'must be a MigrationSql', show(props.sql), 'Pass MigrationSql.inline(...), MigrationSql.fromFile(...) or MigrationSql.batchedBackfill(...).');
    }
    if (props.runner !== undefined && !(props.runner instanceof MigrationRunner)) {
      fail(where, 'runner', 'must be a MigrationRunner', show(props.runner), 'Pass MigrationRunner.psql(...) or MigrationRunner.command(...), or leave it out.');
    }
    const timeout = props.timeout === undefined
      ? (phase === MigrationPhase.BACKFILL ? Duration.hours(6) : Duration.hours(1))
      : requireDuration(where, 'timeout', props.timeout);
    if (props.blocking !== undefined && typeof props.blocking !== 'boolean') {
      fail(where, 'blocking', 'must be true or false', show(props.blocking), 'Pass blocking as a boolean.');
    }
    if (props.blocking !== undefined && phase !== MigrationPhase.BACKFILL) {
      fail(where, 'blocking', `applies to backfill steps only; a${phase === MigrationPhase.EXPAND ? 'n' : ''} ${phase} step is ${phase === MigrationPhase.EXPAND ? 'always blocking' : 'never on the rollout\'s critical path'}`,
        show(props.blocking), 'Leave blocking out.');
    }
    if (props.sql?.backfill !== undefined && phase !== MigrationPhase.BACKFILL) {
      fail(where, 'sql', `is a batched backfill, which belongs in a backfill step, not a${phase === MigrationPhase.EXPAND ? 'n' : ''} ${phase} step`,
        `MigrationSql.batchedBackfill({ table: ${show(props.sql.backfill.table)} })`,
        'Declare it with MigrationStep.backfill({ id, sql }).');
    }
    return new MigrationStep(id, phase, props.sql, props.runner, timeout, props.blocking ?? false);
  }

  /** The step's id. */
  public readonly id: string;
  /** The phase. */
  public readonly phase: MigrationPhase;
  /**
   * The SQL.
   * @default - none (a command runner's step)
   */
  public readonly sql?: MigrationSql;
  /**
   * The runner declared on the step.
   * @default - the set's runner (see `MigrationSet.runnerFor`)
   */
  public readonly runner?: MigrationRunner;
  /** The longest the step may run. */
  public readonly timeout: Duration;
  /** Whether the rollout waits for it (backfill); expand steps always block, contract steps never do. */
  public readonly blocking: boolean;

  private constructor(id: string, phase: MigrationPhase, sql: MigrationSql | undefined, runner: MigrationRunner | undefined,
    timeout: Duration, blocking: boolean) {
    this.id = id;
    this.phase = phase;
    this.sql = sql;
    this.runner = runner;
    this.timeout = timeout;
    this.blocking = phase === MigrationPhase.EXPAND ? true : blocking;
  }
}
