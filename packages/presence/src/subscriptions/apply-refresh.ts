import { type ExpiryLimits, grantedExpires } from '@herald/proxy';
import type { FlowRef, Subscription } from '@herald/store';
import { badEvent, cseqOutOfOrder, noSuchSubscription } from '../presence-errors.js';
import { ALLOW_EVENTS, type RefreshRequest, servedEvent } from './read-subscribe.js';

/** What a SUBSCRIBE in a subscription's dialog does to it. */
export type RefreshOutcome =
  /** `Expires: 0`: the subscription ends; `ended` is it as the final NOTIFY sees it. */
  | { kind: 'unsubscribe'; ended: Subscription }
  /** The subscription lasts `expires` seconds more; `next` is it written, the next NOTIFY's CSeq reserved. */
  | { kind: 'refresh'; next: Subscription; expires: number };

/**
 * A refresh or unsubscribe of `current` (the subscription the dialog id found): 481 when
 * there is none, 489 for another package, 500 for a CSeq not above the dialog's last, 423
 * for too brief an interval. A refresh takes the Contact as the new remote target and the
 * flow it came in on.
 * @see RFC 6665 §4.1.2.1, §4.1.2.3, §4.2.1.2; RFC 3261 §12.2.2
 */
export function applyRefresh(current: Subscription | undefined, refresh: RefreshRequest, limits: ExpiryLimits, flow: FlowRef, now: number): RefreshOutcome {
  if (current === undefined) throw noSuchSubscription();
  if (servedEvent(refresh.event) === null || refresh.event !== current.event) throw badEvent(ALLOW_EVENTS);
  // RFC 3261 §12.2.2: requests of a dialog come in CSeq order.
  if (refresh.cseq <= current.remoteCseq) throw cseqOutOfOrder();
  const expires = grantedExpires(refresh.expires, limits);
  if (expires === 0) return { kind: 'unsubscribe', ended: { ...current, remoteCseq: refresh.cseq } };
  const next: Subscription = {
    ...current,
    // RFC 6665 §4.1.2.1: SUBSCRIBE is a target refresh request.
    remoteTarget: refresh.contact ?? current.remoteTarget,
    remoteCseq: refresh.cseq,
    localCseq: current.localCseq + 1,
    expiresAt: now + expires * 1000,
    flow,
    version: current.version + 1,
  };
  return { kind: 'refresh', next, expires };
}
