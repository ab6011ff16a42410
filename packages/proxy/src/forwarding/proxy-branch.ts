import { hash } from 'node:crypto';
import { BRANCH_COOKIE, type SipRequest, randomHex } from '@herald/sip';

/** The bytes of the loop hash a branch carries, as hex. */
export const LOOP_HASH_BYTES = 5;
const HASH_LENGTH = 2 * LOOP_HASH_BYTES;

/**
 * The part of a request that decides where it is routed, hashed: the same request coming
 * back with the same hash has looped; one whose Request-URI or Route was changed by the
 * element in between is spiralling.
 * @see RFC 3261 §16.6 step 8, §16.3 step 4
 */
export function loopHash(req: SipRequest): string {
  // One string, one update: each update is a call into the hash's native side.
  let text = `${req.uriText}\n${req.from.params.get('tag') ?? ''}\n${req.to.params.get('tag') ?? ''}\n${req.callId}\n${req.cseq.seq}`;
  if (hasLoopFields(req)) {
    for (const name of LOOP_FIELDS) {
      for (const v of req.headerValues(name)) text += `\n${v}`;
    }
  }
  // one-shot: no Hash object per forwarded request; same SHA-1 over the same UTF-8 bytes
  return hash('sha1', text, 'hex').slice(0, HASH_LENGTH);
}

/** The headers besides the request's identity that the loop hash covers, in the order it takes them. */
const LOOP_FIELDS = ['route', 'proxy-require', 'proxy-authorization'];

/** Whether any of `LOOP_FIELDS` is present: one pass over the lines, where most requests have none. */
function hasLoopFields(req: SipRequest): boolean {
  for (const h of req.headers) if (h.key === 'route' || h.key === 'proxy-require' || h.key === 'proxy-authorization') return true;
  return false;
}

/** A branch for one forwarded copy: the loop hash, then randomness that makes it unique. @see RFC 3261 §16.6 step 8 */
export function proxyBranch(hash: string): string {
  return `${BRANCH_COOKIE}${hash}.${randomHex(6)}`;
}

/** The loop hash a branch written by `proxyBranch` carries; `null` for any other branch. */
export function branchLoopHash(branch: string | null | undefined): string | null {
  if (!branch || !branch.startsWith(BRANCH_COOKIE) || branch.charCodeAt(BRANCH_COOKIE.length + HASH_LENGTH) !== 0x2e) return null;
  return branch.slice(BRANCH_COOKIE.length, BRANCH_COOKIE.length + HASH_LENGTH);
}
