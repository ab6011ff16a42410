import { randomFillSync, timingSafeEqual } from 'node:crypto';
import { DEFAULT_DIGEST_POLICY } from './digest-policy.js';
import { HmacSha256 } from './hmac-sha256.js';

/** What `NonceService.check` found: ours and fresh, ours but expired, or not ours. */
export type NonceStatus = 'valid' | 'stale' | 'invalid';

export interface NonceServiceOptions {
  /** How long a nonce is accepted, in ms (default 300 000: five minutes). */
  lifetimeMs?: number;
  /**
   * How far in the future a nonce's issue time may lie, in ms (default 30 000), for
   * clocks of different nodes that disagree a little.
   */
  maxClockSkewMs?: number;
}

const TIME_BYTES = 8;
const RANDOM_BYTES = 8;
const MAC_BYTES = 16;
const SIGNED_BYTES = TIME_BYTES + RANDOM_BYTES;
const NONCE_BYTES = SIGNED_BYTES + MAC_BYTES;
/** base64url without padding of 32 bytes. */
const NONCE_LENGTH = Math.ceil((NONCE_BYTES * 4) / 3);
const POOL_SIZE = RANDOM_BYTES * 512;

/**
 * Stateless nonces that every worker and node can check without asking the others:
 * `base64url(issued-at ms, 8 bytes big-endian || 8 random bytes || HMAC-SHA256(secret,
 * those 16 bytes || realm) truncated to 16 bytes)`. Binding the realm keeps a nonce of
 * one domain from being answered in another; the issue time lets an expired nonce be told
 * apart from a forged one, so the client can be told `stale=true`.
 * @see RFC 7616 §3.3 (nonce, stale), §5.4 (limited-use nonce values)
 */
export class NonceService {
  readonly lifetimeMs: number;
  private readonly maxClockSkewMs: number;
  /** The secret nonces are issued with, then the one before it (still accepted). */
  private secrets: [Secret] | [Secret, Secret];
  private readonly pool = Buffer.allocUnsafe(POOL_SIZE);
  private poolAt = POOL_SIZE;

  constructor(secret: string | Buffer, options: NonceServiceOptions = {}) {
    this.secrets = [ourSecret(secret)];
    this.lifetimeMs = options.lifetimeMs ?? DEFAULT_DIGEST_POLICY.nonceLifetimeMs;
    this.maxClockSkewMs = options.maxClockSkewMs ?? 30_000;
    if (!(this.lifetimeMs > 0)) throw new RangeError('NonceService: lifetimeMs must be positive');
    if (!(this.maxClockSkewMs >= 0)) throw new RangeError('NonceService: maxClockSkewMs must not be negative');
  }

  /**
   * Issues nonces with `secret` from now on, and still accepts those of the secret it
   * replaces (until the next change), so that the clients challenged just before the
   * change are not refused: the workers learn a new shared secret one at a time.
   */
  useSecret(secret: string | Buffer): void {
    const next = ourSecret(secret);
    if (next.bytes.equals(this.secrets[0].bytes)) return;
    this.secrets = [next, this.secrets[0]];
  }

  /** A fresh nonce for `realm`, issued at `now` (ms since the epoch). */
  issue(realm: string, now: number): string {
    const buf = Buffer.allocUnsafe(NONCE_BYTES);
    buf.writeBigUInt64BE(BigInt(Math.floor(now)), 0);
    // Random bytes come from a pool refilled 512 nonces at a time: one getrandom call per pool.
    if (this.poolAt === POOL_SIZE) {
      randomFillSync(this.pool);
      this.poolAt = 0;
    }
    this.pool.copy(buf, TIME_BYTES, this.poolAt, this.poolAt + RANDOM_BYTES);
    this.poolAt += RANDOM_BYTES;
    this.mac(this.secrets[0], buf, realm).copy(buf, SIGNED_BYTES, 0, MAC_BYTES);
    return buf.toString('base64url');
  }

  /** Whether `nonce` was issued by a node sharing the secret, for `realm`, and is still fresh at `now`. */
  check(nonce: string, realm: string, now: number): NonceStatus {
    const buf = decode(nonce);
    if (buf === null) return 'invalid';
    if (!this.signedWithOurSecret(buf, realm)) return 'invalid';
    const issuedAt = Number(buf.readBigUInt64BE(0));
    if (issuedAt > now + this.maxClockSkewMs) return 'invalid';
    return now - issuedAt >= this.lifetimeMs ? 'stale' : 'valid';
  }

  /**
   * When `nonce` stops being accepted, ms since the epoch; the nonce-count record for it
   * can go then. `NaN` for text that is no nonce of this service.
   */
  expiresAt(nonce: string): number {
    const buf = decode(nonce);
    return buf === null ? NaN : Number(buf.readBigUInt64BE(0)) + this.lifetimeMs;
  }

  private signedWithOurSecret(buf: Buffer, realm: string): boolean {
    for (const secret of this.secrets) {
      if (timingSafeEqual(this.mac(secret, buf, realm).subarray(0, MAC_BYTES), buf.subarray(SIGNED_BYTES))) return true;
    }
    return false;
  }

  private mac(secret: Secret, buf: Buffer, realm: string): Buffer {
    return secret.hmac.mac(buf.subarray(0, SIGNED_BYTES), realm);
  }
}

/** A secret's bytes (to tell a change from a repeat) and its HMAC key, prepared once. */
interface Secret {
  bytes: Buffer;
  hmac: HmacSha256;
}

function ourSecret(secret: string | Buffer): Secret {
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret);
  if (bytes.length < 16) throw new RangeError('NonceService: the secret must be at least 16 bytes');
  return { bytes, hmac: new HmacSha256(bytes) };
}

/**
 * The 32 bytes of a nonce, or null. Decoding is lenient about characters and the last
 * character's spare bits, so the text must re-encode to itself: otherwise several texts
 * would name one nonce and each would get its own nonce-count.
 */
function decode(nonce: string): Buffer | null {
  if (nonce.length !== NONCE_LENGTH) return null;
  const buf = Buffer.from(nonce, 'base64url');
  if (buf.length !== NONCE_BYTES || buf.toString('base64url') !== nonce) return null;
  return buf;
}
