import type { ForwardOutcome } from '@herald/proxy';
import type { NotifyState } from './notify-request.js';

/** Answers to a NOTIFY after which the subscription is gone. @see RFC 6665 §4.2.2 */
const ENDS_SUBSCRIPTION = new Set([408, 430, 481]);

/**
 * Whether the answer to a NOTIFY ends its subscription: a 481, 408 (or Timer F), 430 (the
 * watcher's flow failed), or a transport failure, which comes back as Herald's own 503
 * with no response from the watcher. The last NOTIFY of a subscription ends it anyway.
 * @see RFC 6665 §4.2.2, RFC 5626 §5.3
 */
export function notifyEndsSubscription(state: NotifyState, { status, response }: Pick<ForwardOutcome, 'status' | 'response'>): boolean {
  if (state.state === 'terminated') return false;
  return ENDS_SUBSCRIPTION.has(status) || (status === 503 && response === null);
}
