import { SipError, type SipUri, hostAddress } from '@herald/sip';
import { type Destination, type TransportProtocol, defaultPort } from '@herald/stack';

const URI_TRANSPORTS: Record<string, TransportProtocol> = { udp: 'udp', tcp: 'tcp', tls: 'tls', ws: 'ws', wss: 'wss' };

/**
 * Where a SIP URI says to send: its `transport` parameter (TLS for SIPS), `maddr` or host,
 * and port (the transport's default when absent). A host name is left to the transport's
 * resolver.
 * DEVIATION(RFC 3263 §4): no NAPTR/SRV look-ups yet; a host name resolves by A/AAAA only.
 * @see RFC 3261 §19.1.4, RFC 3263 §4.1–§4.2
 */
export function uriDestination(uri: SipUri): Destination {
  const param = uri.params.get('transport')?.toLowerCase();
  let transport: TransportProtocol = uri.scheme === 'sips' ? 'tls' : 'udp';
  if (param) {
    const named = URI_TRANSPORTS[param];
    if (!named) throw new SipError(503, `Unsupported Transport ${param}`, 'SIP_ERR_PROXY_TRANSPORT');
    transport = uri.scheme === 'sips' && named === 'tcp' ? 'tls' : named;
  }
  const host = uri.params.get('maddr') ?? uri.host;
  return { transport, address: hostAddress(host), port: uri.port ?? defaultPort(transport) };
}
