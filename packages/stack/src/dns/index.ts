export * from './dns-lookup.js';
export * from './sip-resolver.js';
