import { FlagValueType } from './flag';
import type { FlagDebtStatus, FlagSet } from './flag-set';
import type { ResolvedFlag } from './private/resolved';
import { StageKind } from './rollout';

/** One flag in a flag plan. */
export interface FlagPlanEntry {
  /** The flag's key. */
  readonly key: string;
  /** Its type (release, experiment, ...). */
  readonly type: string;
  /** Who answers for it. */
  readonly owner: string;
  /** Whether it is killed. */
  readonly killed: boolean;
  /** The current stage, for example "2 of 4 (segment beta)", "not started" or "no staged rollout". */
  readonly stage: string;
  /** Who gets what now, in evaluation order. */
  readonly audience: string[];
  /**
   * Percent of the contexts carrying the split key that get the rolled-out (or first non-default)
   * variant through the percentage, segments and rules aside.
   */
  readonly exposurePercent: number;
  /** The segments that get the rolled-out variant now. */
  readonly exposedSegments: string[];
  /**
   * What the next stage would add.
   * @default - no next stage
   */
  readonly nextStage?: string;
  /**
   * The percentage after the next stage.
   * @default - no next stage
   */
  readonly nextExposurePercent?: number;
  /**
   * The expiry date (the extension's when extended).
   * @default - permanent
   */
  readonly expires?: string;
  /**
   * Days left before the expiry, on the plan's date.
   * @default - permanent
   */
  readonly daysLeft?: number;
  /** The expiry status. */
  readonly expiryStatus: FlagDebtStatus;
  /** How to kill the flag and what that serves. */
  readonly killSwitch: string;
}

/**
 * Each flag's current stage, audience and exposure, what the next stage would expose, expiries and
 * the kill-switch path. Computed from the declaration and the flag set's `today`; the same input
 * gives the same plan.
 */
export class FlagPlan {
  /** @internal */
  public static _of(set: FlagSet): FlagPlan {
    const resolved = set._resolve();
    return new FlagPlan(set.name, set.today, resolved.map(r => entryOf(set, r)));
  }

  /** The flag set's name. */
  public readonly flagSet: string;
  /** The date expiries are judged against. */
  public readonly today: string;
  /** One entry per flag, in declaration order. */
  public readonly entries: FlagPlanEntry[];

  private readonly pictures: PlanPicture[];

  private constructor(flagSet: string, today: string, entries: PlanEntryInternal[]) {
    this.flagSet = flagSet;
    this.today = today;
    this.entries = entries.map(e => e.entry);
    this.pictures = entries.map(e => e.picture);
  }

  /** The plan as plain data. */
  public toJson(): any {
    return { flagSet: this.flagSet, today: this.today, flags: this.entries.map(e => JSON.parse(JSON.stringify(e))) };
  }

  /** A table of the flags and, per flag, its audience in evaluation order, in GitHub-flavoured Markdown. */
  public toMarkdown(): string {
    const lines = [
      `### Flag plan: ${this.flagSet} (as of ${this.today})`,
      '',
      '| flag | type | owner | stage | exposure now | next stage | expires | kill switch |',
      '|---|---|---|---|---|---|---|---|',
      ...this.entries.map(e => `| ${cell(e.key)}${e.killed ? ' (KILLED)' : ''} | ${e.type} | ${cell(e.owner)} | ${cell(e.stage)} | ${cell(exposure(e.exposedSegments, e.exposurePercent))} | ${e.nextStage ? cell(`${e.nextStage} → ${exposure(e.exposedSegments, e.nextExposurePercent!)}`) : '-'} | ${expiry(e)} | ${cell(e.killSwitch)} |`),
      '',
      ...this.entries.flatMap(e => [`- \`${e.key}\`: ${e.audience.map(cell).join('; ')}`]),
      '',
      '- Percentages are sticky per platform: AppConfig `split` and flagd `fractional` hash differently, so the same user may be in the 10% on one platform and not on the other.',
      '- A kill is deployed at once on every target (AppConfig all-at-once deployment; the FeatureFlag resource, read by flagd within seconds).',
      '',
    ];
    return lines.join('\n');
  }

  /** The stages of every flag as a Mermaid flowchart, the current stage highlighted, killed flags marked. */
  public toMermaid(): string {
    const lines = ['flowchart LR'];
    this.entries.forEach((e, i) => {
      const p = this.pictures[i];
      lines.push(`  subgraph f${i}["${mermaidText(e.key)} (${e.type})"]`);
      lines.push('    direction LR');
      const stages = p.stageLabels;
      if (stages.length === 0) {
        lines.push(`    f${i}s0["${mermaidText(e.audience.join('; '))}"]`);
      } else {
        lines.push(`    f${i}s0["not started"]`);
        stages.forEach((s, j) => lines.push(`    f${i}s${j} --> f${i}s${j + 1}["${mermaidText(s)}"]`));
      }
      lines.push(`    f${i}k(["kill: ${mermaidText(p.killVariant)} for everyone, at once"])`);
      lines.push('  end');
      lines.push(`  class f${i}s${p.currentIndex} ${e.killed ? 'killed' : 'current'}`);
    });
    lines.push('  classDef current fill:#d4f7d4,stroke:#2a7a2a,stroke-width:2px');
    lines.push('  classDef killed fill:#f7d4d4,stroke:#a02a2a,stroke-width:2px');
    lines.push('');
    return lines.join('\n');
  }
}

interface PlanPicture {
  readonly stageLabels: string[];
  readonly currentIndex: number;
  readonly killVariant: string;
}

interface PlanEntryInternal {
  readonly entry: FlagPlanEntry;
  readonly picture: PlanPicture;
}

function entryOf(set: FlagSet, r: ResolvedFlag): PlanEntryInternal {
  const f = r.flag;
  const debt = set.debt.find(d => d.key === f.key)!;
  const valueOf = (variant: string) => `${variant} (${JSON.stringify(f.variants[variant])})`;
  const audience: string[] = [];
  if (f.killed) {
    audience.push(`killed: everyone gets ${valueOf(f.offVariant)}`);
  } else {
    for (const c of r.clauses) {
      audience.push(`${c.origin}: ${c.when.map(w => w.describe()).join(' and ')} → ${c.variant}`);
    }
    if (r.split) {
      const shares = r.split.shares.map(s => `${s.percent}% → ${s.variant}`);
      const total = r.split.shares.reduce((t, s) => t + s.percent, 0);
      if (total < 100) shares.push(`${100 - total}% → ${r.defaultVariant}`);
      audience.push(`split by ${r.split.by} (seed "${r.split.seed}"): ${shares.join(', ')}`);
    }
    audience.push(`${audience.length ? 'everyone else' : 'everyone'} → ${valueOf(r.defaultVariant)}`);
  }
  const rollout = f.rollout;
  const labels = rollout ? rollout.stages.map(s => s.label) : [];
  const exposureAt = (n: number) => {
    if (!rollout) return { percent: f.split ? f.split.shares[0].percent : 0, segments: [] as string[] };
    const enabled = rollout.stages.slice(0, n);
    return {
      percent: Math.max(0, ...enabled.filter(s => s.kind === StageKind.PERCENT).map(s => s.sharePercent!)),
      segments: enabled.filter(s => s.kind === StageKind.SEGMENT).map(s => s.segmentName!),
    };
  };
  const current = rollout ? rollout.currentStage : 0;
  const now = f.killed ? { percent: 0, segments: [] } : exposureAt(current);
  const hasNext = rollout !== undefined && !f.killed && current < rollout.stages.length;
  const next = hasNext ? exposureAt(current + 1) : undefined;
  const stage = !rollout ? (f.split ? 'experiment split' : 'no staged rollout')
    : current === 0 ? `not started (0 of ${labels.length})` : `${current} of ${labels.length} (${labels[current - 1]})`;
  const kill = f.killed
    ? `killed: remove \`killed: true\` to restore ${stage === 'no staged rollout' ? 'the targeting' : 'the rollout'} (deployed with the normal strategy)`
    : `set \`killed: true\` on "${f.key}" and deploy: everyone gets ${valueOf(f.offVariant)} at once`;
  const entry: FlagPlanEntry = {
    key: f.key,
    type: f.type,
    owner: f.owner,
    killed: f.killed,
    stage,
    audience,
    exposurePercent: now.percent,
    exposedSegments: now.segments,
    nextStage: hasNext ? labels[current] : undefined,
    nextExposurePercent: next?.percent,
    expires: debt.expires,
    daysLeft: debt.daysLeft,
    expiryStatus: debt.status,
    killSwitch: kill,
  };
  return { entry, picture: { stageLabels: labels, currentIndex: current, killVariant: f.valueType === FlagValueType.BOOLEAN ? 'off' : f.offVariant } };
}

function exposure(segments: string[], percent: number): string {
  if (percent === 100) return 'everyone';
  const parts = segments.map(s => `segment ${s}`);
  if (percent > 0) parts.push(`${percent}%`);
  return parts.length ? parts.join(' + ') : 'nobody';
}

function expiry(e: FlagPlanEntry): string {
  if (e.expires === undefined) return 'permanent';
  const left = e.daysLeft === 0 ? 'today' : `in ${e.daysLeft} day(s)`;
  return `${e.expires} (${left}${e.expiryStatus === 'EXPIRING' ? ', EXPIRING' : ''})`;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function mermaidText(s: string): string {
  return s.replace(/"/g, '#quot;');
}
