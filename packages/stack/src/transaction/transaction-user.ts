import type { SipRequest, SipResponse } from '@herald/sip';
import type { ClientTransaction } from './client-transaction.js';
import type { Flow } from './flow.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { ServerTransaction } from './server-transaction.js';

/**
 * The transaction user (UAS core, proxy core) as the server side of the transaction layer
 * sees it. It never sees a retransmission.
 * @see RFC 3261 §17.2
 */
export interface TransactionUser {
  /**
   * A request that created a server transaction, once per transaction. An ACK that matches
   * no transaction (the ACK for a 2xx, its own transaction, RFC 3261 §17) arrives with
   * `tx = null` unless `onAck` is defined.
   */
  onRequest(tx: ServerTransaction | null, request: SipRequest, flow: Flow): void;
  /**
   * An ACK the transaction layer does not absorb: one that matches no transaction, or one that
   * matches an INVITE server transaction in Accepted (RFC 6026 §7.1). When absent these go to
   * `onRequest` with `tx = null`.
   */
  onAck?(ack: SipRequest, flow: Flow, tx: InviteServerTransaction | null): void;
  /** A response that matches no client transaction. @see RFC 3261 §17.1.3, §18.1.2, RFC 6026 §8.9 */
  onStrayResponse?(response: SipResponse, flow: Flow): void;
  /** Timer H fired: the ACK for a non-2xx final response never came. @see RFC 3261 §17.2.1 */
  onTimeout?(tx: ServerTransaction): void;
  /** A response could not be sent; the transaction stays in its state. @see RFC 3261 §17.2.4, RFC 6026 §8.8 */
  onTransportError?(tx: ServerTransaction, error: Error): void;
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
