import type { SipRequest, SipResponse } from '@herald/sip';
import { type Flow, flowDestination } from './flow.js';
import { Transaction, type TransactionContext } from './transaction.js';
import type { InviteServerTransactionState, NonInviteServerTransactionState } from './transaction-state.js';
import type { TransactionUser } from './transaction-user.js';

/**
 * The server side of a transaction: passes the request up once, sends the TU's responses on
 * the flow the request came in on, and answers retransmissions with the last response.
 * @see RFC 3261 §17.2
 */
export abstract class ServerTransaction<
  S extends InviteServerTransactionState | NonInviteServerTransactionState =
    | InviteServerTransactionState
    | NonInviteServerTransactionState,
> extends Transaction<S> {
  private last: SipResponse | null = null;

  protected constructor(
    id: string,
    request: SipRequest,
    /** The flow the request arrived on; every response goes back on it. @see RFC 3261 §18.2.2 */
    readonly flow: Flow,
    protected readonly user: TransactionUser,
    context: TransactionContext,
    initial: S,
  ) {
    super(id, request, flowDestination(flow), context, initial);
  }

  /** The last response sent, provisional or final; `null` before the first. */
  get response(): SipResponse | null {
    return this.last;
  }

  /**
   * Sends a response from the TU, if the state allows it. Returns false when the response is
   * discarded, as RFC 3261 §17.2 requires of a final response after the first (except further
   * 2xx to an INVITE, RFC 6026 §7.1) and of anything once Terminated.
   */
  abstract respond(response: SipResponse): boolean;

  /** A retransmission of the request, matched by the layer (RFC 3261 §17.2.3). */
  abstract receiveRequest(request: SipRequest): void;

  protected sendResponse(response: SipResponse): void {
    this.last = response;
    this.send(response);
  }

  /** Sends the last response again, for a retransmitted request or Timer G. */
  protected resend(): void {
    if (this.last) this.send(this.last);
  }

  /**
   * RFC 6026 §8.8 (replacing RFC 3261 §17.2.4's move to Terminated): inform the TU and stay in
   * the current state, so that retransmissions still match and the timers still end it.
   */
  protected transportError(error: Error): void {
    if (!this.alive) return;
    const onTransportError = this.user.onTransportError;
    if (onTransportError) this.context.notify(() => onTransportError.call(this.user, this, error));
  }
}

/** Throws on a status no response may carry: a TU bug, not a protocol error. */
export function checkStatus(response: SipResponse): void {
  const status = response.status;
  if (!Number.isInteger(status) || status < 100 || status > 699) throw new Error(`Invalid response status ${status}`);
}
