import { type LocalIdentity, userNotFound } from '@herald/proxy';
import { type SipRequest, type Uri, formatUri, isSipUri } from '@herald/sip';
import { type LocationStore, type UserStore, accountAor, lookUpContacts } from '@herald/store';

export interface PresentityLookup {
  identity: LocalIdentity;
  locations: Pick<LocationStore, 'get'>;
  users: Pick<UserStore, 'get' | 'resolveAlias'>;
}

/** The Request-URI's AoR when it names a user of a served domain, else `null` (not ours to answer). */
export function localPresentityUri(req: SipRequest, identity: LocalIdentity): string | null {
  const uri = req.uri;
  if (!isSipUri(uri) || uri.user === null || uri.user === '' || !identity.isServedDomain(uri.host)) return null;
  return accountAor(uri.user, uri.host);
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
