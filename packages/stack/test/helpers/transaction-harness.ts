import { type SipMessage, type SipRequest, type SipResponse, createResponse, parseMessage } from '@herald/sip';
import { FakeClock } from '@herald/test-kit';
import {
  type ClientTransaction,
  type ClientTransactionHandler,
  type Destination,
  type Flow,
  type InviteServerTransaction,
  type ServerTransaction,
  TransactionLayer,
  type TransactionLayerOptions,
  type TransactionTransport,
  type TransactionUser,
  flowDestination,
} from '../../src/index.js';

/** Fakes for the transaction layer's unit tests: flows, messages, a recording transport and TU. */

export const UDP_FLOW: Flow = {
  id: 'udp-1',
  transport: 'udp',
  owner: 'test~1~00',
  localAddress: '192.0.2.1',
  localPort: 5060,
  remoteAddress: '198.51.100.7',
  remotePort: 5070,
};

export const TCP_FLOW: Flow = { ...UDP_FLOW, id: 'tcp-1', transport: 'tcp', remotePort: 40123 };

export const UDP_DESTINATION: Destination = { transport: 'udp', address: '203.0.113.9', port: 5060 };
export const TCP_DESTINATION: Destination = { transport: 'tcp', address: '203.0.113.9', port: 5060 };

export interface RequestFields {
  uri?: string;
  /** `null` leaves the branch out (an RFC 2543 client). */
  branch?: string | null;
  sentBy?: string;
  /** Extra Via values below the top one. */
  lowerVias?: string[];
  fromTag?: string;
  toTag?: string;
  callId?: string;
  seq?: number;
  cseqMethod?: string;
}

/** Parses a request as the transport would deliver it; parse it again for a retransmission. */
export function request(method: string, fields: RequestFields = {}): SipRequest {
  const branch = fields.branch === undefined ? 'z9hG4bKclient1' : fields.branch;
  const lines = [
    `${method} ${fields.uri ?? 'sip:bob@example.org'} SIP/2.0`,
    `Via: SIP/2.0/UDP ${fields.sentBy ?? '198.51.100.7:5070'}${branch === null ? '' : `;branch=${branch}`}`,
    ...(fields.lowerVias ?? []).map((v) => `Via: ${v}`),
    'Max-Forwards: 70',
    'Route: <sip:p1.example.net;lr>, <sip:p2.example.net;lr>',
    `From: "Alice" <sip:alice@example.com>;tag=${fields.fromTag ?? 'a1'}`,
    `To: <sip:bob@example.org>${fields.toTag ? `;tag=${fields.toTag}` : ''}`,
    `Call-ID: ${fields.callId ?? 'call-1@example.com'}`,
    `CSeq: ${fields.seq ?? 1} ${fields.cseqMethod ?? method}`,
    'Contact: <sip:alice@198.51.100.7:5070>',
    'Content-Length: 0',
    '',
    '',
  ];
  return parseMessage(Buffer.from(lines.join('\r\n'))) as SipRequest;
}

/** A response to `req` as it would arrive from the network (serialised and parsed again). */
export function response(req: SipRequest, status: number, toTag = 'b1'): SipResponse {
  const res = createResponse(req, status, undefined, { toTag });
  return parseMessage(res.toBuffer()) as SipResponse;
}

export interface Sent {
  message: SipMessage;
  destination: Destination;
  /** The bytes as handed to the transport. */
  data: Buffer;
}

/**
 * Records what the layer sends, parsed back from the bytes; `fail` makes the next sends fail at
 * once, `reject` makes them fail a moment later (in a microtask).
 */
export class RecordingTransport implements TransactionTransport {
  readonly sent: Sent[] = [];
  fail: Error | null = null;
  reject: Error | null = null;

  responseDestination(_message: SipMessage, flow: Flow): Destination {
    return flowDestination(flow);
  }

  transmit(data: Buffer, destination: Destination, onError: (error: Error) => void): void {
    const { fail, reject } = this;
    if (fail) return onError(fail);
    if (reject) return queueMicrotask(() => onError(reject));
    this.sent.push({ message: parseMessage(data), destination, data });
  }

  /** Start lines of what was sent, e.g. `INVITE sip:bob@example.org SIP/2.0` or `SIP/2.0 100 Trying`. */
  get lines(): string[] {
    return this.sent.map((s) => s.message.startLine());
  }

  count(startLine: string): number {
    return this.lines.filter((l) => l.startsWith(startLine)).length;
  }

  clear(): void {
    this.sent.length = 0;
  }
}

/** Records every call the layer makes on its TU. */
export class RecordingUser implements TransactionUser {
  readonly requests: { tx: ServerTransaction | null; request: SipRequest; flow: Flow }[] = [];
  readonly stray: SipResponse[] = [];
  readonly timeouts: ServerTransaction[] = [];
  readonly transportErrors: { tx: ServerTransaction; error: Error }[] = [];
  /** Set to answer each new request from inside `onRequest`. */
  answer: ((tx: ServerTransaction, request: SipRequest) => void) | null = null;

  onRequest(tx: ServerTransaction | null, request: SipRequest, flow: Flow): void {
    this.requests.push({ tx, request, flow });
    if (tx && this.answer) this.answer(tx, request);
  }

  onStrayResponse(response: SipResponse): void {
    this.stray.push(response);
  }

  onTimeout(tx: ServerTransaction): void {
    this.timeouts.push(tx);
  }

  onTransportError(tx: ServerTransaction, error: Error): void {
    this.transportErrors.push({ tx, error });
  }

  /** The server transaction of the n-th request passed up. */
  tx(n = 0): ServerTransaction {
    const tx = this.requests[n]?.tx;
    if (!tx) throw new Error(`request ${n} has no server transaction`);
    return tx;
  }

  invite(n = 0): InviteServerTransaction {
    return this.tx(n) as InviteServerTransaction;
  }
}

/** Records what one client transaction passes up. */
export class RecordingHandler implements ClientTransactionHandler {
  readonly responses: SipResponse[] = [];
  readonly timeouts: SipResponse[] = [];
  readonly transportErrors: { error: Error; response: SipResponse }[] = [];

  onResponse(response: SipResponse, _tx: ClientTransaction): void {
    this.responses.push(response);
  }

  onTimeout(_tx: ClientTransaction, response: SipResponse): void {
    this.timeouts.push(response);
  }

  onTransportError(_tx: ClientTransaction, error: Error, response: SipResponse): void {
    this.transportErrors.push({ error, response });
  }

  get statuses(): number[] {
    return this.responses.map((r) => r.status);
  }
}

/** A transaction layer on a fake clock, with a recording transport, TU and client handler. */
export function setupLayer(options: Partial<TransactionLayerOptions> = {}) {
  const clock = new FakeClock();
  const transport = new RecordingTransport();
  const user = new RecordingUser();
  const layer = new TransactionLayer({ clock, transport, tu: user, ...options });
  return { clock, transport, user, layer, handler: new RecordingHandler() };
}
