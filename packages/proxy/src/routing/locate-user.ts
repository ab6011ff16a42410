import { SipError, type Uri, isSipUri } from '@herald/sip';
import { type LocationStore, type UserStore, accountAor, lookUpContacts } from '@herald/store';
import { canonicalHost } from './local-identity.js';
import { type Target, contactTarget } from './target.js';

/**
 * The canonical address-of-record of a To (or Request-URI) URI: `sip:user@host`, host
 * lower case, user unescaped, every parameter and the port removed. SIPS AoRs share
 * their SIP form, so a user is one AoR whichever scheme a client registers with.
 * @see RFC 3261 §10.3 step 5
 */
export function canonicalAor(uri: Uri): string {
  if (!isSipUri(uri) || uri.user === null || uri.user === '') {
    throw new SipError(404, 'Not Found', 'SIP_ERR_BAD_AOR');
  }
  return accountAor(uri.user, canonicalHost(uri.host));
}

/** Where a request for a user of a served domain goes. */
export interface UserLocation {
  /** The AoR the contacts are bound to: the one asked for, or the account it is an alias of. */
  account: string;
  /** One per live binding. */
  targets: Target[];
  /** Whether the AoR names an account (or has bindings): 480 rather than 404 when there are no targets. */
  known: boolean;
}

/**
 * The location service: the targets of the user a Request-URI names, from the bindings of
 * their AoR (or of the account an alias names).
 * @see RFC 3261 §16.5 (the location service as target set), §10
 */
export async function locateUser(
  stores: { locations: Pick<LocationStore, 'get'>; users: Pick<UserStore, 'get' | 'resolveAlias'> },
  uri: Uri,
  now: number,
): Promise<UserLocation> {
  const { account, bindings, known } = await lookUpContacts(stores, canonicalAor(uri), now);
  return { account, targets: bindings.map(contactTarget), known };
}
