export * from './deployment-window';
export * from './manual-approval';
export * from './pipeline-environment';
export * from './pipeline-plan';
export * from './release-pipeline';
export * from './rollback-drill';
