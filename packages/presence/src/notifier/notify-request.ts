import { SipRequest } from '@herald/sip';
import type { Subscription } from '@herald/store';
import type { NotifyContent } from '../event-package.js';

const EMPTY = Buffer.alloc(0);

/** The value of Subscription-State. @see RFC 6665 §8.2.3 */
export type NotifyState = { state: 'active' | 'pending'; expires: number } | { state: 'terminated'; reason: 'timeout' | 'noresource' | 'deactivated' | 'rejected' | 'giveup' };

/**
 * A NOTIFY in the subscription's dialog, CSeq `cseq`, from our Contact `contact`; its
 * Route is the route set, left to the sender.
 * @see RFC 6665 §4.2.2, RFC 3261 §12.2.1.1
 */
export function notifyRequest(sub: Subscription, cseq: number, state: NotifyState, content: NotifyContent | null, contact: string): SipRequest {
  const request = new SipRequest('NOTIFY', sub.remoteTarget, [], content === null ? EMPTY : (content.bytes ?? Buffer.from(content.body, 'utf8')));
  request
    .addHeader('Max-Forwards', '70')
    .addHeader('From', `<${sub.localUri}>;tag=${sub.localTag}`)
    // RFC 3261 §12.1.1: a subscriber that sent no From tag (RFC 2543) has a null remote tag, written as none.
    .addHeader('To', sub.remoteTag === '' ? `<${sub.remoteUri}>` : `<${sub.remoteUri}>;tag=${sub.remoteTag}`)
    .addHeader('Call-ID', sub.callId)
    .addHeader('CSeq', `${cseq} NOTIFY`)
    .addHeader('Contact', `<${contact}>`)
    .addHeader('Event', typeof sub.data.eventId === 'string' ? `${sub.event};id=${sub.data.eventId}` : sub.event)
    .addHeader('Subscription-State', state.state === 'terminated' ? `terminated;reason=${state.reason}` : `${state.state};expires=${state.expires}`);
  if (content !== null) request.addHeader('Content-Type', content.contentType);
  return request;
}

/** The seconds left of a subscription at `now`, rounded up so that a live one never shows 0. */
export function remainingSeconds(sub: Pick<Subscription, 'expiresAt'>, now: number): number {
  return Math.max(0, Math.ceil((sub.expiresAt - now) / 1000));
}


/** The Subscription-State of a NOTIFY in a live subscription: its standing and the seconds left. @see RFC 6665 §4.2.2 */
export function liveState(sub: Pick<Subscription, 'status' | 'expiresAt'>, now: number): NotifyState {
  return { state: sub.status === 'pending' ? 'pending' : 'active', expires: remainingSeconds(sub, now) };
}
