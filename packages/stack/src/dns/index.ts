export * from './dns-lookup.js';
