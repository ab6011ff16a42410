import net from 'node:net';
import tls from 'node:tls';
import { hostPort } from './socket-address.js';
import type { TlsOptions } from './tls-options.js';
import { TransportError } from './transport-error.js';

/** Options of `connectStream`. */
export interface StreamConnectOptions {
  timeoutMs: number;
  tls?: TlsOptions;
  /** The host name the TLS server must prove (SNI and certificate check); the address when absent. */
  servername?: string;
}

/**
 * Opens a TCP connection, or a TLS one with its handshake complete, within `timeoutMs`.
 * Rejects with a `TransportError` (RFC 3261 §17.1.4 transport error).
 */
export function connectStream(transport: 'tcp' | 'tls', address: string, port: number, options: StreamConnectOptions): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const target = `${transport}:${hostPort(address, port)}`;
    const socket =
      transport === 'tls'
        ? tls.connect({
            host: address,
            port,
            servername: options.servername,
            cert: options.tls?.cert,
            key: options.tls?.key,
            ca: options.tls?.ca,
            rejectUnauthorized: options.tls?.rejectUnauthorized ?? true,
          })
        : net.connect({ host: address, port });
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
      resolve(socket);
    });
  });
}
