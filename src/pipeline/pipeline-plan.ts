import { Duration } from 'aws-cdk-lib';
import { toSeconds } from '../private/duration';
import { formatDuration } from '../private/validate';

/**
 * Assumed durations of what the pipeline does besides the rollouts, for `ReleasePipeline.plan()`.
 * The rollouts come from each construct's `RolloutPlan`; these come from you (measure one run and
 * set them). Every default is stated so that the estimate can be checked.
 */
export interface PipelineEstimates {
  /**
   * From the commit to the start of the synth step (source action, pipeline start).
   * @default Duration.minutes(1)
   */
  readonly source?: Duration;
  /**
   * The synth step: install, build, unit tests, `cdk synth`.
   * @default Duration.minutes(5)
   */
  readonly synth?: Duration;
  /**
   * The self-mutation step (when self-mutation is on).
   * @default Duration.minutes(2)
   */
  readonly selfMutation?: Duration;
  /**
   * Building and pushing one container image (the images are built in parallel).
   * @default Duration.minutes(5)
   */
  readonly imageBuild?: Duration;
  /**
   * Publishing the file assets (Lambda bundles, templates) in parallel.
   * @default Duration.minutes(1)
   */
  readonly filePublish?: Duration;
  /**
   * What CloudFormation needs for one stack besides the progressive rollout (change set, resources).
   * @default Duration.minutes(3)
   */
  readonly stackDeploy?: Duration;
  /**
   * One smoke-test step (CodeBuild start and the requests); the steps of an environment run in parallel.
   * @default Duration.minutes(2)
   */
  readonly smokeTest?: Duration;
  /**
   * One of your own gate steps (`extraGates`).
   * @default Duration.minutes(5)
   */
  readonly extraGate?: Duration;
}

/** One step of the way from a commit to production. */
export interface PipelinePlanStep {
  /** What happens, for example "Deploy staging". */
  readonly name: string;
  /**
   * The environment the step belongs to.
   * @default - none: a build step
   */
  readonly environment?: string;
  /** How long the step takes (for a manual step: the expected wait). */
  readonly duration: Duration;
  /** Whether the step waits for a person. */
  readonly manual: boolean;
  /** Where the figure comes from. */
  readonly basis: string;
}

/**
 * The commit-to-production estimate of a `ReleasePipeline`: its steps in order, their sum with and
 * without the manual ones, the step that dominates and the comparison with the target.
 */
export class PipelinePlan {
  /** @internal */
  public static _of(steps: PipelinePlanStep[], target: Duration, lastEnvironment: string, notes: string[]): PipelinePlan {
    return new PipelinePlan(steps, target, lastEnvironment, notes);
  }

  /** The steps in order, up to the end of the last production environment's gates. */
  public readonly steps: PipelinePlanStep[];
  /** The declared commit-to-production target. */
  public readonly target: Duration;
  /** The environment the estimate ends with (the last production environment, or the last one). */
  public readonly lastEnvironment: string;
  /** What the estimate does not include, and how failures stop the pipeline. */
  public readonly notes: string[];

  private constructor(steps: PipelinePlanStep[], target: Duration, lastEnvironment: string, notes: string[]) {
    this.steps = steps;
    this.target = target;
    this.lastEnvironment = lastEnvironment;
    this.notes = notes;
  }

  /** Commit to production without the manual steps (approvals not counted). */
  public get timeToProduction(): Duration {
    return Duration.seconds(sum(this.steps.filter(s => !s.manual)));
  }

  /** Commit to production including the expected waits of the manual steps. */
  public get timeToProductionWithApprovals(): Duration {
    return Duration.seconds(sum(this.steps));
  }

  /** The automatic step that takes longest (the first of equals). */
  public get dominantStep(): PipelinePlanStep {
    const automatic = this.steps.filter(s => !s.manual);
    return automatic.reduce((a, b) => (toSeconds(b.duration) > toSeconds(a.duration) ? b : a));
  }

  /** Whether the estimate without manual steps is within the target. */
  public get meetsTarget(): boolean {
    return toSeconds(this.timeToProduction) <= toSeconds(this.target);
  }

  /** The estimate as Markdown. */
  public toMarkdown(): string {
    const total = this.timeToProduction;
    const dominant = this.dominantStep;
    const share = Math.round((100 * toSeconds(dominant.duration)) / Math.max(1, toSeconds(total)));
    const lines = [
      `### Release pipeline: commit to ${this.lastEnvironment}`,
      '',
      `- Estimate without manual gates: **${formatDuration(total)}**, target ${formatDuration(this.target)}: `
        + (this.meetsTarget ? '**meets the target**' : `**misses the target by ${formatDuration(Duration.seconds(toSeconds(total) - toSeconds(this.target)))}**`),
      `- With the expected approval waits: ${formatDuration(this.timeToProductionWithApprovals)}`,
      `- Dominant step: ${dominant.name} (${formatDuration(dominant.duration)}, ${share}% of the estimate)`,
      '',
      '| # | step | environment | duration | manual | basis |',
      '|---|---|---|---|---|---|',
      ...this.steps.map((s, i) => `| ${i + 1} | ${s.name} | ${s.environment ?? '-'} | ${formatDuration(s.duration)} | ${s.manual ? 'yes' : 'no'} | ${s.basis} |`),
    ];
    if (this.notes.length > 0) {
      lines.push('', ...this.notes.map(n => `- ${n}`));
    }
    return lines.join('\n') + '\n';
  }
}

function sum(steps: PipelinePlanStep[]): number {
  return steps.reduce((acc, s) => acc + toSeconds(s.duration), 0);
}
