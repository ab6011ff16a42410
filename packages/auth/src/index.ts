export * from './digest-policy.js';
export * from './nonce-service.js';
export * from './digest-authenticator.js';
export * from './from-identity.js';
