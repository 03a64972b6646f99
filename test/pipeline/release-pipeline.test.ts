import { App, CfnOutput, Duration, Lazy, Stack, Stage, Token } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { AppStage, IMAGE_DIR, PIPELINE_ENV, build, source, stagesOf } from './util';
import {
  Analysis, CanaryStep, DeploymentStrategy, DeploymentWindow, EcsEngine, HealthCheck, ManualApproval, PipelineEnvironment, ProgressiveFargateService,
  ProgressiveLambdaAlias, ReleasePipeline, RollbackDrill, SmokeTest,
} from '../../src';

const DIGEST = 'sha256:' + 'ab'.repeat(32);

describe('ReleasePipeline', () => {
  test('stages run in order: source, build, self-mutation, assets, then the environments as listed', () => {
    const { template } = build();
    expect(stagesOf(template).map(s => s.Name)).toEqual(['Source', 'Build', 'UpdatePipeline', 'Assets', 'Staging', 'Production']);
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', { PipelineType: 'V2' });
  });

  test('the CloudFormation actions\' role ARNs are written as Fn::Sub (cfn-lint E3703 checks them as role ARNs)', () => {
    const { template } = build();
    const roles = stagesOf(template).flatMap(s => s.Actions)
      .filter((a: any) => a.ActionTypeId.Provider === 'CloudFormation' && a.Configuration.RoleArn !== undefined).map((a: any) => a.Configuration.RoleArn);
    expect(roles).toHaveLength(2); // the change-set actions of the two environments
    expect(new Set(roles.map((r: any) => JSON.stringify(r)))).toEqual(new Set([JSON.stringify({
      'Fn::Sub': 'arn:${AWS::Partition}:iam::111111111111:role/cdk-hnb659fds-cfn-exec-role-111111111111-eu-west-1',
    })]));
  });

  test('each image is built once and the same image (content-hash tag) is promoted to every environment', () => {
    const { template, app } = build({ staging: { second: true }, production: { second: true } });
    const assets = stagesOf(template).find(s => s.Name === 'Assets');
    const imageActions = assets.Actions.filter((a: any) => /AssetImage/.test(a.Name));
    expect(imageActions).toHaveLength(1);
    const images = ['Staging', 'Production'].flatMap(stage => ['Api', 'Worker'].map(stack => {
      const t = app.synth().getNestedAssembly(`assembly-${stage}`).getStackByName(`${stage}-${stack}`).template;
      const td: any = Object.values(t.Resources).find((r: any) => r.Type === 'AWS::ECS::TaskDefinition');
      return JSON.stringify(td.Properties.ContainerDefinitions[0].Image);
    }));
    const tags = images.map(i => /:([0-9a-f]{64})/.exec(i)?.[1]);
    expect(tags[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(tags).size).toBe(1);
  });

  test('after each environment deploys, its services\' smoke tests run against the stack output of the endpoint', () => {
    const { template } = build();
    for (const name of ['Staging', 'Production']) {
      const stage = stagesOf(template).find(s => s.Name === name);
      const deploy = stage.Actions.find((a: any) => a.Name === 'Api.Deploy');
      const smoke = stage.Actions.find((a: any) => a.Name === 'SmokeTest-Api-Service');
      expect(smoke.ActionTypeId.Provider).toBe('CodeBuild');
      expect(smoke.RunOrder).toBeGreaterThan(deploy.RunOrder);
      expect(JSON.stringify(smoke.Configuration.EnvironmentVariables)).toContain('"name\\":\\"ENDPOINT\\"');
      expect(JSON.stringify(smoke.Configuration.EnvironmentVariables)).toMatch(new RegExp(`#\\{${name}Api[0-9A-F]{8}\\.ServiceReleasePipelineEndpoint[0-9A-F]{8}\\}`));
    }
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((p: any) => p.Properties.Source.BuildSpec).filter(s => typeof s === 'string' && s.includes('curl')).map(s => JSON.parse(s));
    expect(specs).toHaveLength(2);
    expect(specs[0].phases.build.commands).toEqual([
      'status=$(curl --silent --output /dev/null --write-out \'%{http_code}\' --max-time 5 "$ENDPOINT"\'/health\' || true); '
      + 'echo "GET $ENDPOINT/health answered $status, expected 204"; test "$status" = "204"',
    ]);
  });

  test('smokeTests: false runs no smoke test; extraGates run beside the smoke tests, after the deploy', () => {
    const gate = new pipelines.ShellStep('IntegrationTests', { commands: ['npm run integration'] });
    const { template } = build({ stagingEnv: { smokeTests: false, smokeTestNetwork: undefined }, productionEnv: { extraGates: [gate] } });
    const [staging, prod] = ['Staging', 'Production'].map(n => stagesOf(template).find(s => s.Name === n));
    expect(staging.Actions.map((a: any) => a.Name)).toEqual(['Prepare', 'Deploy']);
    expect(prod.Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([
      ['Api.Prepare', 1], ['Api.Deploy', 2], ['IntegrationTests', 3], ['SmokeTest-Api-Service', 3],
    ]);
  });

  test('the service\'s SmokeTest declaration is read, each request a check', () => {
    const declared = SmokeTest.http({ requests: [{ path: '/ready' }, { path: '/version', expectStatus: 204 }], timeout: Duration.seconds(3) });
    const app = new App();
    const stack = new Stack(app, 'Delivery', { env: PIPELINE_ENV });
    const stage = new Stage(app, 'Staging', { env: PIPELINE_ENV });
    const svc = new ProgressiveFargateService(new Stack(stage, 'Api'), 'Service', {
      image: ecs.ContainerImage.fromAsset(IMAGE_DIR),
      containerPort: 80,
      internetFacing: true,
      testTrafficFrom: ec2.Peer.ipv4('10.0.0.0/8'),
      smokeTest: declared,
      strategy: DeploymentStrategy.allAtOnce(),
    });
    expect(svc.smokeTest).toBe(declared);
    new ReleasePipeline(stack, 'Release', { source: source(), synthCommands: ['npx cdk synth'], environments: [PipelineEnvironment.of({ stage })] });
    const specs = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))
      .map((p: any) => p.Properties.Source.BuildSpec).filter(s => typeof s === 'string' && s.includes('curl')).map(s => JSON.parse(s));
    const commands: string[] = specs[0].phases.build.commands;
    expect(commands.map(c => /--max-time (\d+) "\$ENDPOINT"'([^']+)'/.exec(c)!.slice(1))).toEqual([['3', '/ready'], ['3', '/version']]);
    expect(commands.join('\n')).toContain('204');
  });

  test('an HTTPS listener is requested over HTTPS without checking the certificate against the load balancer name', () => {
    const app = new App();
    const stack = new Stack(app, 'Delivery', { env: PIPELINE_ENV });
    const stage = new Stage(app, 'Staging', { env: PIPELINE_ENV });
    const svc = new ProgressiveFargateService(new Stack(stage, 'Api'), 'Service', {
      image: ecs.ContainerImage.fromAsset(IMAGE_DIR),
      containerPort: 80,
      internetFacing: true,
      testTrafficFrom: ec2.Peer.ipv4('10.0.0.0/8'),
      certificate: elbv2.ListenerCertificate.fromArn('arn:aws:acm:eu-west-1:111111111111:certificate/abc'),
      smokeTest: SmokeTest.http({ path: '/health' }),
      strategy: DeploymentStrategy.allAtOnce(),
    });
    new ReleasePipeline(stack, 'Release', { source: source(), synthCommands: ['npx cdk synth'], environments: [PipelineEnvironment.of({ stage })] });
    const specs = Object.values(Template.fromStack(stack).findResources('AWS::CodeBuild::Project'))
      .map((p: any) => p.Properties.Source.BuildSpec).filter(s => typeof s === 'string' && s.includes('curl')).map(s => JSON.parse(s));
    expect(specs[0].phases.build.commands[0]).toContain("--write-out '%{http_code}' --insecure --max-time 10 ");
    const output = (svc.node.findChild('ReleasePipelineEndpoint') as CfnOutput).value;
    expect(Stack.of(svc).resolve(output)).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^ServiceLoadBalancer/), 'DNSName'] }, ':443']] });
  });

  test('the endpoint output of a service is http://<load balancer>:<listener port>', () => {
    const { app } = build({ production: { service: { listenerPort: 8080 } } });
    const t = app.synth().getNestedAssembly('assembly-Production').getStackByName('Production-Api').template;
    const output: any = Object.entries(t.Outputs).find(([k]) => k.startsWith('ServiceReleasePipelineEndpoint'))![1];
    expect(JSON.stringify(output.Value)).toMatch(/^\{"Fn::Join":\["",\["http:\/\/",\{"Fn::GetAtt":\["ServiceLoadBalancer[0-9A-F]+","DNSName"\]\},":8080"\]\]\}$/);
  });

  test('the next environment starts only after the previous stage, gates included: a manual approval with SNS opens production', () => {
    const app = new App();
    const stack = new Stack(app, 'Delivery', { env: PIPELINE_ENV });
    const topic = new sns.Topic(stack, 'Approvals');
    const staging = new AppStage(app, 'Staging', { env: PIPELINE_ENV });
    const production = new AppStage(app, 'Production', { env: PIPELINE_ENV });
    new ReleasePipeline(stack, 'Release', {
      source: source(),
      synthCommands: ['npx cdk synth'],
      environments: [
        PipelineEnvironment.of({ stage: staging, smokeTests: false }),
        PipelineEnvironment.of({
          stage: production,
          production: true,
          smokeTests: false,
          approval: ManualApproval.required({ notificationTopic: topic, comment: 'Check the staging dashboard', reviewUrl: 'https://dash.example.com' }),
        }),
      ],
    });
    const prod = stagesOf(Template.fromStack(stack)).find(s => s.Name === 'Production');
    const approval = prod.Actions.find((a: any) => a.ActionTypeId.Category === 'Approval');
    const prepare = prod.Actions.find((a: any) => a.Name === 'Api.Prepare');
    expect(approval.RunOrder).toBe(1);
    expect(prepare.RunOrder).toBe(2);
    expect(approval.Configuration).toEqual({
      CustomData: 'Check the staging dashboard', ExternalEntityLink: 'https://dash.example.com', NotificationArn: { Ref: expect.stringMatching(/^Approvals/) },
    });
    const stagingStage = stagesOf(Template.fromStack(stack)).find(s => s.Name === 'Staging');
    expect(stagingStage.Actions.some((a: any) => a.ActionTypeId.Category === 'Approval')).toBe(false);
  });

  test('production rolls back on failure and watches its services\' rollback alarms after it succeeds; staging has no conditions', () => {
    const { template, production } = build({ productionEnv: { alarmWatchTime: Duration.minutes(10) } });
    const stages = stagesOf(template);
    const prod = stages.find(s => s.Name === 'Production');
    expect(prod.OnFailure).toEqual({ Result: 'ROLLBACK' });
    expect(prod.OnSuccess).toEqual({
      Conditions: [{
        Result: 'ROLLBACK',
        Rules: production.service.alarmNames.map((alarmName, i) => ({
          Name: `RollbackAlarm${i + 1}`,
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'CloudWatchAlarm', Version: '1' },
          Configuration: { AlarmName: alarmName, WaitTime: '10' },
        })),
      }],
    });
    expect(production.service.alarmNames).toHaveLength(1);
    const staging = stages.find(s => s.Name === 'Staging');
    expect([staging.BeforeEntry, staging.OnFailure, staging.OnSuccess]).toEqual([undefined, undefined, undefined]);
  });

  test('rollbackOnFailure and watchAlarms can be turned on for staging and off for production', () => {
    const { template } = build({
      stagingEnv: { rollbackOnFailure: true, watchAlarms: true, alarmWatchTime: Duration.minutes(2) },
      productionEnv: { rollbackOnFailure: false, watchAlarms: false },
    });
    const [staging, prod] = ['Staging', 'Production'].map(n => stagesOf(template).find(s => s.Name === n));
    expect(staging.OnFailure).toEqual({ Result: 'ROLLBACK' });
    expect(staging.OnSuccess.Conditions[0].Rules[0].Configuration.WaitTime).toBe('2');
    expect([prod.OnFailure, prod.OnSuccess]).toEqual([undefined, undefined]);
  });

  test('a deployment window becomes an entry condition with the DeploymentWindow rule and the result FAIL', () => {
    const { template } = build({
      productionEnv: { deploymentWindow: DeploymentWindow.cron({ expression: '*  * 9-16 ? * MON-THU', timeZone: 'Europe/Berlin' }) },
    });
    const prod = stagesOf(template).find(s => s.Name === 'Production');
    expect(prod.BeforeEntry).toEqual({
      Conditions: [{
        Result: 'FAIL',
        Rules: [{
          Name: 'DeploymentWindow',
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'DeploymentWindow', Version: '1' },
          Configuration: { Cron: '* * 9-16 ? * MON-THU', TimeZone: 'Europe/Berlin' },
        }],
      }],
    });
  });

  test('an environment in another region watches its alarms in that region', () => {
    const region = { account: PIPELINE_ENV.account, region: 'us-east-1' };
    const { template } = build({ production: { env: region } });
    const prod = stagesOf(template).find(s => s.Name === 'Production');
    expect(prod.OnSuccess.Conditions[0].Rules[0].Region).toBe('us-east-1');
  });

  test('a Lambda alias in production: its rollback alarms are watched and its CodeDeploy rollout is in the plan', () => {
    const app = new App();
    const stack = new Stack(app, 'Delivery', { env: PIPELINE_ENV });
    const stage = new Stage(app, 'Production', { env: PIPELINE_ENV });
    const fnStack = new Stack(stage, 'Fn');
    const fn = new lambda.Function(fnStack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1'),
    });
    const live = new ProgressiveLambdaAlias(fnStack, 'Live', {
      version: fn.currentVersion,
      alarmNamePrefix: 'orders-fn',
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(5))],
        analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
      }),
    });
    const pipeline = new ReleasePipeline(stack, 'Release', {
      source: source(), synthCommands: ['npx cdk synth'], environments: [PipelineEnvironment.of({ stage, production: true })],
    });
    const prod = stagesOf(Template.fromStack(stack)).find(s => s.Name === 'Production');
    expect(prod.OnSuccess.Conditions[0].Rules.map((r: any) => r.Configuration.AlarmName)).toEqual(['orders-fn-error-rate']);
    const deploy = pipeline.plan().steps.find(s => s.name === 'Deploy Production')!;
    expect(deploy.duration.toSeconds()).toBe(180 + live.plan.previousVersionReleasedAfter.toSeconds());
    expect(deploy.basis).toBe(`Production-Fn: estimates.stackDeploy + rollout of Live canary (Lambda CodeDeploy) ${live.plan.previousVersionReleasedAfter.toMinutes()}m`);
  });

  test('a production environment in another account gets cross-account keys and no alarm condition', () => {
    const { template } = build({ production: { env: { account: '222222222222', region: 'eu-west-1' } } });
    const prod = stagesOf(template).find(s => s.Name === 'Production');
    expect(prod.OnSuccess).toBeUndefined();
    expect(prod.OnFailure).toEqual({ Result: 'ROLLBACK' });
    template.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('images pinned by digest pass in production, and mutable tags pass outside production', () => {
    expect(() => build({ production: { service: { image: ecs.ContainerImage.fromRegistry(`nginx@${DIGEST}`) } } })).not.toThrow();
    expect(() => build({ staging: { service: { image: ecs.ContainerImage.fromRegistry('nginx:latest') } } })).not.toThrow();
  });

  test('the same input synthesizes the same pipeline', () => {
    const a = JSON.stringify(build().template.toJSON());
    const b = JSON.stringify(build().template.toJSON());
    expect(a).toBe(b);
  });
});

describe('ReleasePipeline.plan()', () => {
  test('adds up build, each environment\'s deploy and rollout, smoke tests and the alarm watch; names the dominant step', () => {
    const built = build();
    const plan = built.pipeline.plan();
    // The rollout as the service's own plan states it (the canary, its bake, the smoke test before it).
    const rollout = built.staging.service.plan.previousVersionReleasedAfter.toSeconds();
    expect(rollout).toBe(built.production.service.plan.previousVersionReleasedAfter.toSeconds());
    expect(rollout).toBeGreaterThanOrEqual(600);
    const shown = formatted(rollout);
    expect(plan.steps.map(s => [s.name, s.duration.toSeconds(), s.manual])).toEqual([
      ['Source', 60, false],
      ['Synth', 300, false],
      ['Self-mutation', 120, false],
      ['Build and publish assets once (1 image(s), 1 file asset(s), in parallel)', 300, false],
      ['Deploy Staging', 180 + rollout, false],
      ['Smoke tests of Staging (1)', 120, false],
      ['Deploy Production', 180 + rollout, false],
      ['Smoke tests of Production (1)', 120, false],
      ['Watch the rollback alarms of Production', 300, false],
    ]);
    expect(plan.steps[4].basis).toBe(`Staging-Api: estimates.stackDeploy + rollout of Service canary (ECS native) ${shown}`);
    const total = 60 + 300 + 120 + 300 + 2 * (180 + rollout + 120) + 300;
    expect(plan.timeToProduction.toSeconds()).toBe(total);
    expect(plan.meetsTarget).toBe(false);
    expect(plan.dominantStep.name).toBe('Deploy Staging');
    const md = plan.toMarkdown();
    expect(md).toContain(`- Estimate without manual gates: **${formatted(total)}**, target 15m: **misses the target by ${formatted(total - 900)}**`);
    expect(md).toContain(`- Dominant step: Deploy Staging (${formatted(180 + rollout)}, ${Math.round((100 * (180 + rollout)) / total)}% of the estimate)`);
    expect(md).toContain(`| 5 | Deploy Staging | Staging | ${formatted(180 + rollout)} | no | Staging-Api: estimates.stackDeploy + rollout of Service canary (ECS native) ${shown} |`);
    expect(md).toContain('fails its stack update; CloudFormation then rolls the stack back and the environment\'s stage fails');
    expect(plan.notes).toContain('Production: a failed stage rolls back to the last successful execution\'s artifacts (CodePipeline stage rollback, after one successful run of the stage; '
      + 'a commit that changes the pipeline itself starts a new pipeline structure, with no earlier execution to roll back to).');
  });

  test('declared estimates and a faster strategy meet a 15-minute target; approvals are counted apart', () => {
    const fast = { strategy: DeploymentStrategy.allAtOnce({ keepPreviousVersionFor: Duration.minutes(1) }), smokeTest: undefined };
    const built = build({
      staging: { service: fast },
      production: { service: fast },
      productionEnv: { approval: ManualApproval.required({ expectedWait: Duration.hours(2) }), smokeTests: false, smokeTestNetwork: undefined },
      stagingEnv: { smokeTests: false, smokeTestNetwork: undefined },
      pipeline: {
        selfMutation: false,
        estimates: { source: Duration.seconds(30), synth: Duration.minutes(3), imageBuild: Duration.minutes(3), stackDeploy: Duration.minutes(2) },
        targetTimeToProduction: Duration.minutes(15),
      },
    });
    const plan = built.pipeline.plan();
    const rollout = built.production.service.plan.previousVersionReleasedAfter.toSeconds();
    expect(rollout).toBe(built.staging.service.plan.previousVersionReleasedAfter.toSeconds());
    expect(plan.steps.map(s => s.name)).toEqual([
      'Source', 'Synth', 'Build and publish assets once (1 image(s), 0 file asset(s), in parallel)',
      'Deploy Staging', 'Manual approval before Production', 'Deploy Production',
    ]);
    expect(plan.timeToProduction.toSeconds()).toBe(30 + 180 + 180 + 2 * (120 + rollout));
    expect(plan.timeToProductionWithApprovals.toSeconds()).toBe(plan.timeToProduction.toSeconds() + 7200);
    expect(plan.meetsTarget).toBe(true);
    expect(plan.toMarkdown()).toContain('target 15m: **meets the target**');
    expect(plan.toMarkdown()).toContain('| 5 | Manual approval before Production | Production | 2h | yes | approval.expectedWait |');
  });

  test('stacks that depend on each other add up; the deployment window is a note', () => {
    const built = build({
      production: { second: true },
      productionEnv: { deploymentWindow: DeploymentWindow.cron({ expression: '* * 9-16 ? * MON-FRI' }) },
    });
    const plan = built.pipeline.plan();
    const deploy = plan.steps.find(s => s.name === 'Deploy Production')!;
    const worker = built.production.node.findAll().find(c => c instanceof ProgressiveFargateService && c.node.path.includes('Worker')) as ProgressiveFargateService;
    const workerRollout = worker.plan.previousVersionReleasedAfter;
    expect(workerRollout.toSeconds()).toBeGreaterThan(0);
    const apiRollout = built.production.service.plan.previousVersionReleasedAfter.toSeconds();
    expect(deploy.duration.toSeconds()).toBe(3 * 60 + apiRollout + 3 * 60 + workerRollout.toSeconds());
    expect(deploy.basis).toBe(`Production-Api: estimates.stackDeploy + rollout of Service canary (ECS native) ${formatted(apiRollout)}, then Production-Worker: `
      + `estimates.stackDeploy + rollout of Service all-at-once (ECS native) ${formatted(workerRollout.toSeconds())}`);
    expect(plan.notes).toContain('Production: deployment window "* * 9-16 ? * MON-FRI" (UTC); outside it the stage fails at entry and is retried by hand; waiting for the window is not included.');
  });
});

describe('ReleasePipeline refusals', () => {
  test('fails when a production image is given by a mutable tag', () => {
    expect(() => build({ production: { service: { image: ecs.ContainerImage.fromRegistry('nginx:latest') } } })).toThrow(
      'ReleasePipeline Delivery/Release environment Production: image of Production/Api/Service/TaskDefinition/app must not be given by a mutable tag in a production environment: '
      + 'the tag can point to another image than the one staging ran, got "nginx:latest". Build it from the commit with ecs.ContainerImage.fromAsset(directory)',
    );
    expect(() => build({ production: { service: { image: ecs.ContainerImage.fromRegistry('nginx:1.27') } } })).toThrow('got "nginx:1.27"');
  });

  test('fails when a production image comes from an ECR repository by tag or with no tag', () => {
    const repoImage = (tag?: string) => {
      const stack = new Stack(new App(), 'Repos');
      return ecs.ContainerImage.fromEcrRepository(ecr.Repository.fromRepositoryName(stack, 'R', 'api'), tag);
    };
    expect(() => build({ production: { service: { image: repoImage('v1') } } })).toThrow('got "an ECR image \\"<repository>:v1\\"". Build it from the commit');
    expect(() => build({ production: { service: { image: repoImage() } } })).toThrow('got "an ECR image \\"<repository>:latest\\""');
    expect(() => build({ production: { service: { image: repoImage(DIGEST) } } })).not.toThrow();
  });

  test('fails when a production Lambda function image is given by a tag', () => {
    const app = new App();
    const stack = new Stack(app, 'Delivery', { env: PIPELINE_ENV });
    const stage = new Stage(app, 'Production', { env: PIPELINE_ENV });
    const fnStack = new Stack(stage, 'Fn');
    const repo = ecr.Repository.fromRepositoryName(fnStack, 'Repo', 'worker');
    new lambda.DockerImageFunction(fnStack, 'Worker', { code: lambda.DockerImageCode.fromEcr(repo, { tagOrDigest: 'v2' }) });
    expect(() => new ReleasePipeline(stack, 'Release', {
      source: source(), synthCommands: ['npx cdk synth'], environments: [PipelineEnvironment.of({ stage, production: true })],
    })).toThrow('image of Production/Fn/Worker must not be given by a mutable tag in a production environment: the tag can point to another image than the one staging ran, '
      + 'got "an ECR image \\"<repository>:v2\\"". Build it from the commit with ecs.ContainerImage.fromAsset(directory) or lambda.DockerImageCode.fromImageAsset(directory)');
  });

  test('fails when a production service uses the CodeDeploy engine', () => {
    expect(() => build({ production: { service: { engine: EcsEngine.codeDeploy(), smokeTest: undefined } } })).toThrow(
      'environment Production: service Production/Api/Service uses EcsEngine.codeDeploy(), whose deployments a stack update does not start',
    );
  });

  test('fails when a service\'s smoke test is a Lambda function the pipeline cannot run', () => {
    const fn = (stack: Stack) => lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:eu-west-1:111111111111:function:smoke');
    const app = new App();
    const stack = new Stack(app, 'Delivery', { env: PIPELINE_ENV });
    const stage = new AppStage(app, 'Staging', { env: PIPELINE_ENV, service: { smokeTest: SmokeTest.lambda(fn(new Stack(app, 'Other'))) } });
    expect(() => new ReleasePipeline(stack, 'Release', {
      source: source(), synthCommands: ['npx cdk synth'], environments: [PipelineEnvironment.of({ stage })],
    })).toThrow('smoke test of Staging/Api/Service is your own Lambda function (SmokeTest.lambda), a deployment hook that a pipeline step cannot run, got SmokeTest.lambda. '
      + 'Declare SmokeTest.http on the service, or set smokeTests: false');
  });

  test('fails when a service\'s smoke test declares what the pipeline step does not check (another method, body checks, retries)', () => {
    const smoke = (smokeTest: SmokeTest) => () => build({ staging: { service: { smokeTest } } });
    expect(smoke(SmokeTest.http({ requests: [{ path: '/health' }, { method: 'POST', path: '/orders', body: '{}' }] }))).toThrow(
      'environment Staging: smoke test of Staging/Api/Service declares what the pipeline step does not check (it sends GET and compares the status), got {"method":"POST"',
    );
    expect(smoke(SmokeTest.http({ requests: [{ path: '/health', expectBodyContains: 'ok' }] }))).toThrow(
      'does not check (it sends GET and compares the status), got {"method":"GET","fields":["expectBodyContains"]}.',
    );
    expect(smoke(SmokeTest.http({ path: '/health', retries: 2 }))).toThrow(
      'smoke test of Staging/Api/Service declares retries, which the pipeline step does not make, got retries: 2.',
    );
  });

  test('fails when the smoke test cannot reach an internal load balancer', () => {
    expect(() => build({ stagingEnv: { smokeTestNetwork: undefined } })).toThrow(
      'environment Staging: smoke test of Staging/Api/Service cannot reach an internal load balancer from CodeBuild outside the VPC, got internal load balancer, no smokeTestNetwork. '
      + 'Set smokeTestNetwork: { vpc }',
    );
  });

  test('fails when alarms are to be watched in another account, or crossAccountKeys is off for one', () => {
    const other = { env: { account: '222222222222', region: 'eu-west-1' } };
    expect(() => build({ production: other, productionEnv: { watchAlarms: true } })).toThrow(
      'environment Production: watchAlarms needs the environment in the pipeline\'s account',
    );
    expect(() => build({ production: other, pipeline: { crossAccountKeys: false } })).toThrow(
      'crossAccountKeys must be true when an environment is in another account than the pipeline, got false. Remove crossAccountKeys; Production deploy to another account.',
    );
  });

  test('fails when watchAlarms is asked of an environment without alarms', () => {
    const plain = { strategy: DeploymentStrategy.allAtOnce(), smokeTest: undefined };
    expect(() => build({ staging: { service: plain }, stagingEnv: { watchAlarms: true, smokeTests: false, smokeTestNetwork: undefined } })).toThrow(
      'environment Staging: watchAlarms needs rollback alarms, and the environment\'s services and aliases have none, got true.',
    );
  });

  test('fails on bad props as another language could pass them', () => {
    const app = new App();
    const stack = new Stack(app, 'Delivery', { env: PIPELINE_ENV });
    const stage = new AppStage(app, 'Staging', { env: PIPELINE_ENV });
    const env = PipelineEnvironment.of({ stage, smokeTests: false });
    const make = (props: any) => () => new ReleasePipeline(stack, `R${Math.random()}`.replace('.', ''), props);
    const ok = { source: source(), synthCommands: ['npx cdk synth'], environments: [env] };
    expect(make(null)).toThrow(/props must be an object, got null/);
    expect(make({ ...ok, source: 'github.com/org/repo' })).toThrow(/source must be a pipelines.CodePipelineSource, got "github.com\/org\/repo"/);
    expect(make({ ...ok, synthCommands: [] })).toThrow(/synthCommands must be a non-empty list of shell commands known at synth time, got \[\]/);
    expect(make({ ...ok, synthCommands: [Lazy.string({ produce: () => 'x' })] })).toThrow(/synthCommands must be a non-empty list/);
    expect(make({ ...ok, environments: null })).toThrow(/environments must be a non-empty list of PipelineEnvironment, got null/);
    expect(make({ ...ok, environments: [{ stage }] })).toThrow(/environments must be a non-empty list of PipelineEnvironment/);
    expect(make({ ...ok, environments: [env, env] })).toThrow(/environments must each have their own stage and stage name, got "Staging"/);
    expect(make({ ...ok, selfMutation: 'no' })).toThrow(/selfMutation must be true or false, got "no"/);
    expect(make({ ...ok, pipelineName: 'has space' })).toThrow(/pipelineName must be 1-100 letters/);
    expect(make({ ...ok, targetTimeToProduction: 15 })).toThrow(/targetTimeToProduction must be a Duration \(for example Duration.minutes\(5\)\), got 15/);
    expect(make({ ...ok, targetTimeToProduction: Duration.minutes(Token.asNumber({ Ref: 'X' })) })).toThrow(/targetTimeToProduction must be a concrete duration known at synth time, got an unresolved token/);
    expect(make({ ...ok, estimates: { synth: NaN } })).toThrow(/estimates.synth must be a Duration \(for example Duration.minutes\(5\)\), got NaN/);
    expect(make({ ...ok, estimates: 5 })).toThrow(/estimates must be an object, got 5/);
    const agnostic = new Stack(app, 'Agnostic');
    expect(() => new ReleasePipeline(agnostic, 'R', ok)).toThrow(/pipeline stack env must have its account and region set/);
  });

  test('fails on bad environments as another language could pass them', () => {
    const app = new App();
    const stage = new AppStage(app, 'Staging', { env: PIPELINE_ENV });
    expect(() => PipelineEnvironment.of(null as any)).toThrow('PipelineEnvironment.of: props must be an object, got null.');
    expect(() => PipelineEnvironment.of({ stage: 'staging' as any })).toThrow('PipelineEnvironment.of: stage must be a Stage, got "staging".');
    expect(() => PipelineEnvironment.of({ stage: new AppStage(app, 'NoEnv') })).toThrow(
      'PipelineEnvironment NoEnv: stage account must be set and known at synth time: a release environment names where it deploys, got undefined.',
    );
    expect(() => PipelineEnvironment.of({ stage: new AppStage(app, 'Tok', { env: { account: Token.asString({ Ref: 'A' }), region: 'eu-west-1' } }) })).toThrow(
      'stage account must be set and known at synth time: a release environment names where it deploys, got an unresolved token.',
    );
    expect(() => PipelineEnvironment.of({ stage, production: 'yes' as any })).toThrow('PipelineEnvironment Staging: production must be true or false, got "yes".');
    expect(() => PipelineEnvironment.of({ stage, approval: {} as any })).toThrow('approval must be a ManualApproval, got {}.');
    expect(() => PipelineEnvironment.of({ stage, deploymentWindow: '* * 9-17 ? * *' as any })).toThrow('deploymentWindow must be a DeploymentWindow');
    expect(() => PipelineEnvironment.of({ stage, smokeTestNetwork: { vpc: null } as any })).toThrow('smokeTestNetwork must be { vpc, subnets?, securityGroups? } with an ec2.IVpc');
    expect(() => PipelineEnvironment.of({ stage, extraGates: ['npm test'] as any })).toThrow('extraGates must be a list of pipelines.Step, got ["npm test"].');
    expect(() => PipelineEnvironment.of({ stage, watchAlarms: true, alarmWatchTime: Duration.seconds(90) })).toThrow(
      'alarmWatchTime must be a whole number of minutes between 1 and 60 (CodePipeline WaitTime is in minutes), got 1m 30s.',
    );
    expect(() => PipelineEnvironment.of({ stage, watchAlarms: true, alarmWatchTime: Duration.hours(2) })).toThrow('got 2h.');
    expect(() => PipelineEnvironment.of({ stage, watchAlarms: false, alarmWatchTime: Duration.minutes(3) })).toThrow(
      'alarmWatchTime only applies when the alarms are watched, got set with watchAlarms: false.',
    );
    expect(() => PipelineEnvironment.of({ stage, alarmWatchTime: Duration.minutes(3) })).toThrow('which is off by default outside production');
    expect(() => PipelineEnvironment.of({ stage, smokeTests: false, smokeTestNetwork: { vpc: { vpcId: 'vpc-1' } as any } })).toThrow(
      'smokeTestNetwork only applies to the smoke tests, which are turned off',
    );
  });

  test('fails on bad approvals and deployment windows', () => {
    expect(() => ManualApproval.required(null as any)).toThrow('ManualApproval.required: props must be an object, got null.');
    expect(() => ManualApproval.required({ notificationTopic: 'arn:aws:sns:eu-west-1:1:t' as any })).toThrow('notificationTopic must be an SNS topic, got "arn:aws:sns:eu-west-1:1:t".');
    expect(() => ManualApproval.required({ comment: '' })).toThrow('comment must be a non-empty string, got "".');
    expect(() => ManualApproval.required({ reviewUrl: 'dash.example.com' })).toThrow('reviewUrl must be an http or https URL, got "dash.example.com".');
    expect(() => ManualApproval.required({ expectedWait: Infinity as any })).toThrow('expectedWait must be a Duration (for example Duration.minutes(5)), got Infinity.');
    expect(() => DeploymentWindow.cron(undefined as any)).toThrow('DeploymentWindow.cron: props must be an object, got undefined.');
    expect(() => DeploymentWindow.cron({ expression: Token.asString({ Ref: 'Cron' }) })).toThrow('expression must be a cron expression known at synth time, got an unresolved token.');
    expect(() => DeploymentWindow.cron({ expression: '0 9-16 ? * MON-THU' })).toThrow('expression must have 6 or 7 fields');
    expect(() => DeploymentWindow.cron({ expression: '0 * 9-16 ? * MON-THU' })).toThrow(
      'expression must have "*" as its seconds field (CodePipeline accepts nothing else there), got "0 * 9-16 ? * MON-THU". Write "* * 9-16 ? * MON-THU".',
    );
    expect(() => DeploymentWindow.cron({ expression: '* * 9-16 1 * MON' })).toThrow('must have "?" in the day-of-month or the day-of-week field');
    expect(() => DeploymentWindow.cron({ expression: '* * 9-16 ? * MON', timeZone: 'Mars Time' })).toThrow('timeZone must be an IANA time zone name known at synth time, got "Mars Time".');
    expect(() => DeploymentWindow.cron({ expression: '* * 9-16 ? * MON', timeZone: 5 as any })).toThrow('got 5.');
  });
});

describe('Rollback drill', () => {
  test('a drill in staging: a step after the gates, run only when ROLLBACK_DRILL is true, forcing the alarm and waiting for the rollback', () => {
    const { template, staging, pipeline } = build({ stagingEnv: { drill: RollbackDrill.forcedAlarm({ maxTimeToRollback: Duration.minutes(20) }) } });
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Variables: [{ Name: 'ROLLBACK_DRILL', DefaultValue: 'false', Description: 'Set to true when starting the pipeline to run the declared rollback drills' }],
    });
    const stage = stagesOf(template).find(s => s.Name === 'Staging');
    const smoke = stage.Actions.find((a: any) => a.Name === 'SmokeTest-Api-Service');
    const drill = stage.Actions.find((a: any) => a.Name === 'RollbackDrill-Api-Service');
    expect(drill.RunOrder).toBeGreaterThan(smoke.RunOrder);
    const env = JSON.parse(drill.Configuration.EnvironmentVariables);
    expect(env.map((e: any) => e.name).sort()).toEqual(['CLUSTER', 'DRILL', 'SERVICE']);
    expect(env.find((e: any) => e.name === 'DRILL').value).toBe('#{variables.ROLLBACK_DRILL}');
    expect(stagesOf(template).find(s => s.Name === 'Production').Actions.some((a: any) => /RollbackDrill/.test(a.Name))).toBe(false);

    const alarm = staging.service.alarmNames[0];
    const spec = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((p: any) => p.Properties.Source.BuildSpec).filter(b => typeof b === 'string' && b.includes('set-alarm-state')).map(b => JSON.parse(b));
    expect(spec).toHaveLength(1);
    const commands: string[] = spec[0].phases.build.commands;
    expect(commands[0]).toBe('if [ "$DRILL" != "true" ]; then echo "No rollback drill requested (start the pipeline with --variables name=ROLLBACK_DRILL,value=true)"; exit 0; fi');
    const newest = 'aws --region eu-west-1 ecs list-service-deployments --cluster "$CLUSTER" --service "$SERVICE" '
      + '--query \'sort_by(serviceDeployments,&createdAt)[-1].[serviceDeploymentArn,status]\' --output text';
    expect(commands[1]).toBe(`before=$(${newest} | cut -f1)`);
    expect(commands[2]).toBe('aws --region eu-west-1 ecs update-service --cluster "$CLUSTER" --service "$SERVICE" --force-new-deployment --query service.serviceName --output text');
    expect(commands[4]).toContain('while [ $(( $(date +%s) - forced )) -lt 1200 ]; do ');
    expect(commands[4]).toContain(`out=$(${newest}); arn=$(echo "$out" | cut -f1); status=$(echo "$out" | cut -f2); `
      + 'if [ "$arn" = "$before" ]; then status=""; sleep 5; continue; fi; ');
    expect(commands[4]).toContain(`cloudwatch set-alarm-state --alarm-name '${alarm}' --state-value ALARM --state-reason 'Rollback drill'`);
    expect(commands).toHaveLength(7);
    expect(commands[6]).toBe('test "$status" = "ROLLBACK_SUCCESSFUL"');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([{
          Action: 'cloudwatch:SetAlarmState',
          Effect: 'Allow',
          Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:cloudwatch:eu-west-1:111111111111:alarm:${alarm}`]] },
        }]),
      },
    });
    const note = pipeline.plan().notes.find(n => n.startsWith('Staging: rollback drill on demand'))!;
    const detect = Math.max(...staging.service.plan.phases.map(p => p.timeToDetect?.toMinutes() ?? 0));
    expect(detect).toBeGreaterThan(0);
    expect(note).toContain(`its alarm held in ALARM for Staging/Api/Service (alarm ${alarm}; the plan's worst-case detection ${detect}m)`);
    expect(note).toContain('fails beyond 20m');
    expect(pipeline.plan().steps.some(s => /drill/i.test(s.name))).toBe(false);
  });

  test('fails when a drill is declared for production, in another account, or where nothing has an alarm', () => {
    const app = new App();
    const stage = new AppStage(app, 'Production', { env: PIPELINE_ENV });
    expect(() => PipelineEnvironment.of({ stage, production: true, drill: RollbackDrill.forcedAlarm() })).toThrow(
      'PipelineEnvironment Production: drill is refused in a production environment: a drill makes a deployment fail on purpose, got a drill with production: true. '
      + 'Declare the drill on a staging environment that runs the same stacks.',
    );
    const otherAccount = { staging: { env: { account: '222222222222', region: 'eu-west-1' } }, stagingEnv: { drill: RollbackDrill.forcedAlarm() } };
    expect(() => build(otherAccount)).toThrow(
      'environment Staging: drill needs the environment in the pipeline\'s account: the drill step acts on the service and its alarm with its own role, '
      + 'got account 222222222222, pipeline account 111111111111.',
    );
    const plain = { strategy: DeploymentStrategy.allAtOnce(), smokeTest: undefined };
    const noAlarms = {
      staging: { service: plain }, stagingEnv: { drill: RollbackDrill.forcedAlarm(), smokeTests: false, smokeTestNetwork: undefined },
    };
    expect(() => build(noAlarms)).toThrow(
      'environment Staging: drill needs a ProgressiveFargateService or ProgressiveLambdaAlias with rollback alarms in the environment: the drill forces one of them into ALARM, got none. '
      + 'Declare an analysis on the strategy, or remove the drill.',
    );
  });

  test('a drill of a Lambda alias: a new version of the same code, a CodeDeploy deployment with the group\'s hooks, the alarm forced until the alias is back', () => {
    const app = new App();
    const stack = new Stack(app, 'Delivery', { env: PIPELINE_ENV });
    const stage = new Stage(app, 'Staging', { env: PIPELINE_ENV });
    const fnStack = new Stack(stage, 'Fn');
    const fn = new lambda.Function(fnStack, 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1'),
    });
    const live = new ProgressiveLambdaAlias(fnStack, 'Live', {
      version: fn.currentVersion,
      alarmNamePrefix: 'orders-fn',
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(5))],
        analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
        keepPreviousVersionFor: Duration.minutes(10),
      }),
    });
    const prodStage = new Stage(app, 'Production', { env: PIPELINE_ENV });
    new lambda.Function(new Stack(prodStage, 'Fn'), 'Handler', {
      runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => 1'),
    });
    const pipeline = new ReleasePipeline(stack, 'Release', {
      source: source(),
      synthCommands: ['npx cdk synth'],
      environments: [
        PipelineEnvironment.of({ stage, drill: RollbackDrill.forcedAlarm({ maxTimeToRollback: Duration.minutes(30) }) }),
        PipelineEnvironment.of({ stage: prodStage, production: true }),
      ],
    });
    const template = Template.fromStack(stack);
    const drill = stagesOf(template).find(s => s.Name === 'Staging').Actions.find((a: any) => a.Name === 'RollbackDrill-Fn-Live');
    const env = JSON.parse(drill.Configuration.EnvironmentVariables);
    // The keep window is the group's post-traffic hook; there is no pre-traffic hook.
    expect(env.map((e: any) => e.name).sort()).toEqual(['ALIAS', 'APPLICATION', 'DRILL', 'FUNCTION', 'GROUP', 'POST_HOOK']);
    const outputs = Template.fromStack(fnStack).toJSON().Outputs;
    const outputOf = (suffix: string) => Object.entries<any>(outputs).find(([k]) => k.startsWith(`LiveReleasePipeline${suffix}`))![1].Value;
    expect(outputOf('Function')).toEqual({ Ref: Object.keys(Template.fromStack(fnStack).findResources('AWS::Lambda::Function')).find(k => k.startsWith('Handler'))! });
    expect(outputOf('Alias')).toBe('live');
    expect(outputOf('PostTrafficHook')).toEqual({ Ref: Object.keys(Template.fromStack(fnStack).findResources('AWS::Lambda::Function')).find(k => k.startsWith('LiveKeepWindow'))! });

    const spec = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((p: any) => p.Properties.Source.BuildSpec).filter(b => typeof b === 'string' && b.includes('publish-version')).map(b => JSON.parse(b));
    expect(spec).toHaveLength(1);
    const commands: string[] = spec[0].phases.build.commands;
    const aws = 'aws --region eu-west-1';
    expect(commands[1]).toBe(`current=$(${aws} lambda get-alias --function-name "$FUNCTION" --name "$ALIAS" --query FunctionVersion --output text)`);
    expect(commands[2]).toBe(`sha=$(${aws} lambda get-function-configuration --function-name "$FUNCTION" --qualifier "$current" --query CodeSha256 --output text)`);
    expect(commands[6]).toBe(`target=$(${aws} lambda publish-version --function-name "$FUNCTION" --code-sha256 "$sha" --query Version --output text); published=$?; `
      + `${aws} lambda update-function-configuration --function-name "$FUNCTION" --description "$description" --query FunctionName --output text; test "$published" -eq 0`);
    expect(commands[7]).toBe('appspec="{version: 0.0, Resources: [{drill: {Type: \'AWS::Lambda::Function\', Properties: {Name: $FUNCTION, Alias: $ALIAS, '
      + 'CurrentVersion: \'$current\', TargetVersion: \'$target\'}}}], Hooks: [{AfterAllowTraffic: $POST_HOOK}]}"');
    expect(commands[8]).toBe(`id=$(${aws} deploy create-deployment --application-name "$APPLICATION" --deployment-group-name "$GROUP" --description "Rollback drill" `
      + '--revision "{\\"revisionType\\": \\"AppSpecContent\\", \\"appSpecContent\\": {\\"content\\": \\"$appspec\\"}}" --query deploymentId --output text)');
    expect(commands[10]).toContain('while [ $(( $(date +%s) - forced )) -lt 1800 ]; do ');
    expect(commands[10]).toContain(`Failed|Stopped) if [ "$(${aws} lambda get-alias --function-name "$FUNCTION" --name "$ALIAS" `
      + '--query \'[FunctionVersion, length(RoutingConfig.AdditionalVersionWeights || `{}`)]\' --output text | tr \'\\t\' \' \')" = "$current 0" ]; then status=ROLLED_BACK; break; fi;; ');
    expect(commands[10]).toContain('cloudwatch set-alarm-state --alarm-name \'orders-fn-error-rate\' --state-value ALARM --state-reason \'Rollback drill\'');
    expect(commands[commands.length - 1]).toBe('test "$status" = "ROLLED_BACK"');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          {
            Action: ['lambda:GetAlias', 'lambda:GetFunctionConfiguration', 'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion'],
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:eu-west-1:111111111111:function:*']] },
          },
          {
            Action: 'cloudwatch:SetAlarmState',
            Effect: 'Allow',
            Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111111111111:alarm:orders-fn-error-rate']] },
          },
        ]),
      },
    });
    const note = pipeline.plan().notes.find(n => n.startsWith('Staging: rollback drill on demand'))!;
    expect(note).toContain('for Lambda, a new version of the code the alias serves is published (same code, checked by its SHA-256)');
    expect(note).toContain(`its alarm held in ALARM for Staging/Fn/Live (alarm orders-fn-error-rate; the plan's worst-case detection ${formatted(Math.max(...live.plan.phases.map(p => p.timeToDetect?.toSeconds() ?? 0)))})`);
    expect(note).not.toContain('not drilled');
  });

  test('fails on bad drill input', () => {
    const app = new App();
    const stage = new AppStage(app, 'Staging', { env: PIPELINE_ENV });
    expect(() => PipelineEnvironment.of({ stage, drill: 'yes' as any })).toThrow('drill must be a RollbackDrill, got "yes". Pass RollbackDrill.forcedAlarm().');
    expect(() => RollbackDrill.forcedAlarm(null as any)).toThrow('RollbackDrill.forcedAlarm: props must be an object, got null.');
    expect(() => RollbackDrill.forcedAlarm({ maxTimeToRollback: Duration.seconds(30) })).toThrow(
      'RollbackDrill.forcedAlarm: maxTimeToRollback must be between 1 minute and 1 hour, got 30s. Pass for example Duration.minutes(15).',
    );
    expect(() => RollbackDrill.forcedAlarm({ maxTimeToRollback: Duration.hours(2) })).toThrow('got 2h.');
    expect(() => RollbackDrill.forcedAlarm({ maxTimeToRollback: NaN as any })).toThrow('maxTimeToRollback must be a Duration (for example Duration.minutes(5)), got NaN.');
  });
});

/** Seconds as the plans print them (`13m 5s`). */
function formatted(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const r = seconds % 60;
  return [m ? `${m}m` : '', r ? `${r}s` : ''].filter(Boolean).join(' ') || '0s';
}

describe('ReleasePipeline.runbook', () => {
  test('lists each environment\'s constructs and how to read the runbooks they publish', () => {
    const { pipeline } = build({ staging: { service: { runbookParameterName: '/api/staging/runbook' } } });
    const rb = pipeline.runbook;
    expect(rb.notes).toContain('Staging (111111111111/eu-west-1): Staging/Api/Service (runbook in SSM parameter /api/staging/runbook).');
    expect(rb.notes).toContain('Production (111111111111/eu-west-1): Production/Api/Service.');
    const read = rb.procedures.filter(p => p.title.startsWith('Read the deployment runbooks'));
    expect(read.map(p => [p.title, p.commands])).toEqual([
      ['Read the deployment runbooks of Staging', ["aws ssm get-parameter --region eu-west-1 --name '/api/staging/runbook' --query Parameter.Value --output text"]],
    ]);
  });

  test('names the pipeline and gives the stop, retry, roll-back and drill commands', () => {
    const { pipeline } = build({
      pipeline: { pipelineName: 'api-release' },
      stagingEnv: { drill: RollbackDrill.forcedAlarm({ maxTimeToRollback: Duration.minutes(20) }) },
    });
    const rb = pipeline.runbook;
    expect(rb.target).toBe('CodePipeline');
    expect(rb.variables).toEqual([{ name: 'PIPELINE', description: "the pipeline's name", value: 'api-release' }]);
    const md = rb.toMarkdown();
    expect(md).toContain('aws codepipeline stop-pipeline-execution --pipeline-name "$PIPELINE" --pipeline-execution-id "$EXECUTION" --abandon');
    expect(md).toContain('aws codepipeline rollback-stage --pipeline-name "$PIPELINE" --stage-name "<stage>"');
    expect(md).toContain('aws codepipeline start-pipeline-execution --name "$PIPELINE" --variables name=ROLLBACK_DRILL,value=true');
    expect(md).toContain('Production: a failed stage rolls back to the last successful execution\'s artifacts.');
  });

  test('an approval before production gets its put-approval-result command', () => {
    const { pipeline } = build({ productionEnv: { approval: ManualApproval.required({}) } });
    expect(pipeline.runbook.toMarkdown()).toContain('aws codepipeline put-approval-result --pipeline-name "$PIPELINE" --stage-name Production');
  });
});
