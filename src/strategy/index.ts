export * from './analysis';
export * from './canary-step';
export * from './capacity';
export * from './deployment-strategy';
export * from './health-check';
export * from './promotion';
export * from './rollout-plan';
export * from './runbook';
