import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import type { Destination, Flow } from '../flow/flow.js';
import { Transaction, type TransactionContext } from './transaction.js';
import type { InviteClientTransactionState, NonInviteClientTransactionState } from './transaction-state.js';

/**
 * The client side of a transaction: sends the request, retransmits it on unreliable
 * transports, and passes the responses that matter up to the TU.
 * @see RFC 3261 §17.1
 */
export abstract class ClientTransaction<
  S extends InviteClientTransactionState | NonInviteClientTransactionState =
    | InviteClientTransactionState
    | NonInviteClientTransactionState,
> extends Transaction<S> {
  /** The request as serialised for its first send; retransmissions send the same bytes. */
  private data: Buffer | null = null;
  private sent: SipRequest | null;
  private handler: ClientTransactionHandler | null;
  /** The request's method, which a response's CSeq method must match. @see RFC 3261 §17.1.3 */
  readonly method: string;

  protected constructor(
    id: string,
    request: SipRequest,
    /** Where this transaction sends its request. */
    readonly destination: Destination,
    handler: ClientTransactionHandler,
    context: TransactionContext,
    initial: S,
  ) {
    super(id, destination.transport, context, initial);
    this.method = request.method;
    this.sent = request;
    this.handler = handler;
  }

  /** The request this transaction sends. */
  protected get request(): SipRequest {
    if (this.sent === null) throw new Error(`client transaction ${this.id} has let its request go`);
    return this.sent;
  }

  /** Sends the request, first or again (Timers A and E). */
  protected sendRequest(): void {
    this.data ??= this.request.toBuffer();
    this.transmit(this.data, this.destination);
  }

  /**
   * Lets the request and the TU's handler go: for a transaction that will only absorb
   * retransmitted responses, so that what the TU hangs on its handler (a proxy's whole
   * response context) is not kept for Timer K or D.
   */
  protected letGo(): void {
    this.sent = null;
    this.handler = null;
    this.data = null;
  }

  protected override released(): void {
    this.data = null;
  }

  /** Sends the request and starts the timers of the initial state. */
  abstract start(): void;

  /** A response matched to this transaction by the layer (RFC 3261 §17.1.3). */
  abstract receiveResponse(response: SipResponse, flow: Flow): void;

  /** Timer B / Timer F: the TU is told, with a 408 it can treat as any final response. @see RFC 3261 §8.1.3.1 */
  protected timeout(): void {
    this.terminate();
    const { sent, handler } = this;
    if (sent === null || handler === null) return;
    const response = createResponse(sent, 408);
    this.context.notify(() => handler.onTimeout(this, response));
  }

  /** @see RFC 3261 §17.1.4: inform the TU and go directly to Terminated; §8.1.3.1: treat it as a 503. */
  protected transportError(error: Error): void {
    if (this.state === 'Terminated') return;
    this.terminate();
    const { sent, handler } = this;
    if (sent === null || handler === null) return;
    const response = createResponse(sent, 503);
    this.context.notify(() => handler.onTransportError(this, error, response));
  }

  protected passUp(response: SipResponse, flow: Flow): void {
    const handler = this.handler;
    if (handler !== null) this.context.notify(() => handler.onResponse(response, this, flow));
  }
}

/**
 * The transaction user of one client transaction, given to `TransactionLayer.sendRequest`.
 * @see RFC 3261 §17.1
 */
export interface ClientTransactionHandler {
  /** A response the transaction passes up (never a retransmission, except 2xx in Accepted per RFC 6026 §7.2). */
  onResponse(response: SipResponse, tx: ClientTransaction, flow: Flow): void;
  /**
   * Timer B or Timer F fired. `response` is a 408 Request Timeout built from the request, so
   * that the TU can treat it like any final response. @see RFC 3261 §8.1.3.1, §17.1.1.2, §17.1.2.2
   */
  onTimeout(tx: ClientTransaction, response: SipResponse): void;
  /**
   * The transport could not send; the transaction is Terminated. `response` is a 503 Service
   * Unavailable built from the request. @see RFC 3261 §8.1.3.1, §17.1.4
   */
  onTransportError(tx: ClientTransaction, error: Error, response: SipResponse): void;
}
