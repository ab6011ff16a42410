import { type Clock, type TimerHandle, systemClock } from '../clock.js';
import type { Flow } from '../flow/flow.js';
import type { TlsPeerCheck } from '../flow/peer-certificate.js';
import { type Connection, tlsCheckKey } from './connection.js';
import { socketAddress } from './socket-address.js';
import type { LimitName } from './transport-limits.js';

/** Options of a `ConnectionTable`. */
export interface ConnectionTableOptions {
  maxConnectionsPerSource: number;
  /** Accepted connections from all sources together. */
  maxConnections?: number;
  idleTimeoutMs: number;
  clock?: Clock;
  /** Called once for every connection that was added and has closed. */
  onClosed?(flow: Flow): void;
}

interface Entry {
  connection: Connection;
  remoteKey: string;
  lastActive: number;
}

/**
 * The open connections: by flow id, by remote transport/address/port (for reuse when
 * sending, RFC 3261 §18.1.1), and a count per source IP of accepted connections. Closes
 * connections that have been idle for `idleTimeoutMs`, sweeping at a fraction of it
 * rather than keeping a timer per connection.
 */
export class ConnectionTable {
  private readonly entries = new Map<string, Entry>();
  private readonly byRemote = new Map<string, Connection>();
  private readonly perSource = new Map<string, number>();
  private admitted = 0;
  private readonly clock: Clock;
  private readonly sweepEvery: number;
  private sweepTimer: TimerHandle | null = null;

  constructor(private readonly options: ConnectionTableOptions) {
    this.clock = options.clock ?? systemClock;
    this.sweepEvery = Math.min(Math.max(Math.floor(options.idleTimeoutMs / 4), 10), 30_000);
  }

  /** Open connections. */
  get size(): number {
    return this.entries.size;
  }

  /** Accepted connections being counted: admitted and not released yet. */
  get accepted(): number {
    return this.admitted;
  }

  /**
   * Counts a connection being accepted from `address`; the limit it would exceed instead
   * (and not counted) when all sources together already have `maxConnections` or this one
   * `maxConnectionsPerSource`. Pair every admission (`null`) with one `release`.
   */
  admit(address: string): LimitName | null {
    if (this.admitted >= (this.options.maxConnections ?? Infinity)) return 'maxConnections';
    const key = socketAddress(address);
    const n = this.perSource.get(key) ?? 0;
    if (n >= this.options.maxConnectionsPerSource) return 'maxConnectionsPerSource';
    this.perSource.set(key, n + 1);
    this.admitted++;
    return null;
  }

  release(address: string): void {
    const key = socketAddress(address);
    const n = this.perSource.get(key) ?? 0;
    if (n === 0) return;
    this.admitted--;
    if (n === 1) this.perSource.delete(key);
    else this.perSource.set(key, n - 1);
  }

  add(connection: Connection): void {
    const { flow } = connection;
    const remoteKey = remoteKeyOf(flow.transport, flow.remoteAddress, flow.remotePort, connection.serverName, connection.tlsCheck);
    this.entries.set(flow.id, { connection, remoteKey, lastActive: this.clock.now() });
    this.byRemote.set(remoteKey, connection);
    this.scheduleSweep();
  }

  /** Forgets a connection that has closed and reports its flow closed. */
  remove(connection: Connection): void {
    const entry = this.entries.get(connection.flow.id);
    if (!entry || entry.connection !== connection) return;
    this.entries.delete(connection.flow.id);
    if (this.byRemote.get(entry.remoteKey) === connection) this.byRemote.delete(entry.remoteKey);
    if (this.entries.size === 0 && this.sweepTimer) {
      this.clock.clearTimeout(this.sweepTimer);
      this.sweepTimer = null;
    }
    this.options.onClosed?.(connection.flow);
  }

  /** Every open connection. */
  connections(): Connection[] {
    return [...this.entries.values()].map((e) => e.connection);
  }

  get(flowId: string): Connection | undefined {
    return this.entries.get(flowId)?.connection;
  }

  /**
   * An open connection to exactly this remote transport, address and port; with
   * `serverName`, only an outbound TLS connection whose certificate was checked against it
   * (two domains at one address do not share one), and with `tlsCheck` only one checked
   * the same way. @see RFC 5922 §4
   */
  find(transport: Flow['transport'], address: string, port: number, serverName?: string, tlsCheck?: TlsPeerCheck): Connection | undefined {
    return this.byRemote.get(remoteKeyOf(transport, address, port, serverName, tlsCheck));
  }

  /** Records traffic on a connection, in either direction. */
  touch(connection: Connection): void {
    const entry = this.entries.get(connection.flow.id);
    if (entry) entry.lastActive = this.clock.now();
  }

  /** Closes every connection; resolves when all have closed. */
  closeAll(): Promise<void> {
    const closing = [...this.entries.values()].map(({ connection }) => {
      connection.close();
      return connection.closed;
    });
    return Promise.all(closing).then(() => undefined);
  }

  private scheduleSweep(): void {
    if (this.sweepTimer || this.entries.size === 0) return;
    this.sweepTimer = this.clock.setTimeout(() => this.sweep(), this.sweepEvery);
  }

  private sweep(): void {
    this.sweepTimer = null;
    const idleSince = this.clock.now() - this.options.idleTimeoutMs;
    for (const { connection, lastActive } of this.entries.values()) {
      if (lastActive <= idleSince) connection.close();
    }
    this.scheduleSweep();
  }
}

function remoteKeyOf(transport: string, address: string, port: number, serverName?: string, tlsCheck?: TlsPeerCheck): string {
  const check = tlsCheckKey(tlsCheck);
  return `${transport}|${socketAddress(address)}|${port}${serverName === undefined && check === '' ? '' : `|${serverName ?? ''}|${check}`}`;
}
