import { type RequestContext, storedFlow } from '@herald/proxy';
import { parseUri } from '@herald/sip';
import { type ForeignWatcher, type Subscription, lookUpContacts } from '@herald/store';
import { watcherDecision } from '../authorization/watcher-decision.js';
import { PRESENCE_EVENT } from '../event-package.js';
import { type ListData, LIST_MEMBER_GRACE_MS, gatherMembers, listMemberId, localListMember } from '../lists/list-subscription.js';
import { listFormat } from '../lists/read-list-subscribe.js';
import { isRemoteMember } from '../lists/remote-dialog.js';
import type { PresenceFormat } from '../pidf/presence-formats.js';
import { busySubscription } from '../presence-errors.js';
import { localPresentityUri } from '../presentity.js';
import { rewriteSubscription } from '../subscription-writes.js';
import { createSubscription } from './create-subscription.js';
import type { SubscribeRequest } from './read-subscribe.js';
import type { SubscriptionServiceOptions } from './subscription-service-options.js';
import { subscribeOk, subscriptionFromRequest } from './subscription-dialog.js';

/**
 * A subscription to a resource list: the watcher must support `eventlist` (421) and accept
 * `multipart/related` (406). Herald subscribes to each member on the watcher's behalf, as
 * that member's rules decide (a blocked member is listed `terminated`), and sends one RLMI
 * NOTIFY with every member's state first, then NOTIFYs with the members that changed. A
 * watcher of another domain's list counts once against the caps on strangers.
 * @see RFC 4662 §4, §5; RFC 5367 §4
 */
export async function subscribeList(
  ctx: RequestContext,
  listUri: string,
  request: SubscribeRequest,
  entries: readonly string[],
  foreign: ForeignWatcher | null,
  options: SubscriptionServiceOptions,
): Promise<'stop'> {
  const { req } = ctx;
  const { subscriptions, notifier, clock } = options;
  const { expires } = request;
  const format = listFormat(req.optionTags('supported'), request.accept);
  const now = clock.now();
  const parent = subscriptionFromRequest(req, { resource: listUri, watcher: request.watcher, event: PRESENCE_EVENT, status: 'active', expiresAt: now + expires * 1000, flow: storedFlow(ctx.flow), foreign, data: {} });
  const outcomes: Array<[string, Subscription | string]> = [];
  for (const uri of entries) outcomes.push([uri, await listMember(parent, uri, format, options)]);
  const { data, members } = gatherMembers(outcomes);
  parent.data = { list: data, format };
  if (expires > 0) {
    await createSubscription(parent, now, options);
    const written = await Promise.all(members.map((s) => subscriptions.compareAndSet(s, now)));
    if (written.includes(false)) throw busySubscription();
  }
  ctx.respond(200, 'OK', subscribeOk(parent, expires, options.contact(ctx.flow.transport), [['Require', 'eventlist']]));
  await notifier.notifyWritten(parent, expires > 0 ? { state: 'active', expires } : { state: 'terminated', reason: 'timeout' });
  for (const m of members) {
    if (!isRemoteMember(m)) notifier.watchersChanged(m);
    else if (expires > 0) void options.remote.subscribe(m);
  }
  return 'stop';
}

/** The members of a refreshed list subscription last as long as it does (and a little more). */
export async function refreshListMembers(list: Subscription, now: number, { subscriptions, clock }: Pick<SubscriptionServiceOptions, 'subscriptions' | 'clock'>): Promise<void> {
  for (const uri of (list.data.list as ListData).members) {
    const member = await subscriptions.get(listMemberId(list.id, uri), now);
    await rewriteSubscription(subscriptions, member, () => ({ expiresAt: list.expiresAt + LIST_MEMBER_GRACE_MS }), clock);
  }
}

/** The subscription a list holds for one entry on the watcher's behalf, or why there is none. */
async function listMember(parent: Subscription, uri: string, format: PresenceFormat, options: SubscriptionServiceOptions): Promise<Subscription | string> {
  let aor: string | null;
  try {
    aor = localPresentityUri(parseUri(uri), options.identity);
  } catch {
    return 'noresource';
  }
  if (aor === null) return options.remote.member(parent, uri, format) ?? 'noresource';
  const { account: resource, known } = await lookUpContacts(options, aor, options.clock.now());
  if (!known) return 'noresource';
  return localListMember(parent, resource, await watcherDecision(resource, parent.watcher, options), format);
}
