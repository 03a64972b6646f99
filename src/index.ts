export * from './strategy';
export * from './aws';
export * from './k8s';
export * from './pipeline';
