export * from './flow-relay.js';
