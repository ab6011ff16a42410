import net from 'node:net';
import tls from 'node:tls';
import { type SipRequest, type SipResponse, parseMessage } from '@herald/sip';
import { Inbox } from './inbox.js';

/** What a stream client receives: a whole message, or a CRLF pong (RFC 5626 §4.4.1). */
export type StreamItem = Buffer | 'pong';

/**
 * A TCP or TLS client for tests. Frames what it receives by Content-Length, reporting a
 * bare CRLF between messages as a pong.
 */
export class StreamClient {
  readonly items = new Inbox<StreamItem>();
  /** Resolves when the connection has closed. */
  readonly closed: Promise<void>;
  private pending = Buffer.alloc(0);

  private constructor(readonly socket: net.Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /**
   * `options`: over TLS, a client certificate to present (`cert`, `key`) and the like (the
   * server's is never checked); `localAddress` to connect from another loopback address (127.0.0.2…).
   */
  static connect(transport: 'tcp' | 'tls', port: number, host = '127.0.0.1', options: tls.ConnectionOptions & { localAddress?: string } = {}): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const { localAddress, ...tlsOptions } = options;
      const from = localAddress === undefined ? {} : { localAddress };
      const socket = transport === 'tls' ? tls.connect({ host, port, rejectUnauthorized: false, ...from, ...tlsOptions }) : net.connect({ host, port, ...from });
      socket.once('error', reject);
      socket.once(transport === 'tls' ? 'secureConnect' : 'connect', () => {
        socket.off('error', reject);
        resolve(new StreamClient(socket));
      });
    });
  }

  /** Wraps a socket accepted by a test server. */
  static wrap(socket: net.Socket): StreamClient {
    return new StreamClient(socket);
  }

  get localPort(): number {
    return this.socket.localPort ?? 0;
  }

  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(data, (err) => (err ? reject(err) : resolve())));
  }

  /** The next whole message, parsed; fails when a pong comes first. */
  async nextMessage(timeoutMs?: number): Promise<SipRequest | SipResponse> {
    const item = await this.items.next(timeoutMs);
    if (item === 'pong') throw new Error('expected a message, got a pong');
    return parseMessage(item, { datagram: false });
  }

  end(): void {
    this.socket.end();
  }

  destroy(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let buf = Buffer.concat([this.pending, chunk]);
    for (;;) {
      if (buf.length >= 2 && buf[0] === 0x0d && buf[1] === 0x0a) {
        this.items.push('pong');
        buf = buf.subarray(2);
        continue;
      }
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) break;
      const head = buf.toString('latin1', 0, end);
      const m = /\n(?:content-length|l)[ \t]*:[ \t]*(\d+)/i.exec(head);
      const total = end + 4 + (m ? Number(m[1]) : 0);
      if (buf.length < total) break;
      this.items.push(Buffer.from(buf.subarray(0, total)));
      buf = buf.subarray(total);
    }
    this.pending = Buffer.from(buf);
  }
}
