import { type RequestContext, type RequestProcessor, requireUnderstood } from '@herald/proxy';
import { randomHex } from '@herald/sip';
import type { PublicationStore } from '@herald/store';
import type { PresencePolicy } from '../authorization/presence-policy.js';
import { PRESENCE_EVENT } from '../event-package.js';
import type { Notifier } from '../notifier/notifier.js';
import { conditionalRequestFailed } from '../presence-errors.js';
import { type PresentityLookup, localPresentityUri, presentityAccount } from '../presentity.js';
import { applyPublish } from './apply-publish.js';
import { type PublishRequest, checkPublisher, readPublish } from './read-publish.js';

export interface PublicationServiceOptions extends PresentityLookup {
  publications: PublicationStore;
  notifier: Pick<Notifier, 'changed'>;
  policy: PresencePolicy;
  /** Digest authentication is on: a PUBLISH must come from the presentity, authenticated. */
  requireAuthentication: boolean;
  clock: { now(): number };
}

/**
 * PUBLISH for a user of a served domain, the event state compositor's steps: the
 * publisher is the presentity (403); Event is `presence` (489); the interval is negotiated
 * (423); a body is a PIDF document about the presentity (415, 400); SIP-If-Match names a
 * live publication (412). Every success gets a new entity-tag; watchers are told of a new
 * or removed state, not of a refresh.
 * @see RFC 3903 §6, RFC 3856 §6
 */
export function publicationRequests(options: PublicationServiceOptions): RequestProcessor {
  return {
    name: 'publications',
    process(ctx: RequestContext) {
      const aor = localPresentityUri(ctx.req.uri, options.identity);
      if (aor === null) return 'continue';
      requireUnderstood(ctx.req);
      return publish(ctx, aor, options);
    },
  };
}

async function publish(ctx: RequestContext, aor: string, options: PublicationServiceOptions): Promise<'stop'> {
  const { publications, notifier, policy, clock } = options;
  const now = clock.now();
  const presentity = await presentityAccount(options, aor, now);
  checkPublisher(ctx.authenticated, presentity, options.requireAuthentication);
  const request = readPublish(ctx.req, presentity, policy);
  if (request.expires === 0) return unpublish(ctx, presentity, request, options);
  const previous = request.ifMatch === null ? undefined : await publications.get(presentity, PRESENCE_EVENT, request.ifMatch, now);
  // Step 6: a new entity-tag for every success, a refresh included.
  const { next, changed } = applyPublish(previous, request, presentity, randomHex(8), now);
  if (!(await publications.put(next, request.ifMatch, now))) throw conditionalRequestFailed();
  ctx.respond(200, 'OK', { headers: [['SIP-ETag', next.etag], ['Expires', String(request.expires)]] });
  if (changed) notifier.changed(presentity, PRESENCE_EVENT);
  return 'stop';
}

/** Step 3: a removal names a live publication (412); an initial PUBLISH with `Expires: 0` keeps nothing. */
async function unpublish(ctx: RequestContext, presentity: string, { ifMatch }: PublishRequest, { publications, notifier }: PublicationServiceOptions): Promise<'stop'> {
  if (ifMatch !== null && !(await publications.remove(presentity, PRESENCE_EVENT, ifMatch))) throw conditionalRequestFailed();
  ctx.respond(200, 'OK', { headers: [['Expires', '0']] });
  if (ifMatch !== null) notifier.changed(presentity, PRESENCE_EVENT);
  return 'stop';
}
