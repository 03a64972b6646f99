import { fail, show } from '../../private/validate';
import { DeploymentStrategy } from '../../strategy/deployment-strategy';

/** The AWS targets, each with why it cannot judge a new version against a baseline. */
export enum BaselineTarget {
  ECS = 'ECS',
  LAMBDA = 'LAMBDA',
  APPCONFIG = 'APPCONFIG',
}

const WHY: Record<BaselineTarget, string> = {
  [BaselineTarget.ECS]: 'an ECS deployment runs the new revision beside the running one, not a fresh baseline of the previous version, and its rollback alarms judge the whole service: the target group that carries the new revision is only known once a deployment runs, so no alarm can tell the two versions apart (see docs/aws.md, "Which version the checks judge")',
  [BaselineTarget.LAMBDA]: 'CodeDeploy shifts the alias from its current version to the new one and starts no baseline; Lambda tells versions apart (the ExecutedVersion dimension), but the alarm would need the previous version\'s number, which is not known when the template is synthesized and which CloudWatch alarms cannot look up (no SEARCH in alarms); subtracting the new version from the alias totals would rest on an undocumented equality and cannot give a latency percentile',
  [BaselineTarget.APPCONFIG]: 'an AppConfig deployment changes the configuration every client reads, with no baseline population to compare with',
};

const INSTEAD: Record<BaselineTarget, string> = {
  [BaselineTarget.ECS]: 'Judge the new version with absolute checks in the strategy\'s analysis (HealthCheck.errorRate({ maxPercent }) and .latency({ percentile, max })), or render the strategy with ArgoRollout, which runs the comparison as an experiment.',
  [BaselineTarget.LAMBDA]: 'Judge the new version with absolute checks in the strategy\'s analysis: the alarms already measure the new version alone (ExecutedVersion), at every step.',
  [BaselineTarget.APPCONFIG]: 'Judge the flag change with absolute checks in the strategy\'s analysis.',
};

/** Refuses a strategy with a baseline comparison on an AWS target, saying why and what it can do instead. */
export function refuseBaseline(where: string, strategy: DeploymentStrategy, target: BaselineTarget): void {
  if (strategy.baseline === undefined) return;
  fail(where, 'strategy.baseline', `cannot be honoured: ${WHY[target]}`, show(strategy.baseline.describe()), INSTEAD[target]);
}
