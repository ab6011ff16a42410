import { type Header, SipRequest } from '@herald/sip';
import type { Subscription } from '@herald/store';
import type { NotifyContent } from '../event-package.js';

const EMPTY = Buffer.alloc(0);

/** The value of Subscription-State. @see RFC 6665 §8.2.3 */
export type NotifyState = { state: 'active' | 'pending'; expires: number } | { state: 'terminated'; reason: 'timeout' | 'noresource' | 'deactivated' | 'rejected' | 'giveup' };

/**
 * Header lines are never edited in place (a change to a message replaces the line), so the
 * lines every NOTIFY carries alike are made once and shared by all of them.
 */
const MAX_FORWARDS: Header = { name: 'Max-Forwards', key: 'max-forwards', value: '70' };
const contactLines = new Map<string, Header>();
const MAX_CONTACT_LINES = 16;

/**
 * A NOTIFY in the subscription's dialog, CSeq `cseq`, from our Contact `contact`; its
 * Route is the route set, left to the sender.
 * @see RFC 6665 §4.2.2, RFC 3261 §12.2.1.1
 */
export function notifyRequest(sub: Subscription, cseq: number, state: NotifyState, content: NotifyContent | null, contact: string): SipRequest {
  // The lines in canonical form, written directly: what `addHeader` would make of them, without its look-ups per line.
  const headers: Header[] = [
    MAX_FORWARDS,
    { name: 'From', key: 'from', value: `<${sub.localUri}>;tag=${sub.localTag}` },
    // RFC 3261 §12.1.1: a subscriber that sent no From tag (RFC 2543) has a null remote tag, written as none.
    { name: 'To', key: 'to', value: sub.remoteTag === '' ? `<${sub.remoteUri}>` : `<${sub.remoteUri}>;tag=${sub.remoteTag}` },
    { name: 'Call-ID', key: 'call-id', value: sub.callId },
    { name: 'CSeq', key: 'cseq', value: `${cseq} NOTIFY` },
    contactLine(contact),
    { name: 'Event', key: 'event', value: typeof sub.data.eventId === 'string' ? `${sub.event};id=${sub.data.eventId}` : sub.event },
    {
      name: 'Subscription-State',
      key: 'subscription-state',
      value: state.state === 'terminated' ? `terminated;reason=${state.reason}` : `${state.state};expires=${state.expires}`,
    },
  ];
  if (content !== null) headers.push({ name: 'Content-Type', key: 'content-type', value: content.contentType });
  return new SipRequest('NOTIFY', sub.remoteTarget, headers, content === null ? EMPTY : (content.bytes ?? Buffer.from(content.body, 'utf8')));
}

/** The Contact line of Herald's own URI on a transport: one of a few, each made once. */
function contactLine(contact: string): Header {
  let line = contactLines.get(contact);
  if (line === undefined) {
    line = { name: 'Contact', key: 'contact', value: `<${contact}>` };
    if (contactLines.size < MAX_CONTACT_LINES) contactLines.set(contact, line);
  }
  return line;
}

/** The seconds left of a subscription at `now`, rounded up so that a live one never shows 0. */
export function remainingSeconds(sub: Pick<Subscription, 'expiresAt'>, now: number): number {
  return Math.max(0, Math.ceil((sub.expiresAt - now) / 1000));
}


/** The Subscription-State of a NOTIFY in a live subscription: its standing and the seconds left. @see RFC 6665 §4.2.2 */
export function liveState(sub: Pick<Subscription, 'status' | 'expiresAt'>, now: number): NotifyState {
  return { state: sub.status === 'pending' ? 'pending' : 'active', expires: remainingSeconds(sub, now) };
}
