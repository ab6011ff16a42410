import type { SipMessage } from '@herald/sip';
import type { Destination } from './flow.js';

/**
 * What the transaction layer needs of the transport layer: send one message. A send that
 * fails throws or returns a rejected promise (a resolved value is ignored); either is a transport error.
 * @see RFC 3261 §17.1.4, §17.2.4, §18
 */
export interface TransactionTransport {
  send(message: SipMessage, destination: Destination): void | Promise<unknown>;
}
