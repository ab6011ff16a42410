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
   * Failures for one account (`user@realm`), from all sources together, after which the
   * sources that failed for it are answered 403 until the window ends. A source with no
   * failure for the account still has its answer checked, so a stranger guessing a
   * password cannot lock its owner out; once over the limit, each further source gets one
   * guess. Default 10: a phone with a stale password retries a few times per re-register.
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

/**
 * User-Agent substrings (compared ignoring case) of clients known to answer an RFC 8760
 * challenge list correctly, checked against their sources: Linphone on every platform
 * (liblinphone over belle-sip; belle-sip 4.3 and later answers each challenge it can,
 * belle-sip 1.x the last one, MD5 in Herald's order) and other belle-sip clients that keep
 * the stack's "(belle-sip/x.y.z)" product.
 */
export const DEFAULT_SHA256_USER_AGENTS: readonly string[] = Object.freeze(['Linphone', 'belle-sip/']);

/**
 * How local users are authenticated (`auth:` in the configuration), times in ms.
 * @see RFC 3261 §22, RFC 7616 §3.3–§3.4, RFC 8760
 */
export interface DigestPolicy {
  /**
   * Algorithms accepted, most preferred first. Clients that choose by RFC 8760 §2.4 (see
   * `sha256UserAgents`, `sha256Domains`) are offered all of them, one challenge header each,
   * in this order; every other client is offered the MD5 ones alone (all of them when none
   * is MD5). @see RFC 8760 §2.3
   */
  algorithms: readonly DigestAlgorithm[];
  /**
   * Whether the digest `uri` must equal the Request-URI (compared as text, trimmed), the
   * SHOULD of RFC 2617 §3.2.2.5. Load generators that sign another URI must be told which
   * one to use (SIPp: `-auth_uri`).
   */
  checkDigestUri: boolean;
  /** User-Agent substrings (ignoring case) of clients offered every algorithm: they pick the first they support. */
  sha256UserAgents: readonly string[];
  /** Realms (served domains) whose every client is offered every algorithm. */
  sha256Domains: readonly string[];
  /** User-Agent substrings (ignoring case) of clients offered MD5 alone whatever the two lists above say. */
  md5OnlyUserAgents: readonly string[];
  /** How long a nonce is accepted; an older one is answered with `stale=true`. @see RFC 7616 §3.3 */
  nonceLifetimeMs: number;
  limits: DigestLimits;
}

export const DEFAULT_DIGEST_POLICY: Readonly<DigestPolicy> = Object.freeze({
  algorithms: Object.freeze<DigestAlgorithm[]>(['SHA-256', 'MD5']),
  checkDigestUri: true,
  sha256UserAgents: DEFAULT_SHA256_USER_AGENTS,
  sha256Domains: Object.freeze<string[]>([]),
  md5OnlyUserAgents: Object.freeze<string[]>([]),
  nonceLifetimeMs: 300_000,
  limits: DEFAULT_DIGEST_LIMITS,
});
