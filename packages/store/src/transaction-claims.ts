/**
 * Which worker holds a SIP transaction. Workers of one node share their UDP socket, so the
 * kernel may hand a retransmission, or the CANCEL or ACK of an INVITE, to another worker
 * than the one holding the transaction; the first worker to see a request claims it here,
 * and a worker that finds another's claim hands the request over.
 * @see docs/architecture.md (Workers)
 */
export interface TransactionClaims {
  /** Claims `key` for `owner` for `ttlMs` unless someone holds it; resolves to the holder (`owner` when claimed). */
  claim(key: string, owner: string, ttlMs: number, now: number): Promise<string>;
  /** The holder of `key`, or `null` when nobody holds it. */
  holder(key: string, now: number): Promise<string | null>;
}
