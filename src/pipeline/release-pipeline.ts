import * as fs from 'fs';
import { Duration, Stack, Stage, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import type * as ssm from 'aws-cdk-lib/aws-ssm';
import * as cxapi from 'aws-cdk-lib/cx-api';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import { PipelineEnvironment } from './pipeline-environment';
import { PipelineEstimates, PipelinePlan, PipelinePlanStep } from './pipeline-plan';
import { renderStageConditions, WatchedAlarm } from './private/conditions';
import { drillStep, lambdaDrillStep } from './private/drill';
import { ResolvedEstimates, resolveEstimates } from './private/estimates';
import { findImages, ImageSource } from './private/images';
import { ServiceSmokeTest, smokeStep, smokeTestOf } from './private/smoke';
import { RollbackDrill } from './rollback-drill';
import { EcsEngineKind } from '../aws/ecs-engine';
import { nameVariable } from '../aws/private/runbook';
import { ProgressiveFargateService } from '../aws/progressive-fargate-service';
import { ProgressiveLambdaAlias } from '../aws/progressive-lambda-alias';
import { toSeconds } from '../private/duration';
import { fail, formatDuration, requireDuration, show } from '../private/validate';
import { RolloutPlan } from '../strategy/rollout-plan';
import { Runbook, RunbookProcedure } from '../strategy/runbook';

/** Options for `ReleasePipeline`. */
export interface ReleasePipelineProps {
  /**
   * Where the commits come from, for example
   * `pipelines.CodePipelineSource.connection('org/repo', 'main', { connectionArn })`.
   * @see https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.pipelines.CodePipelineSource.html
   */
  readonly source: pipelines.CodePipelineSource;
  /**
   * The commands that build the app and write the cloud assembly, for example
   * `['npm ci', 'npm run build', 'npx cdk synth']`.
   */
  readonly synthCommands: string[];
  /**
   * Where the synth commands write the cloud assembly.
   * @default "cdk.out"
   */
  readonly synthOutputDirectory?: string;
  /** The environments, in the order a commit goes through them (at least one). */
  readonly environments: PipelineEnvironment[];
  /**
   * Name of the CodePipeline pipeline.
   * @default - a CloudFormation-generated name
   */
  readonly pipelineName?: string;
  /**
   * Whether the pipeline updates itself from the commit before deploying.
   * @default true
   * @see https://docs.aws.amazon.com/cdk/v2/guide/cdk_pipeline.html
   */
  readonly selfMutation?: boolean;
  /**
   * Whether the synth step can run Docker (needed when synthesis bundles with Docker).
   * @default false
   */
  readonly dockerEnabledForSynth?: boolean;
  /**
   * Whether the artifact bucket is encrypted with a KMS key that other accounts may use.
   * @default - true when an environment is in another account than the pipeline
   */
  readonly crossAccountKeys?: boolean;
  /**
   * Commit-to-production target the plan is compared with (manual gates not counted).
   * @default Duration.minutes(15)
   */
  readonly targetTimeToProduction?: Duration;
  /**
   * The assumed durations of the steps that are not rollouts, for `plan()`.
   * @default - the defaults of each field
   */
  readonly estimates?: PipelineEstimates;
}

/** What the pipeline found in one environment. */
interface EnvironmentContents {
  readonly env: PipelineEnvironment;
  readonly services: ProgressiveFargateService[];
  readonly aliases: ProgressiveLambdaAlias[];
  readonly smokeTests: ServiceSmokeTest[];
  readonly alarms: WatchedAlarm[];
  readonly watchAlarms: boolean;
  /** The services the environment's rollback drill covers. */
  readonly drilled: ProgressiveFargateService[];
  /** The Lambda aliases the environment's rollback drill covers, each with the alarm it forces. */
  readonly drilledAliases: Array<{ readonly alias: ProgressiveLambdaAlias; readonly alarmName: string }>;
}

/**
 * A CodePipeline (CDK Pipelines) that builds every image and bundle once from the commit and
 * promotes it unchanged through the environments in order. After each environment deploys, the
 * smoke tests its services declare run against its production listeners; an optional manual
 * approval (with SNS) and an optional deployment window guard the entry of an environment; a failed
 * stage of a production environment rolls back, and production's rollback alarms are watched after it
 * succeeds (CodePipeline V2 stage conditions). The next environment starts only when the previous
 * one's stage, gates included, has succeeded.
 */
export class ReleasePipeline extends Construct {
  /** The CDK Pipelines pipeline (built: `codePipeline.pipeline` is the CodePipeline). */
  public readonly codePipeline: pipelines.CodePipeline;
  /** The environments in order. */
  public readonly environments: PipelineEnvironment[];

  private readonly contents: EnvironmentContents[];
  private readonly estimates: ResolvedEstimates;
  private readonly target: Duration;
  private readonly selfMutation: boolean;
  private readonly pipelineName?: string;

  constructor(scope: Construct, id: string, props: ReleasePipelineProps) {
    super(scope, id);
    const where = `ReleasePipeline ${this.node.path}`;
    if (props === null || typeof props !== 'object') {
      fail(where, 'props', 'must be an object', show(props), 'Pass { source, synthCommands, environments }.');
    }
    if (!(props.source instanceof pipelines.CodePipelineSource)) {
      fail(where, 'source', 'must be a pipelines.CodePipelineSource', show(props.source),
        'Pass pipelines.CodePipelineSource.connection("org/repo", "main", { connectionArn }) or another CodePipelineSource.');
    }
    const commands = props.synthCommands;
    if (!Array.isArray(commands) || commands.length === 0 || commands.some(c => typeof c !== 'string' || c.trim() === '' || Token.isUnresolved(c))) {
      fail(where, 'synthCommands', 'must be a non-empty list of shell commands known at synth time', show(commands),
        'Pass for example ["npm ci", "npx cdk synth"].');
    }
    const outDir = props.synthOutputDirectory ?? 'cdk.out';
    if (typeof outDir !== 'string' || outDir.trim() === '') {
      fail(where, 'synthOutputDirectory', 'must be a directory name', show(outDir), 'Pass for example "cdk.out".');
    }
    const envs = props.environments;
    if (!Array.isArray(envs) || envs.length === 0 || envs.some(e => !(e instanceof PipelineEnvironment))) {
      fail(where, 'environments', 'must be a non-empty list of PipelineEnvironment', show(envs),
        'Pass [PipelineEnvironment.of({ stage: staging }), PipelineEnvironment.of({ stage: production, production: true })].');
    }
    const names = new Set<string>();
    const stages = new Set<Stage>();
    for (const e of envs) {
      if (names.has(e.name) || stages.has(e.stage)) {
        fail(where, 'environments', 'must each have their own stage and stage name', show(e.name), 'Give every environment its own Stage with a distinct id.');
      }
      names.add(e.name);
      stages.add(e.stage);
    }
    const bool = (field: string, value: unknown, fallback: boolean): boolean => {
      if (value === undefined) return fallback;
      if (typeof value !== 'boolean') fail(where, field, 'must be true or false', show(value), `Pass ${field}: true or false.`);
      return value;
    };
    const stack = Stack.of(this);
    if (Token.isUnresolved(stack.account) || Token.isUnresolved(stack.region)) {
      fail(where, 'pipeline stack env', 'must have its account and region set: the environments are compared with it', 'an environment-agnostic stack',
        'Create the pipeline stack with env: { account, region }.');
    }
    this.selfMutation = bool('selfMutation', props.selfMutation, true);
    const dockerEnabledForSynth = bool('dockerEnabledForSynth', props.dockerEnabledForSynth, false);
    const crossAccount = envs.some(e => e.account !== stack.account);
    const crossAccountKeys = bool('crossAccountKeys', props.crossAccountKeys, crossAccount);
    if (crossAccount && !crossAccountKeys) {
      fail(where, 'crossAccountKeys', 'must be true when an environment is in another account than the pipeline', 'false',
        `Remove crossAccountKeys; ${envs.filter(e => e.account !== stack.account).map(e => e.name).join(', ')} deploy to another account.`);
    }
    if (props.pipelineName !== undefined && (typeof props.pipelineName !== 'string' || !/^[A-Za-z0-9.@_-]{1,100}$/.test(props.pipelineName))) {
      fail(where, 'pipelineName', 'must be 1-100 letters, digits or ".@_-"', show(props.pipelineName), 'Pass a name such as "api-release".');
    }
    this.target = requireDuration(where, 'targetTimeToProduction', props.targetTimeToProduction ?? Duration.minutes(15));
    this.estimates = resolveEstimates(where, props.estimates);
    this.environments = [...envs];

    // Everything is checked and read before CDK Pipelines synthesizes a stage (it does when the stage is added).
    this.contents = envs.map(e => this.inspect(where, e, stack.account));

    this.pipelineName = props.pipelineName;
    this.codePipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: props.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      synth: new pipelines.ShellStep('Synth', { input: props.source, commands: [...commands], primaryOutputDirectory: outDir }),
      selfMutation: this.selfMutation,
      dockerEnabledForSynth,
      crossAccountKeys,
      // One publishing action per asset, all in parallel: each image is built once and pushed to every
      // environment's bootstrap repository under its content hash.
      publishAssetsInParallel: true,
    });
    for (const c of this.contents) {
      const pre = c.env.approval ? [new pipelines.ManualApprovalStep(`Approve-${c.env.name}`, {
        comment: c.env.approval.comment ?? `Approve the promotion to ${c.env.name}.`,
        reviewUrl: c.env.approval.reviewUrl,
        notificationTopic: c.env.approval.notificationTopic,
      })] : [];
      const smokeSteps = c.smokeTests.map(s => smokeStep(`${where} environment ${c.env.name}`, `SmokeTest-${smokeId(c.env.stage, s.service)}`, s, c.env.smokeTestNetwork));
      const drillSteps = [
        ...c.drilled.map(s => drillStep(`RollbackDrill-${smokeId(c.env.stage, s)}`, s, c.env.drill!, c.env.account, c.env.region)),
        ...c.drilledAliases.map(a => lambdaDrillStep(`RollbackDrill-${smokeId(c.env.stage, a.alias)}`, a.alias, a.alarmName, c.env.drill!, c.env.account, c.env.region)),
      ];
      // A drill starts only when the environment's gates passed: it breaks a deployment that is known to be good.
      drillSteps.forEach(d => [...smokeSteps, ...c.env.extraGates].forEach(g => d.addStepDependency(g)));
      const post = [...smokeSteps, ...c.env.extraGates, ...drillSteps];
      this.codePipeline.addStage(c.env.stage, { pre, post });
    }
    this.codePipeline.buildPipeline();
    if (this.contents.some(c => drills(c))) {
      this.codePipeline.pipeline.addVariable(new codepipeline.Variable({
        variableName: RollbackDrill.VARIABLE,
        defaultValue: 'false',
        description: 'Set to true when starting the pipeline to run the declared rollback drills',
      }));
    }
    this.addStageConditions();
    this.roleArnsAsSub();
  }

  /**
   * What an operator does with a release: what stops or rolls back by itself, and the CodePipeline
   * commands to watch, approve, stop, retry or roll back an environment, and to run a rollback drill,
   * with this pipeline's name. Each service's and alias' own `runbook` covers its deployments.
   */
  public get runbook(): Runbook {
    const pipeline = this.pipeline;
    const execution = 'EXECUTION=$(aws codepipeline list-pipeline-executions --pipeline-name "$PIPELINE" --max-items 1 '
      + '--query "pipelineExecutionSummaries[0].pipelineExecutionId" --output text)';
    const envs = this.contents.map(c => c.env);
    const stageNames = envs.map(e => e.name).join(', ');
    const automatic = ['A progressive deployment that fails (alarm, smoke-test hook, circuit breaker) rolls itself back and fails its stack update and its environment\'s stage; no later environment starts.'];
    for (const c of this.contents) {
      if (c.env.rollbackOnFailure) automatic.push(`${c.env.name}: a failed stage rolls back to the last successful execution's artifacts.`);
      if (c.watchAlarms) automatic.push(`${c.env.name}: after the stage succeeds, its services' rollback alarms are watched for ${formatDuration(c.env.alarmWatchTime)}; an alarm rolls the stage back.`);
    }
    const procedures: RunbookProcedure[] = [
      {
        title: 'Watch a release',
        when: 'any time',
        commands: ['aws codepipeline get-pipeline-state --name "$PIPELINE" --query "stageStates[].[stageName,latestExecution.status]" --output table'],
      },
    ];
    for (const env of envs.filter(e => e.approval !== undefined)) {
      procedures.push({
        title: `Approve ${env.name}`,
        when: `the earlier environments look right and ${env.name} waits for approval`,
        commands: [
          `TOKEN=$(aws codepipeline get-pipeline-state --name "$PIPELINE" --query "stageStates[?stageName=='${env.name}'].actionStates[].latestExecution.token" --output text)`,
          `ACTION=$(aws codepipeline get-pipeline-state --name "$PIPELINE" --query "stageStates[?stageName=='${env.name}'].actionStates[?latestExecution.token].actionName" --output text)`,
          `aws codepipeline put-approval-result --pipeline-name "$PIPELINE" --stage-name ${env.name} --action-name "$ACTION" --token "$TOKEN" --result summary="approved",status=Approved`,
        ],
      });
    }
    procedures.push(
      {
        title: 'Stop the release in progress',
        when: 'a release must not go further (the deployment already running in an environment finishes or rolls back by itself)',
        commands: [execution, 'aws codepipeline stop-pipeline-execution --pipeline-name "$PIPELINE" --pipeline-execution-id "$EXECUTION" --abandon --reason "stopped by an operator"'],
      },
      {
        title: 'Retry a failed stage',
        when: `a stage (${stageNames}) failed for a reason that is gone (for example a deployment window that opened)`,
        commands: [execution, 'aws codepipeline retry-stage-execution --pipeline-name "$PIPELINE" --stage-name "<stage>" --pipeline-execution-id "$EXECUTION" --retry-mode FAILED_ACTIONS'],
      },
      {
        title: 'Roll an environment back to an earlier release',
        when: 'a release completed and misbehaves',
        commands: [
          'aws codepipeline list-pipeline-executions --pipeline-name "$PIPELINE" --query "pipelineExecutionSummaries[?status==\'Succeeded\'].[pipelineExecutionId,startTime]" --output table',
          'aws codepipeline rollback-stage --pipeline-name "$PIPELINE" --stage-name "<stage>" --target-pipeline-execution-id "<an earlier successful execution>"',
        ],
        notes: ['Revert the change in source control as well: the next commit deploys what the repository holds.'],
      },
    );
    const drilled = this.contents.filter(c => drills(c));
    if (drilled.length > 0) {
      procedures.push({
        title: 'Run a rollback drill',
        when: `to see the automatic rollback happen in ${drilled.map(c => c.env.name).join(', ')} (never in production)`,
        commands: [`aws codepipeline start-pipeline-execution --name "$PIPELINE" --variables name=${RollbackDrill.VARIABLE},value=true`],
        notes: drilled.map(c => this.drillNote(c)),
      });
    }
    // Where each environment's deployment runbooks are: the constructs, and the SSM parameters of those that publish theirs.
    const notes = ['Each ProgressiveFargateService and ProgressiveLambdaAlias has its own runbook for the deployment inside an environment (its `runbook`).'];
    for (const c of this.contents) {
      const constructs = [...c.services, ...c.aliases];
      if (constructs.length === 0) continue;
      const published = constructs.map(x => ({ path: x.node.path, name: publishedName(x.runbookParameter) }));
      notes.push(`${c.env.name} (${c.env.account}/${c.env.region}): ${published.map(x => (x.name ? `${x.path} (runbook in SSM parameter ${x.name})` : x.path)).join(', ')}.`);
      const readable = published.filter(x => x.name !== undefined);
      if (readable.length > 0) {
        procedures.push({
          title: `Read the deployment runbooks of ${c.env.name}`,
          when: `a deployment in ${c.env.name} needs an operator`,
          commands: readable.map(x => `aws ssm get-parameter --region ${c.env.region} --name '${x.name}' --query Parameter.Value --output text`),
        });
      }
    }
    return Runbook.of({
      title: this.node.path,
      target: 'CodePipeline',
      automatic,
      variables: [nameVariable('PIPELINE', "the pipeline's name", this.pipelineName ?? pipeline.pipelineName, pipeline)],
      procedures,
      notes,
    });
  }

  /** The underlying CodePipeline. */
  public get pipeline(): codepipeline.Pipeline {
    return this.codePipeline.pipeline;
  }

  /**
   * The commit-to-production estimate: source, synth, self-mutation, asset publishing, then per
   * environment its approval, its deployment (CloudFormation per stack plus the longest rollout of
   * the stack, from each construct's `RolloutPlan`), smoke tests, your gates and the alarm watch.
   */
  public plan(): PipelinePlan {
    const e = this.estimates;
    const steps: PipelinePlanStep[] = [
      { name: 'Source', duration: e.source, manual: false, basis: 'estimates.source' },
      { name: 'Synth', duration: e.synth, manual: false, basis: 'estimates.synth' },
    ];
    if (this.selfMutation) {
      steps.push({ name: 'Self-mutation', duration: e.selfMutation, manual: false, basis: 'estimates.selfMutation' });
    }
    const assetKinds = this.assetKinds();
    if (assetKinds.images > 0 || assetKinds.files > 0) {
      const image = assetKinds.images > 0 ? toSeconds(e.imageBuild) : 0;
      const file = assetKinds.files > 0 ? toSeconds(e.filePublish) : 0;
      steps.push({
        name: `Build and publish assets once (${assetKinds.images} image(s), ${assetKinds.files} file asset(s), in parallel)`,
        duration: Duration.seconds(Math.max(image, file)),
        manual: false,
        basis: image >= file ? 'estimates.imageBuild' : 'estimates.filePublish',
      });
    }
    const production = this.contents.filter(c => c.env.production);
    const last = production.length > 0 ? production[production.length - 1] : this.contents[this.contents.length - 1];
    const notes: string[] = [
      'A progressive deployment that fails (alarm, smoke-test hook, circuit breaker) rolls itself back and fails its stack update; CloudFormation then rolls the stack back and the environment\'s stage fails, so no later environment starts.',
    ];
    for (const c of this.contents.slice(this.contents.indexOf(last) + 1).filter(x => drills(x))) {
      notes.push(this.drillNote(c));
    }
    for (const c of this.contents.slice(0, this.contents.indexOf(last) + 1)) {
      const env = c.env.name;
      if (c.env.approval) {
        steps.push({ name: `Manual approval before ${env}`, environment: env, duration: c.env.approval.expectedWait, manual: true, basis: 'approval.expectedWait' });
      }
      const deploy = this.deployEstimate(c);
      steps.push({ name: `Deploy ${env}`, environment: env, duration: deploy.duration, manual: false, basis: deploy.basis });
      if (deploy.manualRollout) {
        notes.push(`${env}: a rollout waits for a manual promotion, which the estimate does not include.`);
      }
      if (c.smokeTests.length > 0) {
        steps.push({ name: `Smoke tests of ${env} (${c.smokeTests.length})`, environment: env, duration: e.smokeTest, manual: false, basis: 'estimates.smokeTest' });
      }
      if (c.env.extraGates.length > 0) {
        steps.push({ name: `Your gates in ${env} (${c.env.extraGates.length})`, environment: env, duration: e.extraGate, manual: false, basis: 'estimates.extraGate' });
      }
      if (c.watchAlarms) {
        steps.push({ name: `Watch the rollback alarms of ${env}`, environment: env, duration: c.env.alarmWatchTime, manual: false, basis: 'alarmWatchTime' });
      }
      if (c.env.deploymentWindow) {
        notes.push(`${env}: ${c.env.deploymentWindow.describe()}; waiting for the window is not included.`);
      }
      if (drills(c)) {
        notes.push(this.drillNote(c));
      }
      if (c.env.rollbackOnFailure) {
        notes.push(`${env}: a failed stage rolls back to the last successful execution's artifacts (CodePipeline stage rollback, after one successful run of the stage`
          + (this.selfMutation ? '; a commit that changes the pipeline itself starts a new pipeline structure, with no earlier execution to roll back to).' : ').'));
      }
    }
    return PipelinePlan._of(steps, this.target, last.env.name, notes);
  }

  private drillNote(c: EnvironmentContents): string {
    const services = c.drilled.map(s => {
      const detect = Math.max(0, ...s.plan.phases.map(p => (p.timeToDetect ? toSeconds(p.timeToDetect) : 0)));
      return `${s.node.path} (alarm ${s.alarmNames[0]}; the plan's worst-case detection ${formatDuration(Duration.seconds(detect))})`;
    });
    const aliases = c.drilledAliases.map(({ alias, alarmName }) => {
      const detect = Math.max(0, ...alias.plan.phases.map(p => (p.timeToDetect ? toSeconds(p.timeToDetect) : 0)));
      return `${alias.node.path} (alarm ${alarmName}; the plan's worst-case detection ${formatDuration(Duration.seconds(detect))})`;
    });
    const what = [
      ...(services.length > 0 ? [`for ECS, a new deployment of the same version is forced and its alarm held in ALARM for ${services.join(', ')}, `
        + 'and the step prints the time from the forced alarm to ROLLBACK_SUCCESSFUL'] : []),
      ...(aliases.length > 0 ? ['for Lambda, a new version of the code the alias serves is published (same code, checked by its SHA-256) and a CodeDeploy '
        + `deployment to it started with the alias group's hooks, its alarm held in ALARM for ${aliases.join(', ')}, and the step prints the time from the `
        + 'forced alarm to the alias serving the previous version alone again (the drill\'s version stays published)'] : []),
    ];
    return `${c.env.name}: rollback drill on demand (aws codepipeline start-pipeline-execution --name <pipeline> --variables name=${RollbackDrill.VARIABLE},value=true), `
      + `not part of the estimate: after the gates pass, ${what.join('; ')}; each step fails beyond ${formatDuration(c.env.drill!.maxTimeToRollback)}. `
      + 'The alarm is forced, so the time measured is the engine\'s reaction and the rollback; add the worst-case detection for a real failure.';
  }

  private inspect(where: string, env: PipelineEnvironment, pipelineAccount: string): EnvironmentContents {
    const here = `${where} environment ${env.name}`;
    const all = env.stage.node.findAll();
    const services = all.filter((c): c is ProgressiveFargateService => c instanceof ProgressiveFargateService);
    const aliases = all.filter((c): c is ProgressiveLambdaAlias => c instanceof ProgressiveLambdaAlias);
    for (const s of services) {
      if (s.engine.kind === EcsEngineKind.CODE_DEPLOY) {
        fail(here, `service ${s.node.path}`, 'uses EcsEngine.codeDeploy(), whose deployments a stack update does not start (CloudFormation refuses a new task definition on a CODE_DEPLOY service)',
          'EcsEngine.codeDeploy()', 'Use EcsEngine.native() for services promoted by the pipeline.');
      }
    }
    if (env.production) {
      for (const image of findImages(env.stage)) {
        if (image.source === ImageSource.MUTABLE_TAG) {
          fail(here, `image of ${image.path}`, 'must not be given by a mutable tag in a production environment: the tag can point to another image than the one staging ran',
            show(image.shown), 'Build it from the commit with ecs.ContainerImage.fromAsset(directory) or lambda.DockerImageCode.fromImageAsset(directory) '
            + '(built once, promoted unchanged), or pin it by digest: ecs.ContainerImage.fromRegistry("name@sha256:<digest>"), '
            + 'ecs.ContainerImage.fromEcrRepository(repo, "sha256:<digest>") or lambda.DockerImageCode.fromEcr(repo, { tagOrDigest: "sha256:<digest>" }).');
        }
      }
    }
    const smokeTests = env.smokeTests
      ? services.map(s => smokeTestOf(here, s)).filter((s): s is ServiceSmokeTest => s !== undefined)
      : [];
    const sameAccount = env.account === pipelineAccount;
    if (env.watchAlarms === true && !sameAccount) {
      fail(here, 'watchAlarms', 'needs the environment in the pipeline\'s account: CodePipeline reads the alarms of the CloudWatchAlarm rule with the pipeline\'s role',
        `account ${env.account}, pipeline account ${pipelineAccount}`, 'Remove watchAlarms; the services\' deployments still roll back on their alarms.');
    }
    const watchAlarms = env.watchAlarms ?? (env.production && sameAccount);
    const alarms = watchAlarms ? this.alarmsOf(here, services, aliases) : [];
    if (watchAlarms && alarms.length === 0 && env.watchAlarms === true) {
      fail(here, 'watchAlarms', 'needs rollback alarms, and the environment\'s services and aliases have none', 'true',
        'Declare an analysis on the strategies, or remove watchAlarms.');
    }
    if (alarms.length > 5) {
      fail(here, 'watchAlarms', 'can watch at most 5 alarms (CodePipeline allows 5 rules in a condition)', `${alarms.length} alarms`,
        'Set watchAlarms: false, or declare fewer health checks in the environment.');
    }
    let drilled: ProgressiveFargateService[] = [];
    let drilledAliases: EnvironmentContents['drilledAliases'] = [];
    if (env.drill !== undefined) {
      if (!sameAccount) {
        fail(here, 'drill', 'needs the environment in the pipeline\'s account: the drill step acts on the service and its alarm with its own role',
          `account ${env.account}, pipeline account ${pipelineAccount}`, 'Declare the drill on an environment in the pipeline\'s account, or remove it.');
      }
      drilled = services.filter(s => s.alarmNames.length > 0);
      drilledAliases = aliases.filter(a => a.alarms.length > 0).map(alias => ({ alias, alarmName: literalAlarmName(here, alias.alarms[0]) }));
      if (drilled.length === 0 && drilledAliases.length === 0) {
        fail(here, 'drill', 'needs a ProgressiveFargateService or ProgressiveLambdaAlias with rollback alarms in the environment: the drill forces one of them into ALARM', 'none',
          'Declare an analysis on the strategy, or remove the drill.');
      }
    }
    return { env, services, aliases, smokeTests, alarms, watchAlarms: watchAlarms && alarms.length > 0, drilled, drilledAliases };
  }

  private alarmsOf(where: string, services: ProgressiveFargateService[], aliases: ProgressiveLambdaAlias[]): WatchedAlarm[] {
    const names: string[] = [];
    for (const s of services) names.push(...s.alarmNames);
    for (const a of aliases) names.push(...a.alarms.map(alarm => literalAlarmName(where, alarm)));
    return names.map(alarmName => ({ alarmName }));
  }

  private addStageConditions(): void {
    const pipeline = this.codePipeline.pipeline;
    const cfn = pipeline.node.defaultChild as codepipeline.CfnPipeline;
    const pipelineRegion = Stack.of(this).region;
    for (const c of this.contents) {
      const conditions = renderStageConditions({
        window: c.env.deploymentWindow,
        rollbackOnFailure: c.env.rollbackOnFailure,
        alarms: c.watchAlarms ? c.alarms : [],
        alarmWaitMinutes: toSeconds(c.env.alarmWatchTime) / 60,
        alarmRegion: c.env.region !== pipelineRegion ? c.env.region : undefined,
      });
      const index = pipeline.stages.findIndex(s => s.stageName === c.env.name);
      for (const [key, value] of Object.entries(conditions)) {
        // aws-cdk-lib's CDK Pipelines creates the stages; its stage props do not reach the conditions.
        cfn.addPropertyOverride(`Stages.${index}.${key}`, value);
      }
    }
  }

  /** The distinct assets of the environments (by asset id, as CDK Pipelines publishes them). */
  /**
   * CDK Pipelines writes the CloudFormation actions' role ARNs as Fn::Join; cfn-lint (E3703) checks
   * Configuration.RoleArn as an IAM role ARN and accepts the same value written as Fn::Sub. Same ARN.
   */
  private roleArnsAsSub(): void {
    const cfn = this.codePipeline.pipeline.node.defaultChild as codepipeline.CfnPipeline;
    const stages = Stack.of(this).resolve(cfn.stages) as Array<{ actions?: Array<{ configuration?: { RoleArn?: unknown } }> }>;
    stages.forEach((stage, i) => (stage.actions ?? []).forEach((action, j) => {
      const sub = joinAsSub(action.configuration?.RoleArn);
      if (sub !== undefined) {
        cfn.addPropertyOverride(`Stages.${i}.Actions.${j}.Configuration.RoleArn`, { 'Fn::Sub': sub });
      }
    }));
  }

  private assetKinds(): { images: number; files: number } {
    const images = new Set<string>();
    const files = new Set<string>();
    for (const c of this.contents) {
      // Already synthesized by CDK Pipelines when the stage was added; this reads the cached assembly.
      for (const artifact of c.env.stage.synth().artifacts) {
        if (!(artifact instanceof cxapi.AssetManifestArtifact)) continue;
        const manifest = JSON.parse(fs.readFileSync(artifact.file, 'utf-8'));
        Object.keys(manifest.dockerImages ?? {}).forEach(id => images.add(id));
        for (const [id, file] of Object.entries<any>(manifest.files ?? {})) {
          // Templates travel in the cloud assembly artifact, not as published assets.
          if (!String(file.source?.path ?? '').endsWith('.template.json')) files.add(id);
        }
      }
    }
    return { images: images.size, files: files.size };
  }

  private deployEstimate(c: EnvironmentContents): { duration: Duration; basis: string; manualRollout: boolean } {
    const per = toSeconds(this.estimates.stackDeploy);
    const stacks = c.env.stage.node.findAll().filter((x): x is Stack => Stack.isStack(x) && Stage.of(x) === c.env.stage);
    const rollouts: Array<{ construct: Construct; plan: RolloutPlan }> = [
      ...c.services.map(s => ({ construct: s as Construct, plan: s.plan })),
      ...c.aliases.map(a => ({ construct: a as Construct, plan: a.plan })),
    ];
    let manualRollout = false;
    const own = new Map<Stack, { seconds: number; what?: string }>();
    for (const r of rollouts) {
      const stack = Stack.of(r.construct);
      const seconds = toSeconds(r.plan.previousVersionReleasedAfter);
      manualRollout = manualRollout || r.plan.waitsForApproval;
      const current = own.get(stack);
      if (current === undefined || seconds > current.seconds) {
        own.set(stack, { seconds, what: `${r.construct.node.id} ${r.plan.strategy} (${r.plan.target}) ${formatDuration(r.plan.previousVersionReleasedAfter)}` });
      }
    }
    // Stacks deploy in dependency order, independent ones in parallel: the longest chain counts.
    const finish = new Map<Stack, { seconds: number; path: string[] }>();
    const visit = (s: Stack): { seconds: number; path: string[] } => {
      const known = finish.get(s);
      if (known) return known;
      const deps = s.dependencies.filter(d => stacks.includes(d)).map(visit);
      const before = deps.reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, path: [] as string[] });
      const mine = own.get(s);
      const result = {
        seconds: before.seconds + per + (mine?.seconds ?? 0),
        path: [...before.path, `${s.stackName}: estimates.stackDeploy${mine?.what ? ` + rollout of ${mine.what}` : ''}`],
      };
      finish.set(s, result);
      return result;
    };
    const longest = stacks.map(visit).reduce((a, b) => (b.seconds > a.seconds ? b : a), { seconds: 0, path: [] as string[] });
    return { duration: Duration.seconds(longest.seconds), basis: longest.path.join(', then ') || 'no stacks', manualRollout };
  }
}

/** `{ Fn::Join: ['', [...]] }` of literals, Refs and GetAtts as the string of an Fn::Sub; undefined for anything else. */
function joinAsSub(value: unknown): string | undefined {
  const join = (value as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) return undefined;
  const parts: string[] = [];
  for (const part of join[1]) {
    if (typeof part === 'string') {parts.push(part.replace(/\$\{/g, '${!'));} else if (typeof (part as any)?.Ref === 'string') {parts.push(`\${${(part as any).Ref}}`);} else if (Array.isArray((part as any)?.['Fn::GetAtt']) && (part as any)['Fn::GetAtt'].every((x: unknown) => typeof x === 'string')) {
      parts.push(`\${${(part as any)['Fn::GetAtt'].join('.')}}`);
    } else {return undefined;}
  }
  return parts.join('');
}

function smokeId(stage: Stage, service: Construct): string {
  return service.node.path.slice(stage.node.path.length + 1).replace(/[^A-Za-z0-9-]/g, '-');
}

/** The name of a runbook parameter, as given to the construct (the parameter's own name is a reference). */
function publishedName(parameter?: ssm.IStringParameter): string | undefined {
  const name = (parameter?.node.defaultChild as ssm.CfnParameter | undefined)?.name;
  return typeof name === 'string' && !Token.isUnresolved(name) ? name : undefined;
}

/** Whether the environment's drill covers anything. */
function drills(c: EnvironmentContents): boolean {
  return c.drilled.length > 0 || c.drilledAliases.length > 0;
}

function literalAlarmName(where: string, alarm: cloudwatch.IAlarm): string {
  if (!Token.isUnresolved(alarm.alarmName)) return alarm.alarmName;
  const cfn = alarm.node.defaultChild as cloudwatch.CfnAlarm | undefined;
  const name = cfn?.alarmName;
  if (typeof name !== 'string' || Token.isUnresolved(name)) {
    fail(where, `alarm ${alarm.node.path}`, 'must have a name known at synth time to be watched by the pipeline', 'an unresolved token',
      'Give the alarm a literal name, or set watchAlarms: false.');
  }
  return name;
}
