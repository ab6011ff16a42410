import type { Subscription, SubscriptionStore } from '@herald/store';
import { type EventPackage, type NotifyBody, PRESENCE_EVENT, WINFO_EVENT } from '../event-package.js';
import { element, stableId, text, xmlDocument } from '../pidf/xml-tree.js';

export const WATCHERINFO = 'application/watcherinfo+xml';

const WATCHERINFO_NS = 'urn:ietf:params:xml:ns:watcherinfo';

/**
 * The watcher information template package for presence: the presentity (only it) learns
 * who watches it and how each subscription stands. Every NOTIFY is a full-state document
 * whose version counts the NOTIFYs of the subscription from 0; a watcher that left is no
 * longer listed.
 * @see RFC 3857 §4, RFC 3858 §4
 */
export class WinfoPackage implements EventPackage {
  readonly event = WINFO_EVENT;

  constructor(private readonly subscriptions: Pick<SubscriptionStore, 'byResource'>) {}

  async body(resource: string, now: number): Promise<NotifyBody> {
    const watchers = await this.subscriptions.byResource(resource, PRESENCE_EVENT, now);
    const list = element(
      'watcher-list',
      { resource, package: PRESENCE_EVENT },
      watchers.map((w) => watcherElement(w)),
    );
    // RFC 3858 §4.2: the version rises by one with each NOTIFY of the winfo subscription.
    return (sub: Subscription) => ({
      contentType: WATCHERINFO,
      body: xmlDocument(element('watcherinfo', { xmlns: WATCHERINFO_NS, version: String(sub.localCseq - 1), state: 'full' }, [list])),
    });
  }
}

/** One watcher: its subscription's status and the event that put it there. @see RFC 3858 §4.3 */
function watcherElement(w: Subscription): ReturnType<typeof element> {
  const pending = w.status === 'pending';
  // An id that does not reveal the subscription's dialog identifiers.
  return element('watcher', { id: `w${stableId(w.id)}`, status: pending ? 'pending' : 'active', event: pending || w.data.approved !== true ? 'subscribe' : 'approved' }, [text(w.watcher)]);
}

/** Whether a winfo subscriber's Accept allows watcherinfo documents (none given: yes). @see RFC 3857 §4.4 */
export function acceptsWatcherinfo(accept: readonly string[]): boolean {
  return accept.length === 0 || accept.some((a) => {
    const type = a.split(';')[0]?.trim();
    return type === WATCHERINFO || type === '*/*' || type === 'application/*';
  });
}
