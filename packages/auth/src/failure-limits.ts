import type { AuthStateStore } from '@herald/store';
import type { DigestLimits } from './digest-policy.js';

/** Longest slow-down of one answer. */
const MAX_DELAY_MS = 5_000;

export interface FailureLimitsLogger {
  warn(msg: string, meta?: Record<string, unknown>): void;
}

/** The failure counters of one attempt: a source address answering for an account (`user@realm`). */
export interface Attempt {
  /** `src:ADDRESS`: every failure from the address, for any account. */
  readonly sourceKey: string;
  /** `user:USER@REALM`: every failure for the account, from any address. */
  readonly userKey: string;
  /** `src-user:ADDRESS|USER@REALM`: the address's failures for the account. */
  readonly pairKey: string;
  /** The three counts when the attempt began, in that order. */
  readonly counts: readonly [number, number, number];
}

/**
 * Brute-force limits of digest authentication, counted in the `AuthStateStore` so that they
 * hold across workers and nodes.
 *
 * - A source with `maxFailuresPerSource` failures (any accounts) is refused.
 * - An account with `maxFailuresPerUser` failures (any sources) is refused to the sources
 *   that failed for it, and only to them: a source with no failure for it still has its
 *   answer checked, so a stranger's guesses cannot lock the owner out. Past the limit every
 *   new source gets one guess before it is refused too.
 * - Past `slowAfter` failures of the source or the account, each failure's answer waits.
 */
export class FailureLimits {
  constructor(
    private readonly store: AuthStateStore,
    private readonly limits: DigestLimits,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly logger?: FailureLimitsLogger,
  ) {}

  /** Reads the counters of `address` answering for `account` (`user@realm`). */
  begin(address: string, account: string, now: number): Promise<Attempt> {
    const sourceKey = 'src:' + address;
    const userKey = 'user:' + account;
    const pairKey = 'src-user:' + address + '|' + account;
    return this.store.failuresOf([sourceKey, userKey, pairKey], now).then((counts) => ({ sourceKey, userKey, pairKey, counts: [counts[0], counts[1], counts[2]] }));
  }

  /** Whether the attempt is refused without looking at its answer. */
  blocks(attempt: Attempt): boolean {
    const [bySource, byUser, byPair] = attempt.counts;
    return bySource >= this.limits.maxFailuresPerSource || (byUser >= this.limits.maxFailuresPerUser && byPair > 0);
  }

  /** Counts a wrong password (or unknown user) and, past `slowAfter`, waits before the caller answers. */
  async failed(attempt: Attempt, now: number): Promise<void> {
    const { windowMs, maxFailuresPerSource, maxFailuresPerUser, slowAfter, slowDelayMs } = this.limits;
    const [bySource, byUser] = await Promise.all([
      this.store.addFailure(attempt.sourceKey, windowMs, now),
      this.store.addFailure(attempt.userKey, windowMs, now),
      this.store.addFailure(attempt.pairKey, windowMs, now),
    ]);
    if (this.logger !== undefined) {
      if (bySource === maxFailuresPerSource) this.logger.warn('authentication blocked for a source', { key: attempt.sourceKey, windowMs });
      if (byUser === maxFailuresPerUser) this.logger.warn('authentication blocked for a user, at the sources that failed for it', { key: attempt.userKey, windowMs });
    }
    const over = Math.max(bySource, byUser) - slowAfter;
    if (over > 0) await this.sleep(Math.min(MAX_DELAY_MS, slowDelayMs * over));
  }

  /**
   * Forgets the source's failures for the account once it has proved the password. The
   * account's count stays until its window ends: clearing it would hand an attacker a new
   * set of guesses each time the owner's phone registers. `undefined` when there is
   * nothing to forget, so that the common success waits for nothing.
   */
  succeeded(attempt: Attempt): Promise<void> | undefined {
    return attempt.counts[2] > 0 ? this.store.clearFailures(attempt.pairKey) : undefined;
  }
}
