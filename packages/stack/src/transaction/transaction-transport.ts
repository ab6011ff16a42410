import type { SipMessage } from '@herald/sip';
import type { Destination, Flow } from '../flow/flow.js';

/**
 * What the transaction layer needs of the transport layer. A transaction serialises each
 * message once and keeps the bytes, so that a retransmission (Timers A, E, G, or a response
 * sent again for a retransmitted request) costs one send and no serialisation.
 * @see RFC 3261 §17.1.4, §17.2.4, §18
 */
export interface TransactionTransport {
  /**
   * Where the responses to a request received on `flow` go: back on the flow while its
   * connection is open, else to the top Via's received/rport or sent-by. `message` is the
   * request or one of its responses (they carry the same top Via). Throws when the Via
   * names nowhere to send to.
   * @see RFC 3261 §18.2.2, RFC 3581 §4
   */
  responseDestination(message: SipMessage, flow: Flow): Destination;
  /**
   * Sends one serialised message. Never throws: a failure, now or later, is passed to
   * `onError` (at most once).
   */
  transmit(data: Buffer, destination: Destination, onError: (error: Error) => void): void;
}
