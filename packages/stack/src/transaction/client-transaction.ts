import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import type { Destination, Flow } from './flow.js';
import { Transaction, type TransactionContext } from './transaction.js';
import type { InviteClientTransactionState, NonInviteClientTransactionState } from './transaction-state.js';
import type { ClientTransactionHandler } from './transaction-user.js';

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

  protected constructor(
    id: string,
    readonly request: SipRequest,
    /** Where this transaction sends its request. */
    readonly destination: Destination,
    protected readonly handler: ClientTransactionHandler,
    context: TransactionContext,
    initial: S,
  ) {
    super(id, destination.transport, context, initial);
  }

  /** Sends the request, first or again (Timers A and E). */
  protected sendRequest(): void {
    this.data ??= this.request.toBuffer();
    this.transmit(this.data, this.destination);
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
    const response = createResponse(this.request, 408);
    this.context.notify(() => this.handler.onTimeout(this, response));
  }

  /** @see RFC 3261 §17.1.4: inform the TU and go directly to Terminated; §8.1.3.1: treat it as a 503. */
  protected transportError(error: Error): void {
    if (this.state === 'Terminated') return;
    this.terminate();
    const response = createResponse(this.request, 503);
    this.context.notify(() => this.handler.onTransportError(this, error, response));
  }

  protected passUp(response: SipResponse, flow: Flow): void {
    this.context.notify(() => this.handler.onResponse(response, this, flow));
  }
}
