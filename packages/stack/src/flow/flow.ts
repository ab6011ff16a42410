import type { PeerCertificate, TlsPeerCheck } from './peer-certificate.js';

/** A SIP transport protocol, as named in the Via transport parameter (lower case). @see RFC 3261 §18, RFC 7118 */
export type TransportProtocol = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/**
 * The path a message arrived on: the transport, both ends of it, and the worker that holds
 * it. A connection-oriented flow is named by `id` so that responses go back on the same
 * connection, and only its `owner` can write to that connection: a binding or subscription
 * records the whole flow, and another worker hands its messages to the owner.
 * @see RFC 3261 §18.2.2, RFC 5626 §3.5
 */
export interface Flow {
  id: string;
  transport: TransportProtocol;
  /** The worker (`node~pid~…`, see `workerName`) whose transport layer holds the socket. */
  owner: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
  /** A TLS (or WSS) flow: what the peer's certificate proved; absent when it sent none. @see RFC 5922 §7.1 */
  peerCertificate?: PeerCertificate;
}

/**
 * Where the transport sends a message: a transport and an address, and the flow to reuse
 * when there is one (a response goes back on the flow its request came in on).
 * @see RFC 3261 §18.1.1, §18.2.2
 */
export interface Destination {
  transport: TransportProtocol;
  address: string;
  port: number;
  flowId?: string;
  /**
   * The name a TLS server's certificate must match when `address` was found by DNS: the
   * domain of the URI resolved, not the SRV target (RFC 5922 §4); also sent as SNI.
   */
  serverName?: string;
  /** How a new TLS connection checks the server's certificate, when a federation level asks more (or less) than the default. */
  tlsCheck?: TlsPeerCheck;
  /**
   * The worker that holds `flowId` when it is not this one: the message is handed to that
   * worker to send (`FlowRelay`). Absent for this worker's own flows.
   */
  owner?: string;
}

/**
 * Whether the transport delivers messages reliably, which decides whether the transaction
 * layer retransmits and how long it lingers in Completed.
 * @see RFC 3261 §17.1.1.2, §17.1.2.2
 */
export function isReliable(transport: TransportProtocol): boolean {
  return transport !== 'udp';
}

/** The destination of a response: the far end of the flow the request arrived on. @see RFC 3261 §18.2.2 */
export function flowDestination(flow: Flow): Destination {
  return { transport: flow.transport, address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id };
}

/** A destination as one string: its transport, address and port (the flow it may reuse aside). */
export function destinationKey(d: Destination): string {
  return `${d.transport}|${d.address}|${d.port}`;
}

/**
 * The flow as a binding or subscription stores it: how to reach it, without what its
 * certificate proved (that stays with the live connection).
 */
export function storedFlow(flow: Flow): Flow {
  const { id, transport, owner, localAddress, localPort, remoteAddress, remotePort } = flow;
  return { id, transport, owner, localAddress, localPort, remoteAddress, remotePort };
}
