import { Runbook } from '../../src';

const base = {
  title: 'checkout',
  target: 'ECS native',
  automatic: ['The deployment rolls back when an alarm fires.'],
  procedures: [{ title: 'Abort and roll back', when: 'the new version misbehaves', commands: ['aws ecs stop-service-deployment --service-deployment-arn "$ARN" --stop-type ROLLBACK'] }],
};

describe('Runbook', () => {
  test('renders variables (literal or looked up), procedures, schema and notes as Markdown', () => {
    const md = Runbook.of({
      ...base,
      variables: [
        { name: 'CLUSTER', description: 'the ECS cluster', value: 'shop' },
        { name: 'NOTE', description: 'a value with a quote', value: "it's" },
        { name: 'ARN', description: 'the deployment in progress', lookup: 'aws ecs list-service-deployments --cluster "$CLUSTER" --query "serviceDeployments[0].serviceDeploymentArn" --output text' },
      ],
      procedures: [...base.procedures, { title: 'Deploy a fix while a check fails', when: 'an incident', notes: ['Set alarmRollback: AlarmRollback.breakGlass("INC-1").'] }],
      schema: ['Column orders.legacy_total is still read by the previous version.'],
      notes: ['Nothing here was run against AWS by the library.'],
    }).toMarkdown();
    expect(md).toBe([
      '### Runbook: checkout (ECS native)',
      '',
      '**Rolls back by itself**',
      '',
      '- The deployment rolls back when an alarm fires.',
      '',
      '**Set these first**',
      '',
      '```bash',
      '# the ECS cluster',
      'CLUSTER=shop',
      '# a value with a quote',
      "NOTE='it'\\''s'",
      '# the deployment in progress',
      'ARN=$(aws ecs list-service-deployments --cluster "$CLUSTER" --query "serviceDeployments[0].serviceDeploymentArn" --output text)',
      '```',
      '',
      '**Abort and roll back**',
      '',
      'When: the new version misbehaves',
      '',
      '```bash',
      'aws ecs stop-service-deployment --service-deployment-arn "$ARN" --stop-type ROLLBACK',
      '```',
      '',
      '**Deploy a fix while a check fails**',
      '',
      'When: an incident',
      '',
      '- Set alarmRollback: AlarmRollback.breakGlass("INC-1").',
      '',
      '**What the database schema must still support on rollback**',
      '',
      '- Column orders.legacy_total is still read by the previous version.',
      '',
      '- Note: Nothing here was run against AWS by the library.',
      '',
    ].join('\n'));
  });

  test('toJson carries every part', () => {
    const json = Runbook.of(base).toJson();
    expect(json).toEqual({
      title: 'checkout',
      target: 'ECS native',
      automatic: base.automatic,
      variables: [],
      schema: [],
      notes: [],
      procedures: [{ ...base.procedures[0], notes: [] }],
    });
  });

  test.each([
    ['procedures is empty', { ...base, procedures: [] }, 'Runbook.of: procedures must contain at least one procedure, got []. Add what an operator does to abort or roll back.'],
    ['a variable name is not a shell name', { ...base, variables: [{ name: 'cluster', description: 'c', value: 'x' }] },
      'Runbook.of: variables[0].name must be an upper-case shell variable name, got "cluster". Use a name such as "CLUSTER".'],
    ['a variable has both value and lookup', { ...base, variables: [{ name: 'A', description: 'a', value: 'x', lookup: 'echo x' }] },
      'Runbook.of: variables[0] must have exactly one of value and lookup'],
    ['variables repeat a name', { ...base, variables: [{ name: 'A', description: 'a', value: 'x' }, { name: 'A', description: 'b', value: 'y' }] },
      'Runbook.of: variables[1].name must be unique, got "A".'],
    // eslint-disable-next-line no-sparse-arrays
    ['automatic is a sparse array', { ...base, automatic: [, 'x'] }, 'Runbook.of: automatic[0] must be a non-empty string, got undefined. Set automatic[0].'],
    ['a procedure has neither commands nor notes', { ...base, procedures: [{ title: 't', when: 'w' }] }, 'Runbook.of: procedures[0] must have commands or notes, got "t".'],
    ['props is null', null, 'Runbook.of: props must be an object, got null.'],
    ['title is a number', { ...base, title: 5 }, 'Runbook.of: title must be a non-empty string, got 5. Set title.'],
  ])('fails when %s', (_, props, message) => {
    expect(() => Runbook.of(props as any)).toThrow(message);
  });
});
