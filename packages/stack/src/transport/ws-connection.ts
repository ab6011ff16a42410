import type { Socket } from 'node:net';
import { isUtf8 } from 'node:buffer';
import type WebSocket from 'ws';
import type { Flow } from '../flow/flow.js';
import { type Connection, socketFlow } from './connection.js';
import { MessageDeadline } from './message-deadline.js';
import type { TransportContext } from './transport-context.js';
import { TransportError } from './transport-error.js';
import { debugEnabled } from './transport-logger.js';

const OPEN = 1;
/** How long a closing handshake may take before the socket is dropped. */
const CLOSE_GRACE_MS = 2000;
/** Bytes queued to a peer that does not read, beyond which the connection is dropped. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/**
 * A SIP WebSocket connection: every WebSocket message, text or binary, is one SIP message.
 * Messages are sent as text when they are valid UTF-8, else as binary.
 * @see RFC 7118 §5
 */
export class WsConnection implements Connection {
  readonly flow: Flow;
  readonly closed: Promise<void>;
  private closing = false;

  constructor(
    private readonly ws: WebSocket,
    socket: Socket,
    transport: 'ws' | 'wss',
    private readonly ctx: TransportContext,
  ) {
    this.flow = socketFlow(ctx.nextFlowId(transport), transport, ctx.owner, socket);
    const deadline = new MessageDeadline(ctx.limits.messageTimeoutMs, () => {
      ctx.limitHit('messageTimeout', this.flow.remoteAddress);
      ws.terminate();
    });
    deadline.arm();
    // Ahead of ws's own reader: bytes start the clock, and a whole frame, read next, stops it.
    socket.prependListener('data', () => deadline.arm());
    this.closed = new Promise((resolve) => {
      ws.once('close', () => {
        deadline.disarm();
        ctx.table.remove(this);
        resolve();
      });
    });
    const frame = () => {
      deadline.disarm();
      ctx.table.touch(this);
    };
    ws.on('message', (data: unknown) => {
      frame();
      ctx.deliver(messageBytes(data), this.flow);
    });
    ws.on('ping', frame);
    ws.on('pong', frame);
    ws.on('error', (err) => {
      if (debugEnabled(ctx.logger)) ctx.logger.debug('transport: WebSocket error', { flow: this.flow.id, error: err });
    });
    ctx.table.add(this);
  }

  send(data: Buffer): Promise<void> {
    if (this.closing || this.ws.readyState !== OPEN) {
      return Promise.reject(new TransportError(`flow ${this.flow.id} is closed`, 'SIP_ERR_TRANSPORT_FLOW_CLOSED'));
    }
    if (this.ws.bufferedAmount > MAX_QUEUED_BYTES) {
      this.ws.terminate();
      return Promise.reject(new TransportError(`flow ${this.flow.id} does not drain`, 'SIP_ERR_TRANSPORT_BUFFER_FULL'));
    }
    this.ctx.table.touch(this);
    return new Promise((resolve, reject) => {
      this.ws.send(data, { binary: !isUtf8(data) }, (err) => {
        if (err) reject(new TransportError(`write to flow ${this.flow.id} failed`, 'SIP_ERR_TRANSPORT_SEND', { cause: err }));
        else resolve();
      });
    });
  }

  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(1000);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }
}

/** ws 8 hands every message over as bytes; ws 6 hands a text message over as a string. */
function messageBytes(data: unknown): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (Array.isArray(data)) return Buffer.concat(data as Buffer[]);
  return Buffer.from(data as ArrayBuffer);
}
