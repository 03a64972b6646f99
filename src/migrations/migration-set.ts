import { Duration } from 'aws-cdk-lib';
import { DatabaseConnection, SecretEnvironmentVariable } from './database-connection';
import { DatabaseEngine } from './database-engine';
import { MigrationPhase } from './migration-phase';
import { MigrationRunner } from './migration-runner';
import { MigrationStep } from './migration-step';
import { PHASE_MOMENT, PHASE_ORDER } from './private/constants';
import { isDdl } from './private/lint-engine';
import { lintInOrder } from './private/lint-run';
import { parseAll } from './private/parser';
import { toMillis } from '../private/duration';
import { DeliveryValidationError, fail, formatDuration, show } from '../private/validate';

/** Options for `MigrationSet`. */
export interface MigrationSetProps {
  /** The database engine and major version: `DatabaseEngine.postgres(16)`. */
  readonly engine: DatabaseEngine;
  /** How the migration reaches the database. */
  readonly connection: DatabaseConnection;
  /** The steps in the order they run: expand steps, then backfill steps, then contract steps. */
  readonly steps: MigrationStep[];
  /**
   * What runs each step that does not name its own runner.
   * @default MigrationRunner.psql()
   */
  readonly runner?: MigrationRunner;
}

/** How a target starts one step: the container, its command and environment. */
export interface MigrationInvocation {
  /** The container image. */
  readonly image: string;
  /** The container's command and arguments. */
  readonly command: string[];
  /** Plain environment variables. */
  readonly environment: Record<string, string>;
  /** Environment variables filled from the connection's secret. */
  readonly secretEnvironment: SecretEnvironmentVariable[];
  /**
   * The script the command reads from `scriptPath` (psql runner); the target puts it there
   * (a ConfigMap volume, a file baked into an image, ...).
   * @default - none: a command runner runs your command
   */
  readonly script?: string;
  /**
   * Where the command reads `script` from.
   * @default - none: a command runner runs your command
   */
  readonly scriptPath?: string;
}

/** One phase of a migration plan. */
export interface MigrationPlanPhase {
  /** The phase. */
  readonly phase: MigrationPhase;
  /** When it runs, platform-neutrally. */
  readonly runs: string;
  /** The ids of its steps, in order. */
  readonly steps: string[];
  /** Whether the rollout waits for it. */
  readonly blocking: boolean;
  /**
   * What the phase drops or renames, with the step (contract only): what the previous version may
   * still need, so the last moment a rollback to it works is before this phase runs.
   */
  readonly removes: string[];
}

/**
 * The migrations of one release for one database: ordered expand, backfill and contract steps, each
 * run at the moment of the rollout that cannot break the running version or the version a rollback
 * returns to.
 *
 * Constructing a set reads the SQL files, parses every statement with PostgreSQL's parser and lints
 * it (see `SqlLint`): any finding or syntax error is an error here, at synth, listing every finding
 * as `file:line rule-id message`. A finding that is safe in context is suppressed by a comment on its
 * statement naming the rule and the reason.
 */
export class MigrationSet {
  /** The engine. */
  public readonly engine: DatabaseEngine;
  /** The connection. */
  public readonly connection: DatabaseConnection;
  /** The steps in order. */
  public readonly steps: MigrationStep[];
  /** The runner of steps that do not name their own. */
  public readonly runner: MigrationRunner;
  /**
   * What the contract steps drop or rename, in order, each with its step, for example
   * `column public.users.email_upper (dropped) by drop-old`: what the previous version may still
   * need. The rollback runbook says a rollback to the previous version works only before these run.
   */
  public readonly contractRemovals: string[];

  constructor(props: MigrationSetProps) {
    const where = 'MigrationSet';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { engine, connection, steps }.');
    }
    if (!(props.engine instanceof DatabaseEngine)) {
      fail(where, 'engine', 'must be a DatabaseEngine', show(props.engine), 'Pass DatabaseEngine.postgres(<major version>).');
    }
    if (!(props.connection instanceof DatabaseConnection)) {
      fail(where, 'connection', 'must be a DatabaseConnection', show(props.connection), 'Pass DatabaseConnection.fromSecretFields({ secretName }) or DatabaseConnection.fromUrlSecret({ secretName }).');
    }
    if (props.runner !== undefined && !(props.runner instanceof MigrationRunner)) {
      fail(where, 'runner', 'must be a MigrationRunner', show(props.runner), 'Pass MigrationRunner.psql(...) or MigrationRunner.command(...), or leave it out.');
    }
    if (!Array.isArray(props.steps) || props.steps.length === 0) {
      fail(where, 'steps', 'must list at least one step', show(props.steps), 'Pass MigrationStep.expand(...), MigrationStep.backfill(...) and MigrationStep.contract(...) steps in order.');
    }
    this.engine = props.engine;
    this.connection = props.connection;
    this.runner = props.runner ?? MigrationRunner.psql();
    const ids = new Set<string>();
    props.steps.forEach((step, i) => {
      if (!(step instanceof MigrationStep)) {
        fail(where, `steps[${i}]`, 'must be a MigrationStep', show(step), 'Create steps with MigrationStep.expand, .backfill, .contract or .of.');
      }
      if (ids.has(step.id)) {
        fail(where, `steps[${i}].id`, 'must be unique in the set', show(step.id), 'Give each step its own id.');
      }
      ids.add(step.id);
      const prev = i > 0 ? props.steps[i - 1] : undefined;
      if (prev && PHASE_ORDER.indexOf(step.phase) < PHASE_ORDER.indexOf(prev.phase)) {
        fail(where, `steps[${i}]`, `must not come before a ${prev.phase} step: phases run expand, then backfill, then contract`,
          `${step.phase} step ${show(step.id)} after ${prev.phase} step ${show(prev.id)}`, 'List the steps in the order they run.');
      }
      const runner = step.runner ?? this.runner;
      if (runner.kind === 'psql' && step.sql === undefined) {
        fail(where, `steps[${i}].sql`, 'is required with the psql runner', 'undefined', 'Give the step its SQL, or a MigrationRunner.command runner.');
      }
      if (runner.kind === 'command' && step.sql?.backfill !== undefined) {
        fail(where, `steps[${i}].runner`, 'must be the psql runner for a batched backfill (your command would not run the generated SQL)', 'MigrationRunner.command(...)',
          'Give the step runner: MigrationRunner.psql().');
      }
    });
    this.steps = [...props.steps];
    this.contractRemovals = this.lint();
  }

  /** The steps of one phase, in order. */
  public stepsIn(phase: MigrationPhase): MigrationStep[] {
    return this.steps.filter(s => s.phase === phase);
  }

  /** The step with this id. */
  public step(id: string): MigrationStep {
    const step = this.steps.find(s => s.id === id);
    if (!step) {
      fail('MigrationSet.step', 'id', 'must name a step of the set', show(id), `Use one of ${this.steps.map(s => s.id).join(', ')}.`);
    }
    return step;
  }

  /** The runner of a step: its own, or the set's. */
  public runnerFor(step: MigrationStep): MigrationRunner {
    return step.runner ?? this.runner;
  }

  /**
   * The psql script of a step: its statements, each DDL statement preceded by `SET lock_timeout` and
   * `SET statement_timeout`, and a DO block (the batched backfill) by `SET statement_timeout = 0`
   * (one DO statement runs every batch).
   */
  public script(stepId: string): string {
    const step = this.step(stepId);
    const runner = this.runnerFor(step);
    if (runner.kind !== 'psql' || step.sql === undefined) {
      fail('MigrationSet.script', 'stepId', 'must name a step run by the psql runner', show(stepId), 'A command runner runs your command; see invocation().');
    }
    const text = step.sql.text;
    const bytes = Buffer.from(text, 'utf-8');
    const [parsed] = parseAll([text]);
    const lock = `SET lock_timeout = '${toMillis(runner.lockTimeout!)}ms';`;
    const statement = `SET statement_timeout = '${toMillis(runner.statementTimeout!)}ms';`;
    const lines = [`-- Migration step "${step.id}" (${step.phase}) from ${step.sql._source(step.id)}.`];
    for (const s of parsed.statements ?? []) {
      const start = s.stmt_location ?? 0;
      const end = s.stmt_len === undefined ? bytes.length : start + s.stmt_len;
      const kind = Object.keys(s.stmt)[0];
      if (kind === 'DoStmt') {
        lines.push(lock, 'SET statement_timeout = 0;');
      } else if (isDdl(kind)) {
        lines.push(lock, statement);
      }
      lines.push(`${bytes.subarray(start, end).toString('utf-8').trim()};`);
    }
    return lines.join('\n') + '\n';
  }

  /**
   * How to start a step: image, command and environment. The psql runner's command reads the script
   * from `scriptPath` and stops at the first error (psql `ON_ERROR_STOP`), exiting non-zero.
   */
  public invocation(stepId: string, scriptPath?: string): MigrationInvocation {
    const step = this.step(stepId);
    const runner = this.runnerFor(step);
    const environment = { ...this.connection.environment, PGAPPNAME: `migration-${step.id}` };
    const image = runner.imageFor(this.engine);
    if (runner.kind === 'command') {
      if (scriptPath !== undefined) {
        fail('MigrationSet.invocation', 'scriptPath', 'applies to the psql runner only', show(scriptPath), 'Leave it out for a command runner.');
      }
      return { image, command: [...runner.commandLine!], environment, secretEnvironment: [...this.connection.secretEnvironment] };
    }
    const path = scriptPath ?? `/migrations/${step.id}.sql`;
    if (typeof path !== 'string' || !path.startsWith('/')) {
      fail('MigrationSet.invocation', 'scriptPath', 'must be an absolute path', show(path), 'Pass a path such as "/migrations/expand.sql".');
    }
    const psql = ['psql', '--no-psqlrc', '--set=ON_ERROR_STOP=1', `--file=${path}`];
    const command = this.connection.usesUrl
      ? ['sh', '-c', 'exec psql "$DATABASE_URL" --no-psqlrc --set=ON_ERROR_STOP=1 --file="$1"', 'psql', path]
      : psql;
    return { image, command, environment, secretEnvironment: [...this.connection.secretEnvironment], script: this.script(step.id), scriptPath: path };
  }

  /** The phases with their steps and when each runs. */
  public plan(): MigrationPlanPhase[] {
    return PHASE_ORDER.map(phase => ({ phase, steps: this.stepsIn(phase) }))
      .filter(p => p.steps.length > 0)
      .map(p => ({
        phase: p.phase,
        runs: PHASE_MOMENT[p.phase],
        steps: p.steps.map(s => s.id),
        blocking: p.steps.some(s => s.blocking),
        removes: p.phase === MigrationPhase.CONTRACT ? [...this.contractRemovals] : [],
      }));
  }

  /** The plan as Markdown: one section per phase, with its steps, runners and timeouts. */
  /**
   * What the schema must still support when a rollout of this release rolls back, one line each, for
   * the runbooks: the previous version runs on the expanded schema, and what contract drops is used by
   * no version a rollback returns to.
   */
  public rollbackSchemaNotes(): string[] {
    const out: string[] = [];
    const expand = this.steps.filter(s => s.phase === MigrationPhase.EXPAND).map(s => s.id);
    if (expand.length > 0) {
      out.push(`A rollback returns to the previous version on the expanded schema (${expand.join(', ')} stay applied): it must keep working with the additions.`);
    }
    if (this.contractRemovals.length > 0) {
      out.push(`Contract removes ${this.contractRemovals.join('; ')}: the running version no longer uses them, so a rollback to it works; a version older than that needs them back, so roll forward from there.`);
    }
    return out;
  }

  public planMarkdown(): string {
    const out = [`### Migrations (PostgreSQL ${this.engine.majorVersion})`, ''];
    for (const p of this.plan()) {
      out.push(`**${p.phase}** — runs ${p.runs}${p.phase === MigrationPhase.BACKFILL ? (p.blocking ? '; the rollout waits for it' : '; not on the rollout\'s critical path') : ''}.`, '');
      for (const id of p.steps) {
        const s = this.step(id);
        const r = this.runnerFor(s);
        const bf = s.sql?.backfill;
        const statementTimeout = bf !== undefined ? 'none (one DO statement runs every batch)'
          : toMillis(r.statementTimeout ?? Duration.seconds(0)) === 0 ? 'none' : formatDuration(r.statementTimeout!);
        const how = r.kind === 'psql'
          ? `psql in ${r.imageFor(this.engine)}, lock_timeout ${formatDuration(r.lockTimeout!)}, statement_timeout ${statementTimeout}`
          : `\`${r.commandLine!.join(' ')}\` in ${r.imageFor(this.engine)}`;
        const batches = bf ? `, batches of ${bf.batchSize} keys of ${bf.table} with ${formatDuration(bf.pause)} pauses` : '';
        out.push(`- \`${s.id}\`: ${s.sql ? s.sql._source(s.id) : 'your command'} (${how}${batches}; timeout ${formatDuration(s.timeout)})`);
      }
      if (p.removes.length > 0) {
        out.push('', `Rollback: contract removes ${p.removes.join('; ')}, which the running version no longer uses, so a rollback to it still works; `
          + 'a version older than the running one may need them: once contract has run, roll forward from there instead.');
      }
      out.push('');
    }
    return out.join('\n');
  }

  private lint(): string[] {
    const linted = this.steps.filter(s => s.sql !== undefined);
    const files = linted.map(s => {
      const runner = this.runnerFor(s);
      return {
        file: s.sql!._source(s.id),
        sql: s.sql!.text,
        phase: s.phase,
        lockTimeoutSetByRunner: runner.setsLockTimeout,
        transactionPerFile: runner.transactionPerFile,
      };
    });
    const report = lintInOrder(files, { postgres: this.engine.majorVersion, lockTimeoutSetByRunner: false, transactionPerFile: false });
    const problems = [
      ...report.syntaxErrors.map(e => `${e.file}:${e.line}:${e.column} syntax-error ${e.message}`),
      ...report.findings.map(f => `${f.file}:${f.line} ${f.ruleId} ${f.message}`),
    ];
    if (problems.length > 0) {
      // The library's message format, then the problems one per line as `file:line rule-id message`.
      throw new DeliveryValidationError(`MigrationSet: steps SQL must pass the migration lint (PostgreSQL ${this.engine.majorVersion}), `
        + `got ${problems.length} problem${problems.length === 1 ? '' : 's'}. Rewrite each statement as advised, or, where it is safe in context, `
        + `suppress the finding with a comment on the statement: "-- lint-allow <rule-id>: <reason>".\n  ${problems.join('\n  ')}`);
    }
    const stepOf = new Map(files.map((f, i) => [f.file, linted[i].id] as const));
    return report.removals.map(r => `${r.what} by ${stepOf.get(r.file)}`);
  }
}
