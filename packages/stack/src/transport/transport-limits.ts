import { TransportError } from './transport-error.js';

/** Size, connection and time limits applied by every transport. */
export interface TransportLimits {
  /** Largest message accepted, header block and body together, in bytes. */
  maxMessageSize: number;
  /** Largest header block accepted, in bytes. */
  maxHeaderSize: number;
  /** Largest body accepted, in bytes. */
  maxBodySize: number;
  /** Most accepted connections (TCP, TLS, WS, WSS together) open at once from one source IP. */
  maxConnectionsPerSource: number;
  /** A connection without traffic in either direction for this long is closed. */
  idleTimeoutMs: number;
}

/** The limits when none are given; a given `maxMessageSize` also sets the default `maxBodySize` (see {@link resolveLimits}). */
export const DEFAULT_TRANSPORT_LIMITS: Readonly<TransportLimits> = Object.freeze({
  maxMessageSize: 65535,
  maxHeaderSize: 16384,
  maxBodySize: 65535,
  maxConnectionsPerSource: 64,
  idleTimeoutMs: 600_000,
});

/** Limits with their defaults; `maxBodySize` defaults to `maxMessageSize`. */
export function resolveLimits(given: Partial<TransportLimits> = {}): TransportLimits {
  const maxMessageSize = given.maxMessageSize ?? DEFAULT_TRANSPORT_LIMITS.maxMessageSize;
  const limits: TransportLimits = {
    maxMessageSize,
    maxHeaderSize: given.maxHeaderSize ?? DEFAULT_TRANSPORT_LIMITS.maxHeaderSize,
    maxBodySize: given.maxBodySize ?? maxMessageSize,
    maxConnectionsPerSource: given.maxConnectionsPerSource ?? DEFAULT_TRANSPORT_LIMITS.maxConnectionsPerSource,
    idleTimeoutMs: given.idleTimeoutMs ?? DEFAULT_TRANSPORT_LIMITS.idleTimeoutMs,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TransportError(`limits.${name} must be a positive integer, not ${String(value)}`, 'SIP_ERR_TRANSPORT_CONFIG');
    }
  }
  return limits;
}
