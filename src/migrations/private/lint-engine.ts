import { ParseOutcome, RawStatement, ScannedToken } from './parser';
import { RULES, SUPPRESSION_KEYWORD } from './rules';

/** One finding, as the engine reports it. */
export interface EngineFinding {
  readonly ruleId: string;
  readonly file: string;
  readonly line: number;
  /** What the statement does wrong and what it takes (the lock, or the client it breaks). */
  readonly problem: string;
  /** The safe rewrite. */
  readonly rewrite: string;
}

/** A file the parser refused. */
export interface EngineSyntaxError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface SessionOptions {
  /** PostgreSQL major version the SQL runs on. */
  readonly postgres: number;
  /** Whether the runner sets lock_timeout before DDL (no require-lock-timeout then). */
  readonly lockTimeoutSetByRunner: boolean;
  /** Whether each file runs inside one transaction. */
  readonly transactionPerFile: boolean;
}

type Phase = 'expand' | 'backfill' | 'contract';

interface Suppression {
  readonly rules: string[];
  readonly line: number;
  used: boolean;
}

interface TypeInfo {
  readonly name: string;
  readonly mods: number[];
}

/** Statement kinds that take a table lock a running application can queue behind. */
const LOCKING_DDL = new Set([
  'AlterTableStmt', 'IndexStmt', 'DropStmt', 'RenameStmt', 'TruncateStmt', 'ReindexStmt', 'ClusterStmt',
  'VacuumStmt', 'CreateTrigStmt', 'LockStmt', 'AlterEnumStmt', 'RuleStmt',
]);

/** Whether a statement of this kind changes the schema (the psql runner sets the timeouts before it). */
export function isDdl(kind: string): boolean {
  return !NON_DDL.has(kind) || kind === 'VacuumStmt';
}

/** Statement kinds that do not change the schema (allowed in a backfill step). */
const NON_DDL = new Set([
  'UpdateStmt', 'DeleteStmt', 'InsertStmt', 'SelectStmt', 'MergeStmt', 'DoStmt', 'CallStmt', 'VariableSetStmt',
  'VariableShowStmt', 'TransactionStmt', 'CopyStmt', 'ExplainStmt', 'VacuumStmt', 'NotifyStmt', 'RefreshMatViewStmt',
]);

/** Functions that are not VOLATILE: a default calling them is evaluated once and stored as metadata (PG 11+). */
const NON_VOLATILE_FUNCTIONS = new Set([
  'now', 'transaction_timestamp', 'statement_timestamp', 'current_date', 'current_setting', 'lower', 'upper', 'trim', 'btrim',
  'concat', 'length', 'abs', 'round', 'floor', 'ceil', 'date_trunc', 'timezone', 'to_jsonb', 'to_json', 'jsonb_build_object',
  'json_build_object', 'jsonb_build_array', 'json_build_array', 'make_interval', 'make_date', 'array_fill', 'substr', 'replace',
]);

const SERIAL_TYPES = new Set(['serial', 'bigserial', 'smallserial', 'serial2', 'serial4', 'serial8']);

/**
 * Lints files in order. Knowledge that spans files (what earlier files created, which NOT NULL
 * checks were validated, which objects the expand and backfill steps added) lives in the session;
 * what PostgreSQL scopes to one run (transactions, `SET lock_timeout`, objects created in the same
 * migration) lives per file.
 */
export class LintSession {
  private readonly addedTables = new Set<string>();
  private readonly addedColumns = new Set<string>();
  private readonly addedIndexes = new Set<string>();
  private readonly validatedNotNull = new Set<string>();
  private readonly notNullChecks = new Map<string, string>(); // "table/constraint" -> column
  private readonly columnTypes = new Map<string, TypeInfo>();
  private readonly expandCreatedTables = new Set<string>();
  private readonly expandCreatedIndexes = new Set<string>();
  /** What contract steps drop or rename, in order: what the previous version may still need. */
  public readonly removals: Array<{ readonly file: string; readonly what: string }> = [];

  constructor(private readonly options: SessionOptions) {}

  public lintFile(file: string, text: string, phase: Phase, parsed: ParseOutcome,
    fileOptions: Partial<SessionOptions> = {}): { findings: EngineFinding[]; syntaxError?: EngineSyntaxError } {
    const bytes = Buffer.from(text, 'utf-8');
    const lineStarts = [0];
    for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) lineStarts.push(i + 1);
    const lineOf = (offset: number) => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = Math.floor((lo + hi + 1) / 2);
        if (lineStarts[mid] <= offset) lo = mid; else hi = mid - 1;
      }
      return lo + 1;
    };
    if (parsed.error) {
      // libpg-query's cursorPosition counts characters (code points) from 0; the line table counts bytes.
      const pos = Math.max(0, parsed.error.cursorPosition ?? 0);
      const byteOffset = Math.min(bytes.length, Buffer.byteLength([...text].slice(0, pos).join(''), 'utf-8'));
      const line = lineOf(byteOffset);
      const column = Buffer.from(bytes.subarray(lineStarts[line - 1], byteOffset)).toString('utf-8').length + 1;
      return { findings: [], syntaxError: { file, line, column, message: parsed.error.message } };
    }
    const lint = new FileLint(this, { ...this.options, ...fileOptions }, file, phase, lineOf, bytes.length);
    return lint.run(parsed.statements ?? [], parsed.comments ?? []);
  }

  /** @internal state shared with FileLint */
  public get state() {
    return {
      addedTables: this.addedTables,
      addedColumns: this.addedColumns,
      addedIndexes: this.addedIndexes,
      validatedNotNull: this.validatedNotNull,
      notNullChecks: this.notNullChecks,
      columnTypes: this.columnTypes,
      expandCreatedTables: this.expandCreatedTables,
      expandCreatedIndexes: this.expandCreatedIndexes,
    };
  }
}

class FileLint {
  private readonly findings: EngineFinding[] = [];
  private readonly createdTables = new Set<string>();
  private readonly createdIndexes = new Set<string>();
  private inTransaction: boolean;
  private notValidInTransaction = new Set<string>();
  private lockTimeoutSession = false;
  private lockTimeoutLocal = false;
  private lockTimeoutReported = false;
  private readonly usedRules = new Set<string>();
  private current: { line: number; suppressions: Suppression[] } = { line: 1, suppressions: [] };

  constructor(private readonly session: LintSession, private readonly options: SessionOptions, private readonly file: string,
    private readonly phase: Phase, private readonly lineOf: (offset: number) => number, private readonly size: number) {
    this.inTransaction = options.transactionPerFile;
  }

  public run(statements: RawStatement[], comments: ScannedToken[]): { findings: EngineFinding[] } {
    const ranges = statements.map(s => {
      const start = s.stmt_location ?? 0;
      return { start, end: s.stmt_len === undefined ? this.size : start + s.stmt_len };
    });
    // Each comment belongs to the statement it precedes or is inside; a comment on the line where the
    // previous statement ends belongs to that statement.
    const owned: ScannedToken[][] = statements.map(() => []);
    const stray: ScannedToken[] = [];
    for (const c of comments) {
      let owner = ranges.findIndex(r => c.start < r.end);
      if (owner > 0 && c.start >= ranges[owner - 1].end && this.lineOf(c.start) === this.lineOf(ranges[owner - 1].end)) owner--;
      if (owner < 0 && ranges.length > 0 && this.lineOf(c.start) === this.lineOf(ranges[ranges.length - 1].end)) owner = ranges.length - 1;
      if (owner < 0) stray.push(c); else owned[owner].push(c);
    }
    for (const c of stray) {
      const parsed = this.parseSuppression(c);
      if (parsed) {
        this.findings.push(this.finding('unused-suppression', parsed.line, `"${SUPPRESSION_KEYWORD}" comment after the last statement suppresses nothing`,
          'Put the comment on the line above the statement it is about.'));
      }
    }
    statements.forEach((s, i) => {
      const suppressions = owned[i].map(c => this.parseSuppression(c)).filter((x): x is Suppression => x !== undefined);
      this.current = { line: this.lineOf(ranges[i].start), suppressions };
      const kind = Object.keys(s.stmt)[0];
      this.statement(kind, s.stmt[kind] ?? {});
      for (const sup of this.current.suppressions) {
        const unused = sup.rules.filter(r => !this.usedRules.has(r));
        if (unused.length > 0 && sup.rules.length > 0) {
          this.findings.push(this.finding('unused-suppression', sup.line, `"${SUPPRESSION_KEYWORD} ${unused.join(', ')}" suppresses nothing on this statement`,
            'Remove it, or move it above the statement the rule fires on.'));
        }
      }
      this.usedRules.clear();
    });
    return { findings: this.findings };
  }

  private parseSuppression(c: ScannedToken): Suppression | undefined {
    const body = c.tokenName === 'C_COMMENT' ? c.text.slice(2, -2) : c.text.slice(2);
    const trimmed = body.trim();
    if (!trimmed.startsWith(SUPPRESSION_KEYWORD)) return undefined;
    const line = this.lineOf(c.start);
    const rest = trimmed.slice(SUPPRESSION_KEYWORD.length);
    const colon = rest.indexOf(':');
    const ids = (colon < 0 ? rest : rest.slice(0, colon)).split(',').map(x => x.trim()).filter(x => x.length > 0);
    const reason = colon < 0 ? '' : rest.slice(colon + 1).trim();
    const unknown = ids.filter(id => !(id in RULES) || id === 'invalid-suppression' || id === 'unused-suppression');
    if (ids.length === 0 || reason.length === 0 || unknown.length > 0) {
      const problem = ids.length === 0 ? 'names no rule' : unknown.length > 0 ? `names unknown rule ${unknown.map(u => `"${u}"`).join(', ')}` : 'gives no reason';
      this.findings.push(this.finding('invalid-suppression', line, `"${SUPPRESSION_KEYWORD}" comment ${problem}`,
        `Write "-- ${SUPPRESSION_KEYWORD} <rule-id>: <why this statement is safe here>" with a rule id from docs/migrations.md.`));
      return { rules: [], line, used: true };
    }
    return { rules: ids, line, used: false };
  }

  private finding(ruleId: string, line: number, problem: string, rewrite: string): EngineFinding {
    return { ruleId, file: this.file, line, problem, rewrite };
  }

  /** Reports a finding on the current statement unless a suppression on it names the rule. */
  private report(ruleId: string, problem: string, rewrite: string): void {
    const suppressed = this.current.suppressions.some(s => s.rules.includes(ruleId));
    if (suppressed) {
      this.usedRules.add(ruleId);
      return;
    }
    this.findings.push(this.finding(ruleId, this.current.line, problem, rewrite));
  }

  /**
   * Whether no running version can be using the table: created earlier in this file, or by an earlier
   * expand step while this is an expand step too (all expand steps run before the new version starts,
   * and the previous version does not know the table).
   */
  private isNewTable(table: string): boolean {
    return this.createdTables.has(table) || (this.phase === 'expand' && this.s.expandCreatedTables.has(table));
  }

  private isNewIndex(index: string): boolean {
    return this.createdIndexes.has(index) || (this.phase === 'expand' && this.s.expandCreatedIndexes.has(index));
  }

  private get s() {
    return this.session.state;
  }

  private statement(kind: string, n: any): void {
    if (LOCKING_DDL.has(kind) && !this.options.lockTimeoutSetByRunner && !this.lockTimeoutSession && !this.lockTimeoutLocal
      && !this.lockTimeoutReported && !this.targetsOnlyNewTables(kind, n)) {
      this.lockTimeoutReported = true;
      this.report('require-lock-timeout', 'DDL runs without lock_timeout: while it waits for its lock, every query on the table queues behind it, without limit',
        'Run "SET lock_timeout = \'5s\';" before the first DDL statement (and retry the migration if it times out), or use the psql runner, which sets it. Reported once per file, on the first such statement.');
    }
    if (this.phase === 'backfill' && !NON_DDL.has(kind)) {
      this.report('backfill-schema-change', `${describe(kind)} in a backfill step: the backfill runs while both versions serve, after the new version started`,
        'Move schema changes to an expand step (additive, before the new version starts) or a contract step (after the old version is gone).');
    }
    switch (kind) {
      case 'TransactionStmt': return this.transaction(n);
      case 'VariableSetStmt': return this.variableSet(n);
      case 'CreateStmt': return this.createTable(n);
      case 'IndexStmt': return this.createIndex(n);
      case 'DropStmt': return this.drop(n);
      case 'AlterTableStmt': return this.alterTable(n);
      case 'RenameStmt': return this.rename(n);
      case 'ReindexStmt': return this.reindex(n);
      case 'TruncateStmt': return this.truncate(n);
      case 'VacuumStmt':
        if ((n.options ?? []).some((o: any) => o.DefElem?.defname === 'full')) {
          this.report('ban-vacuum-full', 'VACUUM FULL rewrites the table under an ACCESS EXCLUSIVE lock: no reads or writes until it finishes',
            'Use plain VACUUM, or pg_repack outside the rollout.');
        }
        return;
      case 'ClusterStmt':
        this.report('ban-cluster', 'CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock: no reads or writes until it finishes',
          'Leave physical ordering out of migrations; use pg_repack outside the rollout.');
        return;
      case 'LockStmt':
        this.report('ban-lock-table', 'LOCK TABLE holds a table lock until the transaction ends, stalling the running version',
          'Remove it: each statement takes the lock it needs; rely on lock_timeout to bound waiting.');
        return;
      case 'UpdateStmt':
      case 'DeleteStmt': {
        const table = relKey(n.relation);
        if (this.isNewTable(table)) return;
        const verb = kind === 'UpdateStmt' ? 'UPDATE' : 'DELETE';
        this.report('require-batched-backfill', `${verb} of ${table} as one statement: one transaction holds row locks on every matching row until it commits, and writes its WAL in one burst`,
          'Use a batched backfill (MigrationSql.batchedBackfill: a commit per batch of keys, a pause between batches) in a backfill step.');
        return;
      }
      default: return;
    }
  }

  private targetsOnlyNewTables(kind: string, n: any): boolean {
    if (kind === 'AlterTableStmt' || kind === 'IndexStmt' || kind === 'TruncateStmt' || kind === 'ClusterStmt') {
      const rels = kind === 'TruncateStmt' ? (n.relations ?? []).map((r: any) => r.RangeVar) : [n.relation];
      return rels.length > 0 && rels.every((r: any) => r && this.isNewTable(relKey(r)));
    }
    if (kind === 'DropStmt' && (n.removeType === 'OBJECT_TABLE' || n.removeType === 'OBJECT_INDEX')) {
      return objectNames(n).every(o => (n.removeType === 'OBJECT_TABLE' ? this.isNewTable(o) : this.isNewIndex(lastPart(o))));
    }
    return false;
  }

  private transaction(n: any): void {
    const k = n.kind as string;
    if (k === 'TRANS_STMT_BEGIN' || k === 'TRANS_STMT_START') {
      this.inTransaction = true;
    } else if (k === 'TRANS_STMT_COMMIT' || k === 'TRANS_STMT_ROLLBACK' || k === 'TRANS_STMT_PREPARE') {
      this.inTransaction = this.options.transactionPerFile;
      this.notValidInTransaction = new Set();
      this.lockTimeoutLocal = false;
    }
  }

  private variableSet(n: any): void {
    if (n.name !== 'lock_timeout') return;
    const arg = n.args?.[0]?.A_Const;
    const value = arg === undefined ? undefined : arg.ival !== undefined ? String(arg.ival.ival ?? 0) : arg.sval?.sval;
    const disabled = n.kind !== 'VAR_SET_VALUE' || value === undefined || isZeroSetting(value);
    if (n.is_local) this.lockTimeoutLocal = !disabled; else this.lockTimeoutSession = !disabled;
  }

  private createTable(n: any): void {
    const table = relKey(n.relation);
    this.createdTables.add(table);
    if (this.phase === 'expand') this.s.expandCreatedTables.add(table);
    if (this.phase !== 'contract') this.s.addedTables.add(table);
    for (const e of n.tableElts ?? []) {
      const col = e.ColumnDef;
      if (col?.colname && col.typeName) this.s.columnTypes.set(`${table}.${col.colname}`, typeInfo(col.typeName));
    }
  }

  private createIndex(n: any): void {
    const table = relKey(n.relation);
    if (n.idxname) {
      this.createdIndexes.add(n.idxname);
      if (this.phase === 'expand') this.s.expandCreatedIndexes.add(n.idxname);
      if (this.phase !== 'contract') this.s.addedIndexes.add(n.idxname);
    }
    if (n.concurrent) {
      if (this.inTransaction) {
        this.report('ban-concurrent-index-creation-in-transaction', 'CREATE INDEX CONCURRENTLY cannot run inside a transaction block: PostgreSQL refuses it and the migration fails',
          this.options.transactionPerFile ? 'Put it in a file your tool runs without a transaction.' : 'Run it outside BEGIN ... COMMIT, as a statement of its own.');
      }
      return;
    }
    if (this.isNewTable(table)) return;
    this.report('require-concurrent-index-creation', `CREATE INDEX on ${table} takes a SHARE lock: inserts, updates and deletes wait for the whole index build`,
      'Use CREATE INDEX CONCURRENTLY (outside a transaction block); if it fails, drop the INVALID index and retry.');
  }

  private drop(n: any): void {
    const type = n.removeType as string;
    const names = objectNames(n);
    if (type === 'OBJECT_INDEX') {
      const fresh = names.every(o => this.isNewIndex(lastPart(o)));
      if (n.concurrent) {
        this.concurrentInTransaction('DROP INDEX CONCURRENTLY');
      } else if (!fresh) {
        this.report('require-concurrent-index-deletion', `DROP INDEX ${names.join(', ')} takes an ACCESS EXCLUSIVE lock on its table: reads and writes wait`,
          'Use DROP INDEX CONCURRENTLY (outside a transaction block).');
      }
      if (this.phase === 'contract') this.contractTouches(names.map(lastPart).filter(i => this.s.addedIndexes.has(i)).map(i => `index ${i}`), 'drops');
      return;
    }
    if (type === 'OBJECT_TABLE') {
      const old = names.filter(t => !this.isNewTable(t));
      if (this.phase !== 'contract' && old.length > 0) {
        this.report('ban-drop-table', `DROP TABLE ${old.join(', ')} in a${this.phase === 'expand' ? 'n' : ''} ${this.phase} step breaks the previous version, which still serves and can be rolled back to, if it uses the table`,
          'Stop using the table in one release, then drop it in a contract step of a later release.');
      }
      if (this.phase === 'contract') {
        this.contractTouches(names.filter(t => this.s.addedTables.has(t)).map(t => `table ${t}`), 'drops');
        this.removed(...names.map(t => `table ${t} (dropped)`));
      }
      return;
    }
    if (this.phase === 'contract') {
      this.removed(...names.map(o => `${type.replace(/^OBJECT_/, '').toLowerCase().replace(/_/g, ' ')} ${o} (dropped)`));
    } else {
      const what = type.replace(/^OBJECT_/, '').toLowerCase().replace(/_/g, ' ');
      this.report('ban-drop-object', `DROP ${what.toUpperCase()} ${names.join(', ')} in a${this.phase === 'expand' ? 'n' : ''} ${this.phase} step breaks the previous version if it uses the ${what}`,
        'Drop it in a contract step, once no running or rollback-able version uses it.');
    }
  }

  private alterTable(n: any): void {
    if (n.objtype !== undefined && n.objtype !== 'OBJECT_TABLE') return;
    const table = relKey(n.relation);
    const fresh = this.isNewTable(table);
    const notValidHere: string[] = [];
    for (const c of n.cmds ?? []) {
      const cmd = c.AlterTableCmd;
      if (!cmd) continue;
      switch (cmd.subtype) {
        case 'AT_AddColumn': this.addColumn(table, fresh, cmd.def?.ColumnDef ?? {}); break;
        case 'AT_AddConstraint': this.addConstraint(table, fresh, cmd.def?.Constraint ?? {}, notValidHere); break;
        case 'AT_ValidateConstraint': {
          if (this.notValidInTransaction.has(`${table}/${cmd.name}`) || notValidHere.includes(cmd.name)) {
            this.report('constraint-missing-not-valid', `VALIDATE CONSTRAINT ${cmd.name} in the transaction that added it NOT VALID: the ACCESS EXCLUSIVE lock of the ADD is held through the whole validating scan`,
              'Commit after adding the constraint NOT VALID, and validate it in a separate transaction.');
          }
          const col = this.s.notNullChecks.get(`${table}/${cmd.name}`);
          if (col !== undefined) this.s.validatedNotNull.add(`${table}.${col}`);
          break;
        }
        case 'AT_SetNotNull':
          if (!fresh && !this.s.validatedNotNull.has(`${table}.${cmd.name}`)) {
            this.report('adding-not-nullable-field', `SET NOT NULL on ${table}.${cmd.name} scans the whole table under an ACCESS EXCLUSIVE lock`, this.notNullRewrite(cmd.name));
          }
          break;
        case 'AT_AlterColumnType': this.alterType(table, fresh, cmd); break;
        case 'AT_DropColumn': {
          if (this.phase !== 'contract' && !fresh) {
            this.report('ban-drop-column', `DROP COLUMN ${table}.${cmd.name} in a${this.phase === 'expand' ? 'n' : ''} ${this.phase} step breaks the previous version, which still serves and can be rolled back to, if it reads or writes the column`,
              'Stop using the column in one release (and make it nullable or give it a default in expand), then drop it in a contract step.');
          }
          if (this.phase === 'contract') {
            if (this.s.addedColumns.has(`${table}.${cmd.name}`)) this.contractTouches([`column ${table}.${cmd.name}`], 'drops');
            this.removed(`column ${table}.${cmd.name} (dropped)`);
          }
          break;
        }
        case 'AT_DetachPartition': {
          const part = cmd.def?.PartitionCmd ?? {};
          if (part.concurrent) {
            this.requireVersion(14, 'DETACH PARTITION ... CONCURRENTLY');
            this.concurrentInTransaction('DETACH PARTITION ... CONCURRENTLY');
          } else if (!fresh) {
            this.report('require-concurrent-partition-detach', `DETACH PARTITION takes an ACCESS EXCLUSIVE lock on ${table}: reads and writes wait`,
              this.options.postgres >= 14 ? 'Use DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+, outside a transaction block).'
                : `PostgreSQL ${this.options.postgres} has no concurrent detach (14+ has); detach in a maintenance window, or upgrade.`);
          }
          break;
        }
        default: break;
      }
    }
  }

  private addColumn(table: string, fresh: boolean, col: any): void {
    const name = `${table}.${col.colname}`;
    if (this.phase !== 'contract') this.s.addedColumns.add(name);
    if (col.typeName) this.s.columnTypes.set(name, typeInfo(col.typeName));
    if (fresh) return;
    const cons: any[] = (col.constraints ?? []).map((c: any) => c.Constraint).filter((c: any) => c);
    const def = cons.find(c => c.contype === 'CONSTR_DEFAULT');
    const generated = cons.find(c => c.contype === 'CONSTR_GENERATED' && c.generated_kind !== 'v');
    if (cons.some(c => c.contype === 'CONSTR_GENERATED' && c.generated_kind === 'v')) this.requireVersion(18, 'a VIRTUAL generated column');
    const identity = cons.find(c => c.contype === 'CONSTR_IDENTITY');
    const type = col.typeName ? typeInfo(col.typeName).name : '';
    if (generated) {
      this.report('adding-field-with-default', `ADD COLUMN ${name} GENERATED ... STORED rewrites the table under an ACCESS EXCLUSIVE lock`,
        'Add a plain nullable column, fill it with a batched backfill and keep it current from the application or a trigger'
        + (this.options.postgres >= 18 ? ', or use a VIRTUAL generated column (PostgreSQL 18+, no rewrite).' : '.'));
    } else if (identity || SERIAL_TYPES.has(type)) {
      this.report('adding-field-with-default', `ADD COLUMN ${name} ${identity ? 'GENERATED AS IDENTITY' : type} fills every row from a sequence: a table rewrite under an ACCESS EXCLUSIVE lock`,
        'Add a nullable column, create the sequence and SET DEFAULT nextval(...), backfill existing rows in batches, then add the NOT NULL constraint the safe way.');
    } else if (def && !isNonVolatile(def.raw_expr)) {
      this.report('adding-field-with-default', `ADD COLUMN ${name} with a volatile default (${exprName(def.raw_expr)}) rewrites the table under an ACCESS EXCLUSIVE lock (a non-volatile default is metadata-only since PostgreSQL 11)`,
        'Add the column without a default, then ALTER COLUMN ... SET DEFAULT (new rows), then fill existing rows with a batched backfill.');
    }
    if (cons.some(c => c.contype === 'CONSTR_NOTNULL') && !def && !identity && !generated) {
      this.report('adding-required-field', `ADD COLUMN ${name} NOT NULL without a default fails on a populated table, and the previous version's INSERTs, which do not set it, fail`,
        'Add the column nullable (or with a non-volatile DEFAULT), backfill it, then add NOT NULL through CHECK (... IS NOT NULL) NOT VALID and VALIDATE.');
    }
    for (const c of cons) this.columnConstraint(table, name, c);
  }

  private columnConstraint(table: string, name: string, c: any): void {
    switch (c.contype) {
      case 'CONSTR_FOREIGN':
        this.report('adding-foreign-key-constraint', `REFERENCES on new column ${name} validates the whole table holding SHARE ROW EXCLUSIVE locks on ${table} and ${relKey(c.pktable)}`,
          'Add the column without REFERENCES, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID, then VALIDATE CONSTRAINT in a separate transaction.');
        break;
      case 'CONSTR_UNIQUE':
        this.report('disallowed-unique-constraint', `UNIQUE on new column ${name} builds its index under an ACCESS EXCLUSIVE lock on ${table}`,
          'Add the column, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... UNIQUE USING INDEX.');
        break;
      case 'CONSTR_PRIMARY':
        this.report('adding-serial-primary-key-field', `PRIMARY KEY on new column ${name} builds its index under an ACCESS EXCLUSIVE lock on ${table}`,
          'Add the column, fill it, CREATE UNIQUE INDEX CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.');
        break;
      case 'CONSTR_CHECK':
        this.report('constraint-missing-not-valid', `CHECK on new column ${name} is verified against every row under an ACCESS EXCLUSIVE lock on ${table}`,
          'Add the column, then ADD CONSTRAINT ... CHECK (...) NOT VALID, then VALIDATE CONSTRAINT in a separate transaction.');
        break;
      default: break;
    }
  }

  private addConstraint(table: string, fresh: boolean, c: any, notValidHere: string[]): void {
    if (c.skip_validation && c.conname) {
      notValidHere.push(c.conname);
      if (this.inTransaction) this.notValidInTransaction.add(`${table}/${c.conname}`);
      const nt = c.raw_expr?.NullTest;
      const field = nt?.nulltesttype === 'IS_NOT_NULL' ? nt.arg?.ColumnRef?.fields : undefined;
      if (c.contype === 'CONSTR_CHECK' && field?.length === 1 && field[0].String) {
        this.s.notNullChecks.set(`${table}/${c.conname}`, field[0].String.sval);
      }
      // PostgreSQL 18: ADD CONSTRAINT ... NOT NULL col NOT VALID, then VALIDATE, sets the column NOT NULL.
      if (c.contype === 'CONSTR_NOTNULL' && c.keys?.length === 1 && c.keys[0].String) {
        this.s.notNullChecks.set(`${table}/${c.conname}`, c.keys[0].String.sval);
      }
      if (c.contype === 'CONSTR_NOTNULL') this.requireVersion(18, 'ADD CONSTRAINT ... NOT NULL ... NOT VALID');
    }
    if (fresh) return;
    switch (c.contype) {
      case 'CONSTR_NOTNULL': {
        const col = c.keys?.[0]?.String?.sval;
        if (!c.skip_validation && !this.s.validatedNotNull.has(`${table}.${col}`)) {
          this.report('adding-not-nullable-field', `ADD CONSTRAINT ... NOT NULL ${col} on ${table} scans the whole table under an ACCESS EXCLUSIVE lock`, this.notNullRewrite(col));
        }
        break;
      }
      case 'CONSTR_FOREIGN':
        if (!c.skip_validation) {
          this.report('adding-foreign-key-constraint', `FOREIGN KEY ${c.conname ?? ''} on ${table} validates every row while holding SHARE ROW EXCLUSIVE locks on ${table} and ${relKey(c.pktable)}: writes to both wait`.replace('  ', ' '),
            'Add it NOT VALID (new rows are checked at once), then VALIDATE CONSTRAINT in a separate transaction (SHARE UPDATE EXCLUSIVE: writes continue).');
        }
        break;
      case 'CONSTR_CHECK':
        if (!c.skip_validation) {
          this.report('constraint-missing-not-valid', `CHECK constraint ${c.conname ?? ''} on ${table} scans every row under an ACCESS EXCLUSIVE lock`.replace('  ', ' '),
            'Add it NOT VALID, then VALIDATE CONSTRAINT in a separate transaction (SHARE UPDATE EXCLUSIVE: reads and writes continue).');
        }
        break;
      case 'CONSTR_UNIQUE':
        if (!c.indexname) {
          this.report('disallowed-unique-constraint', `ADD UNIQUE on ${table} builds its index under an ACCESS EXCLUSIVE lock: reads and writes wait`,
            'CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... UNIQUE USING INDEX (instant).');
        }
        break;
      case 'CONSTR_PRIMARY':
        if (!c.indexname) {
          this.report('adding-serial-primary-key-field', `ADD PRIMARY KEY on ${table} builds its index (and checks NOT NULL) under an ACCESS EXCLUSIVE lock: reads and writes wait`,
            'CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.');
        }
        break;
      case 'CONSTR_EXCLUSION':
        this.report('adding-exclusion-constraint', `EXCLUDE constraint on ${table} builds its index under an ACCESS EXCLUSIVE lock, and has no NOT VALID or USING INDEX form`,
          'Add it while the table is empty or in a maintenance window; suppress with the reason if the table is small.');
        break;
      default: break;
    }
  }

  private notNullRewrite(col: string): string {
    const check = `Add CHECK (${col} IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it in a separate transaction, then SET NOT NULL (PostgreSQL 12+ skips the scan) and drop the check`;
    return this.options.postgres >= 18
      ? `${check}; or, on PostgreSQL 18, ADD CONSTRAINT ... NOT NULL ${col} NOT VALID, then VALIDATE CONSTRAINT in a separate transaction.`
      : `${check}.`;
  }

  private alterType(table: string, fresh: boolean, cmd: any): void {
    const colName = `${table}.${cmd.name}`;
    const def = cmd.def?.ColumnDef ?? {};
    const next = def.typeName ? typeInfo(def.typeName) : undefined;
    const prev = this.s.columnTypes.get(colName);
    if (this.phase === 'contract' && this.s.addedColumns.has(colName)) this.contractTouches([`column ${colName}`], 'changes the type of');
    if (next) this.s.columnTypes.set(colName, next);
    if (fresh) return;
    if (def.raw_default === undefined && prev !== undefined && next !== undefined && binaryCoercible(prev, next)) return;
    const known = prev === undefined
      ? '; the current type is not declared in this migration set, so the change cannot be shown binary-coercible'
      : def.raw_default !== undefined ? ' (USING rewrites every row)' : ` (${show(prev)} to ${next ? show(next) : '?'} is not binary-coercible)`;
    this.report('changing-column-type', `ALTER COLUMN ${colName} TYPE rewrites the table and its indexes under an ACCESS EXCLUSIVE lock${known}`,
      'Add a new column of the new type, write both from the application, backfill in batches, switch reads, then drop the old column in contract. '
      + 'Binary-coercible changes (varchar(n) to text or a longer varchar, numeric(p,s) to a larger p) do not rewrite: suppress with that reason.');
  }

  private rename(n: any): void {
    const type = n.renameType as string;
    if (type !== 'OBJECT_COLUMN' && type !== 'OBJECT_TABLE') return;
    const table = relKey(n.relation);
    if (this.phase === 'contract') {
      const added = type === 'OBJECT_TABLE' ? this.s.addedTables.has(table) : this.s.addedColumns.has(`${table}.${n.subname}`);
      if (added) this.contractTouches([type === 'OBJECT_TABLE' ? `table ${table}` : `column ${table}.${n.subname}`], 'renames');
      this.removed(type === 'OBJECT_TABLE' ? `table ${table} (renamed to ${n.newname})` : `column ${table}.${n.subname} (renamed to ${n.newname})`);
      return;
    }
    if (this.isNewTable(table)) return;
    if (type === 'OBJECT_COLUMN') {
      this.report('renaming-column', `RENAME COLUMN ${table}.${n.subname} TO ${n.newname} breaks every running client that uses the old name: the previous version serves during ${this.phase}`,
        'Add the new column in expand, write both, backfill, switch reads, drop the old column in contract.');
    } else {
      this.report('renaming-table', `RENAME ${table} TO ${n.newname} breaks every running client that uses the old name: the previous version serves during ${this.phase}`,
        'Create the new name as a view on the table (or the reverse) in expand, move clients, and finish in contract.');
    }
  }

  private reindex(n: any): void {
    const concurrent = (n.params ?? []).some((p: any) => p.DefElem?.defname === 'concurrently');
    if (concurrent) {
      this.concurrentInTransaction('REINDEX ... CONCURRENTLY');
      return;
    }
    this.report('require-concurrent-reindex', 'REINDEX blocks writes to the table (SHARE lock) and reads through the index (ACCESS EXCLUSIVE on it) for the whole rebuild',
      'Use REINDEX ... CONCURRENTLY (PostgreSQL 12+, outside a transaction block).');
  }

  private truncate(n: any): void {
    const tables = (n.relations ?? []).map((r: any) => relKey(r.RangeVar)).filter((t: string) => !this.isNewTable(t));
    if (tables.length === 0) return;
    if (n.behavior === 'DROP_CASCADE') {
      this.report('ban-truncate-cascade', `TRUNCATE ${tables.join(', ')} CASCADE also empties every table that references them, each under an ACCESS EXCLUSIVE lock`,
        'Name every table to truncate explicitly, without CASCADE.');
    }
    if (this.phase !== 'contract') {
      this.report('ban-truncate-outside-contract', `TRUNCATE ${tables.join(', ')} in a${this.phase === 'expand' ? 'n' : ''} ${this.phase} step deletes data the previous version still serves, under an ACCESS EXCLUSIVE lock`,
        'Delete data in a contract step, once no running or rollback-able version needs it.');
    }
  }

  private removed(...what: string[]): void {
    for (const w of what) this.session.removals.push({ file: this.file, what: w });
  }

  private requireVersion(major: number, what: string): void {
    if (this.options.postgres >= major) return;
    this.report('requires-newer-postgres', `${what} needs PostgreSQL ${major} or later; on ${this.options.postgres} the statement fails`,
      `Use the form PostgreSQL ${this.options.postgres} has, or declare the version the database runs.`);
  }

  private concurrentInTransaction(what: string): void {
    if (!this.inTransaction) return;
    this.report('ban-concurrent-operation-in-transaction', `${what} cannot run inside a transaction block: PostgreSQL refuses it and the migration fails`,
      this.options.transactionPerFile ? 'Put it in a file your tool runs without a transaction.' : 'Run it outside BEGIN ... COMMIT, as a statement of its own.');
  }

  private contractTouches(objects: string[], verb: string): void {
    if (objects.length === 0) return;
    this.report('contract-touches-new-object', `this contract step ${verb} ${objects.join(', ')}, which an expand or backfill step of the same set adds: the new version, the one left running, uses it`,
      'Contract removes what only the previous version used; change what this release adds in a later release\'s migration.');
  }
}

/** Whether a time setting's value means zero (disabled): "0", "0ms", "00 s", ... */
function isZeroSetting(value: string): boolean {
  let digits = value.trim();
  for (const unit of ['ms', 'min', 's', 'h', 'd']) {
    if (digits.endsWith(unit)) {
      digits = digits.slice(0, -unit.length).trim();
      break;
    }
  }
  return digits.length > 0 && [...digits].every(c => c === '0');
}

function relKey(r: any): string {
  if (!r) return '?';
  return `${r.schemaname ?? 'public'}.${r.relname}`;
}

function objectNames(n: any): string[] {
  return (n.objects ?? []).map((o: any) => {
    const parts: string[] = (o.List?.items ?? []).map((i: any) => i.String?.sval ?? '?');
    if (n.removeType === 'OBJECT_TABLE' || n.removeType === 'OBJECT_INDEX') {
      return parts.length === 1 ? `public.${parts[0]}` : parts.join('.');
    }
    return parts.length > 0 ? parts.join('.') : (o.String?.sval ?? '?');
  });
}

function lastPart(name: string): string {
  const parts = name.split('.');
  return parts[parts.length - 1];
}

function typeInfo(t: any): TypeInfo {
  const names: string[] = (t.names ?? []).map((x: any) => x.String?.sval ?? '');
  const mods: number[] = (t.typmods ?? []).map((m: any) => m.A_Const?.ival?.ival ?? 0);
  return { name: names[names.length - 1] ?? '', mods };
}

function show(t: TypeInfo): string {
  return t.mods.length ? `${t.name}(${t.mods.join(',')})` : t.name;
}

function binaryCoercible(prev: TypeInfo, next: TypeInfo): boolean {
  if (prev.name === next.name && prev.mods.join() === next.mods.join()) return true;
  const textual = (n: string) => n === 'varchar' || n === 'text';
  if (textual(prev.name) && next.name === 'text') return true;
  if (textual(prev.name) && next.name === 'varchar') {
    if (next.mods.length === 0) return true;
    return prev.name === 'varchar' && prev.mods.length === 1 && next.mods[0] >= prev.mods[0];
  }
  if (prev.name === 'numeric' && next.name === 'numeric') {
    if (next.mods.length === 0) return true;
    const [p, s] = [prev.mods[0], prev.mods[1] ?? 0];
    return prev.mods.length > 0 && next.mods[0] >= p && (next.mods[1] ?? 0) === s;
  }
  return false;
}

function isNonVolatile(e: any): boolean {
  if (e === undefined || e === null) return true;
  const kind = Object.keys(e)[0];
  const n = e[kind];
  switch (kind) {
    case 'A_Const': case 'SQLValueFunction': return true;
    case 'TypeCast': return isNonVolatile(n.arg);
    case 'A_ArrayExpr': return (n.elements ?? []).every(isNonVolatile);
    case 'A_Expr': return isNonVolatile(n.lexpr) && isNonVolatile(n.rexpr);
    case 'BoolExpr': case 'CoalesceExpr': case 'MinMaxExpr': return (n.args ?? []).every(isNonVolatile);
    case 'FuncCall': {
      const names: string[] = (n.funcname ?? []).map((x: any) => x.String?.sval ?? '');
      const schemaOk = names.length === 1 || (names.length === 2 && names[0] === 'pg_catalog');
      return schemaOk && NON_VOLATILE_FUNCTIONS.has(names[names.length - 1]) && (n.args ?? []).every(isNonVolatile);
    }
    default: return false;
  }
}

function exprName(e: any): string {
  const kind = e ? Object.keys(e)[0] : 'expression';
  if (kind === 'FuncCall') return `${(e.FuncCall.funcname ?? []).map((x: any) => x.String?.sval).join('.')}()`;
  return kind === 'ColumnRef' ? 'a column reference' : 'an expression not known to be non-volatile';
}

function describe(kind: string): string {
  return kind.replace(/Stmt$/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toUpperCase();
}
