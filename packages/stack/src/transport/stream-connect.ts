import net from 'node:net';
import tls from 'node:tls';
import { hostPort } from './socket-address.js';
import type { TlsPeerCheck } from '../flow/peer-certificate.js';
import { chainFingerprints, checkSipServerIdentity } from '../flow/sip-identity.js';
import type { TlsOptions } from './tls-options.js';
import { TransportError } from './transport-error.js';

/** Options of `connectStream`. */
export interface StreamConnectOptions {
  timeoutMs: number;
  tls?: TlsOptions;
  /** The host name the TLS server must prove (SNI and certificate check); the address when absent. */
  servername?: string;
  /**
   * `servername` is a SIP domain (`Destination.serverName`): the certificate must name it by
   * RFC 5922 §7.2–§7.3 rules (SAN URI, dNSName, CN; no wildcards) rather than as a host.
   */
  sipDomain?: boolean;
  /** What else the server's certificate must satisfy (or need not). */
  tlsCheck?: TlsPeerCheck;
}

/**
 * Opens a TCP connection, or a TLS one with its handshake complete, within `timeoutMs`.
 * Rejects with a `TransportError` (RFC 3261 §17.1.4 transport error).
 */
export function connectStream(transport: 'tcp' | 'tls', address: string, port: number, options: StreamConnectOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const target = `${transport}:${hostPort(address, port)}`;
    const socket = transport === 'tls' ? tls.connect({ host: address, port, ...clientTlsOptions(options) }) : net.connect({ host: address, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new TransportError(`connect to ${target} timed out`, 'SIP_ERR_TRANSPORT_CONNECT_TIMEOUT'));
    }, options.timeoutMs);
    // Left attached: an error after the connection is handed over only destroys the socket.
    socket.on('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new TransportError(`connect to ${target} failed: ${err.message}`, 'SIP_ERR_TRANSPORT_CONNECT', { cause: err }));
    });
    socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      const refusal = socket instanceof tls.TLSSocket ? anchorRefusal(socket, options.tlsCheck) : null;
      if (refusal === null) return resolve(socket);
      socket.destroy();
      reject(new TransportError(`connect to ${target} failed: ${refusal}`, 'SIP_ERR_TRANSPORT_TLS_ANCHOR'));
    });
  });
}

/**
 * How Herald connects out over TLS: presenting its own certificate (a client certificate for
 * mutual TLS between domains), checking the server's against its trust and the SIP domain
 * (RFC 5922 §7.3), or accepting any certificate when `tlsCheck.anyCertificate` says so.
 */
function clientTlsOptions(options: StreamConnectOptions): tls.ConnectionOptions {
  const any = options.tlsCheck?.anyCertificate === true;
  return {
    servername: options.servername,
    ...(options.tls !== undefined && { secureContext: secureContextOf(options.tls) }),
    // Only `anyCertificate` skips verification: without `rejectUnauthorized` Node would keep a socket whose chain or name failed.
    rejectUnauthorized: !any,
    ...(any
      ? { checkServerIdentity: () => undefined }
      : options.sipDomain === true && options.servername !== undefined && { checkServerIdentity: checkSipServerIdentity }),
  };
}

/** One secure context per `TlsOptions`: the trust may hold the whole system store, not to be parsed again for every connection. */
const contexts = new WeakMap<TlsOptions, tls.SecureContext>();

function secureContextOf(options: TlsOptions): tls.SecureContext {
  let context = contexts.get(options);
  if (context === undefined) contexts.set(options, (context = tls.createSecureContext({ cert: options.cert, key: options.key, ca: options.ca })));
  return context;
}

/** Why the server's chain is not anchored where `check` asks, or `null` when it is (or nothing is asked). */
function anchorRefusal(socket: tls.TLSSocket, check: TlsPeerCheck | undefined): string | null {
  const anchors = check?.anchors;
  if (anchors === undefined || anchors.length === 0) return null;
  const chain = chainFingerprints(socket.getPeerCertificate(true));
  const wanted = new Set(anchors.map((a) => a.toUpperCase()));
  return chain.some((f) => wanted.has(f)) ? null : 'the certificate chain is not anchored at the peer\'s CA';
}
