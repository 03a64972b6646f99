export * from './ecs-engine';
export * from './smoke-test';
export * from './progressive-fargate-service';
export * from './progressive-lambda-alias';
export * from './alarm-rollback';
export * from './feature-flags';
export * from './deployment-hook';
