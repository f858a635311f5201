export * from './errors';
export * from './passwords';
export * from './server';
export * from './users';
