/** Certificate and trust for TLS and WSS, server and client side. */
export interface TlsOptions {
  cert: Buffer | string;
  key: Buffer | string;
  /** Trusted CAs for peer certificates; Node's default store when absent. */
  ca?: Buffer | string | Array<Buffer | string>;
  /** Ask TLS clients for a certificate (mutual TLS between domains, RFC 5922). */
  requestCert?: boolean;
  /**
   * Refuse a peer whose certificate does not verify: the server when Herald connects out,
   * and, with `requestCert`, a client. Node's default: true.
   */
  rejectUnauthorized?: boolean;
}
