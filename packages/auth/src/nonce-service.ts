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
  /** The nonce being issued, and the one being checked: every call fills them anew, synchronously. */
  private readonly issued = Buffer.allocUnsafe(NONCE_BYTES);
  private readonly issuedSigned = this.issued.subarray(0, SIGNED_BYTES);
  private readonly received = Buffer.allocUnsafe(NONCE_BYTES);
  private readonly receivedSigned = this.received.subarray(0, SIGNED_BYTES);
  private readonly receivedMac = this.received.subarray(SIGNED_BYTES);

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
    const buf = this.issued;
    writeTime(buf, Math.floor(now));
    // Random bytes come from a pool refilled 512 nonces at a time: one getrandom call per pool.
    if (this.poolAt === POOL_SIZE) {
      randomFillSync(this.pool);
      this.poolAt = 0;
    }
    this.pool.copy(buf, TIME_BYTES, this.poolAt, this.poolAt + RANDOM_BYTES);
    this.poolAt += RANDOM_BYTES;
    this.secrets[0].hmac.mac(this.issuedSigned, realm).copy(buf, SIGNED_BYTES, 0, MAC_BYTES);
    return buf.toString('base64url');
  }

  /** Whether `nonce` was issued by a node sharing the secret, for `realm`, and is still fresh at `now`. */
  check(nonce: string, realm: string, now: number): NonceStatus {
    const buf = this.received;
    if (!decodeInto(nonce, buf)) return 'invalid';
    if (!this.signedWithOurSecret(realm)) return 'invalid';
    const issuedAt = readTime(buf);
    if (issuedAt > now + this.maxClockSkewMs) return 'invalid';
    return now - issuedAt >= this.lifetimeMs ? 'stale' : 'valid';
  }

  /**
   * When `nonce` stops being accepted, ms since the epoch; the nonce-count record for it
   * can go then. `NaN` for text that is no nonce of this service.
   */
  expiresAt(nonce: string): number {
    return decodeInto(nonce, this.received) ? readTime(this.received) + this.lifetimeMs : NaN;
  }

  /** Whether the MAC of the nonce in `received` is that of one of our secrets for `realm`. */
  private signedWithOurSecret(realm: string): boolean {
    for (const secret of this.secrets) {
      if (timingSafeEqual(secret.hmac.mac(this.receivedSigned, realm).subarray(0, MAC_BYTES), this.receivedMac)) return true;
    }
    return false;
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

/** The value of each base64url character (RFC 4648 §5) by char code, -1 for any other. */
const BASE64URL = new Int8Array(128).fill(-1);
for (const [i, c] of [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].entries()) BASE64URL[c.charCodeAt(0)] = i;

/**
 * Decodes the 32 bytes of a nonce into `into`; false for text that is none. Only the one
 * text that encodes the bytes is accepted: every character of the base64url alphabet
 * (Node's decoder would skip others, and take `+` and `/` too) and the last character's two
 * spare bits zero. Otherwise several texts would name one nonce and each would get its own
 * nonce-count.
 */
function decodeInto(nonce: string, into: Buffer): boolean {
  if (nonce.length !== NONCE_LENGTH) return false;
  for (let i = 0; i < NONCE_LENGTH; i++) {
    const c = nonce.charCodeAt(i);
    if (c >= 128 || BASE64URL[c] < 0) return false;
  }
  // 43 characters carry 258 bits for 256.
  if ((BASE64URL[nonce.charCodeAt(NONCE_LENGTH - 1)] & 3) !== 0) return false;
  return into.write(nonce, 'base64url') === NONCE_BYTES;
}

const TWO_TO_32 = 2 ** 32;

/** Writes a time in ms (a non-negative integer) as the 8-byte big-endian issue time. */
function writeTime(buf: Buffer, ms: number): void {
  const high = Math.floor(ms / TWO_TO_32);
  buf.writeUInt32BE(high, 0);
  buf.writeUInt32BE(ms - high * TWO_TO_32, 4);
}

function readTime(buf: Buffer): number {
  return buf.readUInt32BE(0) * TWO_TO_32 + buf.readUInt32BE(4);
}
