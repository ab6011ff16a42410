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
  /** CAs that may vouch only for some domains (see `PrivateAnchors`); checked against `servername` when `sipDomain`. */
  privateAnchors?: PrivateAnchors;
}

/**
 * CAs trusted only for some domains (a federation peer's own CA): SHA-256 fingerprint as in
 * `PeerCertificate.chain` → the domains it may vouch for, exact or `*.example` (subdomains).
 * A server chain through one of them must be for one of its domains.
 */
export type PrivateAnchors = ReadonlyMap<string, readonly string[]>;

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
      const refusal = socket instanceof tls.TLSSocket ? anchorRefusal(socket, options) : null;
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

/**
 * Why the server's chain is not anchored where `tlsCheck` asks, or at a private CA that may
 * not vouch for `servername`; `null` when it is fine (or any certificate will do).
 */
function anchorRefusal(socket: tls.TLSSocket, options: StreamConnectOptions): string | null {
  const { tlsCheck: check, privateAnchors, servername } = options;
  if (check?.anyCertificate === true) return null;
  const anchors = check?.anchors ?? [];
  // Judged for a SIP domain (`Destination.serverName`), as its certificate was.
  const judgePrivate = privateAnchors !== undefined && privateAnchors.size > 0 && options.sipDomain === true && servername !== undefined;
  if (anchors.length === 0 && !judgePrivate) return null;
  const chain = chainFingerprints(socket.getPeerCertificate(true));
  const wanted = new Set(anchors.map((a) => a.toUpperCase()));
  if (anchors.length > 0 && !chain.some((f) => wanted.has(f))) return "the certificate chain is not anchored at the peer's CA";
  if (!judgePrivate) return null;
  const name = servername.toLowerCase();
  for (const fingerprint of chain) {
    const domains = privateAnchors.get(fingerprint);
    if (domains !== undefined && !domains.some((d) => coversDomain(d, name))) return `the certificate chain is anchored at a CA private to ${domains.join(', ')}`;
  }
  return null;
}

/** `pattern` (`peer.example`, or `*.peer.example` for its subdomains) names `domain` (lower case). */
export function coversDomain(pattern: string, domain: string): boolean {
  const p = pattern.toLowerCase();
  return p.startsWith('*.') ? domain.endsWith(p.slice(1)) : p === domain;
}
