import net from 'node:net';
import tls from 'node:tls';
import type { ListenSpec } from './listener.js';
import { ServerListener } from './server-listener.js';
import { admitSocket } from './admit-socket.js';
import { listenOn } from './listen-on.js';
import { StreamConnection } from './stream-connection.js';
import { type TlsOptions, serverTlsOptions } from './tls-options.js';
import type { TransportContext } from './transport-context.js';
import { debugEnabled } from './transport-logger.js';

/**
 * A TCP or TLS listener: admits connections against the per-source limit and turns
 * each into a `StreamConnection` (after the TLS handshake for TLS).
 * @see RFC 3261 §18.3
 */
export class StreamTransport extends ServerListener {
  static async listen(spec: ListenSpec, ctx: TransportContext, tlsOptions?: TlsOptions): Promise<StreamTransport> {
    const transport = spec.transport === 'tls' ? 'tls' : 'tcp';
    const server =
      transport === 'tls'
        ? tls.createServer(serverTlsOptions(tlsOptions, spec, ctx.limits.messageTimeoutMs))
        : net.createServer();
    const sockets = new Set<net.Socket>();
    server.on('connection', (socket: net.Socket) => {
      if (admitSocket(socket, sockets, ctx) && transport === 'tcp') new StreamConnection(socket, 'tcp', ctx, true);
    });
    if (transport === 'tls') {
      server.on('secureConnection', (socket: tls.TLSSocket) => new StreamConnection(socket, 'tls', ctx, true));
      server.on('tlsClientError', (err, socket) => {
        if ((err as NodeJS.ErrnoException).code === 'ERR_TLS_HANDSHAKE_TIMEOUT') ctx.limitHit('messageTimeout', socket.remoteAddress ?? '');
        else if (debugEnabled(ctx.logger)) ctx.logger.debug('transport: TLS handshake failed', { error: err });
      });
    }
    const info = await listenOn(server, spec);
    server.on('error', (err) => ctx.logger.error('transport: listener error', { listener: info, error: err }));
    return new StreamTransport(server, info, sockets);
  }
}
