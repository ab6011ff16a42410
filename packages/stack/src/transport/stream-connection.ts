import type { Socket } from 'node:net';
import { FramingError, StreamFramer } from '@herald/sip';
import type { Flow } from '../flow/flow.js';
import type { TlsPeerCheck } from '../flow/peer-certificate.js';
import { type Connection, socketFlow } from './connection.js';
import { MessageDeadline } from './message-deadline.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './transport-error.js';
import { debugEnabled } from './transport-logger.js';

const PONG = Buffer.from('\r\n');
/** How long a graceful close may take before the socket is destroyed. */
const CLOSE_GRACE_MS = 2000;
/** Bytes queued to a peer that does not read, beyond which the connection is dropped. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/**
 * A TCP or TLS connection, accepted or opened: frames the byte stream into messages,
 * answers keep-alive pings, and writes serialised messages.
 * @see RFC 3261 §18.3, RFC 5626 §4.4.1
 */
export class StreamConnection implements Connection {
  readonly flow: Flow;
  readonly closed: Promise<void>;
  private readonly framer: StreamFramer;
  private readonly deadline: MessageDeadline;
  private closing = false;

  /** `accepted`: the peer connected to Herald, and owes its first message within `messageTimeoutMs`. */
  constructor(
    private readonly socket: Socket,
    transport: 'tcp' | 'tls',
    private readonly ctx: TransportContext,
    accepted = false,
    readonly serverName?: string,
    readonly tlsCheck?: TlsPeerCheck,
  ) {
    this.flow = socketFlow(ctx.nextFlowId(transport), transport, ctx.owner, socket);
    const { maxHeaderSize, maxBodySize, maxMessageSize } = ctx.limits;
    this.framer = new StreamFramer({ maxHeaderSize, maxBodySize: Math.min(maxBodySize, maxMessageSize) });
    socket.setNoDelay(true);
    this.deadline = new MessageDeadline(ctx.limits.messageTimeoutMs, () => {
      ctx.limitHit('messageTimeout', this.flow.remoteAddress);
      socket.destroy();
    });
    if (accepted) this.deadline.arm();
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.deadline.disarm();
        ctx.table.remove(this);
        resolve();
      });
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      if (debugEnabled(ctx.logger)) ctx.logger.debug('transport: connection error', { flow: this.flow.id, error: err });
    });
    ctx.table.add(this);
  }

  send(data: Buffer): Promise<void> {
    if (this.closing || !this.socket.writable) {
      return Promise.reject(new TransportError(`flow ${this.flow.id} is closed`, 'SIP_ERR_TRANSPORT_FLOW_CLOSED'));
    }
    if (this.socket.writableLength > MAX_QUEUED_BYTES) {
      this.socket.destroy();
      return Promise.reject(new TransportError(`flow ${this.flow.id} does not drain`, 'SIP_ERR_TRANSPORT_BUFFER_FULL'));
    }
    this.ctx.table.touch(this);
    return new Promise((resolve, reject) => {
      this.socket.write(data, (err) => {
        if (err) reject(new TransportError(`write to flow ${this.flow.id} failed`, 'SIP_ERR_TRANSPORT_SEND', { cause: err }));
        else resolve();
      });
    });
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.socket.end();
    setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
  }

  private onData(chunk: Buffer): void {
    this.ctx.table.touch(this);
    let items;
    try {
      items = this.framer.push(chunk);
    } catch (err) {
      // An unframeable stream cannot be resynchronised (RFC 3261 §18.3): close it.
      if (!(err instanceof FramingError)) this.ctx.logger.error('transport: stream framer failed', { flow: this.flow.id, error: err });
      else if (debugEnabled(this.ctx.logger)) this.ctx.logger.debug('transport: closing unframeable stream', { flow: this.flow.id, code: err.code });
      this.socket.destroy();
      return;
    }
    // A message finished: the clock starts again for the one begun after it, if any.
    if (items.length > 0) this.deadline.disarm();
    if (this.framer.buffered > 0) this.deadline.arm();
    for (const item of items) {
      // RFC 5626 §4.4.1: a double-CRLF ping is answered with a single CRLF pong.
      if (item.kind === 'ping') this.socket.write(PONG);
      else this.ctx.deliver(item.data, this.flow);
    }
  }
}
