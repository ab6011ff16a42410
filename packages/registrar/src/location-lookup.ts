import { type RequestContext, type RequestProcessor, locateUser, temporarilyUnavailable, userNotFound } from '@herald/proxy';
import type { LocationStore, UserStore } from '@herald/store';

export interface LocationLookupOptions {
  locations: Pick<LocationStore, 'get'>;
  users: Pick<UserStore, 'get' | 'resolveAlias'>;
  clock: { now(): number };
}

/**
 * A request for a user of a served domain (the chain checks that) goes to every contact
 * bound to their AoR (or the AoR an alias names); 480 when they have none, 404 when there
 * is no such user.
 * @see RFC 3261 §16.5 (the location service as target set), §10
 */
export function locationLookup(options: LocationLookupOptions): RequestProcessor {
  return { name: 'location-lookup', process: (ctx) => lookup(ctx, options) };
}

async function lookup(ctx: RequestContext, options: LocationLookupOptions): Promise<'stop'> {
  const { targets, known } = await locateUser(options, ctx.req.uri, options.clock.now());
  if (targets.length === 0) throw known ? temporarilyUnavailable() : userNotFound();
  await ctx.forward(targets);
  return 'stop';
}
