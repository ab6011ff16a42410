import type { ForwardOutcome } from '@herald/proxy';
import type { NotifyState } from './notify-request.js';

/**
 * Whether the answer to a NOTIFY ends its subscription: any final answer other than a 2xx
 * (a 481, Timer F's 408, a 430 for a failed flow, Herald's own 503 when it could not be
 * sent, or any error the watcher answered), unless the watcher asked to be tried later
 * (Retry-After). The subscriber re-subscribes once it has put things right; nothing is sent
 * again to a watcher that does not answer. The last NOTIFY of a subscription ends it anyway.
 * @see RFC 6665 §4.2.2 (a timeout SHOULD, an error response MUST remove the subscription), RFC 5626 §5.3
 */
export function notifyEndsSubscription(state: NotifyState, { status, response }: Pick<ForwardOutcome, 'status' | 'response'>): boolean {
  if (state.state === 'terminated' || status < 300) return false;
  return response === null || !response.hasHeader('retry-after');
}
