// One flag set, two platforms: the same FlagSet is served by AWS AppConfig to an ECS/Fargate service
// (the AppConfig Agent as a sidecar; CloudFormation in cdk.out/) and by the OpenFeature Operator to an
// Argo Rollout (flagd injected into its pods; manifests in dist/). Releasing is separate from deploying:
// moving `currentStage` is a one-line change that rolls out like code. Prints the flag plan, its picture
// and the AppConfig rollout of a flag change.
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as cdk8s from 'cdk8s';
import {
  Analysis, AppConfigFlags, ArgoRollout, Condition, ContextAttribute, ContextComparison, DeploymentStrategy, Flag, FlagMetrics, FlagSet, FlagType,
  HealthCheck, OpenFeatureFlags, PercentageSplit, ProgressiveFargateService, RolloutStage, Segment, StagedRollout, TargetingRule, VariantShare,
} from '../../src';

const flagSet = FlagSet.of({
  name: 'checkout',
  // Expiries are judged against this date so that the example synthesizes the same output every day;
  // an application leaves `today` out and synthesis fails on the day after a flag's expiry.
  today: '2026-12-03',
  attributes: [
    ContextAttribute.string('userId', { description: 'stable user id, the split key' }),
    ContextAttribute.string('email'),
    ContextAttribute.string('plan'),
    ContextAttribute.number('accountAgeDays'),
  ],
  segments: [
    Segment.of({ name: 'internal', conditions: [Condition.endsWith('email', '@example.com')], description: 'employees' }),
    Segment.of({ name: 'beta', conditions: [Condition.oneOf('plan', ['beta', 'partner'])], description: 'opted-in customers' }),
  ],
  flags: [
    Flag.boolean({
      key: 'one-page-checkout',
      description: 'The new one-page checkout',
      owner: 'team-checkout',
      type: FlagType.RELEASE,
      created: '2026-11-20',
      expires: '2027-03-31',
      rollout: StagedRollout.of({
        stages: [RolloutStage.segment('internal'), RolloutStage.segment('beta'), RolloutStage.percent(10), RolloutStage.everyone()],
        currentStage: 2, // internal and beta users; the next stage adds 10% of everyone
      }),
    }),
    Flag.string({
      key: 'recommendation-model',
      description: 'Which model ranks recommendations',
      owner: 'team-discovery',
      type: FlagType.EXPERIMENT,
      expires: '2027-01-31',
      variants: { control: 'bm25', treatment: 'two-tower-v3' },
      defaultVariant: 'control',
      rules: [TargetingRule.of({ when: [Condition.inSegment('internal')], variant: 'treatment' })],
      split: PercentageSplit.of({ shares: [VariantShare.of('treatment', 20), VariantShare.of('control', 80)] }),
    }),
    Flag.number({
      key: 'cart-hold-minutes',
      description: 'How long items stay reserved in a cart',
      owner: 'team-checkout',
      type: FlagType.OPERATIONAL,
      expires: '2027-02-28',
      variants: { short: 15, long: 60 },
      defaultVariant: 'short',
      rules: [TargetingRule.of({ when: [Condition.numeric('accountAgeDays', ContextComparison.GREATER_OR_EQUAL, 365)], variant: 'long' })],
    }),
    Flag.boolean({
      key: 'payments-enabled',
      description: 'Turn payments off during a provider incident',
      owner: 'team-payments',
      type: FlagType.KILL_SWITCH,
      defaultValue: true,
    }),
  ],
});
console.log(flagSet.plan().toMarkdown());
console.log('```mermaid');
console.log(flagSet.plan().toMermaid().trimEnd());
console.log('```\n');

// How a flag change rolls out on AppConfig: 20% of the hosts every 4 minutes, judged by the service's
// error rate and latency, then 8 minutes at 100% before the deployment completes.
const flagRollout = DeploymentStrategy.linear({
  stepPercent: 20,
  interval: Duration.minutes(4),
  analysis: Analysis.of({
    checks: [HealthCheck.errorRate({ maxPercent: 1 }), HealthCheck.latency({ percentile: 99, max: Duration.millis(400) })],
    interval: Duration.minutes(1),
    failureLimit: 1,
    minRequests: 20,
  }),
  keepPreviousVersionFor: Duration.minutes(8),
});

// AWS: the service, the flags in AppConfig, the AppConfig Agent beside the application container.
const app = new App();
const stack = new Stack(app, 'CheckoutFlags');
const service = new ProgressiveFargateService(stack, 'Checkout', {
  image: ecs.ContainerImage.fromRegistry('registry.example.com/checkout:2.4.0'),
  containerPort: 8080,
  desiredCount: 2,
  strategy: DeploymentStrategy.allAtOnce(),
});
const flags = new AppConfigFlags(stack, 'Flags', {
  flagSet,
  strategy: flagRollout,
  metrics: FlagMetrics.loadBalancer(service.loadBalancer, [service.blueTargetGroup, ...(service.greenTargetGroup ? [service.greenTargetGroup] : [])]),
});
flags.addAgentTo(service.taskDefinition);
console.log(flags.plan.toMarkdown());
app.synth();

// Kubernetes: the flags as an OpenFeature FeatureFlag, flagd injected into the rollout's pods.
const k8sApp = new cdk8s.App();
const chart = new cdk8s.Chart(k8sApp, 'checkout', { namespace: 'shop' });
const openFeature = new OpenFeatureFlags(chart, 'flags', { flagSet });
new ArgoRollout(chart, 'checkout', {
  strategy: DeploymentStrategy.allAtOnce(),
  containers: [{ image: 'registry.example.com/checkout:2.4.0', portNumber: 8080 }],
  replicas: 2,
  featureFlags: openFeature,
});
k8sApp.synth();
