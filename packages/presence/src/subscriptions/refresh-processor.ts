import { LOST_RACE, retryCompareAndSet } from '@herald/store';
import { type RequestContext, type RequestProcessor, requireUnderstood, storedFlow } from '@herald/proxy';
import { expiryLimitsFor } from '../authorization/foreign-watcher.js';
import { isList } from '../lists/list-subscription.js';
import { busySubscription } from '../presence-errors.js';
import { applyRefresh } from './apply-refresh.js';
import { type RefreshRequest, readRefresh } from './read-subscribe.js';
import { refreshListMembers } from './subscribe-list.js';
import type { SubscriptionServiceOptions } from './subscription-service-options.js';
import { subscribeOk } from './subscription-dialog.js';

/**
 * A SUBSCRIBE in one of Herald's subscription dialogs (a refresh, or `Expires: 0` to
 * unsubscribe), matched by dialog id; 481 when Herald holds no such subscription. The
 * dialog is its own credential, so this runs before authentication, as in-dialog requests do.
 * @see RFC 6665 §4.1.2.1, §4.1.2.3, §4.2.1.2
 */
export function subscriptionRefreshes(options: SubscriptionServiceOptions): RequestProcessor {
  return {
    name: 'subscription-refreshes',
    process(ctx: RequestContext) {
      const { req } = ctx;
      const ourTag = req.to.params.get('tag');
      if (ourTag === undefined || ourTag === null || !options.identity.isLocal(req.uri)) return 'continue';
      requireUnderstood(req);
      return refresh(ctx, readRefresh(req, ourTag), options);
    },
  };
}

/** Read, apply, and write with one compare-and-set, read again when another writer won; then the 200 and the NOTIFY. */
function refresh(ctx: RequestContext, request: RefreshRequest, options: SubscriptionServiceOptions): Promise<'stop'> {
  const { subscriptions, notifier, policy, clock } = options;
  const flow = storedFlow(ctx.flow);
  return retryCompareAndSet(async () => {
    const now = clock.now();
    const sub = await subscriptions.get(request.id, now);
    const limits = sub === undefined ? policy : expiryLimitsFor(sub, policy, policy.strangers);
    const outcome = applyRefresh(sub, request, limits, flow, now);
    if (outcome.kind === 'unsubscribe') {
      if (!(await subscriptions.delete(request.id, sub))) return LOST_RACE;
      ctx.respond(200, 'OK', subscribeOk(outcome.ended, 0, options.contact(ctx.flow.transport)));
      await notifier.ended(outcome.ended, 'timeout');
      return 'stop' as const;
    }
    const { next, expires } = outcome;
    if (!(await subscriptions.compareAndSet(next, now))) return LOST_RACE;
    if (isList(next)) await refreshListMembers(next, now, options);
    ctx.respond(200, 'OK', subscribeOk(next, expires, options.contact(ctx.flow.transport)));
    await notifier.notifyWritten(next, { state: next.status === 'pending' ? 'pending' : 'active', expires });
    return 'stop' as const;
  }, () => {
    throw busySubscription();
  });
}
