export * from './flow.js';
export * from './worker-name.js';
export * from './peer-certificate.js';
export * from './sip-identity.js';
