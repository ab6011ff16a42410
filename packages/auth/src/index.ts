export * from './digest-policy.js';
export * from './algorithm-offer.js';
export * from './failure-limits.js';
export * from './nonce-service.js';
export * from './digest-authenticator.js';
export * from './from-identity.js';
