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

/** A branch parameter unique in space and time (RFC 3261 §8.1.1.7). */
export function newBranch(): string {
  return BRANCH_COOKIE + randomHex(10);
}

export function newCallId(host?: string): string {
  return host ? `${randomHex(12)}@${host}` : randomHex(16);
}
