import { Duration } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { analysis, canary, only, service } from './util';
import { AlarmRollback, Capacity, DeploymentStrategy, EcsEngine } from '../../src';

const REASON = 'INC-42: ship the fix while the old version fails';
const linear = () => DeploymentStrategy.linear({ stepPercent: 20, interval: Duration.minutes(5), analysis: analysis() });

describe('which version the checks judge: the whole service', () => {
  test.each([
    ['native', EcsEngine.native(), 'ECS native'],
    ['CodeDeploy', EcsEngine.codeDeploy(), 'CodeDeploy'],
  ])('the %s plan says the checks judge the whole service, on the split-traffic rows and in a note', (_name, engine, target) => {
    const { svc } = service({ engine, strategy: linear() });
    expect(svc.plan.target).toBe(target);
    const split = svc.plan.phases.filter(p => p.trafficPercent > 0 && p.trafficPercent < 100);
    expect(split.map(p => p.note)).toEqual(split.map(() => 'judges the whole service (both versions)'));
    const full = svc.plan.phases.find(p => p.trafficPercent === 100)!;
    expect(full.note).toBeUndefined();
    expect(svc.plan.notes).toContain('The checks judge the whole service, not only the new version: each alarm takes the worst of the blue and green target groups, '
      + 'so the previous version\'s errors and latency count too, while traffic is split and until they leave the alarm\'s evaluation window, '
      + 'and can roll the deployment back. '
      + 'To deploy a fix while a check fails, use alarmRollback: AlarmRollback.breakGlass(reason) for that deployment.');
    expect(svc.plan.toMarkdown()).toContain('| Step 1 (judges the whole service (both versions)) | 20% |');
  });

  test('a rolling plan says old and new tasks share one target group', () => {
    const strategy = DeploymentStrategy.rolling({ maxSurge: Capacity.count(1), maxUnavailable: Capacity.percent(0), analysis: analysis() });
    const { svc } = service({ desiredCount: 4, strategy });
    expect(svc.plan.phases[0].note).toBe('judges the whole service (both versions)');
    expect(svc.plan.notes.join('\n')).toContain('old and new tasks share one target group during the replacement');
  });

  test('without an analysis there are no checks and no note', () => {
    const { svc } = service({ strategy: DeploymentStrategy.allAtOnce() });
    expect(svc.plan.notes.join('\n')).not.toContain('whole service');
  });

  test('by default the native deployment alarms are on, explicitly', () => {
    const { template, svc } = service();
    expect(svc.alarmRollback.isEnabled).toBe(true);
    expect(only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.Alarms).toEqual({
      AlarmNames: svc.alarmNames, Enable: true, Rollback: true,
    });
  });
});

describe('break glass: AlarmRollback.breakGlass(reason)', () => {
  test('native: the alarms stay listed, explicitly off, with a warning naming them and the reason', () => {
    const { template, svc, stack } = service({ alarmRollback: AlarmRollback.breakGlass(REASON) });
    expect(svc.alarmRollback.isEnabled).toBe(false);
    expect(svc.alarmRollback.reason).toBe(REASON);
    expect(only(template, 'AWS::ECS::Service').Properties.DeploymentConfiguration.Alarms).toEqual({
      AlarmNames: svc.alarmNames, Enable: false, Rollback: true,
    });
    expect(svc.alarmNames).toHaveLength(2);
    template.resourceCountIs('AWS::CloudWatch::Alarm', 2);
    Annotations.fromStack(stack).hasWarning('/Test/Api', Match.stringLikeRegexp(
      `Break glass: the rollback alarms \\(${svc.alarmNames[0]}, ${svc.alarmNames[1]}\\) are OFF for deployments of this service \\(INC-42: ship the fix while the old version fails\\)`));
  });

  test('CodeDeploy: the alarm configuration is explicitly disabled and the deployment no longer stops on alarm', () => {
    const { template, svc, stack } = service({ engine: EcsEngine.codeDeploy(), alarmRollback: AlarmRollback.breakGlass(REASON) });
    const group = only(template, 'AWS::CodeDeploy::DeploymentGroup').Properties;
    expect(Object.keys(group.AlarmConfiguration).sort()).toEqual(['Alarms', 'Enabled']);
    expect(group.AlarmConfiguration.Enabled).toBe(false);
    expect(group.AlarmConfiguration.Alarms.map((a: any) => a.Name.Ref)).toEqual([expect.stringMatching(/^ApiAlarmerrorrate/), expect.stringMatching(/^ApiAlarmlatencyp99/)]);
    expect(svc.alarmNames).toHaveLength(2);
    expect(group.AutoRollbackConfiguration).toEqual({ Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] });
    Annotations.fromStack(stack).hasWarning('/Test/Api', Match.stringLikeRegexp('Break glass: the rollback alarms .* are OFF'));
  });

  test('CodeDeploy by default: alarms enabled and stop-on-alarm rollback', () => {
    const { template, svc } = service({ engine: EcsEngine.codeDeploy() });
    const group = only(template, 'AWS::CodeDeploy::DeploymentGroup').Properties;
    expect(group.AlarmConfiguration.Enabled).toBe(true);
    expect(group.AlarmConfiguration.Alarms).toHaveLength(svc.alarmNames.length);
    expect(group.AutoRollbackConfiguration.Events).toEqual(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST', 'DEPLOYMENT_STOP_ON_ALARM']);
  });

  test.each([['native', EcsEngine.native()], ['CodeDeploy', EcsEngine.codeDeploy()]])('%s: the plan judges nothing and says why', (_name, engine) => {
    const { svc } = service({ engine, strategy: canary(), alarmRollback: AlarmRollback.breakGlass(REASON) });
    for (const phase of svc.plan.phases) {
      expect(phase.checks).toEqual([]);
      expect(phase.timeToDetect).toBeUndefined();
    }
    expect(svc.plan.phases.filter(p => p.trafficPercent > 0).map(p => p.note)).toEqual(['alarms off (break glass)', 'alarms off (break glass)']);
    expect(svc.plan.worstCaseExposure).toBeUndefined();
    expect(svc.plan.notes[0]).toBe(`Break glass: the rollback alarms are off for deployments (${REASON}); no alarm stops or rolls back a failing version. `
      + 'Set alarmRollback back to AlarmRollback.enabled() once the fix is out.');
    expect(svc.plan.toMarkdown()).toContain('- Worst-case exposure before detection: unbounded');
  });

  test('without break glass there is no warning', () => {
    const { stack } = service();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('Break glass'));
  });

  test('fails when the reason is empty', () => {
    expect(() => AlarmRollback.breakGlass('  ')).toThrow('AlarmRollback.breakGlass: reason must be a non-empty text known at synth time, got "  ". Say why the alarms are off');
    expect(() => AlarmRollback.breakGlass(undefined as any)).toThrow('AlarmRollback.breakGlass: reason must be a non-empty text known at synth time, got undefined.');
  });

  test('fails when there are no alarms to turn off', () => {
    expect(() => service({ strategy: DeploymentStrategy.allAtOnce(), alarmRollback: AlarmRollback.breakGlass(REASON) }))
      .toThrow(`ProgressiveFargateService Test/Api: alarmRollback has no alarms to turn off: the strategy has no analysis, got AlarmRollback.breakGlass("${REASON}"). Remove alarmRollback.`);
  });

  test('fails when alarmRollback is not an AlarmRollback', () => {
    expect(() => service({ alarmRollback: false as any }))
      .toThrow('ProgressiveFargateService Test/Api: alarmRollback must be an AlarmRollback, got false. Pass AlarmRollback.enabled() or AlarmRollback.breakGlass(reason).');
  });

});
