import dgram from 'node:dgram';
import { type SipRequest, type SipResponse, parseMessage } from '@herald/sip';
import { Inbox } from './inbox.js';

/** A UDP socket for tests: sends datagrams, collects those it receives. */
export class UdpClient {
  readonly datagrams = new Inbox<Buffer>();

  private constructor(
    private readonly socket: dgram.Socket,
    readonly address: string,
    readonly port: number,
  ) {
    socket.on('message', (data) => this.datagrams.push(data));
  }

  /** Binds to `port` (an ephemeral one by default) on `host` (127.0.0.1 or ::1). */
  static async bind(host = '127.0.0.1', port = 0): Promise<UdpClient> {
    const socket = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => resolve());
    });
    return new UdpClient(socket, host, socket.address().port);
  }

  send(data: string | Buffer, port: number, host = this.address): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(typeof data === 'string' ? Buffer.from(data) : data, port, host, (err) => (err ? reject(err) : resolve())));
  }

  async nextMessage(timeoutMs?: number): Promise<SipRequest | SipResponse> {
    return parseMessage(await this.datagrams.next(timeoutMs), { datagram: true });
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
