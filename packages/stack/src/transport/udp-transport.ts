import dgram from 'node:dgram';
import dns, { lookup } from 'node:dns';
import { isIP } from 'node:net';
import type { Flow } from '../flow/flow.js';
import type { Listener, ListenerInfo, ListenSpec } from './listener.js';
import { hostPort, socketAddress } from './socket-address.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './transport-error.js';

/** Kernel buffer sizes of a UDP socket, in bytes. */
export interface UdpBufferSizes {
  /** SO_RCVBUF: datagrams that arrive while the event loop is busy (a GC pause) wait here. */
  receive: number;
  /** SO_SNDBUF. */
  send: number;
}

/**
 * 4 MiB each: at tens of thousands of datagrams a second the 208 KiB Linux default
 * overflows during a pause of a few milliseconds. The kernel caps what is asked at
 * `net.core.rmem_max` / `wmem_max`; the listener logs the sizes it got when smaller.
 */
export const DEFAULT_UDP_BUFFER_SIZES: Readonly<UdpBufferSizes> = { receive: 4 << 20, send: 4 << 20 };

/** True when `flowId` names a UDP flow (connection flow ids start with `tcp-`, `tls-`, `ws-`, `wss-`). */
export function isUdpFlowId(flowId: string): boolean {
  return flowId.startsWith('udp:');
}

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
    private readonly owner: string,
  ) {
    this.localAddress = socketAddress(info.address);
    this.flowIdPrefix = `udp:${hostPort(this.localAddress, info.port)}:`;
  }

  static async listen(spec: ListenSpec, ctx: TransportContext, buffers: UdpBufferSizes = DEFAULT_UDP_BUFFER_SIZES): Promise<UdpTransport> {
    const family = isIP(spec.host) === 6 ? 6 : 4;
    const socket = dgram.createSocket({ type: family === 6 ? 'udp6' : 'udp4', recvBufferSize: buffers.receive, sendBufferSize: buffers.send, lookup: literalLookup });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address: spec.host, port: spec.port }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    const { address, port } = socket.address();
    const info: ListenerInfo = { transport: 'udp', address, port };
    const listener = new UdpTransport(socket, info, family, ctx.owner);
    listener.checkBuffers(buffers, ctx);
    socket.on('message', (data, rinfo) => ctx.deliver(data, listener.flowFrom(rinfo)));
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
    return this.flow(remoteAddress, port, hostPort(remoteAddress, port));
  }

  /** Sends one datagram to an IP address; resolves with the flow, rejects with a `TransportError`. */
  send(data: Buffer, address: string, port: number): Promise<Flow> {
    return new Promise((resolve, reject) => this.transmit(data, address, port, reject, () => resolve(this.flowTo(address, port))));
  }

  /**
   * Sends one datagram to an IP address, without a promise: the message path. A failure, now or
   * when the kernel reports it, goes to `onError` as a `TransportError`; `onSent` runs once sent.
   */
  transmit(data: Buffer, address: string, port: number, onError: (error: Error) => void, onSent?: () => void): void {
    const to = this.family === 6 && isIP(address) === 4 ? `::ffff:${address}` : address;
    // The callback is what reports an error the kernel returns; without one dgram drops it.
    try {
      this.socket.send(data, port, to, (err) => {
        if (err) onError(new TransportError(`UDP send to ${hostPort(address, port)} failed: ${err.message}`, 'SIP_ERR_TRANSPORT_SEND', { cause: err }));
        else if (onSent) onSent();
      });
    } catch (err) {
      // A closed socket or a bad port throws at once.
      onError(new TransportError(`UDP send to ${hostPort(address, port)} failed: ${(err as Error).message}`, 'SIP_ERR_TRANSPORT_SEND', { cause: err }));
    }
  }

  stopAccepting(): void {}

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }

  /** The flow a datagram came in on; an IPv4 source (the common case) needs no normalising. */
  private flowFrom(rinfo: dgram.RemoteInfo): Flow {
    if (rinfo.family === 'IPv4') return this.flow(rinfo.address, rinfo.port, rinfo.address + ':' + rinfo.port);
    return this.flowTo(rinfo.address, rinfo.port);
  }

  private flow(remoteAddress: string, remotePort: number, remote: string): Flow {
    return {
      id: this.flowIdPrefix + remote,
      transport: 'udp',
      owner: this.owner,
      localAddress: this.localAddress,
      localPort: this.info.port,
      remoteAddress,
      remotePort,
    };
  }

  private checkBuffers(asked: UdpBufferSizes, ctx: TransportContext): void {
    // Linux reports twice what was set (the kernel's bookkeeping overhead is included).
    const factor = process.platform === 'linux' ? 2 : 1;
    const receive = this.socket.getRecvBufferSize() / factor;
    const send = this.socket.getSendBufferSize() / factor;
    if (receive < asked.receive || send < asked.send) {
      ctx.logger.warn('transport: UDP socket buffers smaller than configured (raise net.core.rmem_max / wmem_max)', {
        listener: this.info,
        receiveBuffer: receive,
        sendBuffer: send,
        asked,
      });
    }
  }
}

/**
 * dgram's address look-up, answering an IP address at once: every datagram is sent to an
 * address (names are resolved before `transmit`), and `dns.lookup` would defer each send to
 * a later tick to say so. The datagram still leaves in the order it was sent, only sooner.
 * A name goes to `dns.lookup` as before.
 */
function literalLookup(hostname: string, options: dns.LookupOneOptions | number, callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void): void {
  const family = isIP(hostname);
  if (family !== 0) callback(null, hostname, family);
  else lookup(hostname, options as dns.LookupOneOptions, callback);
}
