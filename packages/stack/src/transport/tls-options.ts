import type { TlsOptions as NodeTlsOptions } from 'node:tls';
import type { ListenSpec } from './listener.js';

/** Certificate and trust for TLS and WSS, server and client side. */
export interface TlsOptions {
  /** Herald's certificate (chain): served on TLS/WSS listeners, and presented as client certificate on connections Herald opens. */
  cert: Buffer | string;
  key: Buffer | string;
  /** Trusted CAs for the servers Herald connects to (see `trustedCertificates`), and for clients too unless `serverCa` is given; Node's default store when absent. */
  ca?: Buffer | string | Array<Buffer | string>;
  /**
   * Trusted CAs for client certificates on accepted connections, when not `ca`. Their names
   * go out in every CertificateRequest: a short list keeps small TLS stacks (phones) working.
   */
  serverCa?: Buffer | string | Array<Buffer | string>;
  /**
   * Ask for a client certificate on every TLS and WSS listener whose `clientCert` is not set
   * (WSS included). A client without one, or with one that does not verify, still connects:
   * the SIP layer decides what it needs. @see RFC 5922 §7.1
   */
  requestCert?: boolean;
}

/**
 * The options of a TLS or HTTPS server for one listener: a client certificate is asked for
 * when the listener says so (`clientCert`; by default on `tls`, not on `wss`, where a browser
 * would show a certificate chooser, unless `requestCert` asks for all), and never required.
 */
export function serverTlsOptions(tls: TlsOptions | undefined, spec: ListenSpec, handshakeTimeout: number): NodeTlsOptions & { handshakeTimeout: number } {
  const clientCert = spec.clientCert ?? (tls?.requestCert === true || spec.transport === 'tls' ? 'request' : 'none');
  return {
    cert: tls?.cert,
    key: tls?.key,
    ca: tls?.serverCa ?? tls?.ca,
    requestCert: clientCert === 'request',
    // The TLS layer admits every client; `Flow.peerCertificate` says what its certificate proved.
    rejectUnauthorized: false,
    handshakeTimeout,
  };
}
