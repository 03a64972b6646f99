/**
 * The Lambda drill's commands run by bash against a stand-in `aws` command that plays CodeDeploy and
 * Lambda: the drill passes only when the deployment stopped and the alias serves the previous version
 * alone again, and restores the function's description.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { lambdaDrillCommands } from '../../src/pipeline/private/drill';

const FAKE_AWS = `#!/usr/bin/env bash
echo "$*" >> "$STATE/log"
case "$*" in
  *"get-alias"*"length("*) if [ -f "$STATE/rolledback" ]; then printf '3\\t0\\n'; else printf '3\\t1\\n'; fi ;;
  *"get-alias"*) echo 3 ;;
  *"--qualifier"*) echo SHA ;;
  *"Description ||"*) echo "orig desc" ;;
  *"update-function-configuration"*) echo fn ;;
  *"publish-version"*) echo 4 ;;
  *"create-deployment"*) echo d-123 ;;
  *"get-deployment"*) n=$(cat "$STATE/polls" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "$STATE/polls"
     if [ "$OUTCOME" = "Succeeded" ] && [ $n -ge 2 ]; then echo Succeeded
     elif [ $n -ge 3 ]; then touch "$STATE/rolledback"; echo Stopped
     elif [ $n -ge 2 ]; then echo Stopped
     else echo InProgress; fi ;;
esac
`;

function run(outcome: string): { status: number | null; stdout: string; log: string[] } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'drill-'));
  try {
    fs.writeFileSync(path.join(dir, 'aws'), FAKE_AWS, { mode: 0o755 });
    const script = ['sleep() { :; }', ...lambdaDrillCommands('orders-error-rate', 'eu-west-1', 600, { before: false, after: true })].join('\n');
    const result = spawnSync('bash', ['-e', '-c', script], {
      encoding: 'utf-8',
      env: { PATH: `${dir}:${process.env.PATH}`, STATE: dir, OUTCOME: outcome, DRILL: 'true', FUNCTION: 'fn', ALIAS: 'live', APPLICATION: 'app', GROUP: 'grp', POST_HOOK: 'keep' },
    });
    return { status: result.status, stdout: result.stdout, log: fs.readFileSync(path.join(dir, 'log'), 'utf-8').trim().split('\n') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('passes when the deployment stops and the alias serves the previous version alone again', () => {
  const { status, stdout, log } = run('Stopped');
  expect(stdout).toContain('Rollback drill of fn:live (version 4 over 3): deployment d-123 ROLLED_BACK after ');
  expect(status).toBe(0);
  expect(log).toContain('--region eu-west-1 lambda publish-version --function-name fn --code-sha256 SHA --query Version --output text');
  // The description is changed for the publish, then restored.
  expect(log.filter(l => l.includes('update-function-configuration')).map(l => l.replace(/.*--description (.*) --query.*/, '$1')))
    .toEqual(['Rollback drill of version 3', 'orig desc']);
  expect(log.find(l => l.includes('create-deployment'))).toContain(
    '{"revisionType": "AppSpecContent", "appSpecContent": {"content": "{version: 0.0, Resources: [{drill: {Type: \'AWS::Lambda::Function\', Properties: '
    + '{Name: fn, Alias: live, CurrentVersion: \'3\', TargetVersion: \'4\'}}}], Hooks: [{AfterAllowTraffic: keep}]}"}}');
  // The alarm is forced while the deployment runs; a stopped deployment whose alias still splits traffic is waited for.
  expect(log.filter(l => l.includes('set-alarm-state'))).toEqual(['--region eu-west-1 cloudwatch set-alarm-state --alarm-name orders-error-rate --state-value ALARM --state-reason Rollback drill']);
  expect(log.filter(l => l.includes('get-deployment'))).toHaveLength(3);
});

test('fails when the deployment succeeds instead of rolling back', () => {
  const { status, stdout } = run('Succeeded');
  expect(stdout).toContain('deployment d-123 Succeeded after ');
  expect(status).toBe(1);
});
