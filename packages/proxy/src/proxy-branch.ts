import { createHash } from 'node:crypto';
import { BRANCH_COOKIE, type SipRequest, randomHex } from '@herald/sip';

const HASH_LENGTH = 10;

/**
 * The part of a request that decides where it is routed, hashed: the same request coming
 * back with the same hash has looped; one whose Request-URI or Route was changed by the
 * element in between is spiralling.
 * @see RFC 3261 §16.6 step 8, §16.3 step 4
 */
export function loopHash(req: SipRequest): string {
  const h = createHash('sha1');
  h.update(req.uriText);
  h.update('\n');
  h.update(req.from.params.get('tag') ?? '');
  h.update('\n');
  h.update(req.to.params.get('tag') ?? '');
  h.update('\n');
  h.update(req.callId);
  h.update('\n');
  h.update(String(req.cseq.seq));
  for (const name of ['route', 'proxy-require', 'proxy-authorization']) {
    for (const v of req.headerValues(name)) {
      h.update('\n');
      h.update(v);
    }
  }
  return h.digest('hex').slice(0, HASH_LENGTH);
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
