import type { Socket } from 'node:net';
import type { Flow, TransportProtocol } from '../flow/flow.js';
import { socketAddress } from './socket-address.js';

/** One open connection (TCP, TLS, WebSocket), in either direction. */
export interface Connection {
  readonly flow: Flow;
  /**
   * The name an outbound TLS connection's certificate was checked against (lower case);
   * absent for accepted connections and for TCP. @see RFC 5922 §4
   */
  readonly serverName?: string;
  /** Resolves when the connection has closed, however it closed. */
  readonly closed: Promise<void>;
  /** Writes one serialised message; rejects with a `TransportError` when it cannot. */
  send(data: Buffer): Promise<void>;
  /** Closes after what was written has been flushed; forced after a short grace period. */
  close(): void;
}

/** The flow of an accepted or opened socket. */
export function socketFlow(id: string, transport: TransportProtocol, owner: string, socket: Socket): Flow {
  return {
    id,
    transport,
    owner,
    localAddress: socketAddress(socket.localAddress ?? ''),
    localPort: socket.localPort ?? 0,
    remoteAddress: socketAddress(socket.remoteAddress ?? ''),
    remotePort: socket.remotePort ?? 0,
  };
}
