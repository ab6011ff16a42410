
export * from './apply-register.js';
export * from './contact-key.js';
export * from './read-register.js';
export * from './registrar.js';
export * from './registrar-errors.js';
export * from './registrar-policy.js';
export * from './location-lookup.js';
