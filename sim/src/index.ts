export * from './machine-model';
export * from './sim';
export * from './free-port';
export * from './opcua-server';
export * from './pty-pair';
export * from './scanner-feed';
export * from './peers';
export * from './history';
