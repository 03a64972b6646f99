export * from './strategy';
export * from './flags';
export * from './aws';
export * from './k8s';
export * from './migrations';
