import type { DigestAlgorithm } from '@herald/sip';

/**
 * Brute-force limits. Counters live in the `AuthStateStore`, so they hold across every
 * worker and node; a window starts with its first failure and is not extended by later ones.
 */
export interface DigestLimits {
  /**
   * Failures from one source address before it is answered 403 until its window ends.
   * Default 50: a NAT or an enterprise SBC puts many users behind one address, and each
   * misconfigured phone among them retries on its own, so this must sit well above the
   * per-user limit; 50 in five minutes is still far too few for guessing a password.
   */
  maxFailuresPerSource: number;
  /**
   * Failures for one account (`user@realm`) before it is answered 403 until its window
   * ends. Default 10: a phone with a stale password retries a few times per re-register,
   * an attacker spread over many addresses gets 10 guesses per window. The cost is that
   * anyone can lock an account out for one window; the window is short for that reason.
   */
  maxFailuresPerUser: number;
  /** Length of a failure window in ms. Default 300 000: five minutes, one nonce lifetime. */
  windowMs: number;
  /**
   * Failures (of the source or the account, whichever has more) after which the challenge
   * that answers a failure is delayed. Default 3: a user mistyping a password is not
   * slowed, a script is.
   */
  slowAfter: number;
  /**
   * Delay per failure above `slowAfter`, in ms, capped at 5 s (below the 32 s of
   * Timer F, so a UDP client's transaction survives the wait). Default 500.
   */
  slowDelayMs: number;
}

export const DEFAULT_DIGEST_LIMITS: Readonly<DigestLimits> = Object.freeze({
  maxFailuresPerSource: 50,
  maxFailuresPerUser: 10,
  windowMs: 300_000,
  slowAfter: 3,
  slowDelayMs: 500,
});

/** User-Agent prefixes of clients seen to fail on a SHA-256 challenge (checked against each, see the tests). */
export const DEFAULT_MD5_ONLY_USER_AGENTS: readonly string[] = Object.freeze(['SIP.js', 'JsSIP', 'SIPp', 'baresip v0.', 'baresip v1.']);

/**
 * How local users are authenticated (`auth:` in the configuration), times in ms.
 * @see RFC 3261 §22, RFC 7616 §3.3–§3.4, RFC 8760
 */
export interface DigestPolicy {
  /**
   * Algorithms offered and accepted, most preferred first; one challenge header each, in
   * this order. @see RFC 8760 §2.3
   */
  algorithms: readonly DigestAlgorithm[];
  /**
   * Whether the digest `uri` must equal the Request-URI (compared as text, trimmed), the
   * SHOULD of RFC 2617 §3.2.2.5. Load generators that sign another URI must be told which
   * one to use (SIPp: `-auth_uri`).
   */
  checkDigestUri: boolean;
  /**
   * User-Agent prefixes of clients that know only MD5 and give up on a challenge list that
   * holds another algorithm (SIP.js, JsSIP, SIPp, baresip 1.x): they are offered MD5 alone.
   */
  md5OnlyUserAgents: readonly string[];
  /** How long a nonce is accepted; an older one is answered with `stale=true`. @see RFC 7616 §3.3 */
  nonceLifetimeMs: number;
  limits: DigestLimits;
}

export const DEFAULT_DIGEST_POLICY: Readonly<DigestPolicy> = Object.freeze({
  algorithms: Object.freeze<DigestAlgorithm[]>(['SHA-256', 'MD5']),
  checkDigestUri: true,
  md5OnlyUserAgents: DEFAULT_MD5_ONLY_USER_AGENTS,
  nonceLifetimeMs: 300_000,
  limits: DEFAULT_DIGEST_LIMITS,
});
