import * as path from 'path';
import { App, Duration, Stack, Stage, StageProps } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as pipelines from 'aws-cdk-lib/pipelines';
import { Construct } from 'constructs';
import {
  Analysis, CanaryStep, DeploymentStrategy, HealthCheck, PipelineEnvironment, PipelineEnvironmentProps, ProgressiveFargateService,
  ProgressiveFargateServiceProps, ReleasePipeline, ReleasePipelineProps, SmokeTest,
} from '../../src';

export const PIPELINE_ENV = { account: '111111111111', region: 'eu-west-1' };
export const IMAGE_DIR = path.join(__dirname, 'app-image');

export interface AppStageProps extends StageProps {
  readonly service?: Partial<ProgressiveFargateServiceProps>;
  /** Extra stack with the same service, depending on the first. */
  readonly second?: boolean;
}

/** A stage with one stack holding one ECS service built from the commit, with an HTTP smoke test. */
export class AppStage extends Stage {
  public readonly service: ProgressiveFargateService;
  constructor(scope: Construct, id: string, props: AppStageProps = {}) {
    super(scope, id, props);
    const stack = new Stack(this, 'Api');
    this.service = new ProgressiveFargateService(stack, 'Service', {
      image: ecs.ContainerImage.fromAsset(IMAGE_DIR),
      containerPort: 80,
      internetFacing: false,
      smokeTest: SmokeTest.http({ path: '/health', expectStatus: 204, timeout: Duration.seconds(5) }),
      strategy: DeploymentStrategy.canary({
        steps: [CanaryStep.of(10, Duration.minutes(5))],
        analysis: Analysis.of({ checks: [HealthCheck.errorRate({ maxPercent: 1 })] }),
        keepPreviousVersionFor: Duration.minutes(5),
      }),
      ...props.service,
    });
    if (props.second) {
      const other = new Stack(this, 'Worker');
      other.addDependency(stack);
      new ProgressiveFargateService(other, 'Service', {
        image: ecs.ContainerImage.fromAsset(IMAGE_DIR),
        containerPort: 80,
        internetFacing: false,
        strategy: DeploymentStrategy.allAtOnce(),
      });
    }
  }
}

export function source(): pipelines.CodePipelineSource {
  return pipelines.CodePipelineSource.connection('example/api', 'main', {
    connectionArn: 'arn:aws:codeconnections:eu-west-1:111111111111:connection/00000000-0000-0000-0000-000000000000',
  });
}

export interface Built {
  readonly app: App;
  readonly stack: Stack;
  readonly pipeline: ReleasePipeline;
  readonly template: Template;
  readonly staging: AppStage;
  readonly production: AppStage;
}

/** A pipeline stack with staging and production in the pipeline's account (or as given). */
export function build(opts: {
  staging?: AppStageProps;
  production?: AppStageProps;
  stagingEnv?: Partial<PipelineEnvironmentProps>;
  productionEnv?: Partial<PipelineEnvironmentProps>;
  pipeline?: Partial<ReleasePipelineProps>;
} = {}): Built {
  const app = new App();
  const stack = new Stack(app, 'Delivery', { env: PIPELINE_ENV });
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
  const staging = new AppStage(app, 'Staging', { env: PIPELINE_ENV, ...opts.staging });
  const production = new AppStage(app, 'Production', { env: PIPELINE_ENV, ...opts.production });
  const pipeline = new ReleasePipeline(stack, 'Release', {
    source: source(),
    synthCommands: ['npm ci', 'npx cdk synth'],
    environments: [
      PipelineEnvironment.of({ stage: staging, smokeTestNetwork: { vpc }, ...opts.stagingEnv }),
      PipelineEnvironment.of({ stage: production, production: true, smokeTestNetwork: { vpc }, ...opts.productionEnv }),
    ],
    ...opts.pipeline,
  });
  return { app, stack, pipeline, template: Template.fromStack(stack), staging, production };
}

/** The stages of the pipeline's CloudFormation, in order. */
export function stagesOf(template: Template): any[] {
  const found = Object.values(template.findResources('AWS::CodePipeline::Pipeline'));
  if (found.length !== 1) throw new Error(`expected one pipeline, found ${found.length}`);
  return (found[0] as any).Properties.Stages;
}
