import { type AuthenticatedUser, type ExpiryLimits, grantedExpires } from '@herald/proxy';
import { type SipRequest, formatUri } from '@herald/sip';
import { PRESENCE_EVENT, WINFO_EVENT } from '../event-package.js';
import { badEvent } from '../presence-errors.js';
import { aorOf } from '../presentity.js';
import { subscriptionId } from './subscription-dialog.js';

/** The event packages Herald is the notifier for. */
export const ALLOW_EVENTS = [PRESENCE_EVENT, WINFO_EVENT] as const;

/** What an initial SUBSCRIBE asks. */
export interface SubscribeRequest {
  /** The event package, one Herald serves. */
  event: string;
  /** The Event header's `id` parameter, repeated in every NOTIFY. @see RFC 6665 §8.2.1 */
  eventId: string | null | undefined;
  /** The interval granted, in seconds; 0 is a fetch. */
  expires: number;
  /** The Accept values, lower case. */
  accept: string[];
  /** The watcher's AoR: the authenticated user's, else From's. */
  watcher: string;
}

/**
 * Reads an initial SUBSCRIBE: the event package is one Herald serves (489, also without an
 * Event header), the interval is negotiated (423), and the watcher is who authenticated, or
 * From when nobody did.
 * @see RFC 6665 §4.2.1.1, §7.2.1, §8.2.1; RFC 3856 §6.6
 */
export function readSubscribe(req: SipRequest, authenticated: AuthenticatedUser | null, limits: ExpiryLimits): SubscribeRequest {
  const event = servedEvent(req.event?.type.toLowerCase());
  if (event === null) throw badEvent(ALLOW_EVENTS);
  return {
    event,
    eventId: req.event?.params.get('id'),
    expires: grantedExpires(req.expires, limits),
    accept: req.headerValues('accept').map((v) => v.toLowerCase()),
    watcher: authenticated?.aor ?? aorOf(req.from.uri),
  };
}

/** What a SUBSCRIBE in one of Herald's subscription dialogs asks. */
export interface RefreshRequest {
  /** The dialog: Call-ID, the watcher's tag, ours. */
  id: string;
  /** The Event header's package, lower case; `undefined` without one. */
  event: string | undefined;
  cseq: number;
  /** The interval asked, `undefined` when none. */
  expires: number | undefined;
  /** The watcher's Contact, when it sent one: the new remote target. */
  contact: string | null;
}

/** Reads a SUBSCRIBE with our tag in To. @see RFC 6665 §4.1.2.1, §4.1.2.3 */
export function readRefresh(req: SipRequest, ourTag: string): RefreshRequest {
  const contact = req.contact;
  const target = contact === '*' ? undefined : contact[0];
  return {
    id: subscriptionId(req.callId, req.from.params.get('tag') ?? '', ourTag),
    event: req.event?.type.toLowerCase(),
    cseq: req.cseq.seq,
    expires: req.expires,
    contact: target === undefined ? null : formatUri(target.uri),
  };
}

/** The package when Herald serves it, else `null`. */
export function servedEvent(event: string | undefined): string | null {
  return event !== undefined && (ALLOW_EVENTS as readonly string[]).includes(event) ? event : null;
}
