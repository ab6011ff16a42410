import { readFileSync } from 'node:fs';
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
  /** Most accepted connections open at once in all: below the descriptor limit, so that outgoing connections, the store and the admin listener still get one. */
  maxConnections: number;
  /** A connection without traffic in either direction for this long is closed. */
  idleTimeoutMs: number;
  /** Time an accepted connection has to complete its handshake and each message it starts (its first one from when it opens). */
  messageTimeoutMs: number;
}

/** A limit that refused or closed something, reported through `onLimit` (`refusedSource`: `refuseSource` refused a connection at accept). */
export type LimitName = 'maxConnections' | 'maxConnectionsPerSource' | 'messageTimeout' | 'rateLimit' | 'maxTransactions' | 'refusedSource';

/** Descriptors kept out of `maxConnections`' default: listeners, outgoing connections, the store, logs, the admin API. */
const DESCRIPTOR_RESERVE = { least: 128, share: 0.05 };
/** When the descriptor limit cannot be read (not Linux). */
const FALLBACK_DESCRIPTOR_LIMIT = 4096;

/** The process's soft limit on open files, as Node raised it at start-up. */
export function descriptorLimit(limits = readProcLimits()): number {
  const line = limits?.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line === undefined ? NaN : Number(line.slice('Max open files'.length).trim().split(/\s+/)[0]);
  return Number.isSafeInteger(soft) && soft > 0 ? soft : FALLBACK_DESCRIPTOR_LIMIT;
}

/** `maxConnections`' default: the descriptor limit less a reserve of 5 % (at least 128). */
export function defaultMaxConnections(limit = descriptorLimit()): number {
  return Math.max(1, limit - Math.max(DESCRIPTOR_RESERVE.least, Math.ceil(limit * DESCRIPTOR_RESERVE.share)));
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}

/** The limits when none are given; a given `maxMessageSize` also sets the default `maxBodySize` (see {@link resolveLimits}). */
export const DEFAULT_TRANSPORT_LIMITS: Readonly<TransportLimits> = Object.freeze({
  maxMessageSize: 65535,
  maxHeaderSize: 16384,
  maxBodySize: 65535,
  maxConnectionsPerSource: 64,
  maxConnections: defaultMaxConnections(),
  idleTimeoutMs: 600_000,
  // Kamailio's tcp_msg_read_timeout is 20 s too.
  messageTimeoutMs: 20_000,
});

/** Limits with their defaults; `maxBodySize` defaults to `maxMessageSize`. */
export function resolveLimits(given: Partial<TransportLimits> = {}): TransportLimits {
  const maxMessageSize = given.maxMessageSize ?? DEFAULT_TRANSPORT_LIMITS.maxMessageSize;
  const limits: TransportLimits = {
    maxMessageSize,
    maxHeaderSize: given.maxHeaderSize ?? DEFAULT_TRANSPORT_LIMITS.maxHeaderSize,
    maxBodySize: given.maxBodySize ?? maxMessageSize,
    maxConnectionsPerSource: given.maxConnectionsPerSource ?? DEFAULT_TRANSPORT_LIMITS.maxConnectionsPerSource,
    maxConnections: given.maxConnections ?? DEFAULT_TRANSPORT_LIMITS.maxConnections,
    idleTimeoutMs: given.idleTimeoutMs ?? DEFAULT_TRANSPORT_LIMITS.idleTimeoutMs,
    messageTimeoutMs: given.messageTimeoutMs ?? DEFAULT_TRANSPORT_LIMITS.messageTimeoutMs,
  };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new TransportError(`limits.${name} must be a positive integer, not ${String(value)}`, 'SIP_ERR_TRANSPORT_CONFIG');
    }
  }
  return limits;
}
