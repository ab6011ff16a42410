export * from './clock.js';
export * from './transaction/index.js';
export * from './transport/index.js';
