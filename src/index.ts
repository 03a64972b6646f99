export * from './strategy';
export * from './k8s';
