import { Duration } from 'aws-cdk-lib';
import { formatDuration } from '../../private/validate';
import { RolloutPlan } from '../../strategy/rollout-plan';
import { Runbook, RunbookProcedure } from '../../strategy/runbook';

/** What an Argo Rollout's runbook is told. */
export interface ArgoRunbookFacts {
  /** The construct path, the runbook's title. */
  readonly title: string;
  /** The Rollout's name. */
  readonly rolloutName: string;
  /** The namespace (undefined: the kubectl context's namespace). */
  readonly namespace?: string;
  /** The plan the construct renders. */
  readonly plan: RolloutPlan;
  /** Whether the strategy pauses for a person (a manual gate or a manual promotion). */
  readonly manualGate: boolean;
  /** Whether an analysis can turn Inconclusive and pause the rollout. */
  readonly inconclusive: boolean;
  /** Whether the strategy is blue/green (promotion switches the active Service). */
  readonly blueGreen: boolean;
  /** What the database schema must still support on rollback (declared migrations). */
  readonly schema?: string[];
  /** The progress deadline, and whether missing it aborts (src/k8s/private/safety.ts). */
  readonly progressDeadline?: { readonly seconds: number; readonly abort: boolean };
  /** Revisions a rollback fast-tracks without steps or analysis (rollbackWindow). */
  readonly rollbackWindowRevisions?: number;
}

/** The runbook of an ArgoRollout: the `kubectl argo rollouts` commands with its name and namespace. */
export function argoRunbook(facts: ArgoRunbookFacts): Runbook {
  const ns = facts.namespace === undefined ? '' : ` -n ${facts.namespace}`;
  const cmd = (verb: string, extra = '') => `kubectl argo rollouts ${verb} ${facts.rolloutName}${ns}${extra}`;
  const checked = facts.plan.phases.some(p => p.checks.length > 0);
  const detect = facts.plan.phases.map(p => p.timeToDetect).filter(t => t !== undefined).map(t => formatDuration(t!));
  const automatic = checked
    ? ['The Argo Rollouts controller aborts the rollout and returns all traffic to the stable version when an analysis fails'
      + (detect.length > 0 ? ` (worst-case detection ${detect[detect.length - 1]}).` : '.')]
    : ['Nothing judges the new version: no health check is declared, so nothing aborts a rollout automatically.'];
  if (facts.inconclusive) {
    automatic.push('An Inconclusive analysis pauses the rollout: a person decides with promote or abort below.');
  }
  if (facts.progressDeadline !== undefined) {
    const d = formatDuration(Duration.seconds(facts.progressDeadline.seconds));
    automatic.push(facts.progressDeadline.abort
      ? `An update whose pods make no progress for ${d} (outside pauses and analysis steps) is aborted: traffic returns to the stable version.`
      : `An update whose pods make no progress for ${d} is marked Degraded and NOT aborted (progressDeadlineAbort: false): abort it below.`);
  }
  const procedures: RunbookProcedure[] = [
    {
      title: 'Abort the rollout in progress',
      when: 'the new version misbehaves before the rollout completes: traffic returns to the stable version at once',
      commands: [cmd('abort')],
      notes: ['An aborted rollout stays Degraded until the spec changes or it is retried: fix the version and release again, or retry with `' + cmd('retry rollout') + '`.'],
    },
  ];
  if (facts.manualGate || facts.inconclusive) {
    procedures.push({
      title: facts.blueGreen ? 'Promote the preview (approve)' : 'Continue past a pause (approve a manual gate or an inconclusive analysis)',
      when: 'the paused step looks right',
      commands: [cmd('promote')],
    });
  }
  procedures.push(
    {
      title: 'Watch the rollout',
      when: 'any time',
      commands: [cmd('get rollout', ' --watch')],
    },
    {
      title: 'Roll back after the rollout completed',
      when: 'the previous version was already released',
      commands: [cmd('undo')],
      notes: [
        facts.rollbackWindowRevisions === undefined
          ? 'undo deploys the previous revision through the same steps and checks; the next sync of the manifests restores the declared version, so revert the change in source control as well.'
          : `undo to one of the last ${facts.rollbackWindowRevisions} revision(s) is promoted at once, without steps or checks (rollbackWindow); older revisions go through the same steps and checks. The next sync of the manifests restores the declared version, so revert the change in source control as well.`,
      ],
    },
    {
      title: 'Skip the remaining steps and checks',
      when: 'only in an emergency, to reach full traffic at once (no analysis judges what remains)',
      commands: [cmd('promote', ' --full')],
    },
  );
  return Runbook.of({
    title: facts.title,
    target: facts.plan.target,
    automatic,
    procedures,
    schema: facts.schema,
    notes: ['The commands need the Argo Rollouts kubectl plugin and a context for the cluster the Rollout runs in.'],
  });
}
