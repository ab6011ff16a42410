/**
 * The one request that may use a nonce count again: the request that recorded it,
 * retransmitted, while its client may still be retransmitting it.
 * @see RFC 3261 §17.1.2.2 (Timer F), docs/architecture.md "Stateless REGISTER answers"
 */
export interface NonceCountRepeat {
  /** What tells the request apart (a hash of its source, headers and body): equal only for the same request. */
  request: string;
  /** How long after the count was recorded the same request may show it again, ms. */
  windowMs: number;
}

/**
 * What digest authentication must share across workers and nodes: the nonce-counts seen
 * (replay protection) and failure counters (brute-force limits). Soft state.
 * @see RFC 7616 §3.4, §5.4
 */
export interface AuthStateStore {
  /**
   * Records `nc` for `nonce` when it is larger than every nc seen for that nonce so far.
   * With `repeat`, the request that recorded the largest nc may show it again, within
   * `repeat.windowMs` of recording it (a retransmission answered statelessly); the record is
   * left as it was.
   * @param expiresAt when the nonce itself expires, ms since the epoch (the record goes then).
   * @returns true when `nc` was recorded; `'repeated'` for the repeat `repeat` allows (the
   * request was let through already: whoever acts on it must change nothing the first did
   * not); false for a replay: nc not larger than one already seen, and not the repeat allowed.
   */
  advanceNonceCount(nonce: string, nc: number, expiresAt: number, now: number, repeat?: NonceCountRepeat): Promise<boolean | 'repeated'>;
  /**
   * Adds one failure to `key` (`src:198.51.100.7`, `user:alice@example.com`) in a window
   * of `windowMs` that starts with the first failure.
   * @returns the failures counted in the current window, this one included.
   */
  addFailure(key: string, windowMs: number, now: number): Promise<number>;
  /** Failures counted for `key` in its current window (0 when none or expired). */
  failures(key: string, now: number): Promise<number>;
  /**
   * Failure counts of several keys in one round trip, in the order given. The
   * authenticator asks for the source and the user together.
   */
  failuresOf(keys: readonly string[], now: number): Promise<number[]>;
  clearFailures(key: string): Promise<void>;
  /**
   * The secret every worker and node signs nonces with: the one stored, or `candidate`
   * when none is stored yet (the first caller's candidate wins).
   */
  sharedSecret(candidate: string): Promise<string>;
}
