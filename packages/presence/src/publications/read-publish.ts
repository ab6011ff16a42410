import { type AuthenticatedUser, type ExpiryLimits, grantedExpires } from '@herald/proxy';
import type { SipRequest } from '@herald/sip';
import { PRESENCE_EVENT } from '../event-package.js';
import { InvalidPidf, entityMatches } from '../pidf/pidf-document.js';
import { parsePidfOnce } from '../pidf/parsed-pidf.js';
import { PIDF } from '../pidf/presence-formats.js';
import { badEvent, badPresenceDocument, notYourPresentity, publicationWithoutBody, unsupportedMediaType } from '../presence-errors.js';

/** What a PUBLISH asks of a presentity's publications. */
export interface PublishRequest {
  /** SIP-If-Match: the publication refreshed, modified or removed; `null` for an initial PUBLISH. */
  ifMatch: string | null;
  /** The interval granted, in seconds; 0 removes. */
  expires: number;
  /** The PIDF document, checked; `null` for a refresh without a body. */
  body: string | null;
}

/**
 * Step 2: only the presentity publishes its own state, authenticated when digest
 * authentication is on.
 * @see RFC 3903 §6 step 2
 */
export function checkPublisher(user: AuthenticatedUser | null, presentity: string, requireAuthentication: boolean): void {
  if (user === null) {
    if (requireAuthentication) throw notYourPresentity();
    return;
  }
  if (user.aor !== presentity) throw notYourPresentity();
}

/**
 * Reads a PUBLISH for `presentity`, in the order of the event state compositor's steps:
 * the package is presence (489), the interval is negotiated (423), a body is a PIDF document
 * whose entity is the presentity (415, 400), and an initial PUBLISH has one (400).
 * @see RFC 3903 §6 steps 1, 4, 5
 */
export function readPublish(req: SipRequest, presentity: string, limits: ExpiryLimits): PublishRequest {
  // Step 1: presence is the one package Herald composes.
  if (req.event?.type.toLowerCase() !== PRESENCE_EVENT) throw badEvent([PRESENCE_EVENT]);
  const ifMatch = req.header('sip-if-match')?.trim() ?? null;
  // Step 4: the interval.
  const expires = grantedExpires(req.expires, limits);
  const body = req.body.length > 0 ? checkedBody(req, presentity) : null;
  if (ifMatch === null && body === null) throw publicationWithoutBody();
  return { ifMatch, expires, body };
}

/** Step 5: a PIDF document whose entity is the presentity. */
function checkedBody(req: SipRequest, presentity: string): string {
  const type = req.contentType;
  if (type === undefined || `${type.type}/${type.subtype}` !== PIDF) throw unsupportedMediaType([PIDF]);
  const body = req.body.toString('utf8');
  let entity: string;
  try {
    entity = parsePidfOnce(body).entity;
  } catch (error) {
    if (error instanceof InvalidPidf) throw badPresenceDocument(error.message);
    throw error;
  }
  if (!entityMatches(entity, presentity)) throw badPresenceDocument(`entity ${entity} is not ${presentity}`);
  return body;
}
