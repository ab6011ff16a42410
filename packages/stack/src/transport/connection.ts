import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { Flow, TransportProtocol } from '../flow/flow.js';
import type { TlsPeerCheck } from '../flow/peer-certificate.js';
import { peerCertificateOf } from '../flow/sip-identity.js';
import { socketAddress } from './socket-address.js';

/** One open connection (TCP, TLS, WebSocket), in either direction. */
export interface Connection {
  readonly flow: Flow;
  /**
   * The name an outbound TLS connection's certificate was checked against (lower case);
   * absent for accepted connections and for TCP. @see RFC 5922 §4
   */
  readonly serverName?: string;
  /** How an outbound TLS connection checked the server beyond its name; a connection serves only destinations that ask the same. */
  readonly tlsCheck?: TlsPeerCheck;
  /** Resolves when the connection has closed, however it closed. */
  readonly closed: Promise<void>;
  /** Writes one serialised message; rejects with a `TransportError` when it cannot. */
  send(data: Buffer): Promise<void>;
  /** Closes after what was written has been flushed; forced after a short grace period. */
  close(): void;
}

/** The flow of an accepted or opened socket; over TLS with what the peer's certificate proved, when it sent one. @see RFC 5922 §7.1 */
export function socketFlow(id: string, transport: TransportProtocol, owner: string, socket: Socket): Flow {
  const peerCertificate = socket instanceof TLSSocket ? peerCertificateOf(socket) : undefined;
  return {
    id,
    transport,
    owner,
    localAddress: socketAddress(socket.localAddress ?? ''),
    localPort: socket.localPort ?? 0,
    remoteAddress: socketAddress(socket.remoteAddress ?? ''),
    remotePort: socket.remotePort ?? 0,
    ...(peerCertificate !== undefined && { peerCertificate }),
  };
}

/** A `TlsPeerCheck` as a key for connection reuse: `''` for the default check. */
export function tlsCheckKey(check: TlsPeerCheck | undefined): string {
  if (check === undefined) return '';
  const anchors = [...(check.anchors ?? [])].map((a) => a.toUpperCase()).sort();
  return `${check.anyCertificate ? 'any' : 'verified'}${anchors.length > 0 ? `:${anchors.join(',')}` : ''}`;
}
