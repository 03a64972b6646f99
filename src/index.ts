export * from './strategy';
export * from './aws';
