import { type LocalIdentity, type RequestContext, type RequestProcessor, contactTarget, temporarilyUnavailable, userNotFound } from '@herald/proxy';
import { isSipUri } from '@herald/sip';
import { type LocationStore, type UserStore, lookUpContacts } from '@herald/store';
import { canonicalAor } from './address-of-record.js';

export interface LocationLookupOptions {
  identity: LocalIdentity;
  locations: LocationStore;
  users: Pick<UserStore, 'get' | 'resolveAlias'>;
  clock: { now(): number };
}

/**
 * A request for a user of a served domain goes to every contact bound to their AoR (or the
 * AoR an alias names); 480 when they have none, 404 when there is no such user.
 * @see RFC 3261 §16.5 (the location service as target set), §10
 */
export function locationLookup(options: LocationLookupOptions): RequestProcessor {
  return {
    name: 'location-lookup',
    process(ctx: RequestContext) {
      const { req } = ctx;
      if (req.method === 'REGISTER' || req.method === 'ACK' || req.method === 'CANCEL') return 'continue';
      const uri = req.uri;
      if (!isSipUri(uri) || uri.user === null || !options.identity.isServedDomain(uri.host)) return 'continue';
      return lookup(ctx, canonicalAor(uri), options);
    },
  };
}

async function lookup(ctx: RequestContext, aor: string, options: LocationLookupOptions): Promise<'stop'> {
  const { bindings, known } = await lookUpContacts(options, aor, options.clock.now());
  if (bindings.length === 0) throw known ? temporarilyUnavailable() : userNotFound();
  await ctx.forward(bindings.map(contactTarget));
  return 'stop';
}
