export * from './fake-clock.js';
export * from './inbox.js';
export * from './sip-text.js';
export * from './sipp.js';
export * from './stream-client.js';
export * from './test-certificate.js';
export * from './udp-client.js';
export * from './ws-client.js';
