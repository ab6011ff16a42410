import { type AuthenticatedUser, type RequestContext, type RequestProcessor, grantedExpires, requireUnderstood } from '@herald/proxy';
import { randomHex } from '@herald/sip';
import type { Publication, PublicationStore } from '@herald/store';
import type { Notifier } from './notifier.js';
import { InvalidPidf, entityMatches, parsePidf } from './pidf/pidf-document.js';
import { PIDF } from './pidf/presence-formats.js';
import {
  badEvent,
  badPresenceDocument,
  conditionalRequestFailed,
  notYourPresentity,
  publicationWithoutBody,
  unsupportedMediaType,
} from './presence-errors.js';
import { PRESENCE_EVENT } from './presence-package.js';
import type { PresencePolicy } from './presence-policy.js';
import { type PresentityLookup, localPresentityUri, presentityAccount } from './presentity.js';

export interface PublicationServiceOptions extends PresentityLookup {
  publications: PublicationStore;
  notifier: Notifier;
  policy: PresencePolicy;
  /** Digest authentication is on: a PUBLISH must come from the presentity, authenticated. */
  requireAuthentication: boolean;
  clock: { now(): number };
}

/**
 * PUBLISH for a user of a served domain, the event state compositor's steps: the
 * publisher is the presentity; Event is `presence`; SIP-If-Match names a live publication
 * (412); the interval is negotiated (423); a body is a PIDF document about the presentity
 * (415, 400). Every success gets a new entity-tag; watchers are told of a new or removed
 * state, not of a refresh.
 * @see RFC 3903 §6, RFC 3856 §6
 */
export function publicationRequests(options: PublicationServiceOptions): RequestProcessor {
  return {
    name: 'publications',
    process(ctx: RequestContext) {
      if (ctx.req.method !== 'PUBLISH') return 'continue';
      const aor = localPresentityUri(ctx.req.uri, options.identity);
      if (aor === null) return 'continue';
      requireUnderstood(ctx.req);
      return publish(ctx, aor, options);
    },
  };
}

async function publish(ctx: RequestContext, aor: string, options: PublicationServiceOptions): Promise<'stop'> {
  const { req } = ctx;
  const { publications, notifier, policy, clock } = options;
  const now = clock.now();
  // Step 2: only the presentity publishes its state.
  const resource = await presentityAccount(options, aor, now);
  authorize(ctx.authenticated, resource, options);
  // Step 1 (the package): presence is the one Herald composes.
  if (req.event?.type.toLowerCase() !== PRESENCE_EVENT) throw badEvent([PRESENCE_EVENT]);
  const ifMatch = req.header('sip-if-match')?.trim() ?? null;
  // Step 4: the interval.
  const expires = grantedExpires(req.expires, policy);
  const body = req.body.length > 0 ? checkedBody(ctx, resource) : null;
  if (ifMatch === null && body === null) throw publicationWithoutBody();

  if (expires === 0) {
    // Step 3: a removal names a live publication; an initial PUBLISH with 0 keeps nothing.
    if (ifMatch !== null && !(await publications.remove(resource, PRESENCE_EVENT, ifMatch))) throw conditionalRequestFailed();
    ctx.respond(200, 'OK', { headers: [['Expires', '0']] });
    if (ifMatch !== null) notifier.changed(resource, PRESENCE_EVENT);
    return 'stop';
  }
  const previous = ifMatch === null ? null : await publications.get(resource, PRESENCE_EVENT, ifMatch, now);
  if (ifMatch !== null && previous == null) throw conditionalRequestFailed();
  // Step 6: a new entity-tag for every success, a refresh included.
  const next: Publication = {
    resource,
    event: PRESENCE_EVENT,
    etag: randomHex(8),
    contentType: PIDF,
    body: body ?? (previous as Publication).body,
    expiresAt: now + expires * 1000,
    updatedAt: body === null ? (previous as Publication).updatedAt : now,
  };
  if (!(await publications.put(next, ifMatch, now))) throw conditionalRequestFailed();
  ctx.respond(200, 'OK', { headers: [['SIP-ETag', next.etag], ['Expires', String(expires)]] });
  if (body !== null && body !== previous?.body) notifier.changed(resource, PRESENCE_EVENT);
  return 'stop';
}

function authorize(user: AuthenticatedUser | null, resource: string, options: PublicationServiceOptions): void {
  if (user === null) {
    if (options.requireAuthentication) throw notYourPresentity();
    return;
  }
  if (user.aor !== resource) throw notYourPresentity();
}

/** Step 5: a PIDF document whose entity is the presentity. */
function checkedBody(ctx: RequestContext, resource: string): string {
  const type = ctx.req.contentType;
  if (type === undefined || `${type.type}/${type.subtype}` !== PIDF) throw unsupportedMediaType([PIDF]);
  const body = ctx.req.body.toString('utf8');
  let entity: string;
  try {
    entity = parsePidf(body).entity;
  } catch (error) {
    if (error instanceof InvalidPidf) throw badPresenceDocument(error.message);
    throw error;
  }
  if (!entityMatches(entity, resource)) throw badPresenceDocument(`entity ${entity} is not ${resource}`);
  return body;
}
