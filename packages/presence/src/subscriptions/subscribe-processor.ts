import { type RequestContext, type RequestProcessor, requireUnderstood, storedFlow, userNotFound } from '@herald/proxy';
import type { SipRequest } from '@herald/sip';
import { lookUpContacts } from '@herald/store';
import { expiryLimitsFor, foreignWatcher } from '../authorization/foreign-watcher.js';
import { watcherDecision } from '../authorization/watcher-decision.js';
import { PRESENCE_EVENT, WINFO_EVENT } from '../event-package.js';
import { requestedList } from '../lists/read-list-subscribe.js';
import { localPresentityUri } from '../presentity.js';
import { type NewStanding, newSubscription, presenceFormat, presenceStanding, winfoStanding } from './apply-subscribe.js';
import { createSubscription } from './create-subscription.js';
import { presentedToWatcher } from './present-to-watcher.js';
import { type SubscribeRequest, readSubscribe } from './read-subscribe.js';
import { subscribeList } from './subscribe-list.js';
import type { SubscriptionServiceOptions } from './subscription-service-options.js';
import { subscribeOk } from './subscription-dialog.js';

/**
 * An initial SUBSCRIBE to a user of a served domain, or to a resource list: the event
 * package checked (489), the interval negotiated (423), the format chosen from Accept
 * (406), the presentity's decision about the watcher applied (403, or `pending`); the
 * subscription is written, the 2xx sent, then the first NOTIFY with the current state.
 * `Expires: 0` is a fetch: one NOTIFY, `terminated`, and nothing kept.
 * @see RFC 6665 §4.2.1, RFC 3856 §6
 */
export function initialSubscriptions(options: SubscriptionServiceOptions): RequestProcessor {
  return {
    name: 'initial-subscriptions',
    process(ctx: RequestContext) {
      const { req } = ctx;
      const aor = localPresentityUri(req.uri, options.identity);
      if (aor === null) return 'continue';
      requireUnderstood(req);
      return subscribe(ctx, aor, options);
    },
  };
}

async function subscribe(ctx: RequestContext, aor: string, options: SubscriptionServiceOptions): Promise<'stop'> {
  const { req } = ctx;
  const { notifier, clock, policy } = options;
  const request = readSubscribe(req, ctx.authenticated, policy);
  const now = clock.now();
  const { account: resource, known } = await lookUpContacts(options, aor, now);
  const foreign = foreignWatcher(request.watcher, ctx.flow.remoteAddress, options.identity);
  if (request.event === PRESENCE_EVENT) {
    const entries = await listEntries(req, aor, known, options);
    if (entries !== null) return subscribeList(ctx, aor, request, entries, foreign, options);
  }
  if (!known) throw userNotFound();
  const standing = request.event === WINFO_EVENT ? winfoStanding(request, resource) : await watcherStanding(request, resource, options);
  const expires = Math.min(request.expires, expiryLimitsFor({ status: standing.status, foreign }, policy, policy.strangers).maxExpires);
  const sub = await presentedToWatcher(newSubscription(req, { ...request, expires }, resource, standing, storedFlow(ctx.flow), foreign, now), options.externalIds);
  if (expires > 0) await createSubscription(sub, now, options);
  ctx.respond(200, 'OK', subscribeOk(sub, expires, options.contact(ctx.flow.transport)));
  // RFC 6665 §4.2.1.2: the NOTIFY follows the 2xx (SIPp and SIP.js want that order).
  await notifier.notifyWritten(sub, expires > 0 ? { state: standing.status, expires } : { state: 'terminated', reason: 'timeout' });
  if (expires > 0) notifier.watchersChanged(sub);
  return 'stop';
}

/**
 * The entries of the list a SUBSCRIBE names: those in its body (RFC 5367), or those of the
 * stored list its Request-URI is; `null` when it is not a list subscription.
 */
async function listEntries(req: SipRequest, aor: string, account: boolean, options: SubscriptionServiceOptions): Promise<string[] | null> {
  const carried = requestedList(req);
  if (carried !== null) return carried;
  // A stored list's URI is no account: look for one only when there is none.
  if (account) return null;
  const group = await options.groups.get(aor);
  return group === undefined ? null : group.members;
}

/** A presence watcher: its format first (406), then the presentity's decision about it (403 when blocked). */
async function watcherStanding(request: SubscribeRequest, presentity: string, options: SubscriptionServiceOptions): Promise<NewStanding> {
  const format = presenceFormat(request.accept);
  return presenceStanding(format, await watcherDecision(presentity, request.watcher, options));
}
