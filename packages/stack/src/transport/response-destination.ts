import type { Via } from '@herald/sip';
import type { Destination, Flow } from '../flow/flow.js';
import { socketAddress } from './socket-address.js';
import { TransportError } from './transport-error.js';

const TRANSPORTS: Record<string, Flow['transport']> = { UDP: 'udp', TCP: 'tcp', TLS: 'tls', WS: 'ws', WSS: 'wss' };

/** The port a transport uses when a URI or sent-by gives none. @see RFC 3261 §18.1.1, §19.1.2 */
export function defaultPort(transport: Flow['transport']): number {
  return transport === 'tls' || transport === 'wss' ? 5061 : 5060;
}

/** The Flow transport named by a Via transport token; throws for one Herald does not speak (SCTP). */
export function viaTransport(via: Via): Flow['transport'] {
  const transport = TRANSPORTS[via.transport];
  if (!transport) throw new TransportError(`unsupported Via transport ${via.transport}`, 'SIP_ERR_TRANSPORT_UNSUPPORTED');
  return transport;
}

/**
 * Where a response goes when the connection its request came on is gone (or the
 * transport is UDP), from the top Via of the response.
 * Reliable transports: the `received` address (else the sent-by host) at the sent-by
 * port. Unreliable: `received` (else the sent-by host), at the `rport` value when
 * present, else the sent-by port. Herald wrote `received` and `rport` itself when the
 * request arrived (`stampVia`), so the address is always the request's real source.
 * DEVIATION(RFC 3261 §18.2.2): `maddr` is ignored: a sender may not name another address
 * for its responses to be sent to (that would make Herald a reflector).
 * A sent-by host name is left to the transport layer, which follows RFC 3263 §5 (SRV,
 * then A/AAAA) through the resolver it is given.
 * `flowId`, when given, names the flow the request came in on (the socket to send from).
 * @see RFC 3261 §18.2.2, RFC 3581 §4
 */
export function responseDestination(via: Via, flowId?: string): Destination {
  const transport = viaTransport(via);
  const received = via.params.get('received');
  const host = socketAddress(received ?? via.host);
  const sentByPort = via.port ?? defaultPort(transport);
  if (transport !== 'udp') return { transport, address: host, port: sentByPort, flowId };
  const rport = Number(via.params.get('rport') ?? NaN);
  const port = Number.isInteger(rport) && rport > 0 && rport < 65536 ? rport : sentByPort;
  return { transport, address: host, port, flowId };
}
