import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { only, service } from './util';
import { Analysis, CanaryStep, Comparison, DeploymentStrategy, HealthCheck, TooLittleData } from '../../src';

function strategyWith(analysis: Analysis, bake = Duration.minutes(30)) {
  return DeploymentStrategy.canary({ steps: [CanaryStep.of(10, bake)], analysis });
}

function alarmNamed(template: any, name: string): any {
  const found = Object.values(template.findResources('AWS::CloudWatch::Alarm')).find((a: any) => a.Properties.AlarmName === name);
  if (!found) throw new Error(`no alarm ${name}`);
  return (found as any).Properties;
}

describe('rollback alarms', () => {
  test('the error-rate alarm divides 5xx by requests on both target groups, only counting intervals with minRequests', () => {
    const { template } = service({
      alarmNamePrefix: 'api',
      strategy: strategyWith(Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 2.5 })], minRequests: 40 })),
    });
    const alarm = alarmNamed(template, 'api-error-rate');
    expect(alarm.Threshold).toBe(2.5);
    expect(alarm.ComparisonOperator).toBe('GreaterThanThreshold');
    expect(alarm.TreatMissingData).toBe('notBreaching');
    expect(alarm.Metrics[0].Expression).toBe(
      'MAX([IF(FILL(req0, 0) >= 40, 100 * FILL(err0, 0) / FILL(req0, 0), 0), IF(FILL(req1, 0) >= 40, 100 * FILL(err1, 0) / FILL(req1, 0), 0)])');
    const metric = (id: string) => alarm.Metrics.find((m: any) => m.Id === id).MetricStat;
    expect(metric('err0').Metric.MetricName).toBe('HTTPCode_Target_5XX_Count');
    expect(metric('req1').Metric.MetricName).toBe('RequestCount');
    expect(metric('err0').Stat).toBe('Sum');
    const groups = ['err0', 'err1'].map(id => JSON.stringify(metric(id).Metric.Dimensions));
    expect(groups[0]).toContain('BlueTargetGroup');
    expect(groups[1]).toContain('GreenTargetGroup');
  });

  test('minRequests 0 still guards against an interval without requests', () => {
    const { template } = service({ alarmNamePrefix: 'api', strategy: strategyWith(Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], minRequests: 0 })) });
    expect(alarmNamed(template, 'api-error-rate').Metrics[0].Expression).toContain('IF(FILL(req0, 0) >= 1,');
  });

  test('the latency alarm takes the worst percentile of both target groups, in seconds, only counting intervals with minRequests', () => {
    const { template } = service({
      alarmNamePrefix: 'api',
      strategy: strategyWith(Analysis.of({ checks: [HealthCheck.latency({ percentile: 99.9, max: Duration.millis(250) })] })),
    });
    const alarm = alarmNamed(template, 'api-latency-p99-9');
    expect(alarm.Threshold).toBe(0.25);
    expect(alarm.TreatMissingData).toBe('notBreaching');
    expect(alarm.Metrics[0].Expression).toBe('MAX([IF(FILL(req0, 0) >= 10, FILL(lat0, 0), 0), IF(FILL(req1, 0) >= 10, FILL(lat1, 0), 0)])');
    expect(alarm.Metrics.find((m: any) => m.Id === 'req1').MetricStat.Metric.MetricName).toBe('RequestCount');
    const lat = alarm.Metrics.find((m: any) => m.Id === 'lat0').MetricStat;
    expect(lat.Metric.MetricName).toBe('TargetResponseTime');
    expect(lat.Stat).toBe('p99.9');
  });

  test('a custom check alarms on its CloudWatch metric with its comparison', () => {
    const { template } = service({
      alarmNamePrefix: 'api',
      strategy: strategyWith(Analysis.of({
        checks: [HealthCheck.custom({
          name: 'orders',
          threshold: 5,
          failWhen: Comparison.LESS_THAN,
          cloudWatch: { namespace: 'Shop', metricName: 'Orders', dimensions: { Env: 'prod' }, statistic: 'Sum' },
        })],
      })),
    });
    const alarm = alarmNamed(template, 'api-orders');
    expect(alarm).toMatchObject({
      Namespace: 'Shop',
      MetricName: 'Orders',
      Dimensions: [{ Name: 'Env', Value: 'prod' }],
      Statistic: 'Sum',
      Threshold: 5,
      ComparisonOperator: 'LessThanThreshold',
      Period: 60,
    });
  });

  test.each([
    [Comparison.GREATER_THAN_OR_EQUAL, 'GreaterThanOrEqualToThreshold'],
    [Comparison.LESS_THAN_OR_EQUAL, 'LessThanOrEqualToThreshold'],
    [Comparison.GREATER_THAN, 'GreaterThanThreshold'],
  ])('comparison %s becomes %s', (failWhen, operator) => {
    const { template } = service({
      alarmNamePrefix: 'api',
      strategy: strategyWith(Analysis.of({ checks: [HealthCheck.custom({ name: 'x', threshold: 1, failWhen, cloudWatch: { namespace: 'N', metricName: 'M' } })] })),
    });
    expect(alarmNamed(template, 'api-x').ComparisonOperator).toBe(operator);
    expect(alarmNamed(template, 'api-x').Statistic).toBe('Average');
  });

  test('period is the interval and datapoints to alarm are failureLimit + 1', () => {
    const { template } = service({
      alarmNamePrefix: 'api',
      strategy: strategyWith(
        Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], interval: Duration.minutes(2), failureLimit: 3 }),
        Duration.minutes(30)),
    });
    const alarm = alarmNamed(template, 'api-error-rate');
    expect(alarm.EvaluationPeriods).toBe(4);
    expect(alarm.DatapointsToAlarm).toBe(4);
    expect(alarm.Metrics.filter((m: any) => m.MetricStat).every((m: any) => m.MetricStat.Period === 120)).toBe(true);
  });

  test('the default alarm names are derived from the construct path', () => {
    const { template, svc } = service();
    expect(svc.alarmNames).toEqual([expect.stringMatching(/^Test-Api-[0-9A-F]{8}-error-rate$/), expect.stringMatching(/^Test-Api-[0-9A-F]{8}-latency-p99$/)]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: svc.alarmNames[0] });
  });

  test('the service depends on its alarms so that the first deployment can find them by name', () => {
    const { template } = service({ alarmNamePrefix: 'api' });
    const svc = Object.entries(template.findResources('AWS::ECS::Service'))[0][1] as any;
    const alarms = Object.keys(template.findResources('AWS::CloudWatch::Alarm'));
    expect(svc.DependsOn).toEqual(expect.arrayContaining(alarms));
    template.hasResourceProperties('AWS::ECS::Service', { DeploymentConfiguration: Match.objectLike({ Alarms: Match.objectLike({ AlarmNames: ['api-error-rate', 'api-latency-p99'] }) }) });
    expect(only(template, 'AWS::ECS::Service')).toBeDefined();
  });
});

describe('too little data on AWS', () => {
  test('fails when an analysis is INCONCLUSIVE: alarms cannot pause a deployment', () => {
    const inconclusive = Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], tooLittleData: TooLittleData.INCONCLUSIVE });
    expect(() => service({ strategy: strategyWith(inconclusive) }))
      .toThrow('ProgressiveFargateService Test/Api: strategy.analysis.tooLittleData cannot be INCONCLUSIVE on AWS: a CloudWatch alarm has no inconclusive state, and an AWS deployment cannot pause on one, got TooLittleData.INCONCLUSIVE. Choose TooLittleData.PASS (an unmeasured interval counts as passing) or TooLittleData.FAIL (it counts as a failed measurement and rolls back).');
  });

  test('fails when an ECS service would FAIL its built-in checks on the idle target group', () => {
    const failing = Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], tooLittleData: TooLittleData.FAIL });
    expect(() => service({ strategy: strategyWith(failing) }))
      .toThrow('ProgressiveFargateService Test/Api: strategy.analysis.tooLittleData cannot be FAIL for the built-in checks (error-rate) of an ECS service: their alarms judge the whole service, blue and green target groups, and the idle one never has 10 requests, so every deployment would roll back, got TooLittleData.FAIL.');
  });

  test('FAIL with only custom checks on an ECS service treats missing data as breaching', () => {
    const { template } = service({
      alarmNamePrefix: 'api',
      strategy: strategyWith(Analysis.of({
        checks: [HealthCheck.custom({ name: 'orders', threshold: 1, failWhen: Comparison.LESS_THAN, cloudWatch: { namespace: 'Shop', metricName: 'Orders', statistic: 'Sum' } })],
        tooLittleData: TooLittleData.FAIL,
      })),
    });
    expect(alarmNamed(template, 'api-orders').TreatMissingData).toBe('breaching');
  });

  test('the plan says what an interval with too little data counts as', () => {
    const { svc } = service({ strategy: strategyWith(Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })], minRequests: 25 })) });
    expect(svc.plan.notes).toContain('A measurement with fewer than 25 requests, or with no data, counts as passing (TooLittleData.PASS): an unmeasured version is not rolled back.');
  });
});

describe('HealthCheck.custom with a CloudWatch IMetric', () => {
  test('the alarm watches the metric expression as given', () => {
    const expr = new cloudwatch.MathExpression({
      expression: '100 * errors / calls',
      period: Duration.minutes(1),
      usingMetrics: {
        errors: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors', statistic: 'Sum', period: Duration.minutes(1) }),
        calls: new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Calls', statistic: 'Sum', period: Duration.minutes(1) }),
      },
    });
    const { template } = service({
      alarmNamePrefix: 'api',
      strategy: strategyWith(Analysis.of({ checks: [HealthCheck.custom({ name: 'shop-errors', threshold: 2, failWhen: Comparison.GREATER_THAN, cloudWatchMetric: expr })] })),
    });
    const alarm = alarmNamed(template, 'api-shop-errors');
    expect(alarm.Threshold).toBe(2);
    expect(alarm.Metrics.find((m: any) => m.ReturnData !== false).Expression).toBe('100 * errors / calls');
    expect(alarm.Metrics.find((m: any) => m.Id === 'calls').MetricStat.Metric.MetricName).toBe('Calls');
  });

  test('fails when the metric period is not the analysis interval', () => {
    const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors', statistic: 'Sum' });
    expect(() => service({
      strategy: strategyWith(Analysis.of({ checks: [HealthCheck.custom({ name: 'shop-errors', threshold: 2, failWhen: Comparison.GREATER_THAN, cloudWatchMetric: metric })] })),
    })).toThrow('ProgressiveFargateService Test/Api: strategy.analysis.checks[0] ("shop-errors").cloudWatchMetric must have the analysis\' interval (1m) as its period: the alarm evaluates one measurement per interval, got 5m. Pass the metric with { period: Duration.seconds(60) } (metric.with({ period }) on a Metric or MathExpression).');
  });

  test('fails when cloudWatchMetric is not a metric', () => {
    expect(() => HealthCheck.custom({ name: 'x', threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatchMetric: 'Errors' as any }))
      .toThrow('HealthCheck.custom: cloudWatchMetric must be a CloudWatch IMetric (a Metric or MathExpression), got "Errors".');
  });

  test('fails when both cloudWatch and cloudWatchMetric are given', () => {
    const metric = new cloudwatch.Metric({ namespace: 'Shop', metricName: 'Errors' });
    expect(() => HealthCheck.custom({ name: 'x', threshold: 1, failWhen: Comparison.GREATER_THAN, cloudWatchMetric: metric, cloudWatch: { namespace: 'A', metricName: 'B' } }))
      .toThrow('HealthCheck.custom: cloudWatchMetric cannot be combined with cloudWatch: the check has one CloudWatch query, got both. Keep one of cloudWatch and cloudWatchMetric.');
  });
});
