import type { Flow } from '../flow/flow.js';

/** One address to listen on. */
export interface ListenSpec {
  transport: Flow['transport'];
  /** IPv4 or IPv6 literal (`0.0.0.0`, `::`, `127.0.0.1`, `::1`). */
  host: string;
  /** 0 for an ephemeral port; the bound one is in `ListenerInfo.port`. */
  port: number;
  /** WS/WSS only: the HTTP path to accept the handshake on; any path when absent. */
  path?: string;
  /**
   * TLS/WSS only: whether to ask clients for a certificate (never required); by default
   * `request` on TLS, `none` on WSS (see `serverTlsOptions`). @see RFC 5922 §7.1
   */
  clientCert?: 'request' | 'none';
}

/** A listener as bound. */
export interface ListenerInfo {
  transport: Flow['transport'];
  /** The address actually bound. */
  address: string;
  /** The port actually bound. */
  port: number;
  path?: string;
}

/** A bound socket or server of one transport. */
export interface Listener {
  readonly info: ListenerInfo;
  /** Stops accepting new connections (a no-op for UDP). */
  stopAccepting(): void;
  /** Destroys what is still open (handshakes in progress) and resolves once closed. */
  close(): Promise<void>;
}
