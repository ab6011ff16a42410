import dgram from 'node:dgram';
import { isIP } from 'node:net';
import type { Flow } from '../transaction/flow.js';
import type { Listener, ListenerInfo, ListenSpec } from './listener.js';
import { hostPort, socketAddress } from './socket-address.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './transport-error.js';

/**
 * A UDP socket: every datagram is one message, handed over with the flow it came on;
 * requests to UDP destinations are sent from it so that responses come back to it.
 * @see RFC 3261 §18.1.1, §18.2.1
 */
export class UdpTransport implements Listener {
  private readonly localAddress: string;
  private readonly flowIdPrefix: string;

  private constructor(
    private readonly socket: dgram.Socket,
    readonly info: ListenerInfo,
    /** 4 or 6: the family of addresses this socket can send to. */
    readonly family: 4 | 6,
  ) {
    this.localAddress = socketAddress(info.address);
    this.flowIdPrefix = `udp:${hostPort(this.localAddress, info.port)}:`;
  }

  static async listen(spec: ListenSpec, ctx: TransportContext): Promise<UdpTransport> {
    const family = isIP(spec.host) === 6 ? 6 : 4;
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: spec.host, port: spec.port }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const { address, port } = socket.address();
    const info: ListenerInfo = { transport: 'udp', address, port };
    const listener = new UdpTransport(socket, info, family);
    socket.on('message', (data, rinfo) => ctx.deliver(data, listener.flowTo(rinfo.address, rinfo.port)));
    socket.on('error', (err) => ctx.logger.warn('transport: UDP socket error', { listener: info, error: err }));
    return listener;
  }

  /** True when this socket can send to an address of `family` (an IPv6 wildcard socket is dual-stack). */
  reaches(family: 4 | 6): boolean {
    return this.family === family || (this.family === 6 && family === 4 && this.info.address === '::');
  }

  /** True when `flowId` names a UDP flow of this socket. */
  owns(flowId: string): boolean {
    return flowId.startsWith(this.flowIdPrefix);
  }

  /** The flow between this socket and a remote address. */
  flowTo(address: string, port: number): Flow {
    const remoteAddress = socketAddress(address);
    return {
      id: this.flowIdPrefix + hostPort(remoteAddress, port),
      transport: 'udp',
      localAddress: this.localAddress,
      localPort: this.info.port,
      remoteAddress,
      remotePort: port,
    };
  }

  /** Sends one datagram to an IP address; resolves with the flow, rejects with a `TransportError`. */
  send(data: Buffer, address: string, port: number): Promise<Flow> {
    const to = this.family === 6 && isIP(address) === 4 ? `::ffff:${address}` : address;
    return new Promise((resolve, reject) => {
      this.socket.send(data, port, to, (err) => {
        if (err) reject(new TransportError(`UDP send to ${hostPort(address, port)} failed: ${err.message}`, 'SIP_ERR_TRANSPORT_SEND', { cause: err }));
        else resolve(this.flowTo(address, port));
      });
    });
  }

  stopAccepting(): void {}

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}
