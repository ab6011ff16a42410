import { type SipRequest, type SipResponse, createResponse, parseNameAddr } from '@herald/sip';
import type { Flow } from '../flow/flow.js';
import { ServerTransaction, type ServerTransactionUser, checkStatus } from './server-transaction.js';
import type { TransactionContext } from './transaction.js';
import type { InviteServerTransactionState } from './transaction-state.js';

/**
 * Receives an INVITE: Proceeding → Completed (non-2xx, retransmitted on Timer G until the
 * ACK) → Confirmed, or Proceeding → Accepted (2xx, retransmitted by the TU) → Terminated.
 * @see RFC 3261 §17.2.1, RFC 6026 §7.1, §8.5, §8.7
 */
export class InviteServerTransaction extends ServerTransaction<InviteServerTransactionState> {
  private intervalG = 0;
  /** The To header of the last response sent, for matching the ACK of an RFC 2543 client. */
  private lastTo: string | null = null;

  constructor(id: string, request: SipRequest, flow: Flow, user: ServerTransactionUser, context: TransactionContext) {
    super(id, request, flow, user, context, 'Proceeding');
  }

  /**
   * RFC 3261 §17.2.1: sends 100 Trying unless the TU responds within `tryingDelay` ms;
   * 0 sends it at once (what a proxy wants), `null` leaves it to the TU.
   */
  start(tryingDelay: number | null): void {
    if (tryingDelay === null) return;
    if (tryingDelay <= 0) this.sendTrying();
    else this.startTimer('timerTrying', tryingDelay, () => this.sendTrying());
  }

  /**
   * The To tag of the last response sent (`''` when it has none), `null` before the first; an
   * ACK from an RFC 2543 client is matched on it. @see RFC 3261 §17.2.3
   */
  get responseToTag(): string | null {
    if (this.lastTo === null) return null;
    try {
      return parseNameAddr(this.lastTo).params.get('tag') ?? '';
    } catch {
      return '';
    }
  }

  receiveRequest(_request: SipRequest): void {
    // RFC 3261 §17.2.1: the last provisional in Proceeding, the final in Completed;
    // RFC 6026 §7.1: absorbed in Accepted (and in Confirmed).
    if (this.state === 'Proceeding' || this.state === 'Completed') this.resend();
  }

  /**
   * An ACK that matched this transaction. Returns true when it must go to the TU (RFC 6026
   * §7.1: in Accepted), false when absorbed.
   */
  receiveAck(_ack: SipRequest): boolean {
    switch (this.state) {
      case 'Completed':
        // RFC 3261 §17.2.1: the ACK stops Timer G and H; Timer I absorbs further ACKs.
        this.setState('Confirmed');
        this.stopTimer('timerG');
        this.stopTimer('timerH');
        this.terminateAfter('timerI', this.reliable ? 0 : this.timers.t4);
        return false;
      case 'Accepted':
        return true;
      default:
        return false;
    }
  }

  respond(response: SipResponse): boolean {
    checkStatus(response);
    const status = response.status;
    if (this.state === 'Accepted') {
      // RFC 6026 §8.7: further 2xx from the TU (its own retransmissions, other forks) are sent.
      if (status < 200 || status >= 300) return false;
      this.sendResponse(response);
      return true;
    }
    if (this.state !== 'Proceeding') return false;
    this.stopTimer('timerTrying');
    if (status < 200) {
      this.sendResponse(response);
    } else if (status < 300) {
      // RFC 6026 §8.5: a 2xx moves to Accepted for Timer L, to absorb INVITE retransmissions.
      this.setState('Accepted');
      this.terminateAfter('timerL', 64 * this.timers.t1);
      this.sendResponse(response);
    } else {
      this.setState('Completed');
      if (!this.reliable) {
        this.intervalG = this.timers.t1;
        this.startTimer('timerG', this.intervalG, () => this.fireTimerG());
      }
      this.startTimer('timerH', 64 * this.timers.t1, () => this.fireTimerH());
      this.sendResponse(response);
    }
    return true;
  }

  protected override sendResponse(response: SipResponse): void {
    this.lastTo = response.header('to') ?? '';
    super.sendResponse(response);
  }

  private sendTrying(): void {
    const request = this.request;
    if (this.state === 'Proceeding' && this.lastStatus === null && request) this.sendResponse(createResponse(request, 100));
  }

  private fireTimerG(): void {
    this.resend();
    // RFC 3261 §17.2.1: Timer G doubles up to T2.
    this.intervalG = Math.min(2 * this.intervalG, this.timers.t2);
    this.startTimer('timerG', this.intervalG, () => this.fireTimerG());
  }

  private fireTimerH(): void {
    // RFC 3261 §17.2.1: the ACK never came; the TU is told the transaction failed.
    this.terminate();
    const onTimeout = this.user.onTimeout;
    if (onTimeout) this.context.notify(() => onTimeout.call(this.user, this));
  }
}
