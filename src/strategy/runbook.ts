import { fail, show } from '../private/validate';

/** A value the runbook's commands use, set once at the top of the runbook. */
export interface RunbookVariable {
  /** The shell variable name, upper case (for example "CLUSTER"). */
  readonly name: string;
  /** What the value is, for example "the ECS cluster's name". */
  readonly description: string;
  /**
   * The literal value, when it is known at synth time.
   * @default - `lookup` finds it
   */
  readonly value?: string;
  /**
   * A shell command that prints the value (for example an `aws cloudformation describe-stacks`
   * query of a stack output), for values only known after deployment.
   * @default - `value` is used
   */
  readonly lookup?: string;
}

/** One thing an operator may have to do, with the exact commands. */
export interface RunbookProcedure {
  /** What the procedure does, for example "Abort the deployment and roll back". */
  readonly title: string;
  /** When to use it. */
  readonly when: string;
  /**
   * The commands, in order, using the runbook's variables.
   * @default - no command: the procedure is a change to the declaration (see `notes`)
   */
  readonly commands?: string[];
  /**
   * Remarks shown after the commands.
   * @default - none
   */
  readonly notes?: string[];
}

/** Options for `Runbook.of`. */
export interface RunbookProps {
  /** What the runbook is for, for example "checkout-api". */
  readonly title: string;
  /** What executes the deployment, for example "ECS native" or "Argo Rollouts". */
  readonly target: string;
  /** What rolls back (or stops) by itself, and when. */
  readonly automatic: string[];
  /**
   * The values the commands use.
   * @default - none
   */
  readonly variables?: RunbookVariable[];
  /** The procedures, most urgent first. */
  readonly procedures: RunbookProcedure[];
  /**
   * What the database schema must still support when rolling back (declared migrations).
   * @default - nothing declared
   */
  readonly schema?: string[];
  /**
   * Remarks on the runbook as a whole.
   * @default - none
   */
  readonly notes?: string[];
}

const VARIABLE = /^[A-Z][A-Z0-9_]*$/;

/**
 * What an operator does when a rollout goes wrong, with the commands for the engine that runs it and
 * the real resource names: rendered by each construct from the same data as its rollout plan.
 */
export class Runbook {
  /** A runbook from its parts. */
  public static of(props: RunbookProps): Runbook {
    const where = 'Runbook.of';
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { title, target, automatic, procedures }.');
    }
    requireText(where, 'title', props.title);
    requireText(where, 'target', props.target);
    requireTexts(where, 'automatic', props.automatic);
    if (!Array.isArray(props.procedures) || props.procedures.length === 0) {
      fail(where, 'procedures', 'must contain at least one procedure', show(props.procedures), 'Add what an operator does to abort or roll back.');
    }
    const variables = props.variables ?? [];
    if (!Array.isArray(variables)) {
      fail(where, 'variables', 'must be an array', show(variables), 'Pass a list of { name, description, value | lookup }.');
    }
    const names = new Set<string>();
    // Array.from visits the holes of a sparse array, which forEach would skip.
    Array.from(variables).forEach((v, i) => {
      if (v === null || typeof v !== 'object') fail(where, `variables[${i}]`, 'must be an object', show(v), 'Pass { name, description, value | lookup }.');
      if (typeof v.name !== 'string' || !VARIABLE.test(v.name)) {
        fail(where, `variables[${i}].name`, 'must be an upper-case shell variable name', show(v.name), 'Use a name such as "CLUSTER".');
      }
      if (names.has(v.name)) fail(where, `variables[${i}].name`, 'must be unique', show(v.name), 'Give each variable its own name.');
      names.add(v.name);
      requireText(where, `variables[${i}].description`, v.description);
      if ((v.value === undefined) === (v.lookup === undefined)) {
        fail(where, `variables[${i}]`, 'must have exactly one of value and lookup', show(v), 'Give the literal value, or the command that prints it.');
      }
      requireText(where, `variables[${i}].${v.value !== undefined ? 'value' : 'lookup'}`, v.value ?? v.lookup);
    });
    Array.from(props.procedures).forEach((p, i) => {
      if (p === null || typeof p !== 'object') fail(where, `procedures[${i}]`, 'must be an object', show(p), 'Pass { title, when, commands }.');
      requireText(where, `procedures[${i}].title`, p.title);
      requireText(where, `procedures[${i}].when`, p.when);
      if (p.commands !== undefined) requireTexts(where, `procedures[${i}].commands`, p.commands);
      if (p.notes !== undefined) requireTexts(where, `procedures[${i}].notes`, p.notes);
      if ((p.commands ?? []).length === 0 && (p.notes ?? []).length === 0) {
        fail(where, `procedures[${i}]`, 'must have commands or notes', show(p.title), 'Say what to run or what to change.');
      }
    });
    if (props.schema !== undefined) requireTexts(where, 'schema', props.schema);
    if (props.notes !== undefined) requireTexts(where, 'notes', props.notes);
    return new Runbook(props);
  }

  /** What the runbook is for. */
  public readonly title: string;
  /** What executes the deployment. */
  public readonly target: string;
  /** What rolls back by itself, and when. */
  public readonly automatic: string[];
  /** The values the commands use. */
  public readonly variables: RunbookVariable[];
  /** The procedures, most urgent first. */
  public readonly procedures: RunbookProcedure[];
  /** What the schema must still support on rollback. */
  public readonly schema: string[];
  /** Remarks on the runbook as a whole. */
  public readonly notes: string[];

  private constructor(props: RunbookProps) {
    this.title = props.title;
    this.target = props.target;
    this.automatic = [...props.automatic];
    this.variables = (props.variables ?? []).map(v => ({ ...v }));
    this.procedures = props.procedures.map(p => ({ ...p, commands: [...(p.commands ?? [])], notes: [...(p.notes ?? [])] }));
    this.schema = [...(props.schema ?? [])];
    this.notes = [...(props.notes ?? [])];
  }

  /** The runbook as plain data, stable for the same input. */
  public toJson(): any {
    return {
      title: this.title,
      target: this.target,
      automatic: this.automatic,
      variables: this.variables,
      procedures: this.procedures,
      schema: this.schema,
      notes: this.notes,
    };
  }

  /** The runbook in GitHub-flavoured Markdown, with its commands as bash blocks. */
  public toMarkdown(): string {
    const lines: string[] = [`### Runbook: ${this.title} (${this.target})`, '', '**Rolls back by itself**', ''];
    lines.push(...this.automatic.map(a => `- ${a}`), '');
    if (this.variables.length > 0) {
      lines.push('**Set these first**', '', '```bash');
      for (const v of this.variables) {
        lines.push(`# ${v.description}`);
        lines.push(v.value !== undefined ? `${v.name}=${shellQuote(v.value)}` : `${v.name}=$(${v.lookup})`);
      }
      lines.push('```', '');
    }
    for (const p of this.procedures) {
      lines.push(`**${p.title}**`, '', `When: ${p.when}`, '');
      if ((p.commands ?? []).length > 0) {
        lines.push('```bash', ...p.commands!, '```', '');
      }
      if ((p.notes ?? []).length > 0) {
        lines.push(...p.notes!.map(n => `- ${n}`), '');
      }
    }
    if (this.schema.length > 0) {
      lines.push('**What the database schema must still support on rollback**', '', ...this.schema.map(s => `- ${s}`), '');
    }
    lines.push(...this.notes.map(n => `- Note: ${n}`));
    if (this.notes.length > 0) lines.push('');
    return lines.join('\n');
  }
}

/** A value as a single-quoted shell word (quotes inside closed, escaped and reopened). */
function shellQuote(value: string): string {
  return /^[A-Za-z0-9_./:@=+-]+$/.test(value) ? value : `'${value.replace(/'/g, '\'\\\'\'')}'`;
}

function requireText(where: string, field: string, value: unknown): void {
  if (typeof value !== 'string' || value.trim().length === 0) {
    fail(where, field, 'must be a non-empty string', show(value), `Set ${field}.`);
  }
}

function requireTexts(where: string, field: string, values: unknown): void {
  if (!Array.isArray(values)) {
    fail(where, field, 'must be an array of strings', show(values), `Pass ${field} as a list of strings.`);
  }
  Array.from(values).forEach((v, i) => requireText(where, `${field}[${i}]`, v));
}
