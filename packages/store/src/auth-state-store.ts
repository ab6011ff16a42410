/**
 * What digest authentication must share across workers and nodes: the nonce-counts seen
 * (replay protection) and failure counters (brute-force limits). Soft state.
 * @see RFC 7616 §3.4, §5.4
 */
export interface AuthStateStore {
  /**
   * Records `nc` for `nonce` when it is larger than every nc seen for that nonce so far.
   * @param expiresAt when the nonce itself expires, ms since the epoch (the record goes then).
   * @returns false for a replay: nc not larger than one already seen.
   */
  advanceNonceCount(nonce: string, nc: number, expiresAt: number, now: number): Promise<boolean>;
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
