export * from './im-policy.js';
export * from './im-errors.js';
export * from './offline-message.js';
export * from './message-relay.js';
export * from './offline-delivery.js';
