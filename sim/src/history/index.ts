export * from './calendar';
export * from './generate';
export * from './prng';
export * from './types';
