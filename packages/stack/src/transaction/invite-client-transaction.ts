import { type Header, SipRequest, type SipResponse } from '@herald/sip';
import { ClientTransaction, type ClientTransactionHandler } from './client-transaction.js';
import type { Destination, Flow } from '../flow/flow.js';
import type { TransactionContext } from './transaction.js';
import type { InviteClientTransactionState } from './transaction-state.js';

/**
 * Sends an INVITE: Calling → Proceeding → Completed (non-2xx, ACKed here) or Accepted (2xx,
 * ACKed by the TU) → Terminated, with Timer A retransmissions and Timer B for the timeout.
 * @see RFC 3261 §17.1.1, RFC 6026 §7.2, §8.4
 */
export class InviteClientTransaction extends ClientTransaction<InviteClientTransactionState> {
  private intervalA = 0;
  /** The ACK for the non-2xx final response (serialised), sent again for each retransmission of it. */
  private ack: Buffer | null = null;

  constructor(id: string, request: SipRequest, destination: Destination, handler: ClientTransactionHandler, context: TransactionContext) {
    super(id, request, destination, handler, context, 'Calling');
  }

  start(): void {
    // RFC 3261 §17.1.1.2: Timer B on every transport, Timer A on unreliable ones only.
    this.startTimer('timerB', 64 * this.timers.t1, () => this.timeout());
    if (!this.reliable) {
      this.intervalA = this.timers.t1;
      this.startTimer('timerA', this.intervalA, () => this.fireTimerA());
    }
    this.sendRequest();
  }

  receiveResponse(response: SipResponse, flow: Flow): void {
    const status = response.status;
    switch (this.state) {
      case 'Calling':
      case 'Proceeding':
        // RFC 3261 §17.1.1.2: no more retransmissions once anything is heard, and Timer B
        // only matters in Calling.
        this.stopTimer('timerA');
        this.stopTimer('timerB');
        if (status < 200) {
          this.setState('Proceeding');
          this.passUp(response, flow);
        } else if (status < 300) {
          // RFC 6026 §8.4: a 2xx moves to Accepted; Timer M lets later 2xx (retransmissions,
          // other forks) reach the TU, which ACKs them.
          this.setState('Accepted');
          this.terminateAfter('timerM', 64 * this.timers.t1);
          this.passUp(response, flow);
        } else {
          this.setState('Completed');
          this.passUp(response, flow);
          if (!this.alive) return;
          this.ack = this.createAck(response).toBuffer();
          this.transmit(this.ack, this.destination);
          if (!this.alive) return;
          // Completed only ACKs retransmitted finals again, with the bytes above.
          this.letGo();
          this.terminateAfter('timerD', this.reliable ? 0 : this.timers.timerD);
        }
        return;
      case 'Completed':
        // RFC 3261 §17.1.1.2: a retransmitted final response is ACKed again, not passed up.
        if (status >= 300 && this.ack) this.transmit(this.ack, this.destination);
        return;
      case 'Accepted':
        // RFC 6026 §8.4: every 2xx goes to the TU; the transaction never ACKs a 2xx.
        if (status >= 200 && status < 300) this.passUp(response, flow);
        return;
      default:
        return;
    }
  }

  private fireTimerA(): void {
    this.sendRequest();
    if (!this.alive) return;
    // RFC 3261 §17.1.1.2: Timer A doubles each time, with no cap (Timer B ends it).
    this.intervalA *= 2;
    this.startTimer('timerA', this.intervalA, () => this.fireTimerA());
  }

  /**
   * The ACK for a non-2xx final response: Request-URI, Call-ID, From, CSeq number, Route set
   * and top Via of the INVITE, the To of the response.
   * @see RFC 3261 §17.1.1.3
   */
  private createAck(response: SipResponse): SipRequest {
    const invite = this.request;
    const headers: Header[] = [];
    let sawVia = false;
    let sawMaxForwards = false;
    for (const h of invite.headers) {
      switch (h.key) {
        case 'via':
          if (!sawVia) headers.push({ name: 'Via', key: 'via', value: invite.headerValues('via')[0] });
          sawVia = true;
          break;
        case 'to': {
          const to = response.headers.find((r) => r.key === 'to');
          if (to) headers.push(to);
          break;
        }
        case 'cseq':
          headers.push({ name: 'CSeq', key: 'cseq', value: `${invite.cseq.seq} ACK` });
          break;
        case 'max-forwards':
          sawMaxForwards = true;
          headers.push(h);
          break;
        case 'call-id':
        case 'from':
        case 'route':
          headers.push(h);
          break;
        default:
          break;
      }
    }
    // RFC 3261 §8.1.1.6: every request carries Max-Forwards.
    if (!sawMaxForwards) headers.push({ name: 'Max-Forwards', key: 'max-forwards', value: '70' });
    return new SipRequest('ACK', invite.uriText, headers, Buffer.alloc(0));
  }
}
