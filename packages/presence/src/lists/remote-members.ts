import { type Flow, type ForwardOutcome, type OutboundPeers, type StaticRoutes, type Target, foreignTarget, likelyTransport } from '@herald/proxy';
import { SipRequest, type Uri, formatUri, isSipUri, parseNameAddr, parseUri } from '@herald/sip';
import type { Claims, Subscription, SubscriptionStore } from '@herald/store';
import { PRESENCE_EVENT } from '../event-package.js';
import { watcherDomain } from '../authorization/watcher-authorization.js';
import { PIDF, type PresenceFormat } from '../pidf/presence-formats.js';
import { aorOf } from '../presentity.js';
import { rewriteSubscription } from '../subscription-writes.js';
import type { PresenceExternalIds } from '../subscriptions/present-to-watcher.js';
import { LIST_MEMBER_GRACE_MS, remoteListMember } from './list-subscription.js';
import { type MemberNotifyOutcome, memberShowsChange } from './member-notify.js';
import { memberContactUser } from './member-contact.js';
import { type RemoteDialog, RETRY_MS, answeredChange, newDialog, remoteDialogOf, subscribeAnswer } from './remote-dialog.js';

export interface RemoteMembersOptions {
  subscriptions: SubscriptionStore;
  /** Where the worker that refreshes a member is chosen, when several hold its timer. */
  claims: Claims;
  owner: string;
  /** `routes:`: how requests reach other domains. */
  routes: Pick<StaticRoutes, 'match'>;
  /** Whether the federation policy lets presence go to `domain`; a member it refuses is not subscribed to. */
  mayWatchIn?(domain: string): boolean;
  /** What the federation level of a domain asks of the way there (TLS only, the certificate check). */
  peers?: OutboundPeers;
  /** ID conversion: a member in a `convertIds` community is subscribed to From the list watcher's external form. */
  externalIds?: PresenceExternalIds;
  originate(request: SipRequest, targets: readonly Target[]): Promise<ForwardOutcome>;
  /** Herald's Contact on a transport, with a user part. */
  contact(transport: Flow['transport'], user: string): string;
  /** A member's state changed: the list's watcher is told. */
  changed(member: Subscription): Promise<void>;
  clock: { now(): number };
  logger?: { warn(msg: string, meta?: Record<string, unknown>): void };
}

/**
 * The members of resource lists that live in other domains: Herald subscribes to each in
 * its domain with the list watcher as From, and its NOTIFYs (taken by `listMemberNotifies`),
 * addressed to a Contact that names the member's record, become that member's state in the
 * list's NOTIFYs. While the list lasts, the subscription there is refreshed before it
 * expires (a timer in the worker that took the answer; one worker acts, through a claim),
 * restarted when its notifier deactivates it or lets it time out, retried after a failure;
 * it ends with the list.
 * @see RFC 4662 §4.4, RFC 6665 §4.1
 */
export class RemoteMembers {
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly options: RemoteMembersOptions) {}

  /**
   * The record of list member `uri`, in a domain Herald does not serve, before its SUBSCRIBE
   * is sent; `null` for a URI no SIP request can reach (DNS, RFC 3263, finds its domain).
   */
  member(parent: Subscription, uri: string, format: PresenceFormat): Subscription | null {
    let parsed: Uri;
    try {
      parsed = parseUri(uri);
    } catch {
      return null;
    }
    if (!isSipUri(parsed) || parsed.user === null || targetFor(this.options.routes, uri, []) === null) return null;
    if (this.options.mayWatchIn?.(parsed.host.toLowerCase()) === false) return null;
    return remoteListMember(parent, aorOf(parsed), uri, format);
  }

  /**
   * Sends the SUBSCRIBE that starts, refreshes or restarts the member's subscription in its
   * domain, for as long as its list lasts, and takes in the answer. Never rejects.
   */
  async subscribe(member: Subscription): Promise<void> {
    const { subscriptions, clock, logger } = this.options;
    try {
      // The CSeq is written before the request leaves, as a NOTIFY's is.
      const written = await rewriteSubscription(subscriptions, member, (current) => ({ data: { ...current.data, remote: { ...remoteDialogOf(current), localCseq: remoteDialogOf(current).localCseq + 1 } } }), clock);
      if (written === undefined) return;
      const sent = remoteDialogOf(written);
      const expires = Math.max(1, Math.ceil((written.expiresAt - LIST_MEMBER_GRACE_MS - clock.now()) / 1000));
      // A target nothing says how to reach (a Contact in a domain with no route) ends it as an unknown one would.
      const outcome = (await this.send(written, sent, expires)) ?? { status: 404, response: null, handled: false };
      await this.answered(written, sent, expires, outcome);
    } catch (error) {
      logger?.warn('presence: subscribing to a list member in another domain failed', { member: member.resource, error });
    }
  }

  /**
   * A NOTIFY in the member's dialog was answered and its outcome written (`written`; the
   * member was `before`): a restart subscribes again at once, a new refresh time is set, and
   * the list's watcher learns of a change it can see.
   */
  async notified(before: Subscription, written: Subscription, outcome: Exclude<MemberNotifyOutcome, { kind: 'stale' }>): Promise<void> {
    if (outcome.kind === 'restart') return this.subscribe(written);
    if (outcome.refreshAt !== remoteDialogOf(before).refreshAt && outcome.refreshAt !== 0) this.schedule(written.id, outcome.refreshAt);
    if (memberShowsChange(before, written)) await this.options.changed(written);
  }

  /** The member's list ended: so does its subscription in its domain (`Expires: 0`). Never rejects. */
  async ended(member: Subscription): Promise<void> {
    this.cancelTimer(member.id);
    const dialog = remoteDialogOf(member);
    if (dialog.over || dialog.remoteTag === null) return;
    try {
      await this.send(member, { ...dialog, localCseq: dialog.localCseq + 1 }, 0);
    } catch (error) {
      this.options.logger?.warn('presence: ending a list member subscription failed', { member: member.resource, error });
    }
  }

  /** Drops this worker's refresh timers. */
  stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async send(member: Subscription, dialog: RemoteDialog, expires: number): Promise<ForwardOutcome | null> {
    const target = targetFor(this.options.routes, dialog.remoteTarget, dialog.routeSet, this.options.peers);
    if (target === null) return null;
    const contact = this.options.contact(transportOf(target), memberContactUser(member.id));
    return this.options.originate(subscribeRequest(member, dialog, expires, contact, await this.watcherAs(member)), [target]);
  }

  /**
   * The list watcher as the member's domain knows it: its external form when that domain
   * belongs to a `convertIds` community (one read of the user store per SUBSCRIBE there).
   * @see presentAs of `@herald/proxy` for the DEVIATION from RFC 3261 §16.6 this mirrors
   */
  private async watcherAs(member: Subscription): Promise<string> {
    const ids = this.options.externalIds;
    if (ids === undefined || !ids.convertsIdsFor(watcherDomain(member.resource))) return member.watcher;
    const external = await ids.externalFormOfSender(member.watcher);
    return external === null ? member.watcher : formatUri(external);
  }

  /** The answer to a SUBSCRIBE, written to the member when the member is still in the dialog it was sent in. */
  private async answered(member: Subscription, sent: RemoteDialog, requested: number, outcome: ForwardOutcome): Promise<void> {
    const { subscriptions, clock } = this.options;
    const answer = subscribeAnswer(outcome, sent, requested, clock.now());
    const written = await rewriteSubscription(subscriptions, member, (current) => answeredChange(current, sent, answer), clock);
    if (written === undefined) return;
    const sameDialog = remoteDialogOf(written).callId === sent.callId;
    if (answer.kind === 'established') {
      if (sameDialog) this.schedule(written.id, answer.refreshAt);
    } else if (answer.kind === 'restart') {
      if (!sameDialog) await this.subscribe(written);
    } else if (sameDialog) {
      if (answer.retry) this.schedule(written.id, answer.refreshAt);
      await this.options.changed(written);
    }
  }

  /** This worker subscribes the member again at `at`, unless another worker's answer moved the time. */
  private schedule(id: string, at: number): void {
    this.cancelTimer(id);
    const timer = setTimeout(() => {
      this.timers.delete(id);
      void this.due(id, at);
    }, Math.max(0, at - this.options.clock.now()));
    timer.unref();
    this.timers.set(id, timer);
  }

  private cancelTimer(id: string): void {
    const timer = this.timers.get(id);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(id);
  }

  /** A refresh or retry that came due: one worker sends it, in the dialog or in a new one when that is over. */
  private async due(id: string, at: number): Promise<void> {
    const { subscriptions, claims, owner, clock, logger } = this.options;
    try {
      const member = await subscriptions.get(id, clock.now());
      if (member === undefined || remoteDialogOf(member).refreshAt !== at) return;
      if ((await claims.claim(`list-member-refresh:${id}:${at}`, owner, RETRY_MS, clock.now())) !== owner) return;
      const dialog = remoteDialogOf(member);
      if (!dialog.over) return this.subscribe(member);
      const restarted = await rewriteSubscription(subscriptions, member, (current) => ({ data: { ...current.data, remote: newDialog(dialog.uri) } }), clock);
      if (restarted !== undefined) await this.subscribe(restarted);
    } catch (error) {
      logger?.warn('presence: refreshing a list member subscription in another domain failed', { member: id, error });
    }
  }
}

/** Where a SUBSCRIBE of the dialog goes: by its route set, else as a request for the target's domain would. */
function targetFor(routes: Pick<StaticRoutes, 'match'>, remoteTarget: string, routeSet: readonly string[], peers?: OutboundPeers): Target | null {
  let uri: Uri;
  try {
    uri = parseUri(remoteTarget);
  } catch {
    return null;
  }
  if (!isSipUri(uri)) return null;
  if (routeSet.length > 0) return { uri: remoteTarget, q: null, route: routeSet, flow: null, flowOnly: false };
  return foreignTarget(routes, uri, remoteTarget, peers?.outboundPeer(uri.host.toLowerCase()));
}

/** The transport of Herald's Contact, written before DNS is asked: the one the next hop names, TLS for SIPS, else UDP. */
function transportOf(target: Target): Flow['transport'] {
  const hop = target.nextHops?.[0];
  if (hop !== undefined) return likelyTransport(hop);
  const top = target.route[0];
  const next = top === undefined ? parseUri(target.uri) : parseNameAddr(top).uri;
  return isSipUri(next) ? likelyTransport(next) : 'udp';
}

/** @see RFC 6665 §4.1.2, RFC 3856 §6.4 */
function subscribeRequest(member: Subscription, dialog: RemoteDialog, expires: number, contact: string, watcher: string): SipRequest {
  const request = new SipRequest('SUBSCRIBE', dialog.remoteTarget, [], Buffer.alloc(0));
  return request
    .addHeader('Max-Forwards', '70')
    .addHeader('From', `<${watcher}>;tag=${dialog.localTag}`)
    .addHeader('To', dialog.remoteTag === null ? `<${member.resource}>` : `<${member.resource}>;tag=${dialog.remoteTag}`)
    .addHeader('Call-ID', dialog.callId)
    .addHeader('CSeq', `${dialog.localCseq} SUBSCRIBE`)
    .addHeader('Contact', `<${contact}>`)
    .addHeader('Event', PRESENCE_EVENT)
    .addHeader('Accept', PIDF)
    .addHeader('Expires', String(expires));
}
