import { SipRequest, formatUri, newTag } from '@herald/sip';
import type { FlowRef, Subscription } from '@herald/store';
import { missingContact } from './presence-errors.js';

/** The dialog id Herald keys a subscription by: Call-ID, the watcher's tag, ours. */
export function subscriptionId(callId: string, watcherTag: string, ourTag: string): string {
  return `${callId};${watcherTag};${ourTag}`;
}

export interface NewSubscription {
  /** The AoR subscribed to. */
  resource: string;
  /** The watcher's AoR. */
  watcher: string;
  event: string;
  /** `pending` until the presentity allows the watcher. */
  status: 'active' | 'pending';
  expiresAt: number;
  flow: FlowRef;
  /** What the package keeps for the subscription (the format the watcher gets). */
  data: Record<string, unknown>;
}

/**
 * The notifier's side of the dialog an initial SUBSCRIBE creates: our tag, the watcher's
 * Contact as remote target, the Record-Route values as route set, in order; CSeq 1 is the
 * first NOTIFY's, written with the subscription.
 * @see RFC 6665 §4.2.1, RFC 3261 §12.1.1
 */
export function subscriptionFromRequest(req: SipRequest, fields: NewSubscription): Subscription {
  const contact = req.contact;
  const first = contact === '*' ? undefined : contact[0];
  if (first === undefined) throw missingContact();
  const localTag = newTag();
  const remoteTag = req.from.params.get('tag') ?? '';
  return {
    id: subscriptionId(req.callId, remoteTag, localTag),
    event: fields.event,
    resource: fields.resource,
    watcher: fields.watcher,
    remoteTarget: formatUri(first.uri),
    routeSet: req.headerValues('record-route'),
    callId: req.callId,
    localTag,
    remoteTag,
    localUri: formatUri(req.to.uri),
    remoteUri: formatUri(req.from.uri),
    localCseq: 1,
    remoteCseq: req.cseq.seq,
    status: fields.status,
    accept: req.headerValues('accept').map((v) => v.toLowerCase()),
    expiresAt: fields.expiresAt,
    flow: fields.flow,
    data: fields.data,
    version: 1,
  };
}

/** The value of Subscription-State. @see RFC 6665 §8.2.3 */
export type NotifyState = { state: 'active' | 'pending'; expires: number } | { state: 'terminated'; reason: 'timeout' | 'noresource' | 'deactivated' | 'rejected' | 'giveup' };

export interface NotifyContent {
  contentType: string;
  body: string;
}

/**
 * A NOTIFY in the subscription's dialog, CSeq `cseq`, from our Contact `contact`; its
 * Route is the route set, left to the sender.
 * @see RFC 6665 §4.2.2, RFC 3261 §12.2.1.1
 */
export function notifyRequest(sub: Subscription, cseq: number, state: NotifyState, content: NotifyContent | null, contact: string): SipRequest {
  const request = new SipRequest('NOTIFY', sub.remoteTarget, [], Buffer.from(content?.body ?? '', 'utf8'));
  request
    .addHeader('Max-Forwards', '70')
    .addHeader('From', `<${sub.localUri}>;tag=${sub.localTag}`)
    .addHeader('To', `<${sub.remoteUri}>;tag=${sub.remoteTag}`)
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

