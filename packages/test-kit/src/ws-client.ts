import type { ClientRequest, IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { type SipRequest, type SipResponse, parseMessage } from '@herald/sip';
import { Inbox } from './inbox.js';

/** A SIP WebSocket client for tests (RFC 7118): every WebSocket message is one SIP message. */
export class WsClient {
  readonly messages = new Inbox<Buffer>();
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data: unknown) => this.messages.push(typeof data === 'string' ? Buffer.from(data) : (data as Buffer)));
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) => ws.once('close', () => resolve()));
  }

  /**
   * Opens `url` offering `protocols` (default `sip`). Rejects with the HTTP status of a
   * refused handshake as `Error("handshake refused: <status>")`. `tlsOptions`: a client
   * certificate to present over WSS.
   */
  static connect(url: string, protocols: string[] = ['sip'], tlsOptions: { cert?: string; key?: string } = {}): Promise<WsClient> {
    return new Promise((resolve, reject) => {
      const options = { rejectUnauthorized: false, ...tlsOptions };
      const ws = protocols.length ? new WebSocket(url, protocols, options) : new WebSocket(url, options);
      ws.once('unexpected-response', (_req: ClientRequest, res: IncomingMessage) => {
        reject(new Error(`handshake refused: ${res.statusCode}`));
        ws.terminate();
      });
      ws.once('error', reject);
      ws.once('open', () => {
        ws.off('error', reject);
        resolve(new WsClient(ws));
      });
    });
  }

  /** The local port of the underlying TCP connection. */
  get localPort(): number {
    return (this.ws as unknown as { _socket: { localPort: number } })._socket.localPort;
  }

  send(data: string | Buffer, binary = false): Promise<void> {
    return new Promise((resolve, reject) => this.ws.send(data, { binary }, (err) => (err ? reject(err) : resolve())));
  }

  async nextMessage(timeoutMs?: number): Promise<SipRequest | SipResponse> {
    return parseMessage(await this.messages.next(timeoutMs), { datagram: true });
  }

  close(): void {
    this.ws.close();
  }
}
