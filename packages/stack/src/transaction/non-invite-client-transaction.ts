import type { SipRequest, SipResponse } from '@herald/sip';
import { ClientTransaction, type ClientTransactionHandler } from './client-transaction.js';
import type { Destination, Flow } from '../flow/flow.js';
import type { TransactionContext } from './transaction.js';
import type { NonInviteClientTransactionState } from './transaction-state.js';

/**
 * Sends a non-INVITE request: Trying → Proceeding → Completed → Terminated, with Timer E
 * retransmissions, Timer F for the timeout and Timer K to absorb response retransmissions.
 * @see RFC 3261 §17.1.2
 */
export class NonInviteClientTransaction extends ClientTransaction<NonInviteClientTransactionState> {
  private intervalE = 0;

  constructor(id: string, request: SipRequest, destination: Destination, handler: ClientTransactionHandler, context: TransactionContext) {
    super(id, request, destination, handler, context, 'Trying');
  }

  start(): void {
    // RFC 3261 §17.1.2.2: Timer F is set on every transport, Timer E on unreliable ones only.
    this.startTimer('timerF', 64 * this.timers.t1, () => this.timeout());
    if (!this.reliable) {
      this.intervalE = this.timers.t1;
      this.startTimer('timerE', this.intervalE, () => this.fireTimerE());
    }
    this.sendRequest();
  }

  receiveResponse(response: SipResponse, flow: Flow): void {
    switch (this.state) {
      case 'Trying':
      case 'Proceeding':
        if (response.status < 200) {
          this.setState('Proceeding');
          this.passUp(response, flow);
          return;
        }
        // RFC 3261 §17.1.2.2: a final response stops E and F, and Timer K absorbs its retransmissions.
        this.setState('Completed');
        this.stopTimer('timerE');
        this.stopTimer('timerF');
        this.passUp(response, flow);
        if (this.alive) {
          this.letGo();
          this.terminateAfter('timerK', this.reliable ? 0 : this.timers.t4);
        }
        return;
      default:
        // RFC 3261 §17.1.2.2: retransmitted responses are absorbed while Completed.
        return;
    }
  }

  private fireTimerE(): void {
    this.sendRequest();
    if (!this.alive) return;
    // RFC 3261 §17.1.2.2: Timer E doubles up to T2 in Trying and is T2 in Proceeding.
    this.intervalE = this.state === 'Proceeding' ? this.timers.t2 : Math.min(2 * this.intervalE, this.timers.t2);
    this.startTimer('timerE', this.intervalE, () => this.fireTimerE());
  }
}
