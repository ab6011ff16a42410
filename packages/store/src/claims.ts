/**
 * Who holds a piece of work, for a while: the worker holding a SIP transaction (workers of
 * one node share their UDP socket, so a retransmission or CANCEL may reach another worker,
 * which hands it over), or the worker delivering a user's stored messages. A claim is
 * taken when free or already the claimant's (then renewed), and ends when released or
 * when its time runs out.
 * @see docs/architecture.md (Workers; Instant messages)
 */
export interface Claims {
  /** Claims `key` for `owner` for `ttlMs` unless another holds it; resolves to the holder (`owner` when claimed or renewed). */
  claim(key: string, owner: string, ttlMs: number, now: number): Promise<string>;
  /** The holder of `key`, or `null` when nobody holds it. */
  holder(key: string, now: number): Promise<string | null>;
  /** Ends `owner`'s claim on `key`; another's claim stays. */
  release(key: string, owner: string): Promise<void>;
}
