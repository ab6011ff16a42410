export * from './dns-lookup.js';
export * from './dns-wire.js';
