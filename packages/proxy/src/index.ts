export * from './request-context.js';
export * from './validate-request.js';
export * from './local-identity.js';
export type { Flow } from '@herald/stack';
