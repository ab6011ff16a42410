import type { LocalIdentity } from '@herald/proxy';
import { type Uri, isSipUri } from '@herald/sip';

/** The user part of the Contact of a back-end subscription: this prefix, then the member record's id. */
const CONTACT_PREFIX = 'rls-';

/**
 * The user part of Herald's Contact in a list member's subscription in another domain: it
 * names the member's record, so that any worker takes that domain's NOTIFYs.
 * @see RFC 4662 §4.4
 */
export function memberContactUser(memberId: string): string {
  return CONTACT_PREFIX + Buffer.from(memberId).toString('base64url');
}

/** The member record a back-end NOTIFY's Request-URI names, when it is Herald's own with that Contact's user part. */
export function memberIdOf(uri: Uri, identity: Pick<LocalIdentity, 'isSelf'>): string | null {
  if (!isSipUri(uri) || uri.user === null || !uri.user.startsWith(CONTACT_PREFIX) || !identity.isSelf(uri.host, uri.port)) return null;
  return Buffer.from(uri.user.slice(CONTACT_PREFIX.length), 'base64url').toString('utf8');
}
