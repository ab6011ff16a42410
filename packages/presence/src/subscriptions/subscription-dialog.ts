import { type ResponseOptions, type SipRequest, formatUri, newTag } from '@herald/sip';
import type { FlowRef, ForeignWatcher, Subscription } from '@herald/store';
import { missingContact } from '../presence-errors.js';

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
  /** The watcher, when it is of another domain: the caps on strangers count the subscription. */
  foreign?: ForeignWatcher | null;
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
  const sub: Subscription = {
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
  if (fields.foreign) sub.foreign = fields.foreign;
  return sub;
}

/** The 2xx to a SUBSCRIBE: our tag, our Contact and the interval granted, then `extra`. @see RFC 6665 §4.2.1.1 */
export function subscribeOk(sub: Pick<Subscription, 'localTag'>, expires: number, contact: string, extra: ReadonlyArray<readonly [string, string]> = []): ResponseOptions {
  return { toTag: sub.localTag, headers: [['Contact', `<${contact}>`], ['Expires', String(expires)], ...extra] };
}
