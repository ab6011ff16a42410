export * from './config/config.js';
export * from './config/config-error.js';
export * from './logger.js';
export * from './herald-server.js';
export * from './compose.js';
export * from './cli.js';
export * from './accounts.js';
