import type { SipRequest, SipResponse } from '@herald/sip';
import type { Destination, Flow } from '../flow/flow.js';
import { Transaction, type TransactionContext } from './transaction.js';
import type { InviteServerTransactionState, NonInviteServerTransactionState } from './transaction-state.js';

/**
 * What a server transaction tells its transaction user on its own (the request itself is
 * handed up by the layer that creates the transaction).
 */
export interface ServerTransactionUser {
  /** Timer H fired: the ACK for a non-2xx final response never came. @see RFC 3261 §17.2.1 */
  onTimeout?(tx: ServerTransaction): void;
  /** A response could not be sent; the transaction stays in its state. @see RFC 3261 §17.2.4, RFC 6026 §8.8 */
  onTransportError?(tx: ServerTransaction, error: Error): void;
}

/**
 * The server side of a transaction: passes the request up once, sends the TU's responses on
 * the flow the request came in on, and answers retransmissions with the last response.
 *
 * What it keeps is what answering a retransmission takes: the last response as sent (bytes)
 * and where it went. The request itself is let go with the final response, so that a
 * transaction lingering in Completed or Accepted (32 s on UDP) holds no parsed message.
 * @see RFC 3261 §17.2
 */
export abstract class ServerTransaction<
  S extends InviteServerTransactionState | NonInviteServerTransactionState =
    | InviteServerTransactionState
    | NonInviteServerTransactionState,
> extends Transaction<S> {
  private pending: SipRequest | null;
  private destination: Destination | null = null;
  private last: Buffer | null = null;
  private status = 0;

  protected constructor(
    id: string,
    request: SipRequest,
    /** The flow the request arrived on; every response goes back on it. @see RFC 3261 §18.2.2 */
    readonly flow: Flow,
    protected readonly user: ServerTransactionUser,
    context: TransactionContext,
    initial: S,
  ) {
    super(id, flow.transport, context, initial);
    this.pending = request;
  }

  /** The request, until a final response has been sent (then `null`: it is not needed any more). */
  get request(): SipRequest | null {
    return this.pending;
  }

  /** The status of the last response sent, provisional or final; `null` before the first. */
  get lastStatus(): number | null {
    return this.status === 0 ? null : this.status;
  }

  /**
   * Sends a response from the TU, if the state allows it. Returns false when the response is
   * discarded, as RFC 3261 §17.2 requires of a final response after the first (except further
   * 2xx to an INVITE, RFC 6026 §7.1) and of anything once Terminated.
   */
  abstract respond(response: SipResponse): boolean;

  /**
   * Asks that the final response end the transaction as it is sent, as a stateless UAS
   * answers (RFC 3261 §8.2.7). Only a non-INVITE transaction honours it: an INVITE's
   * non-2xx answer waits for its ACK (§17.2.1) and a 2xx for the retransmissions of Accepted
   * (RFC 6026 §7.1).
   */
  answerStatelessly(): void {}

  /** A retransmission of the request, matched by the layer (RFC 3261 §17.2.3). */
  abstract receiveRequest(request: SipRequest): void;

  /** Serialises and sends a response, keeping the bytes for retransmissions; a final one lets the request go. */
  protected sendResponse(response: SipResponse): void {
    const data = response.toBuffer();
    this.last = data;
    this.status = response.status;
    // Every response copies the request's top Via, so one routing serves them all.
    const routed = this.pending ?? response;
    if (response.status >= 200) this.pending = null;
    if (this.destination === null) {
      try {
        this.destination = this.context.transport.responseDestination(routed, this.flow);
      } catch (error) {
        this.transportError(asError(error));
        return;
      }
    }
    this.transmit(data, this.destination);
  }

  /** Sends the last response again, for a retransmitted request or Timer G. */
  protected resend(): void {
    if (this.last !== null && this.destination !== null) this.transmit(this.last, this.destination);
  }

  protected override released(): void {
    this.pending = null;
    this.last = null;
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

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
