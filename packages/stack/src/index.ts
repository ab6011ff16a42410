export * from './clock.js';
export * from './flow/index.js';
export * from './transaction/index.js';
export * from './transport/index.js';
export * from './relay/index.js';
export * from './dns/index.js';
