/**
 * Database migrations on an Argo Rollouts canary: pure functions from a `MigrationSet` to the
 * AnalysisTemplate whose Job runs the steps, and to the rollout's steps with the migration step put
 * first. Kept apart from render.ts; the construct wires it in with `withMigrations`.
 *
 * Why the first step is the right moment (Argo Rollouts v1.9.1 source):
 * - rollout/replicaset.go `createDesiredReplicaSet` creates the new ReplicaSet with `replicas: 0`:
 *   the object exists before the first step, its pods do not.
 * - with traffic routing, utils/replicaset/replicaset.go `NewRSNewReplicas` sizes the new ReplicaSet
 *   with `CalculateReplicaCountsForTrafficRoutedCanary`, whose weight comes from
 *   `GetCanaryReplicasOrWeight` → `GetDesiredCanaryWeight` → `GetCurrentSetWeight`: the last
 *   `setWeight` at or before the current step, 0 when there is none. At step 0 (our analysis step)
 *   that is 0, `trafficWeightToReplicas` gives 0 pods, and `CheckMinPodsPerReplicaSet` keeps 0 at 0
 *   (minPodsPerReplicaSet applies only to a non-zero count). `UseSetCanaryScale` reads only the
 *   steps up to the current one, so a later setCanaryScale does not apply either.
 * - so no canary pod exists, let alone takes traffic, until the analysis step succeeds; a failed
 *   Job fails the AnalysisRun and aborts the rollout.
 * - but rollout/sync.go `shouldFullPromote` promotes at once, skipping every step, on the initial
 *   deploy (no stable ReplicaSet) and when the rollout returns to the stable ReplicaSet
 *   (rollout/canary.go "Rollback to stable ReplicaSets"): the migration step does not run then.
 */
import { Duration } from 'aws-cdk-lib';
import { plainJson } from './plain-json';
import type { StrategyRender, TemplateRender } from './render';
import { MigrationPhase } from '../../migrations/migration-phase';
import { MigrationSet } from '../../migrations/migration-set';
import { MigrationStep } from '../../migrations/migration-step';
import { toSeconds } from '../../private/duration';
import { fail, show } from '../../private/validate';
import { DeploymentStrategy, StrategyKind } from '../../strategy/deployment-strategy';
import { phaseSpec } from '../../strategy/private/plan-phases';
import { PlanPhaseSpec, RolloutPlan } from '../../strategy/rollout-plan';
import { TrafficRouterKind, TrafficRouting } from '../traffic-routing';

/** The variable that carries a psql step's script into its container. */
export const SCRIPT_VARIABLE = 'MIGRATION_SCRIPT';
/** Where the container writes the script before psql reads it. */
export const SCRIPT_DIR = '/tmp/migration';
/** Name of the Job metric. */
export const MIGRATION_METRIC = 'migrations';
/** Largest psql script delivered through a container's environment. */
export const MAX_SCRIPT_BYTES = 32 * 1024;

/** How the canary runs a set: the steps of the first (pre-traffic) analysis step, and the blocking backfills. */
export interface ArgoMigrationRender {
  readonly set: MigrationSet;
  /** Blue/green with migrationsAfterPreviewStarts: the Job joins the pre-promotion analysis. */
  readonly blueGreen: boolean;
  /** Expand and contract steps, in the declared order: the Job before the first setWeight. */
  readonly before: MigrationStep[];
  /** Blocking backfill steps: a Job after the last canary step, before promotion. */
  readonly after: MigrationStep[];
}

/** Checks that the rollout can run the set exactly, or refuses with what it can do instead. */
export function checkArgoMigrations(where: string, migrations: unknown, strategy: DeploymentStrategy,
  router: TrafficRouting, afterPreviewStarts?: unknown): ArgoMigrationRender | undefined {
  const kind = strategy.kind;
  if (afterPreviewStarts !== undefined) {
    if (typeof afterPreviewStarts !== 'boolean') {
      fail(where, 'migrationsAfterPreviewStarts', 'must be true or false', show(afterPreviewStarts), 'Pass true to accept it, or leave it out.');
    }
    if (migrations === undefined || kind !== StrategyKind.BLUE_GREEN) {
      fail(where, 'migrationsAfterPreviewStarts', 'only applies to migrations with a blue/green strategy', String(afterPreviewStarts),
        'Remove migrationsAfterPreviewStarts.');
    }
  }
  if (migrations === undefined) return undefined;
  if (!(migrations instanceof MigrationSet)) {
    fail(where, 'migrations', 'must be a MigrationSet', show(migrations), 'Pass new MigrationSet({ engine, connection, steps }).');
  }
  const accepted = kind === StrategyKind.BLUE_GREEN && afterPreviewStarts === true;
  if ((kind === StrategyKind.BLUE_GREEN && !accepted) || kind === StrategyKind.ALL_AT_ONCE) {
    fail(where, 'migrations', 'cannot run before the new version starts with a blue/green rollout: Argo Rollouts starts the preview pods before the pre-promotion analysis',
      `DeploymentStrategy.${kind === StrategyKind.BLUE_GREEN ? 'blueGreen' : 'allAtOnce'}`,
      'Use a canary or linear strategy with trafficRouting (the migration runs as the first step, before any canary pod exists), or run the steps from an Argo CD PreSync hook Job yourself and leave migrations out'
      + (kind === StrategyKind.BLUE_GREEN ? ', or accept that the preview runs on the old schema meanwhile with migrationsAfterPreviewStarts: true.' : '.'));
  }
  if (kind === StrategyKind.ROLLING) {
    fail(where, 'migrations', 'cannot run before the new version starts with a rolling strategy: new pods replace old ones from the start', 'DeploymentStrategy.rolling',
      'Use a canary or linear strategy with trafficRouting, or run the steps from an Argo CD PreSync hook Job yourself and leave migrations out.');
  }
  if (router.kind === TrafficRouterKind.NONE && !accepted) {
    fail(where, 'migrations', 'needs trafficRouting: only with a traffic router does Argo Rollouts size the canary from the current setWeight, so that no canary pod exists before the first one',
      'TrafficRouting.none()', 'Pass trafficRouting, for example TrafficRouting.nginx({ stableIngress }).');
  }
  const background = migrations.steps.filter(s => s.phase === MigrationPhase.BACKFILL && !s.blocking);
  if (background.length > 0) {
    fail(where, 'migrations', 'cannot run a non-blocking backfill on Argo Rollouts: it has no hook after promotion that runs off the rollout\'s critical path',
      background.map(s => s.id).join(', '), `Declare the backfill blocking: true (it then runs ${accepted ? 'as a post-promotion analysis' : 'after the last canary step, before promotion'}), or run it from an Argo CD PostSync hook Job yourself.`);
  }
  migrations.steps.forEach(step => {
    if (migrations.runnerFor(step).kind === 'psql') {
      const bytes = Buffer.byteLength(migrations.script(step.id), 'utf-8');
      if (bytes > MAX_SCRIPT_BYTES) {
        fail(where, `migrations step ${step.id}`, `has a psql script of ${bytes} bytes, more than the ${MAX_SCRIPT_BYTES} delivered in a container's environment`, `${bytes} bytes`,
          'Split the step, or bake the SQL into an image and run it with MigrationRunner.command({ image, command }).');
      }
    }
  });
  return {
    set: migrations,
    blueGreen: accepted,
    before: migrations.steps.filter(s => s.phase !== MigrationPhase.BACKFILL),
    after: migrations.steps.filter(s => s.phase === MigrationPhase.BACKFILL),
  };
}

/** One step as a container: the runner's image and command, the script in the environment, the secret's keys. */
function stepContainer(set: MigrationSet, step: MigrationStep): any {
  const psql = set.runnerFor(step).kind === 'psql';
  const scriptPath = psql ? `${SCRIPT_DIR}/${step.id}.sql` : undefined;
  const inv = set.invocation(step.id, scriptPath);
  const command = psql
    ? ['sh', '-c', `mkdir -p ${SCRIPT_DIR} && printf '%s' "$${SCRIPT_VARIABLE}" > "$0" && exec "$@"`, scriptPath!, ...inv.command]
    : inv.command;
  const env = [
    ...Object.entries(inv.environment).map(([name, value]) => ({ name, value })),
    ...(psql ? [{ name: SCRIPT_VARIABLE, value: inv.script! }] : []),
    ...inv.secretEnvironment.map(v => ({ name: v.name, valueFrom: { secretKeyRef: { name: set.connection.secretName, key: v.key } } })),
  ];
  return { name: step.id, image: inv.image, command, env };
}

/**
 * An AnalysisTemplate with one Job metric whose pod runs the steps in order: every step but the last
 * as an init container (each must exit 0 before the next starts), the last as the container. The
 * Job is not retried (`backoffLimit: 0`) and may run as long as the steps' timeouts together.
 */
export function migrationTemplate(id: string, set: MigrationSet, steps: MigrationStep[]): TemplateRender {
  const containers = steps.map(s => stepContainer(set, s));
  const deadline = steps.reduce((sum, s) => sum + toSeconds(s.timeout), 0);
  const spec = {
    metrics: [{
      name: MIGRATION_METRIC,
      count: 1,
      failureLimit: 0,
      provider: {
        job: {
          spec: {
            backoffLimit: 0,
            activeDeadlineSeconds: deadline,
            template: {
              spec: {
                restartPolicy: 'Never',
                ...(containers.length > 1 ? { initContainers: containers.slice(0, -1) } : {}),
                containers: containers.slice(-1),
              },
            },
          },
        },
      },
    }],
  };
  return { id: id as TemplateRender['id'], spec: plainJson(spec) };
}

/**
 * The strategy with the migrations: the expand and contract Job as the first step (before the first
 * setWeight), blocking backfills as the last step; the background analysis's startingStep follows.
 */
export function withMigrations(rendered: StrategyRender, m: ArgoMigrationRender): StrategyRender {
  const templates = [...rendered.templates];
  if (m.before.length > 0) templates.push(migrationTemplate('Migrations', m.set, m.before));
  if (m.after.length > 0) templates.push(migrationTemplate('Backfill', m.set, m.after));
  return {
    ...rendered,
    templates,
    strategy: names => {
      const out: any = rendered.strategy(names);
      const nameOf = (id: string) => {
        const templateName = (names.templates as Record<string, string | undefined>)[id];
        if (templateName === undefined) throw new Error(`withMigrations: no name for the AnalysisTemplate ${id}`);
        return { templateName };
      };
      if (m.blueGreen) {
        // Accepted by the user: the Job runs beside the other pre-promotion checks, while the preview runs.
        const bg = out.blueGreen;
        const add = (analysis: any, id: string) => analysis === undefined
          ? { templates: [nameOf(id)] }
          : { ...analysis, templates: [...analysis.templates, nameOf(id)] };
        return {
          ...out,
          blueGreen: {
            ...bg,
            ...(m.before.length > 0 ? { prePromotionAnalysis: add(bg.prePromotionAnalysis, 'Migrations') } : {}),
            ...(m.after.length > 0 ? { postPromotionAnalysis: add(bg.postPromotionAnalysis, 'Backfill') } : {}),
          },
        };
      }
      const canary = out.canary;
      const ref = (id: string) => ({ analysis: { templates: [nameOf(id)] } });
      const before = m.before.length > 0 ? [ref('Migrations')] : [];
      const after = m.after.length > 0 ? [ref('Backfill')] : [];
      const analysis = canary.analysis?.startingStep !== undefined
        ? { ...canary.analysis, startingStep: canary.analysis.startingStep + before.length }
        : canary.analysis;
      // Canary weights are below 100, so a setWeight 100 step is the judged keep window: the blocking
      // backfill runs before it, after the last canary step.
      const steps: any[] = canary.steps ?? [];
      const keep = steps.findIndex(s => s.setWeight === 100);
      const at = keep === -1 ? steps.length : keep;
      return {
        ...out,
        canary: {
          ...canary,
          steps: [...before, ...steps.slice(0, at), ...after, ...steps.slice(at)],
          ...(analysis !== undefined ? { analysis } : {}),
        },
      };
    },
  };
}

function ids(steps: MigrationStep[]): string {
  return steps.map(s => s.id).join(', ');
}

/** The plan with the migrations: a 0%-traffic phase first, the blocking backfill before promotion, and notes. */
export function argoMigrationPlan(plan: RolloutPlan, m: ArgoMigrationRender): RolloutPlan {
  const phases: PlanPhaseSpec[] = plan.phases.map(phaseSpec);
  const byPhase = [MigrationPhase.EXPAND, MigrationPhase.CONTRACT]
    .map(phase => ({ phase, steps: m.before.filter(s => s.phase === phase) }))
    .filter(p => p.steps.length > 0)
    .map(p => `${p.phase} (${ids(p.steps)})`);
  if (m.blueGreen) {
    return blueGreenPlan(plan, m, byPhase);
  }
  if (byPhase.length > 0) {
    phases.unshift({
      name: `Migrations: ${byPhase.join(', then ')}`,
      trafficPercent: 0,
      duration: Duration.seconds(0),
      note: 'first canary step: an analysis with a Job metric, before the first setWeight; no canary pod exists yet (traffic routing); a failed Job aborts the rollout',
    });
  }
  if (m.after.length > 0) {
    const last = phases.length - 1;
    phases.splice(last, 0, {
      name: `Migrations: blocking backfill (${ids(m.after)})`,
      trafficPercent: phases[last - 1]?.trafficPercent ?? 0,
      // The background analysis keeps judging the canary until promotion.
      checks: phases[last - 1]?.checks,
      timeToDetect: phases[last - 1]?.timeToDetect,
      duration: Duration.seconds(0),
      note: 'an analysis step with a Job metric after the last canary step, before promotion; a failed Job aborts the rollout',
    });
  }
  const notes = [...plan.notes];
  const contract = m.set.stepsIn(MigrationPhase.CONTRACT);
  if (contract.length > 0) {
    notes.push(`Contract steps (${ids(contract)}) run in the first canary step of this release: they must drop only what the stable version already stopped using `
      + '(a contract step belongs to the release after the one that stopped using the old shape), so neither the stable version nor an abort back to it needs it.');
  }
  notes.push('Argo Rollouts skips every step on the initial deploy and when it returns to the stable ReplicaSet, so the migration step does not run then: '
    + 'the schema the first release needs must exist before the Rollout is created.');
  if (m.set.contractRemovals.length > 0) {
    notes.push(`Rollback: once this release's contract steps ran, ${m.set.contractRemovals.join('; ')} is gone; the version an abort returns to must not need it.`);
  }
  return RolloutPlan.fromPhases({ target: plan.target, strategy: plan.strategy, phases, notes });
}

/** Blue/green with migrationsAfterPreviewStarts: the migration runs with the pre-promotion checks, while the preview runs. */
function blueGreenPlan(plan: RolloutPlan, m: ArgoMigrationRender, byPhase: string[]): RolloutPlan {
  const phases: PlanPhaseSpec[] = plan.phases.map((p, i) => ({
    ...phaseSpec(p),
    name: i === 0 && byPhase.length > 0 ? `${p.name} + Migrations: ${byPhase.join(', then ')}` : p.name,
  }));
  const notes = [...plan.notes,
    'migrationsAfterPreviewStarts: the migration Job runs in the pre-promotion analysis, beside the other pre-promotion checks, after the preview pods started: '
    + 'until it ends, the new version runs on the schema before expand.'];
  if (m.after.length > 0) notes.push(`Blocking backfill (${ids(m.after)}) runs in the post-promotion analysis; a failure switches back to the previous version.`);
  if (m.set.contractRemovals.length > 0) {
    notes.push(`Rollback: once this release's contract steps ran, ${m.set.contractRemovals.join('; ')} is gone; the version a rollback returns to must not need it.`);
  }
  return RolloutPlan.fromPhases({ target: plan.target, strategy: plan.strategy, phases, notes });
}
