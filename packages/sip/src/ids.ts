import { randomBytes } from 'node:crypto';

/** The magic cookie that starts every RFC 3261 branch (§8.1.1.7). */
export const BRANCH_COOKIE = 'z9hG4bK';

let pool = Buffer.alloc(0);
let offset = 0;

/** Random lower-case hex, drawn from a pooled buffer so hot paths do not call the CSPRNG each time. */
export function randomHex(bytes: number): string {
  if (offset + bytes > pool.length) {
    pool = randomBytes(4096);
    offset = 0;
  }
  const s = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return s;
}

/** A globally unique tag for From/To (RFC 3261 §19.3: at least 32 bits of randomness). */
export function newTag(): string {
  return randomHex(8);
}

/** This process's random half of every `requestTag`. */
const REQUEST_TAG_PREFIX = randomHex(4);

/** Two hex digits of each byte value: the hash is written without Number#toString's runtime call. */
const HEX_BYTE = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * A To tag that every copy of one request gets, so that a response sent without a
 * transaction carries the same tag each time the request is retransmitted (RFC 3261 §8.2.7):
 * 32 random bits of this process, then a hash of what identifies the request (`parts`: its
 * Call-ID, From, top Via and CSeq), hashed as if joined with `|` but without building that string.
 */
export function requestTag(parts: readonly string[]): string {
  // FNV-1a, 32 bits
  let h = 0x811c9dc5;
  for (let p = 0; p < parts.length; p++) {
    if (p > 0) h = Math.imul(h ^ 0x7c, 0x01000193);
    const s = parts[p];
    for (let i = 0; i < s.length; i++) {
      h ^= s.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
  }
  return REQUEST_TAG_PREFIX + HEX_BYTE[h >>> 24] + HEX_BYTE[(h >>> 16) & 0xff] + HEX_BYTE[(h >>> 8) & 0xff] + HEX_BYTE[h & 0xff];
}

/** A branch parameter unique in space and time (RFC 3261 §8.1.1.7). */
export function newBranch(): string {
  return BRANCH_COOKIE + randomHex(10);
}

export function newCallId(host?: string): string {
  return host ? `${randomHex(12)}@${host}` : randomHex(16);
}
