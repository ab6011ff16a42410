import type { AuthenticatedUser, LocalIdentity, RequestContext, RequestProcessor } from '@herald/proxy';
import {
  type AuthHeader,
  type DigestAlgorithm,
  type DigestQop,
  SipError,
  type SipRequest,
  digestResponse,
  isSessionAlgorithm,
  parseDigestAlgorithm,
  timingSafeEqualString,
} from '@herald/sip';
import { type AuthStateStore, type UserStore, accountAor } from '@herald/store';
import { DEFAULT_DIGEST_POLICY, type DigestLimits, type DigestPolicy } from './digest-policy.js';
import type { NonceService } from './nonce-service.js';

/** Longest slow-down of one answer. */
const MAX_DELAY_MS = 5_000;

/** Why a request with credentials was not authenticated, for metrics. */
export type DigestFailureReason =
  | 'malformed'
  | 'unsupported-algorithm'
  | 'invalid-nonce'
  | 'stale-nonce'
  | 'uri-mismatch'
  | 'unknown-user'
  | 'wrong-password'
  | 'replay'
  | 'blocked';

export interface DigestAuthLogger {
  isDebugEnabled(): boolean;
  debug(msg: string, meta?: Record<string, unknown>): void;
  warn(msg: string, meta?: Record<string, unknown>): void;
}

/** What the authenticator works with; the policy's parts default to {@link DEFAULT_DIGEST_POLICY}. */
export interface DigestAuthenticatorOptions extends Partial<Pick<DigestPolicy, 'algorithms' | 'checkDigestUri' | 'md5OnlyUserAgents'>> {
  identity: LocalIdentity;
  users: UserStore;
  authState: AuthStateStore;
  nonces: NonceService;
  clock: { now(): number };
  limits?: Partial<DigestLimits>;
  logger?: DigestAuthLogger;
  /** Waits before a slowed-down answer; default an unref'd `setTimeout`. Injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
  onFailure?: (reason: DigestFailureReason) => void;
  onSuccess?: (user: AuthenticatedUser, algorithm: DigestAlgorithm) => void;
}

/**
 * The digest authenticator: challenges REGISTERs for a served domain with 401 and other
 * requests from a served domain's users with 407, and sets `ctx.authenticated` when the
 * credentials check out.
 *
 * - REGISTER whose Request-URI is a served domain: realm = that domain, 401 and
 *   WWW-Authenticate / Authorization (RFC 3261 §22.2).
 * - Any other request except ACK and CANCEL (RFC 3261 §22.1) whose From is a served
 *   domain: realm = the From domain, 407 and Proxy-Authenticate / Proxy-Authorization
 *   (§22.3). Requests from other domains pass on untouched, as do requests that an
 *   earlier processor (a trusted peer) has already authenticated.
 *
 * Replies are thrown as `SipError`s: `SIP_ERR_AUTH_CHALLENGE` (401/407 with a fresh
 * challenge, also for an unknown user, a wrong password and a replay, alike),
 * `SIP_ERR_AUTH_BLOCKED` (403 after too many failures), `SIP_ERR_AUTH_MALFORMED` (400).
 * @see RFC 3261 §22, RFC 7616 §3.3–§3.4, RFC 8760
 */
export function digestAuthenticator(options: DigestAuthenticatorOptions): RequestProcessor {
  return new DigestAuthenticator(options);
}

class DigestAuthenticator implements RequestProcessor {
  readonly name = 'digest-authenticator';
  private readonly identity: LocalIdentity;
  private readonly users: UserStore;
  private readonly authState: AuthStateStore;
  private readonly nonces: NonceService;
  private readonly clock: { now(): number };
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly checkDigestUri: boolean;
  private readonly limits: DigestLimits;
  private readonly logger: DigestAuthLogger | undefined;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onFailure: ((reason: DigestFailureReason) => void) | undefined;
  private readonly onSuccess: ((user: AuthenticatedUser, algorithm: DigestAlgorithm) => void) | undefined;
  /** `", algorithm=X, qop=\"auth\""` per offered algorithm, built once. */
  private readonly challengeTails: string[];
  /** MD5 alone (when offered at all), for `md5OnlyUserAgents`. */
  private readonly md5OnlyTails: string[];
  private readonly md5OnlyUserAgents: readonly string[];

  constructor(o: DigestAuthenticatorOptions) {
    this.identity = o.identity;
    this.users = o.users;
    this.authState = o.authState;
    this.nonces = o.nonces;
    this.clock = o.clock;
    this.algorithms = o.algorithms ?? DEFAULT_DIGEST_POLICY.algorithms;
    this.checkDigestUri = o.checkDigestUri ?? DEFAULT_DIGEST_POLICY.checkDigestUri;
    this.limits = { ...DEFAULT_DIGEST_POLICY.limits, ...o.limits };
    this.logger = o.logger;
    this.sleep = o.sleep ?? sleep;
    this.onFailure = o.onFailure;
    this.onSuccess = o.onSuccess;
    validate(this.algorithms, this.limits);
    this.challengeTails = this.algorithms.map((a) => `", algorithm=${a}, qop="auth"`);
    this.md5OnlyTails = this.algorithms.includes('MD5') ? [`", algorithm=MD5, qop="auth"`] : this.challengeTails;
    this.md5OnlyUserAgents = o.md5OnlyUserAgents ?? DEFAULT_DIGEST_POLICY.md5OnlyUserAgents;
  }

  process(ctx: RequestContext): 'continue' | Promise<'continue'> {
    const req = ctx.req;
    const method = req.method;
    // RFC 3261 §22.1: ACK and CANCEL cannot be resubmitted, so they are never challenged.
    if (method === 'ACK' || method === 'CANCEL' || ctx.authenticated !== null) return 'continue';
    let realm: string | null = null;
    let proxy = false;
    if (method === 'REGISTER') realm = this.identity.registrationDomain(req);
    if (realm === null) {
      // A From of ours in any spelling (a trailing dot, Herald's own address) must authenticate too.
      realm = this.identity.senderDomain(req.from.uri);
      if (realm === null) return 'continue';
      proxy = true;
    }
    const credentials = credentialsFor(proxy ? req.proxyAuthorization : req.authorization, realm);
    // A request without credentials is the normal first step, not a failure.
    if (credentials === undefined) throw this.challenge(proxy, realm, false, this.clock.now(), this.tailsFor(req));
    return this.verify(ctx, credentials, realm, proxy);
  }

  /** RFC 7616 §3.4 / RFC 3261 §22.4: checks credentials whose realm is ours. */
  private async verify(ctx: RequestContext, credentials: AuthHeader, realm: string, proxy: boolean): Promise<'continue'> {
    const now = this.clock.now();
    const req = ctx.req;
    const tails = this.tailsFor(req);
    const p = credentials.params;
    const username = p.get('username');
    const nonce = p.get('nonce');
    const uri = p.get('uri');
    const response = p.get('response');
    if (!username) throw this.malformed('Missing Digest username');
    if (!nonce) throw this.malformed('Missing Digest nonce');
    if (!uri) throw this.malformed('Missing Digest uri');
    if (!response) throw this.malformed('Missing Digest response');

    const algorithm = parseDigestAlgorithm(p.get('algorithm'));
    if (algorithm === undefined || !this.algorithms.includes(algorithm)) {
      return this.reject('unsupported-algorithm', proxy, realm, now, username, tails);
    }

    // RFC 7616 §3.4: with qop, nc and cnonce are required; without it, the RFC 2069 form.
    const qopText = p.get('qop');
    let qop: DigestQop | null = null;
    let ncText: string | undefined;
    let nc = 1;
    const cnonce = p.get('cnonce');
    if (qopText !== undefined) {
      if (qopText !== 'auth' && qopText !== 'auth-int') throw this.malformed('Unsupported Digest qop');
      qop = qopText;
      ncText = p.get('nc');
      nc = parseNonceCount(ncText);
      if (nc <= 0) throw this.malformed('Bad Digest nc');
      if (!cnonce) throw this.malformed('Missing Digest cnonce');
    } else if (isSessionAlgorithm(algorithm) && !cnonce) {
      throw this.malformed('Missing Digest cnonce');
    }

    const nonceStatus = this.nonces.check(nonce, realm, now);
    if (nonceStatus === 'invalid') return this.reject('invalid-nonce', proxy, realm, now, username, tails);

    // RFC 7616 §3.4.6: the digest-uri must name the resource of the request.
    if (this.checkDigestUri && uri.trim() !== req.uriText.trim()) {
      this.failed('uri-mismatch', username, realm);
      throw new SipError(400, 'Digest URI Mismatch', 'SIP_ERR_AUTH_MALFORMED');
    }

    const srcKey = 'src:' + ctx.flow.remoteAddress;
    const userKey = 'user:' + username + '@' + realm;
    const [counts, record] = await Promise.all([
      this.authState.failuresOf([srcKey, userKey], now),
      this.users.get(username, realm),
    ]);
    const { maxFailuresPerSource, maxFailuresPerUser } = this.limits;
    if (counts[0] >= maxFailuresPerSource || counts[1] >= maxFailuresPerUser) {
      this.failed('blocked', username, realm);
      throw new SipError(403, 'Too Many Failed Authentications', 'SIP_ERR_AUTH_BLOCKED');
    }

    const md5 = algorithm === 'MD5' || algorithm === 'MD5-sess';
    const stored = record === undefined ? '' : md5 ? record.ha1Md5 : record.ha1Sha256;
    // An unknown user costs the same hashing as a wrong password, so neither stands out.
    const expected = digestResponse({
      algorithm,
      ha1: stored || (md5 ? NO_HA1_MD5 : NO_HA1_SHA256),
      method: req.method,
      uri,
      nonce,
      qop,
      nc: ncText,
      cnonce,
      body: req.body,
    });
    const match = timingSafeEqualString(expected, response.toLowerCase());
    if (!stored || !match) {
      return this.rejectCounted(stored ? 'wrong-password' : 'unknown-user', proxy, realm, now, username, srcKey, userKey, tails);
    }

    // RFC 7616 §3.3: stale=true tells the client its password was right, only the nonce old.
    if (nonceStatus === 'stale') {
      this.failed('stale-nonce', username, realm);
      throw this.challenge(proxy, realm, true, now, tails);
    }

    // RFC 7616 §3.4 nc, §5.4: nc must grow per nonce; without qop a nonce is good for one request.
    if (!(await this.authState.advanceNonceCount(nonce, nc, this.nonces.expiresAt(nonce), now))) {
      return this.reject('replay', proxy, realm, now, username, tails);
    }

    if (counts[1] > 0) await this.authState.clearFailures(userKey);
    const user: AuthenticatedUser = { user: record!.user, domain: record!.domain, aor: accountAor(record!.user, record!.domain) };
    ctx.authenticated = user;
    this.onSuccess?.(user, algorithm);
    return 'continue';
  }

  /** A fresh challenge for an answer that proves nothing about the password. */
  private reject(reason: DigestFailureReason, proxy: boolean, realm: string, now: number, username: string, tails: readonly string[]): never {
    this.failed(reason, username, realm);
    throw this.challenge(proxy, realm, false, now, tails);
  }

  /** A fresh challenge for a failed password check, counted and, past `slowAfter`, delayed. */
  private async rejectCounted(
    reason: DigestFailureReason,
    proxy: boolean,
    realm: string,
    now: number,
    username: string,
    srcKey: string,
    userKey: string,
    tails: readonly string[],
  ): Promise<never> {
    this.failed(reason, username, realm);
    const { windowMs, maxFailuresPerSource, maxFailuresPerUser, slowAfter, slowDelayMs } = this.limits;
    const [bySource, byUser] = await Promise.all([
      this.authState.addFailure(srcKey, windowMs, now),
      this.authState.addFailure(userKey, windowMs, now),
    ]);
    if (this.logger !== undefined) {
      if (bySource === maxFailuresPerSource) this.logger.warn('authentication blocked for a source', { key: srcKey, windowMs });
      if (byUser === maxFailuresPerUser) this.logger.warn('authentication blocked for a user', { key: userKey, windowMs });
    }
    const over = Math.max(bySource, byUser) - slowAfter;
    if (over > 0) await this.sleep(Math.min(MAX_DELAY_MS, slowDelayMs * over));
    throw this.challenge(proxy, realm, false, now, tails);
  }

  private failed(reason: DigestFailureReason, username: string, realm: string): void {
    this.onFailure?.(reason);
    if (this.logger?.isDebugEnabled()) this.logger.debug('digest authentication failed', { reason, username, realm });
  }

  private malformed(reason: string): SipError {
    this.onFailure?.('malformed');
    if (this.logger?.isDebugEnabled()) this.logger.debug('digest credentials malformed', { reason });
    return new SipError(400, reason, 'SIP_ERR_AUTH_MALFORMED');
  }

  /**
   * DEVIATION(RFC 8760 §2.3): SIP.js, JsSIP, SIPp and baresip 1.x know only MD5 and abandon the
   * authentication when the challenges include another algorithm, whatever the order, so
   * they are offered MD5 alone; everyone else gets every configured algorithm in order.
   */
  private tailsFor(req: SipRequest): readonly string[] {
    const agent = req.header('user-agent');
    if (agent === undefined || this.md5OnlyUserAgents.length === 0) return this.challengeTails;
    for (const prefix of this.md5OnlyUserAgents) if (agent.startsWith(prefix)) return this.md5OnlyTails;
    return this.challengeTails;
  }

  /** RFC 7616 §3.3 / RFC 8760 §2.3: one challenge per algorithm, most preferred first, one nonce for all. */
  private challenge(proxy: boolean, realm: string, stale: boolean, now: number, tails: readonly string[]): SipError {
    const head = 'Digest realm="' + realm + '", nonce="' + this.nonces.issue(realm, now);
    const name = proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const headers: (readonly [string, string])[] = [];
    for (const tail of tails) headers.push([name, stale ? head + tail + ', stale=true' : head + tail]);
    return proxy
      ? new SipError(407, 'Proxy Authentication Required', 'SIP_ERR_AUTH_CHALLENGE', headers)
      : new SipError(401, 'Unauthorized', 'SIP_ERR_AUTH_CHALLENGE', headers);
  }
}

/** HA1 stand-ins for an unknown user: the right length, matching no password anyone can know. */
const NO_HA1_MD5 = '0'.repeat(32);
const NO_HA1_SHA256 = '0'.repeat(64);

/** The Digest credentials for `realm`; credentials for other realms belong to other proxies (RFC 3261 §22.3). */
function credentialsFor(list: readonly AuthHeader[], realm: string): AuthHeader | undefined {
  for (const h of list) {
    if (h.params.get('realm') === realm && h.scheme.toLowerCase() === 'digest') return h;
  }
  return undefined;
}

/** nc = 8LHEX (RFC 7616 §3.4); -1 when it is not. */
function parseNonceCount(text: string | undefined): number {
  if (text === undefined || text.length !== 8) return -1;
  let n = 0;
  for (let i = 0; i < 8; i++) {
    const c = text.charCodeAt(i);
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x66 ? c - 0x57 : c >= 0x41 && c <= 0x46 ? c - 0x37 : -1;
    if (d < 0) return -1;
    n = n * 16 + d;
  }
  return n;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

const KNOWN_ALGORITHMS: ReadonlySet<string> = new Set(['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess']);

function validate(algorithms: readonly DigestAlgorithm[], limits: DigestLimits): void {
  if (algorithms.length === 0) throw new RangeError('digestAuthenticator: algorithms must not be empty');
  for (const a of algorithms) if (!KNOWN_ALGORITHMS.has(a)) throw new RangeError(`digestAuthenticator: unknown algorithm "${a}"`);
  if (new Set(algorithms).size !== algorithms.length) throw new RangeError('digestAuthenticator: algorithms repeat');
  for (const key of ['maxFailuresPerSource', 'maxFailuresPerUser', 'windowMs'] as const) {
    if (!Number.isInteger(limits[key]) || limits[key] < 1) throw new RangeError(`digestAuthenticator: limits.${key} must be a positive integer`);
  }
  for (const key of ['slowAfter', 'slowDelayMs'] as const) {
    if (!Number.isInteger(limits[key]) || limits[key] < 0) throw new RangeError(`digestAuthenticator: limits.${key} must be a non-negative integer`);
  }
}
