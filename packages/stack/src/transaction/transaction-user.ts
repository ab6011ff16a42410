import type { SipRequest, SipResponse } from '@herald/sip';
import type { Flow } from '../flow/flow.js';
import type { InviteServerTransaction } from './invite-server-transaction.js';
import type { ServerTransaction, ServerTransactionUser } from './server-transaction.js';

/**
 * The transaction user (UAS core, proxy core) as the server side of the transaction layer
 * sees it. It never sees a retransmission.
 * @see RFC 3261 §17.2
 */
export interface TransactionUser extends ServerTransactionUser {
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
}
