export * from './acl';
export * from './auth';
export * from './errors';
export * from './limits';
// The password-hash format is protocol's; re-exported for the broker's users.
export { hashPassword, verifyPassword } from '@takt/protocol';
export * from './server';
export * from './users';
export * from './accounts';
