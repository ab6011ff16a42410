import { type Flow, type RequestContext, type RequestProcessor, grantedExpires, requireUnderstood, userNotFound } from '@herald/proxy';
import { type SipRequest, formatUri, parseUri } from '@herald/sip';
import { lookUpContacts } from '@herald/store';
import type { GroupStore, PresenceRuleStore, Subscription, SubscriptionStore } from '@herald/store';
import type { Notifier } from './notifier.js';
import { PIDF, PRESENCE_FORMATS, type PresenceFormat, chooseFormat } from './pidf/presence-formats.js';
import { badEvent, badResourceList, busySubscription, cseqOutOfOrder, eventlistRequired, noSuchSubscription, notAcceptable, notYourWatcherInfo, unsupportedMediaType, watcherBlocked } from './presence-errors.js';
import { InvalidResourceList, RESOURCE_LISTS, RLMI, parseResourceList } from './resource-list-document.js';
import { LIST_MEMBER_GRACE_MS, type ListData, listMemberId } from './list-subscription.js';
import { PRESENCE_EVENT } from './presence-package.js';
import { WATCHERINFO, WINFO_EVENT, acceptsWatcherinfo } from './winfo-package.js';
import { type PresencePolicy, watcherDefaultsFor } from './presence-policy.js';
import { type PresentityLookup, aorOf, localPresentityUri } from './presentity.js';
import { type RemoteMembers, isRemoteMember } from './remote-members.js';
import { rewriteSubscription } from './subscription-writes.js';
import { subscriptionFromRequest, subscriptionId } from './subscription-dialog.js';
import { decideWatcher, standingOf, watcherDomain } from './watcher-authorization.js';

/** The event packages Herald is the notifier for. */
export const ALLOW_EVENTS = [PRESENCE_EVENT, WINFO_EVENT] as const;

const MAX_ATTEMPTS = 5;

export interface SubscriptionServiceOptions extends PresentityLookup {
  subscriptions: SubscriptionStore;
  rules: Pick<PresenceRuleStore, 'rules'>;
  /** Stored resource lists (server-side buddy lists). */
  groups: Pick<GroupStore, 'get'>;
  notifier: Notifier;
  /** List members in other domains. */
  remote: Pick<RemoteMembers, 'member' | 'subscribe' | 'notifies'>;
  policy: PresencePolicy;
  /** Herald's Contact on a transport. */
  contact(transport: Flow['transport']): string;
  /** This worker, recorded in the flow of each subscription. */
  owner: string;
  clock: { now(): number };
}

/**
 * An initial SUBSCRIBE to a user of a served domain: the event package checked (489), the
 * interval negotiated (423), the format chosen from Accept (406); the subscription is
 * written, the 2xx sent, then the first NOTIFY with the current state. `Expires: 0` is a
 * fetch: one NOTIFY, `terminated`, and nothing kept.
 * @see RFC 6665 §4.2.1, RFC 3856 §6
 */
export function subscriptionRequests(options: SubscriptionServiceOptions): RequestProcessor {
  return {
    name: 'subscriptions',
    process(ctx: RequestContext) {
      const { req } = ctx;
      if (req.method !== 'SUBSCRIBE' || req.to.params.has('tag')) return 'continue';
      const aor = localPresentityUri(req.uri, options.identity);
      if (aor === null) return 'continue';
      requireUnderstood(req);
      return subscribe(ctx, aor, options);
    },
  };
}

/**
 * A SUBSCRIBE in one of Herald's subscription dialogs (a refresh, or `Expires: 0` to
 * unsubscribe), matched by dialog id; 481 when Herald holds no such subscription. A NOTIFY
 * in a subscription Herald holds in another domain for a list member. The dialog is its own
 * credential, so this runs before authentication, as in-dialog requests do.
 * @see RFC 6665 §4.1.2.1, §4.1.2.3, §4.2.1.2
 */
export function subscriptionDialogs(options: SubscriptionServiceOptions): RequestProcessor {
  return {
    name: 'subscription-dialogs',
    process(ctx: RequestContext) {
      const { req } = ctx;
      if (req.method === 'NOTIFY') return options.remote.notifies.process(ctx);
      const ourTag = req.method === 'SUBSCRIBE' ? req.to.params.get('tag') : undefined;
      if (ourTag === undefined || ourTag === null || !options.identity.isLocal(req.uri)) return 'continue';
      requireUnderstood(req);
      return refresh(ctx, subscriptionId(req.callId, req.from.params.get('tag') ?? '', ourTag), options);
    },
  };
}

async function subscribe(ctx: RequestContext, aor: string, options: SubscriptionServiceOptions): Promise<'stop'> {
  const { req } = ctx;
  const { subscriptions, notifier, policy, clock } = options;
  const event = checkedEvent(req);
  const eventId = req.event?.params.get('id');
  const expires = grantedExpires(req.expires, policy);
  const accept = req.headerValues('accept').map((v) => v.toLowerCase());
  const now = clock.now();
  const watcher = ctx.authenticated?.aor ?? aorOf(req.from.uri);
  const { account: resource, known } = await lookUpContacts(options, aor, now);
  if (event === PRESENCE_EVENT) {
    const members = await listMembers(req, aor, known, options);
    if (members !== null) return subscribeList(ctx, aor, watcher, members, expires, accept, options);
  }
  if (!known) throw userNotFound();
  const { status, data } = event === WINFO_EVENT ? winfoStanding(accept, resource, watcher) : await presenceStanding(accept, resource, watcher, options);
  if (eventId != null) data.eventId = eventId;
  const sub = subscriptionFromRequest(req, { resource, watcher, event, status, expiresAt: now + expires * 1000, flow: ctx.flow, data });
  if (expires > 0 && !(await subscriptions.compareAndSet(sub, now))) throw busySubscription();
  answer(ctx, sub, expires, options);
  // RFC 6665 §4.2.1.2: the NOTIFY follows the 2xx (SIPp and SIP.js want that order).
  await notifier.notifyWritten(sub, expires > 0 ? { state: status, expires } : { state: 'terminated', reason: 'timeout' });
  if (expires > 0) notifier.watchersChanged(sub);
  return 'stop';
}

/**
 * The members of the list a SUBSCRIBE names: those in its body (RFC 5367,
 * `Require: recipient-list-subscribe`), or the stored list its Request-URI is; `null` when
 * it is not a list subscription.
 */
async function listMembers(req: SipRequest, aor: string, account: boolean, options: SubscriptionServiceOptions): Promise<string[] | null> {
  if (req.optionTags('require').includes('recipient-list-subscribe')) {
    const type = req.contentType;
    if (type === undefined || `${type.type}/${type.subtype}` !== RESOURCE_LISTS) throw unsupportedMediaType([RESOURCE_LISTS]);
    try {
      return parseResourceList(req.body.toString('utf8'));
    } catch (error) {
      if (error instanceof InvalidResourceList) throw badResourceList(error.message);
      throw error;
    }
  }
  // A stored list's URI is no account: look for one only when there is none.
  if (account) return null;
  const group = await options.groups.get(aor);
  return group === undefined ? null : group.members;
}

/**
 * A subscription to a resource list: the watcher must support `eventlist` (421) and accept
 * `multipart/related` (406). Herald subscribes to each member on the watcher's behalf, as
 * that member's rules decide (a blocked member is listed `terminated`), and sends one RLMI
 * NOTIFY with every member's state first, then NOTIFYs with the members that changed.
 * @see RFC 4662 §4, §5; RFC 5367 §4
 */
async function subscribeList(ctx: RequestContext, listUri: string, watcher: string, uris: string[], expires: number, accept: string[], options: SubscriptionServiceOptions): Promise<'stop'> {
  const { req } = ctx;
  const { subscriptions, notifier, clock } = options;
  if (!req.optionTags('supported').includes('eventlist')) throw eventlistRequired();
  if (accept.length > 0 && !accept.some((a) => a.startsWith('multipart/related'))) throw notAcceptable(['multipart/related', RLMI, ...PRESENCE_FORMATS]);
  const format = chooseFormat(accept.filter((a) => !a.startsWith('multipart/') && !a.startsWith(RLMI))) ?? PIDF;
  const now = clock.now();
  const expiresAt = now + expires * 1000;
  const parent = subscriptionFromRequest(req, { resource: listUri, watcher, event: PRESENCE_EVENT, status: 'active', expiresAt, flow: ctx.flow, data: {} });
  const data: ListData = { members: [], refused: [] };
  const members: Subscription[] = [];
  for (const uri of uris) {
    const member = await listMember(parent, uri, format, options);
    if (typeof member === 'string') data.refused.push({ uri, reason: member });
    else if (!data.members.includes(member.resource)) {
      data.members.push(member.resource);
      members.push(member);
    }
  }
  parent.data = { list: data, format };
  if (expires > 0) {
    const written = await Promise.all([parent, ...members].map((s) => subscriptions.compareAndSet(s, now)));
    if (written.includes(false)) throw busySubscription();
  }
  ctx.respond(200, 'OK', { toTag: parent.localTag, headers: [['Contact', `<${options.contact(ctx.flow.transport)}>`], ['Expires', String(expires)], ['Require', 'eventlist']] });
  await notifier.notifyWritten(parent, expires > 0 ? { state: 'active', expires } : { state: 'terminated', reason: 'timeout' });
  for (const m of members) {
    if (!isRemoteMember(m)) notifier.watchersChanged(m);
    else if (expires > 0) void options.remote.subscribe(m);
  }
  return 'stop';
}

/** The subscription a list holds for one member on the watcher's behalf, or why there is none. */
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
  const action = await authorize(resource, parent.watcher, options);
  if (action === 'block') return 'rejected';
  const { status, polite } = standingOf(action);
  // Members outlive their list a little, so that the list's own end is what watchers are told.
  return { ...parent, id: listMemberId(parent.id, resource), resource, status, localCseq: 0, expiresAt: parent.expiresAt + LIST_MEMBER_GRACE_MS, data: { listOf: parent.id, format, polite } };
}

/** The members of a refreshed list subscription last as long as it does (and a little more). */
async function refreshMembers(list: Subscription, now: number, { subscriptions, clock }: SubscriptionServiceOptions): Promise<void> {
  for (const uri of (list.data.list as ListData).members) {
    const member = await subscriptions.get(listMemberId(list.id, uri), now);
    await rewriteSubscription(subscriptions, member, () => ({ expiresAt: list.expiresAt + LIST_MEMBER_GRACE_MS }), clock);
  }
}

/** A presence watcher: the format it accepts (406), the presentity's decision about it (403 when blocked). */
async function presenceStanding(accept: string[], resource: string, watcher: string, options: SubscriptionServiceOptions) {
  const format = chooseFormat(accept);
  if (format === null) throw notAcceptable(PRESENCE_FORMATS);
  const action = await authorize(resource, watcher, options);
  if (action === 'block') throw watcherBlocked();
  const { status, polite } = standingOf(action);
  return { status, data: { format, polite } as Record<string, unknown> };
}

/** Only the presentity learns who watches it. @see RFC 3857 §5.1 */
function winfoStanding(accept: string[], resource: string, watcher: string) {
  if (!acceptsWatcherinfo(accept)) throw notAcceptable([WATCHERINFO]);
  if (watcher !== resource) throw notYourWatcherInfo();
  return { status: 'active' as const, data: { format: WATCHERINFO } as Record<string, unknown> };
}

async function refresh(ctx: RequestContext, id: string, options: SubscriptionServiceOptions): Promise<'stop'> {
  const { req } = ctx;
  const { subscriptions, notifier, policy, clock } = options;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const now = clock.now();
    const sub = await subscriptions.get(id, now);
    if (sub === undefined) throw noSuchSubscription();
    if (checkedEvent(req) !== sub.event) throw badEvent(ALLOW_EVENTS);
    // RFC 3261 §12.2.2: requests of a dialog come in CSeq order.
    if (req.cseq.seq <= sub.remoteCseq) throw cseqOutOfOrder();
    const expires = grantedExpires(req.expires, policy);
    if (expires === 0) {
      if (!(await subscriptions.delete(id, sub))) continue;
      answer(ctx, sub, 0, options);
      await notifier.ended({ ...sub, remoteCseq: req.cseq.seq }, 'timeout');
      return 'stop';
    }
    const contact = req.contact;
    const target = contact === '*' ? undefined : contact[0];
    const next: Subscription = {
      ...sub,
      // RFC 6665 §4.1.2.1: SUBSCRIBE is a target refresh request.
      remoteTarget: target === undefined ? sub.remoteTarget : formatUri(target.uri),
      remoteCseq: req.cseq.seq,
      localCseq: sub.localCseq + 1,
      expiresAt: now + expires * 1000,
      flow: ctx.flow,
      version: sub.version + 1,
    };
    if (!(await subscriptions.compareAndSet(next, now))) continue;
    if (next.data.list !== undefined) await refreshMembers(next, now, options);
    answer(ctx, next, expires, options);
    await notifier.notifyWritten(next, { state: next.status === 'pending' ? 'pending' : 'active', expires });
    return 'stop';
  }
  throw busySubscription();
}

/** The presentity's decision about the watcher (its rules, else its domain's default). */
export async function authorize(resource: string, watcher: string, options: Pick<SubscriptionServiceOptions, 'rules' | 'identity' | 'policy'>) {
  const rules = await options.rules.rules(resource);
  const local = options.identity.isServedDomain(watcherDomain(watcher));
  return decideWatcher(rules, resource, watcher, local, watcherDefaultsFor(options.policy, watcherDomain(resource)));
}

/** The Event package, when Herald serves it; 489 otherwise (no Event header included). @see RFC 6665 §7.2.1, §8.2.1 */
function checkedEvent(req: SipRequest): string {
  const event = req.event;
  if (event === undefined || !(ALLOW_EVENTS as readonly string[]).includes(event.type.toLowerCase())) throw badEvent(ALLOW_EVENTS);
  return event.type.toLowerCase();
}

/** 200 with our tag, our Contact and the interval granted. @see RFC 6665 §4.2.1.1 */
function answer(ctx: RequestContext, sub: Subscription, expires: number, options: SubscriptionServiceOptions): void {
  ctx.respond(200, 'OK', { toTag: sub.localTag, headers: [['Contact', `<${options.contact(ctx.flow.transport)}>`], ['Expires', String(expires)]] });
}
