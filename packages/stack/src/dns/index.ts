export * from './dns-lookup.js';
export * from './sip-resolver.js';
export * from './naptr-rewrite.js';
export * from './enum-lookup.js';
export * from './mailbox-servers.js';
