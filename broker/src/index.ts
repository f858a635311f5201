export * from './acl';
export * from './auth';
export * from './errors';
export * from './limits';
export * from './passwords';
export * from './server';
export * from './users';
export * from './accounts';
