import { SipError, type SipRequest, type SubscriptionState, formatUri } from '@herald/sip';
import type { Subscription } from '@herald/store';
import { InvalidPidf, parsePidf } from '../pidf/pidf-document.js';
import { PIDF } from '../pidf/presence-formats.js';
import { cseqOutOfOrder, noSuchSubscription } from '../presence-errors.js';
import { type RemoteDialog, RETRY_MS, isRemoteMember, newDialog, refreshDelayMs, remoteDialogOf } from './remote-dialog.js';

/** A NOTIFY in a subscription Herald holds in another domain for a list member, as read. */
export interface MemberNotify {
  callId: string;
  /** The notifier's tag (From). */
  fromTag: string;
  /** Ours (To), which names the dialog. */
  toTag: string | null | undefined;
  cseq: number;
  state: SubscriptionState;
  /** The notifier's Contact, when it sent one: the new remote target. */
  contact: string | null;
  recordRoute: string[];
  /** The body, when it is a non-empty `application/pidf+xml` (checked only once the NOTIFY is known to be in the dialog). */
  pidf: string | null;
}

/** Reads a NOTIFY for a list member; 400 without Subscription-State. @see RFC 6665 §8.2.3 */
export function readMemberNotify(req: SipRequest): MemberNotify {
  const state = req.subscriptionState;
  if (state === undefined) throw new SipError(400, 'Missing Subscription-State', 'SIP_ERR_PRESENCE_NO_SUBSCRIPTION_STATE');
  const contact = req.contact;
  const type = req.contentType;
  const pidf = type === undefined || `${type.type}/${type.subtype}`.toLowerCase() !== PIDF || req.body.length === 0 ? null : req.body.toString('utf8');
  return {
    callId: req.callId,
    fromTag: req.from.params.get('tag') ?? '',
    toTag: req.to.params.get('tag'),
    cseq: req.cseq.seq,
    state,
    contact: contact === '*' || contact[0] === undefined ? null : formatUri(contact[0].uri),
    recordRoute: req.headerValues('record-route'),
    pidf,
  };
}

/** What a NOTIFY in a member's dialog means for the member. */
export type MemberNotifyOutcome =
  /** The last NOTIFY of a subscription Herald already let go of: welcome, and nothing more. */
  | { kind: 'stale' }
  /** The notifier ended the subscription and allows a new one at once: a new dialog starts. */
  | { kind: 'restart'; change: Partial<Subscription> }
  /** The member's state and document as the NOTIFY says; Herald subscribes again at `refreshAt` (0: never). */
  | { kind: 'state'; change: Partial<Subscription>; refreshAt: number };

/**
 * A NOTIFY in a back-end subscription: 481 unless it is in the member's dialog, 500 when
 * out of order; its state and PIDF document become the member's. `terminated` restarts the
 * subscription when the notifier allows it at once (`deactivated`, `timeout`, no reason),
 * retries it later (`probation`, `giveup`), and otherwise shows the member terminated with
 * the reason.
 * @see RFC 6665 §4.1.3, RFC 4662 §4.4
 */
export function applyMemberNotify(member: Subscription | undefined, notify: MemberNotify, now: number): MemberNotifyOutcome {
  const { state } = notify;
  const dialog = member !== undefined && isRemoteMember(member) ? remoteDialogOf(member) : null;
  if (member === undefined || dialog === null || !inDialog(dialog, notify)) {
    if (state.state === 'terminated') return { kind: 'stale' };
    throw noSuchSubscription();
  }
  if (notify.cseq <= dialog.remoteCseq) throw cseqOutOfOrder();
  const base: RemoteDialog = {
    ...dialog,
    remoteTag: notify.fromTag,
    // RFC 6665 §4.1.3: NOTIFY is a target refresh; the first one may set up the dialog.
    remoteTarget: notify.contact ?? dialog.remoteTarget,
    routeSet: dialog.remoteTag === null ? notify.recordRoute : dialog.routeSet,
    remoteCseq: notify.cseq,
    document: checkedPidf(notify.pidf) ?? dialog.document,
  };
  if (state.state === 'active' || state.state === 'pending') {
    // RFC 6665 §4.2.2: the notifier may shorten the subscription; the refresh comes sooner then.
    const due = state.expires === null ? 0 : now + refreshDelayMs(state.expires);
    const refreshAt = due !== 0 && (dialog.refreshAt === 0 || due < dialog.refreshAt) ? due : dialog.refreshAt;
    return { kind: 'state', change: { status: state.state, data: { ...member.data, remote: { ...base, refreshAt } } }, refreshAt };
  }
  // RFC 6665 §4.1.3: after these reasons the subscriber may subscribe again at once.
  if (state.reason === null || state.reason === 'deactivated' || state.reason === 'timeout') {
    return { kind: 'restart', change: { data: { ...member.data, remote: newDialog(dialog.uri) } } };
  }
  const retrySeconds = state.reason === 'probation' || state.reason === 'giveup' ? (state.retryAfter ?? RETRY_MS / 1000) : null;
  const refreshAt = retrySeconds === null ? 0 : now + retrySeconds * 1000;
  return { kind: 'state', change: { status: 'terminated', data: { ...member.data, remote: { ...base, over: true, refreshAt }, reason: state.reason } }, refreshAt };
}

/** Whether the list's watcher must be told: the member's state, document or reason changed. */
export function memberShowsChange(before: Subscription, after: Subscription): boolean {
  return after.status !== before.status || remoteDialogOf(after).document !== remoteDialogOf(before).document || after.data.reason !== before.data.reason;
}

/** Call-ID and our tag match; the notifier's tag too once known. @see RFC 3261 §12.2.2 */
function inDialog(dialog: RemoteDialog, notify: MemberNotify): boolean {
  return dialog.callId === notify.callId && dialog.localTag === notify.toTag && (dialog.remoteTag === null || dialog.remoteTag === notify.fromTag);
}

/** The PIDF document when it parses; `null` otherwise (the last one stands). */
function checkedPidf(body: string | null): string | null {
  if (body === null) return null;
  try {
    parsePidf(body);
    return body;
  } catch (error) {
    if (error instanceof InvalidPidf) return null;
    throw error;
  }
}
