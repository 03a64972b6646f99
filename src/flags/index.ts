export * from './flag';
export * from './flag-plan';
export * from './flag-set';
export * from './rollout';
export * from './targeting';
