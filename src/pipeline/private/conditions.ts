import { DeploymentWindow } from '../deployment-window';

/** The CloudFormation form (AWS::CodePipeline::Pipeline StageDeclaration) of an environment's stage conditions. */
export interface StageConditions {
  readonly BeforeEntry?: unknown;
  readonly OnFailure?: unknown;
  readonly OnSuccess?: unknown;
}

/** An alarm watched after a stage succeeds. */
export interface WatchedAlarm {
  readonly alarmName: string;
}

const rule = (name: string, provider: string, configuration: Record<string, string>, region?: string) => ({
  Name: name,
  RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: provider, Version: '1' },
  Configuration: configuration,
  ...(region !== undefined ? { Region: region } : {}),
});

/**
 * The conditions of one environment's stage:
 * - a deployment window: an entry condition with the DeploymentWindow rule, result FAIL;
 * - rollback on failure: an on-failure condition with the result ROLLBACK;
 * - watched alarms: an on-success condition with one CloudWatchAlarm rule per alarm, result ROLLBACK.
 */
export function renderStageConditions(p: {
  window?: DeploymentWindow;
  rollbackOnFailure: boolean;
  alarms: WatchedAlarm[];
  alarmWaitMinutes: number;
  alarmRegion?: string;
}): StageConditions {
  return {
    ...(p.window ? {
      BeforeEntry: {
        Conditions: [{
          Result: 'FAIL',
          Rules: [rule('DeploymentWindow', 'DeploymentWindow', { Cron: p.window.expression, TimeZone: p.window.timeZone })],
        }],
      },
    } : {}),
    ...(p.rollbackOnFailure ? { OnFailure: { Result: 'ROLLBACK' } } : {}),
    ...(p.alarms.length > 0 ? {
      OnSuccess: {
        Conditions: [{
          Result: 'ROLLBACK',
          Rules: p.alarms.map((a, i) => rule(`RollbackAlarm${i + 1}`, 'CloudWatchAlarm',
            { AlarmName: a.alarmName, WaitTime: String(p.alarmWaitMinutes) }, p.alarmRegion)),
        }],
      },
    } : {}),
  };
}
