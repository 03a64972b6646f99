/**
 * The traffic control of a `DeploymentStrategy` (sticky canary, header-only preview, dark launch)
 * on AWS targets: what ECS and Lambda aliases cannot express, refused with the reason and what is
 * possible instead. The warm-up before a blue/green switch is rendered in render.ts.
 */
import { fail } from '../../private/validate';
import { DeploymentStrategy } from '../../strategy/deployment-strategy';
import { StickinessKind } from '../../strategy/traffic-control';

/** Refuses what an ECS service (native engine or CodeDeploy) cannot express. `testListener`: whether the service has one. */
export function refuseEcsTrafficControl(where: string, strategy: DeploymentStrategy, target: string, testListener: boolean): void {
  const { stickiness, headerPreview, darkLaunch } = strategy;
  if (stickiness?.kind === StickinessKind.LOAD_BALANCER) {
    fail(where, 'strategy.stickiness', `cannot be expressed with ${target}: ECS rewrites the production listener rule's weighted forward action at each traffic step, and AWS does not document that it keeps a target-group stickiness configuration there; `
      + 'and ALB target-group stickiness takes precedence over the weights, so after an alarm rollback a pinned client would keep reaching the rolled-back version until its stickiness expires',
    'Stickiness.loadBalancer', 'Remove stickiness (each request is then routed by weight), or render the strategy with Argo Rollouts and TrafficRouting.alb, whose stickinessConfig is part of the controller\'s weighted action.');
  }
  if (stickiness?.kind === StickinessKind.REQUEST_MATCH) {
    fail(where, 'strategy.stickiness', `cannot be expressed with ${target}: ECS manages only the production and test listener rules, and a rule that sends matching requests to the new version would have to follow the target group that carries it, which alternates between blue and green on every deployment`,
      stickiness.match!.describe(), 'Remove stickiness, or render the strategy with Argo Rollouts (setHeaderRoute on Istio, ALB or Gateway API).');
  }
  if (headerPreview !== undefined) {
    fail(where, 'strategy.headerPreview', testListener
      ? `cannot be expressed with ${target}: the test listener already reaches the new version before any user, but routes by port rather than by header, and ECS holds that stage only while its test-traffic hooks run, not for a set duration`
      : `cannot be expressed with ${target}: the service has no test listener, the only route by which ECS lets requests reach the new version before production traffic`,
    headerPreview.match.describe(), testListener
      ? 'Remove headerPreview and check the new version on the test listener with smokeTest: SmokeTest.http({...}) (and testTrafficFrom for testers), or render the strategy with Argo Rollouts.'
      : 'Remove headerPreview and pass smokeTest: SmokeTest.http({...}) or testTrafficFrom to create a test listener that reaches the new version before any user, or render the strategy with Argo Rollouts.');
  }
  if (darkLaunch !== undefined) {
    fail(where, 'strategy.darkLaunch', `cannot be expressed with ${target}: an Application Load Balancer forwards each request to one target group and has no request mirroring`,
      darkLaunch.describe(), 'Remove darkLaunch; check the new version before production traffic with smokeTest on the test listener, or render the strategy with Argo Rollouts and TrafficRouting.istio (setMirrorRoute).');
  }
}

/** Refuses what a Lambda alias cannot express. */
export function refuseLambdaTrafficControl(where: string, strategy: DeploymentStrategy, target: string): void {
  const { stickiness, headerPreview, darkLaunch } = strategy;
  if (stickiness !== undefined) {
    fail(where, 'strategy.stickiness', `cannot be expressed with ${target}: a weighted alias picks a version for each invocation at random, with no notion of a client, header or cookie`,
      stickiness.kind === StickinessKind.LOAD_BALANCER ? 'Stickiness.loadBalancer' : stickiness.match!.describe(),
      'Remove stickiness: make the function tolerate consecutive invocations on either version, or route clients to a version yourself (for example two aliases behind an API that picks one per user).');
  }
  if (headerPreview !== undefined) {
    fail(where, 'strategy.headerPreview', `cannot be expressed with ${target}: an alias routes invocations by weight only, and an invocation carries no header the alias could match`,
      headerPreview.match.describe(), 'Remove headerPreview and check the new version before traffic with smokeTest: SmokeTest.invoke({ payload }) (a pre-traffic hook), or invoke the new version by its qualifier.');
  }
  if (darkLaunch !== undefined) {
    fail(where, 'strategy.darkLaunch', `cannot be expressed with ${target}: an alias sends each invocation to one version and cannot copy it to another`,
      darkLaunch.describe(), 'Remove darkLaunch, and check the new version before traffic with smokeTest: SmokeTest.invoke({ payload }).');
  }
}
