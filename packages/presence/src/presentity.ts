import { type LocalIdentity, userNotFound } from '@herald/proxy';
import { type Uri, formatUri, isSipUri } from '@herald/sip';
import { type LocationStore, type UserStore, accountAor, lookUpContacts } from '@herald/store';

export interface PresentityLookup {
  identity: LocalIdentity;
  locations: Pick<LocationStore, 'get'>;
  users: Pick<UserStore, 'get' | 'resolveAlias'>;
}

/** The AoR of `uri` (a Request-URI, a list entry) when it names a user of a served domain, else `null`. */
export function localPresentityUri(uri: Uri, identity: LocalIdentity): string | null {
  if (!isSipUri(uri) || uri.user === null || uri.user === '' || !identity.isServedDomain(uri.host)) return null;
  return accountAor(uri.user, uri.host.toLowerCase());
}

/** The account a presentity AoR names (itself, or the account it is an alias of); 404 when there is none. */
export async function presentityAccount(lookup: PresentityLookup, aor: string, now: number): Promise<string> {
  const { account, known } = await lookUpContacts(lookup, aor, now);
  if (!known) throw userNotFound();
  return account;
}

/** A watcher or publisher as an AoR: `sip:user@host` for a SIP URI, the URI as written otherwise. */
export function aorOf(uri: Uri): string {
  return isSipUri(uri) && uri.user !== null ? accountAor(uri.user, uri.host.toLowerCase()) : formatUri(uri);
}
