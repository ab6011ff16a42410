import { hash } from 'node:crypto';
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
import { AlgorithmOffer, type AlgorithmOfferPolicy } from './algorithm-offer.js';
import { DEFAULT_DIGEST_POLICY, type DigestLimits } from './digest-policy.js';
import { FailureLimits } from './failure-limits.js';
import type { NonceService } from './nonce-service.js';

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
export interface DigestAuthenticatorOptions extends Partial<AlgorithmOfferPolicy & { checkDigestUri: boolean }> {
  identity: LocalIdentity;
  users: UserStore;
  authState: AuthStateStore;
  nonces: NonceService;
  clock: { now(): number };
  limits?: Partial<DigestLimits>;
  logger?: DigestAuthLogger;
  /**
   * How long a retransmitted REGISTER may show its nonce count again, ms: Timer F, 64·T1
   * (RFC 3261 §17.1.2.2), the longest its client retransmits; default 64 × 500.
   */
  retransmissionWindowMs?: number;
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
 * `SIP_ERR_AUTH_BLOCKED` (403 past the {@link FailureLimits}), `SIP_ERR_AUTH_MALFORMED` (400).
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
  private readonly failures: FailureLimits;
  private readonly nonces: NonceService;
  private readonly clock: { now(): number };
  private readonly algorithms: readonly DigestAlgorithm[];
  private readonly checkDigestUri: boolean;
  private readonly retransmissionWindowMs: number;
  private readonly logger: DigestAuthLogger | undefined;
  private readonly onFailure: ((reason: DigestFailureReason) => void) | undefined;
  private readonly onSuccess: ((user: AuthenticatedUser, algorithm: DigestAlgorithm) => void) | undefined;
  private readonly offer: AlgorithmOffer;
  /** `", algorithm=X, qop=\"auth\""` per algorithm of each list the offer hands out, built once. */
  private readonly tails: ReadonlyMap<readonly DigestAlgorithm[], readonly string[]>;

  constructor(o: DigestAuthenticatorOptions) {
    this.identity = o.identity;
    this.users = o.users;
    this.authState = o.authState;
    this.nonces = o.nonces;
    this.clock = o.clock;
    const d = DEFAULT_DIGEST_POLICY;
    this.algorithms = o.algorithms ?? d.algorithms;
    this.checkDigestUri = o.checkDigestUri ?? d.checkDigestUri;
    this.retransmissionWindowMs = o.retransmissionWindowMs ?? RETRANSMISSION_WINDOW_MS;
    const limits = { ...d.limits, ...o.limits };
    validate(this.algorithms, limits);
    this.failures = new FailureLimits(o.authState, limits, o.sleep ?? sleep, o.logger);
    this.logger = o.logger;
    this.onFailure = o.onFailure;
    this.onSuccess = o.onSuccess;
    this.offer = new AlgorithmOffer({
      algorithms: this.algorithms,
      sha256UserAgents: o.sha256UserAgents ?? d.sha256UserAgents,
      sha256Domains: o.sha256Domains ?? d.sha256Domains,
      md5OnlyUserAgents: o.md5OnlyUserAgents ?? d.md5OnlyUserAgents,
    });
    const tailsOf = (list: readonly DigestAlgorithm[]) => list.map((a) => `", algorithm=${a}, qop="auth"`);
    this.tails = new Map([
      [this.offer.all, tailsOf(this.offer.all)],
      [this.offer.md5, tailsOf(this.offer.md5)],
    ]);
  }

  process(ctx: RequestContext): 'continue' | Promise<'continue'> {
    const req = ctx.req;
    const method = req.method;
    // RFC 3261 §22.1: ACK and CANCEL cannot be resubmitted, so they are never challenged.
    if (method === 'ACK' || method === 'CANCEL' || ctx.authenticated !== null) return 'continue';
    let realm: string | null = null;
    let proxy = false;
    if (method === 'REGISTER') realm = this.identity.registrationDomain(req);
    // RFC 3261 §26.3.2.4: the REGISTER challenge is sent statelessly, as is every answer of
    // this step to a REGISTER that counts no failure: processed again, a retransmission gets
    // the same answer (its nonce count is let through again, below).
    if (realm !== null) ctx.statelessAnswer = true;
    if (realm === null) {
      // A From of ours in any spelling (a trailing dot, Herald's own address) must authenticate too.
      realm = this.identity.senderDomain(req.from.uri);
      if (realm === null) return 'continue';
      proxy = true;
    }
    const credentials = credentialsFor(proxy ? req.proxyAuthorization : req.authorization, realm);
    // A request without credentials is the normal first step, not a failure.
    const c: Challengeable = { req, proxy, realm, now: this.clock.now() };
    if (credentials === undefined) throw this.challenge(c, false);
    return this.verify(ctx, credentials, c);
  }

  /** RFC 7616 §3.4 / RFC 3261 §22.4: checks credentials whose realm is ours. */
  private async verify(ctx: RequestContext, credentials: AuthHeader, c: Challengeable): Promise<'continue'> {
    const { req, realm, now } = c;
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
      return this.reject('unsupported-algorithm', c, username);
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
    if (nonceStatus === 'invalid') return this.reject('invalid-nonce', c, username);

    // RFC 7616 §3.4.6: the digest-uri must name the resource of the request.
    if (this.checkDigestUri && uri.trim() !== req.uriText.trim()) {
      this.failed('uri-mismatch', username, realm);
      throw new SipError(400, 'Digest URI Mismatch', 'SIP_ERR_AUTH_MALFORMED');
    }

    const [attempt, record] = await Promise.all([
      this.failures.begin(ctx.flow.remoteAddress, username + '@' + realm, now),
      this.users.get(username, realm),
    ]);
    if (this.failures.blocks(attempt)) {
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
      this.failed(stored ? 'wrong-password' : 'unknown-user', username, realm);
      // A counted failure keeps its transaction (Timer J), so that a retransmission reaching
      // this worker is answered from it rather than counted again.
      ctx.statelessAnswer = false;
      await this.failures.failed(attempt, now);
      throw this.challenge(c, false);
    }

    // RFC 7616 §3.3: stale=true tells the client its password was right, only the nonce old.
    if (nonceStatus === 'stale') {
      this.failed('stale-nonce', username, realm);
      throw this.challenge(c, true);
    }

    // RFC 7616 §3.4 nc, §5.4: nc must grow per nonce; without qop a nonce is good for one request.
    const repeat = c.proxy ? undefined : { request: retransmissionId(ctx), windowMs: this.retransmissionWindowMs };
    const advanced = await this.authState.advanceNonceCount(nonce, nc, this.nonces.expiresAt(nonce), now, repeat);
    if (!advanced) return this.reject('replay', c, username);
    // The same bytes again: whatever the first did stands, and this one may change nothing (a
    // byte-for-byte copy replayed after a later request removed its binding would restore it).
    if (advanced === 'repeated') ctx.retransmitted = true;

    const clearing = this.failures.succeeded(attempt);
    if (clearing !== undefined) await clearing;
    const user: AuthenticatedUser = { user: record!.user, domain: record!.domain, aor: accountAor(record!.user, record!.domain) };
    ctx.authenticated = user;
    this.onSuccess?.(user, algorithm);
    return 'continue';
  }

  /** A fresh challenge for an answer that proves nothing about the password. */
  private reject(reason: DigestFailureReason, c: Challengeable, username: string): never {
    this.failed(reason, username, c.realm);
    throw this.challenge(c, false);
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
   * RFC 7616 §3.3 / RFC 8760 §2.3: one challenge per algorithm the client is offered (see
   * {@link AlgorithmOffer}), most preferred first, one nonce for all.
   */
  private challenge({ req, proxy, realm, now }: Challengeable, stale: boolean): SipError {
    const head = 'Digest realm="' + realm + '", nonce="' + this.nonces.issue(realm, now);
    const name = proxy ? 'Proxy-Authenticate' : 'WWW-Authenticate';
    const tails = this.tails.get(this.offer.for(req.header('user-agent'), realm))!;
    const headers: (readonly [string, string])[] = [];
    for (const tail of tails) headers.push([name, stale ? head + tail + ', stale=true' : head + tail]);
    return proxy
      ? new SipError(407, 'Proxy Authentication Required', 'SIP_ERR_AUTH_CHALLENGE', headers)
      : new SipError(401, 'Unauthorized', 'SIP_ERR_AUTH_CHALLENGE', headers);
  }
}

/** A request that is challenged, or verified and challenged again: 401 or 407 (`proxy`) for `realm`. */
interface Challengeable {
  req: SipRequest;
  proxy: boolean;
  realm: string;
  now: number;
}

/**
 * RFC 3261 §17.1.2.2: a client retransmits a non-INVITE request for at most Timer F,
 * 64·T1 = 32 s with the default T1. A REGISTER answered statelessly whose 200 was lost comes
 * back within it with the same nc; as long, its nonce count is let through again (and only for it).
 */
const RETRANSMISSION_WINDOW_MS = 64 * 500;

/**
 * What only a retransmission of the request shares with it (RFC 3261 §17.1.2.2: the same
 * request, sent again from the same place): a hash of its source, every header line and
 * its body. The digest covers neither Contact nor Expires nor the source, so an identity
 * of Call-ID, CSeq and branch alone would let whoever saw the REGISTER reuse its nc within
 * the window with a Contact, or a flow (RFC 5626), of their own. A byte-for-byte replay from
 * the same address is answered as the retransmission would be (the registrar changes
 * nothing for the same Call-ID and CSeq, §10.3 step 7); after the window it is refused.
 */
function retransmissionId(ctx: RequestContext): string {
  const { req, flow } = ctx;
  let text = flow.transport + ' ' + flow.remoteAddress + ' ' + flow.remotePort + '\n' + req.startLine();
  for (const h of req.headers) text += '\n' + h.key + ':' + h.value;
  return hash('sha256', req.body.length === 0 ? text + '\n\n' : text + '\n\n' + req.body.toString('latin1'), 'base64');
}

/** HA1 stand-ins for an unknown user: the right length, matching no password anyone can know. */
const NO_HA1_MD5 = '0'.repeat(32);
const NO_HA1_SHA256 = '0'.repeat(64);

/** The Digest credentials for `realm`; credentials for other realms belong to other proxies (RFC 3261 §22.3). */
function credentialsFor(list: readonly AuthHeader[], realm: string): AuthHeader | undefined {
  for (const h of list) {
    if (h.params.get('realm') === realm && isDigest(h.scheme)) return h;
  }
  return undefined;
}

/** RFC 3261 §25.1: the scheme is a token, compared ignoring case; `Digest` as written by nearly every client needs no lowering. */
function isDigest(scheme: string): boolean {
  return scheme === 'Digest' || scheme.toLowerCase() === 'digest';
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
