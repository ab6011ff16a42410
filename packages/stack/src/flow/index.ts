export * from './flow.js';
export * from './worker-name.js';
