export * from './dns-lookup.js';
export * from './dns-wire.js';
export * from './dns-exchange.js';
export * from './tsig.js';
export * from './dns-client.js';
export * from './dns-update.js';
export * from './sip-resolver.js';
