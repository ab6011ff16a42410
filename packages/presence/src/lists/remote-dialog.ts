import type { ForwardOutcome } from '@herald/proxy';
import { type SipResponse, formatUri, newCallId, newTag } from '@herald/sip';
import type { Subscription } from '@herald/store';

/** How long a member whose domain failed to answer waits before Herald subscribes again. */
export const RETRY_MS = 60_000;

/**
 * Herald's side, as subscriber, of the subscription it holds in another domain for one
 * member of a resource list, on the list watcher's behalf.
 * @see RFC 4662 §4.4, RFC 6665 §4.1
 */
export interface RemoteDialog {
  /** The member's URI as the list has it: where a new dialog starts. */
  uri: string;
  callId: string;
  localTag: string;
  /** The notifier's tag, once its 2xx or first NOTIFY has come. */
  remoteTag: string | null;
  /** The member's URI, then the notifier's Contact. */
  remoteTarget: string;
  routeSet: string[];
  localCseq: number;
  remoteCseq: number;
  /** The subscription in the member's domain is over: the next SUBSCRIBE starts a new dialog. */
  over: boolean;
  /** When Herald subscribes again (a refresh, or a retry), 0 for never. */
  refreshAt: number;
  /** The last PIDF document the notifier sent. */
  document: string | null;
}

/** A list member in another domain, to which Herald subscribes itself. */
export function isRemoteMember(sub: Subscription): boolean {
  return sub.data.remote !== undefined;
}

export function remoteDialogOf(member: Subscription): RemoteDialog {
  return member.data.remote as RemoteDialog;
}

/** A dialog not yet set up: a new Call-ID and tag, the member's URI as target. @see RFC 6665 §4.1.2.1 */
export function newDialog(uri: string): RemoteDialog {
  return { uri, callId: newCallId(), localTag: newTag(), remoteTag: null, remoteTarget: uri, routeSet: [], localCseq: 0, remoteCseq: 0, over: false, refreshAt: 0, document: null };
}

/** A refresh well before the interval granted ends: a minute before, or half-way for short ones. */
export function refreshDelayMs(grantedSeconds: number): number {
  const ms = grantedSeconds * 1000;
  return ms - Math.min(60_000, ms / 2);
}

/** The RLMI reason a refused SUBSCRIBE gives its member. @see RFC 4662 §5.2 */
export function failureReason(status: number): string {
  if (status === 403 || status === 603) return 'rejected';
  if (status === 404 || status === 410 || status === 480 || status === 484 || status === 604) return 'noresource';
  return 'giveup';
}

/** What the answer to a SUBSCRIBE Herald sent for a member means for the member's dialog. */
export type SubscribeAnswer =
  /** A 2xx granting time: the dialog is set up (unless a NOTIFY did first), refreshed at `refreshAt`. */
  | { kind: 'established'; refreshAt: number; remoteTag: string | null; remoteTarget: string | null; routeSet: string[] }
  /** The notifier forgot the subscription: a new one starts at once. */
  | { kind: 'restart' }
  /** The subscription there is over; tried again at `refreshAt` when `retry`. */
  | { kind: 'ended'; retry: boolean; refreshAt: number; reason: string };

/**
 * The answer to a SUBSCRIBE: a 2xx sets up the dialog and the next refresh; a failure shows
 * the member `terminated`, retried later when its domain could not answer, restarted at
 * once when it no longer knows the subscription. `requested` is the interval asked.
 * @see RFC 6665 §4.1.2.1, §4.1.2.2, RFC 3261 §12.1.2
 */
export function subscribeAnswer({ status, response }: Pick<ForwardOutcome, 'status' | 'response'>, sent: RemoteDialog, requested: number, now: number): SubscribeAnswer {
  if (status >= 200 && status < 300 && response !== null && response.expires !== 0) {
    return {
      kind: 'established',
      refreshAt: now + refreshDelayMs(response.expires ?? requested),
      remoteTag: response.to.params.get('tag') ?? null,
      remoteTarget: contactOf(response),
      // RFC 3261 §12.1.2: the subscriber's route set is the Record-Route in reverse.
      routeSet: response.headerValues('record-route').reverse(),
    };
  }
  // RFC 6665 §4.1.2.2: a 481 to a refresh; the notifier forgot the subscription.
  if (status === 481 && sent.remoteTag !== null) return { kind: 'restart' };
  // A 2xx granting nothing ended the subscription there at once: tried again later, as after no answer.
  const retry = status === 408 || status >= 500 || status < 300;
  return { kind: 'ended', retry, refreshAt: retry ? now + RETRY_MS : 0, reason: retry ? 'probation' : failureReason(status) };
}

/** What `answer` changes in the member as it is now; nothing when a newer dialog replaced the one the SUBSCRIBE was sent in. */
export function answeredChange(current: Subscription, sent: RemoteDialog, answer: SubscribeAnswer): Partial<Subscription> {
  const dialog = remoteDialogOf(current);
  if (dialog.callId !== sent.callId) return {};
  switch (answer.kind) {
    case 'established': {
      const established = dialog.remoteTag !== null ? {} : { remoteTag: answer.remoteTag, remoteTarget: answer.remoteTarget ?? dialog.remoteTarget, routeSet: answer.routeSet };
      return { data: { ...current.data, remote: { ...dialog, ...established, refreshAt: answer.refreshAt } } };
    }
    case 'restart':
      return { data: { ...current.data, remote: newDialog(sent.uri) } };
    case 'ended':
      return { status: 'terminated', data: { ...current.data, remote: { ...dialog, over: true, refreshAt: answer.refreshAt }, reason: answer.reason } };
  }
}

function contactOf(response: SipResponse): string | null {
  const contact = response.contact;
  return contact === '*' || contact[0] === undefined ? null : formatUri(contact[0].uri);
}
