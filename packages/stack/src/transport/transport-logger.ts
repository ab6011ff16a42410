/**
 * What the transports log with: a winston logger fits. Nothing is logged per message above
 * `debug`, and per-message debug lines are built only when `isDebugEnabled()` says so.
 */
export interface TransportLogger {
  debug(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
  isDebugEnabled?(): boolean;
}

/** A logger that drops everything. */
export const silentLogger: TransportLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  isDebugEnabled: () => false,
};

/** True when debug lines would be written. */
export function debugEnabled(logger: TransportLogger): boolean {
  return logger.isDebugEnabled ? logger.isDebugEnabled() : true;
}
