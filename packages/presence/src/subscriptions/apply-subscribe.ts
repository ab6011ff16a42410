import type { SipRequest } from '@herald/sip';
import type { FlowRef, ForeignWatcher, PresenceAction, Subscription } from '@herald/store';
import { admittedStanding } from '../authorization/watcher-authorization.js';
import { WATCHERINFO, acceptsWatcherinfo } from '../notifier/winfo-package.js';
import { PRESENCE_FORMATS, type PresenceFormat, chooseFormat } from '../pidf/presence-formats.js';
import { notAcceptable, notYourWatcherInfo } from '../presence-errors.js';
import type { SubscribeRequest } from './read-subscribe.js';
import { subscriptionFromRequest } from './subscription-dialog.js';

/** How a new subscription stands, and what its package keeps for it. */
export interface NewStanding {
  status: 'active' | 'pending';
  data: Record<string, unknown>;
}

/** The format a presence watcher gets: the first of its Accept values Herald writes; 406 listing them when none is. @see RFC 3856 §6.7 */
export function presenceFormat(accept: readonly string[]): PresenceFormat {
  const format = chooseFormat(accept);
  if (format === null) throw notAcceptable(PRESENCE_FORMATS);
  return format;
}

/**
 * A presence watcher's subscription as the presentity's decision about it says: `confirm`
 * waits (`pending`), `polite-block` is told `closed`, `block` is refused (403).
 * @see RFC 3857 §3.2, RFC 5025 §3.2.1
 */
export function presenceStanding(format: PresenceFormat, action: PresenceAction): NewStanding {
  const { status, polite } = admittedStanding(action);
  return { status, data: { format, polite } };
}

/** Only the presentity learns who watches it, in watcherinfo documents (406 otherwise). @see RFC 3857 §4.4, §5.1 */
export function winfoStanding(subscribe: Pick<SubscribeRequest, 'accept' | 'watcher'>, presentity: string): NewStanding {
  if (!acceptsWatcherinfo(subscribe.accept)) throw notAcceptable([WATCHERINFO]);
  if (subscribe.watcher !== presentity) throw notYourWatcherInfo();
  return { status: 'active', data: { format: WATCHERINFO } };
}

/**
 * The subscription an initial SUBSCRIBE creates: the dialog, the interval granted from
 * `now`, the standing, the Event `id` to repeat in NOTIFYs, and who the watcher is when
 * it is of another domain. 400 without a Contact.
 * @see RFC 6665 §4.2.1, RFC 3261 §12.1.1
 */
export function newSubscription(req: SipRequest, subscribe: SubscribeRequest, resource: string, standing: NewStanding, flow: FlowRef, foreign: ForeignWatcher | null, now: number): Subscription {
  const data = subscribe.eventId != null ? { ...standing.data, eventId: subscribe.eventId } : standing.data;
  return subscriptionFromRequest(req, { resource, watcher: subscribe.watcher, event: subscribe.event, status: standing.status, expiresAt: now + subscribe.expires * 1000, flow, foreign, data });
}
