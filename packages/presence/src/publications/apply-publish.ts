import type { Publication } from '@herald/store';
import { PRESENCE_EVENT } from '../event-package.js';
import { PIDF } from '../pidf/presence-formats.js';
import { conditionalRequestFailed } from '../presence-errors.js';
import type { PublishRequest } from './read-publish.js';

/** A publication to write, and whether its watchers see a change. */
export interface PublishOutcome {
  next: Publication;
  /** A new or modified document; a refresh changes nothing watchers see. */
  changed: boolean;
}

/**
 * The publication a PUBLISH with a non-zero interval leaves: a new one, or the one
 * SIP-If-Match names (`previous`, 412 when there is none) refreshed or modified; under a
 * new entity-tag `etag` every time.
 * @see RFC 3903 §6 steps 3, 6–7
 */
export function applyPublish(previous: Publication | undefined, publish: PublishRequest, presentity: string, etag: string, now: number): PublishOutcome {
  // Step 3: SIP-If-Match names a live publication.
  if (publish.ifMatch !== null && previous === undefined) throw conditionalRequestFailed();
  const body = publish.body ?? (previous as Publication).body;
  const next: Publication = {
    resource: presentity,
    event: PRESENCE_EVENT,
    etag,
    contentType: PIDF,
    body,
    expiresAt: now + publish.expires * 1000,
    updatedAt: publish.body === null ? (previous as Publication).updatedAt : now,
  };
  return { next, changed: publish.body !== null && publish.body !== previous?.body };
}
