export * from './argo-rollout';
export * from './metric-provider';
export * from './smoke-test';
export * from './traffic-routing';
export * from './feature-flags';
export * from './rollout-safety';
export * from './notifications';
export * from './pod-settings';
