import type { SipRequest, SipResponse } from '@herald/sip';
import type { Flow } from '../flow/flow.js';
import { ServerTransaction, type ServerTransactionUser, checkStatus } from './server-transaction.js';
import type { TransactionContext } from './transaction.js';
import type { NonInviteServerTransactionState } from './transaction-state.js';

/**
 * Receives a non-INVITE request: Trying → Proceeding → Completed → Terminated, with Timer J
 * keeping the final response around for retransmitted requests.
 * @see RFC 3261 §17.2.2
 */
export class NonInviteServerTransaction extends ServerTransaction<NonInviteServerTransactionState> {
  /**
   * Set while the TU first sees the request: a refusal, or the answer to OPTIONS, given then
   * cost no work, so the transaction ends at once and a retransmission is answered afresh,
   * as by a stateless UAS (RFC 3261 §8.2.7).
   */
  answeringStatelessly = false;
  private stateless = false;

  constructor(id: string, request: SipRequest, flow: Flow, user: ServerTransactionUser, context: TransactionContext) {
    super(id, request, flow, user, context, 'Trying');
  }

  /**
   * The TU answers as a stateless UAS (RFC 3261 §8.2.7, §17.2 last paragraph): the final
   * response, whatever its status and however late it comes, ends the transaction as it
   * leaves, with no Timer J. A retransmission arriving before then is still absorbed (Trying
   * discards it); one arriving after is a new request for the TU, which must answer it as it
   * answered the first (the registrar does, RFC 3261 §10.3 step 7).
   */
  override answerStatelessly(): void {
    this.stateless = true;
  }

  receiveRequest(_request: SipRequest): void {
    // RFC 3261 §17.2.2: discarded in Trying; answered with the last response in Proceeding and Completed.
    if (this.state === 'Proceeding' || this.state === 'Completed') this.resend();
  }

  respond(response: SipResponse): boolean {
    checkStatus(response);
    if (this.state !== 'Trying' && this.state !== 'Proceeding') return false;
    if (response.status < 200) {
      this.setState('Proceeding');
      this.sendResponse(response);
      return true;
    }
    const stateless = this.stateless || (this.answeringStatelessly && (response.status >= 300 || this.request?.method === 'OPTIONS'));
    this.setState('Completed');
    this.sendResponse(response);
    // RFC 3261 §17.2.2: Timer J is 64*T1 on unreliable transports and zero on reliable ones.
    if (this.alive) this.terminateAfter('timerJ', this.reliable || stateless ? 0 : 64 * this.timers.t1);
    return true;
  }
}
