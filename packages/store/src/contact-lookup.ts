import type { Binding, LocationStore } from './location-store.js';
import { type UserStore, splitAccountAor } from './user-store.js';

/** What a request for an AoR reaches. */
export interface ContactLookup {
  /** The AoR the bindings are under: the one asked for, or the account it is an alias of. */
  account: string;
  bindings: Binding[];
  /** Whether the AoR names an account (or has bindings): 480 rather than 404 when there are none. */
  known: boolean;
}

/**
 * The live bindings a request for `aor` goes to: those under `aor` itself (an account's AoR,
 * or an alias a user registered), else those of the account `aor` is an alias of. The
 * common case, a registered user asked for by their AoR, costs one read.
 */
export async function lookUpContacts(
  stores: { locations: Pick<LocationStore, 'get'>; users: Pick<UserStore, 'get' | 'resolveAlias'> },
  aor: string,
  now: number,
): Promise<ContactLookup> {
  const { locations, users } = stores;
  const own = (await locations.get(aor, now)).bindings;
  if (own.length > 0) return { account: aor, bindings: own, known: true };
  const account = await users.resolveAlias(aor);
  if (account !== undefined) return { account, bindings: (await locations.get(account, now)).bindings, known: true };
  const { user, domain } = splitAccountAor(aor);
  return { account: aor, bindings: [], known: (await users.get(user, domain)) !== undefined };
}
