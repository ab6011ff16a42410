import { type SipMessage, type SipRequest, type SipResponse, parseMessage } from '@herald/sip';
import type { Destination, Flow } from '../flow/flow.js';
import { OWNER_VIA_PARAM } from '../flow/worker-name.js';
import type { TransactionTransport } from '../transaction/transaction-transport.js';
import { TransportError } from '../transport/transport-error.js';
import type { TransportLayer } from '../transport/transport-layer.js';
import type { TransportLogger } from '../transport/transport-logger.js';

/**
 * Messages between workers and nodes, addressed by channel; the store's message bus (Redis
 * pub/sub across nodes, in memory within one process) is one.
 */
export interface FlowBus {
  /** Delivers `payload` to the subscribers of `channel`; resolves with how many got it. */
  publish(channel: string, payload: Buffer): Promise<number>;
  /** Calls `handler` with every payload published to `channel` until the returned function is called. */
  subscribe(channel: string, handler: (payload: Buffer) => void): Promise<() => Promise<void>>;
}

/** How long a relayed send may wait for its owner to report a failure. */
const PENDING_MS = 10_000;

/** What one worker asks of another over the bus. */
type Envelope =
  /** Send these bytes over your flow `flowId`; tell `from` about a failure, quoting `ref`. */
  | { k: 'send'; from: string; ref: number; flowId: string; transport: Destination['transport']; address: string; port: number }
  /** The send `ref` could not go out. */
  | { k: 'failed'; ref: number; reason: string }
  /** A message that arrived on my flow `flow` and is yours (a response to a request you sent, a request of your transaction). */
  | { k: 'receive'; flow: Flow };

/**
 * Delivery across workers and nodes over the store's bus: a message for a connection that
 * another worker holds is handed to that worker to send, and a response that arrives on one
 * worker for a request another sent (its top Via names the sender) is handed back. Each
 * worker listens on the channel of its own name.
 * @see docs/architecture.md (workers and nodes)
 */
export class FlowRelay implements TransactionTransport {
  private readonly pending = new Map<number, (error: Error) => void>();
  private refs = 0;
  private unsubscribe: (() => Promise<void>) | null = null;

  private readonly owner: string;

  constructor(
    private readonly transport: TransportLayer,
    private readonly bus: FlowBus,
    private readonly receive: (message: SipRequest | SipResponse, flow: Flow) => void,
    private readonly logger: TransportLogger,
  ) {
    this.owner = transport.owner;
  }

  async start(): Promise<void> {
    this.unsubscribe = await this.bus.subscribe(channelOf(this.owner), (payload) => this.delivered(payload));
  }

  async stop(): Promise<void> {
    await this.unsubscribe?.().catch(() => undefined);
    this.unsubscribe = null;
    for (const fail of this.pending.values()) fail(new TransportError('the relay stopped', 'SIP_ERR_TRANSPORT_STATE'));
    this.pending.clear();
  }

  responseDestination(message: SipMessage, flow: Flow): Destination {
    return this.transport.responseDestination(message, flow);
  }

  transmit(data: Buffer, destination: Destination, onError: (error: Error) => void): void {
    if (destination.owner === undefined || destination.owner === this.owner) this.transport.transmit(data, destination, onError);
    else this.relay(data, destination, destination.owner, onError);
  }

  /** Sends without a transaction, as `TransportLayer.send` does, relaying to the owner of the flow when it is another worker. */
  send(message: SipMessage, destination: Destination): Promise<unknown> {
    if (destination.owner === undefined || destination.owner === this.owner) return this.transport.send(message, destination);
    this.relay(message.toBuffer(), destination, destination.owner, (error) => this.logger.debug('relay: stateless send failed', { error: error.message }));
    return Promise.resolve();
  }

  /**
   * A response that matched no transaction here: when its top Via names another worker as
   * the sender, it is handed to that worker and true returned.
   */
  handBack(response: SipResponse, flow: Flow): boolean {
    const sender = response.topViaOrNull?.params.get(OWNER_VIA_PARAM);
    if (!sender || sender === this.owner) return false;
    this.handOver(response, flow, sender);
    return true;
  }

  /** Hands a message that arrived here on `flow` to worker `owner`, which receives it as if it had arrived there. */
  handOver(message: SipMessage, flow: Flow, owner: string): void {
    this.bus.publish(channelOf(owner), pack({ k: 'receive', flow }, message.toBuffer())).then(
      (receivers) => receivers === 0 && this.logger.debug('relay: the worker a message is for is gone', { owner }),
      (error: unknown) => this.logger.debug('relay: message not handed over', { owner, error }),
    );
  }

  private relay(data: Buffer, destination: Destination, owner: string, onError: (error: Error) => void): void {
    if (destination.flowId === undefined) {
      onError(new TransportError('a relayed send needs a flow', 'SIP_ERR_TRANSPORT_NO_ROUTE'));
      return;
    }
    const ref = ++this.refs;
    const envelope: Envelope = { k: 'send', from: this.owner, ref, flowId: destination.flowId, transport: destination.transport, address: destination.address, port: destination.port };
    const timer = setTimeout(() => this.pending.delete(ref), PENDING_MS);
    timer.unref();
    const fail = (error: Error) => {
      clearTimeout(timer);
      if (this.pending.delete(ref)) onError(error);
    };
    this.pending.set(ref, fail);
    this.bus.publish(channelOf(owner), pack(envelope, data)).then(
      (receivers) => receivers === 0 && fail(new TransportError(`worker ${owner} holding flow ${destination.flowId} is gone`, 'SIP_ERR_TRANSPORT_FLOW_CLOSED')),
      (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
    );
  }

  /** Everything another worker sends this one; a malformed envelope is dropped. */
  private delivered(payload: Buffer): void {
    const nl = payload.indexOf(0x0a);
    if (nl < 0) return;
    let envelope: Envelope;
    try {
      envelope = JSON.parse(payload.subarray(0, nl).toString('utf8')) as Envelope;
    } catch {
      return;
    }
    const data = payload.subarray(nl + 1);
    switch (envelope.k) {
      case 'send':
        this.sendForOther(envelope, data);
        return;
      case 'failed':
        this.pending.get(envelope.ref)?.(new TransportError(envelope.reason, 'SIP_ERR_TRANSPORT_FLOW_CLOSED'));
        return;
      case 'receive': {
        let message;
        try {
          message = parseMessage(data);
        } catch {
          return;
        }
        this.receive(message, envelope.flow);
        return;
      }
    }
  }

  /** Another worker's message for one of this worker's connections: that connection only, never a new one. */
  private sendForOther(envelope: Extract<Envelope, { k: 'send' }>, data: Buffer): void {
    const report = (reason: string) => void this.bus.publish(channelOf(envelope.from), pack({ k: 'failed', ref: envelope.ref, reason }, Buffer.alloc(0))).catch(() => undefined);
    if (this.transport.flow(envelope.flowId) === undefined) {
      report(`flow ${envelope.flowId} is closed`);
      return;
    }
    const { flowId, transport, address, port } = envelope;
    this.transport.transmit(data, { flowId, transport, address, port }, (error) => report(error.message));
  }
}

function channelOf(owner: string): string {
  return `flow:${owner}`;
}

function pack(envelope: Envelope, data: Buffer): Buffer {
  return Buffer.concat([Buffer.from(JSON.stringify(envelope) + '\n', 'utf8'), data]);
}
