import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { admitSocket } from './admit-socket.js';
import type { ListenSpec } from './listener.js';
import { ServerListener } from './server-listener.js';
import { listenOn } from './listen-on.js';
import { MessageDeadline } from './message-deadline.js';
import { type TlsOptions, serverTlsOptions } from './tls-options.js';
import type { TransportContext } from './transport-context.js';
import { debugEnabled } from './transport-logger.js';
import { WsConnection } from './ws-connection.js';

/** RFC 7118 §4: the WebSocket subprotocol of SIP. */
const SUBPROTOCOL = 'sip';

/**
 * A WS or WSS listener: an HTTP(S) server whose upgrade requests become SIP WebSocket
 * connections when they offer the `sip` subprotocol (and, when configured, ask for the
 * listener's path). Other handshakes are refused; plain HTTP requests get 426.
 * @see RFC 7118 §4, RFC 6455 §4.2
 */
export class WsTransport extends ServerListener {
  static async listen(spec: ListenSpec, ctx: TransportContext, tlsOptions?: TlsOptions): Promise<WsTransport> {
    const transport = spec.transport === 'wss' ? 'wss' : 'ws';
    const server: http.Server =
      transport === 'wss'
        ? https.createServer(serverTlsOptions(tlsOptions, spec, ctx.limits.messageTimeoutMs))
        : http.createServer();
    const wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: ctx.limits.maxMessageSize,
      handleProtocols: (protocols) => ([...protocols].includes(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    const sockets = new Set<Socket>();
    // By remote address and port: for WSS the upgraded socket is the TLS one, not the one accepted.
    const handshakes = new Map<string, MessageDeadline>();
    server.on('connection', (socket: Socket) => {
      if (!admitSocket(socket, sockets, ctx)) return;
      const key = remoteKey(socket);
      const deadline = new MessageDeadline(ctx.limits.messageTimeoutMs, () => {
        ctx.limitHit('messageTimeout', socket.remoteAddress ?? '');
        socket.destroy();
      });
      deadline.arm();
      handshakes.set(key, deadline);
      socket.once('close', () => {
        deadline.disarm();
        handshakes.delete(key);
      });
    });
    server.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
      res.writeHead(426, { Upgrade: 'websocket', Connection: 'close', 'Content-Length': 0 });
      res.end();
    });
    server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
      // The HTTP server has removed its error listener from an upgraded socket; until ws adds
      // its own, an error (a reset while refusing) would otherwise be unhandled.
      socket.on('error', () => undefined);
      handshakes.get(remoteKey(req.socket))?.disarm();
      try {
        const refusal = handshakeRefusal(req, spec.path);
        if (refusal) {
          if (debugEnabled(ctx.logger)) ctx.logger.debug('transport: WebSocket handshake refused', { refusal });
          socket.end(`HTTP/1.1 ${refusal}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => new WsConnection(ws, req.socket, transport, ctx));
      } catch (err) {
        ctx.logger.error('transport: WebSocket upgrade failed', { error: err });
        socket.destroy();
      }
    });
    server.on('clientError', (_err: Error, socket: Duplex) => socket.destroy());
    const info = await listenOn(server, spec);
    server.on('error', (err) => ctx.logger.error('transport: listener error', { listener: info, error: err }));
    return new WsTransport(server, info, sockets);
  }
}

function remoteKey(socket: Socket): string {
  return `${socket.remoteAddress ?? ''}|${socket.remotePort ?? ''}`;
}

/** The status line to refuse a handshake with, or null to accept it. */
function handshakeRefusal(req: http.IncomingMessage, path: string | undefined): string | null {
  if (path !== undefined && new URL(req.url ?? '/', 'http://localhost').pathname !== path) return '404 Not Found';
  const offered = (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
  // RFC 7118 §4: the client offers "sip"; a handshake without it is not SIP.
  if (!offered.includes(SUBPROTOCOL)) return '400 Bad Request';
  return null;
}
