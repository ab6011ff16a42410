import { type Flow, type ForwardOutcome, type LocalIdentity, type RequestContext, type RequestProcessor, type StaticRoutes, type Target, foreignTarget, uriDestination } from '@herald/proxy';
import { SipError, SipRequest, type SipResponse, type Uri, formatUri, isSipUri, newCallId, newTag, parseNameAddr, parseUri } from '@herald/sip';
import type { Claims, Subscription, SubscriptionStore } from '@herald/store';
import { LIST_MEMBER_GRACE_MS, listMemberId } from './list-subscription.js';
import { composePresence } from './pidf/compose-presence.js';
import { InvalidPidf, parsePidf } from './pidf/pidf-document.js';
import { PIDF, type PresenceFormat, renderPresence } from './pidf/presence-formats.js';
import { cseqOutOfOrder, noSuchSubscription } from './presence-errors.js';
import { PRESENCE_EVENT } from './presence-package.js';
import { aorOf } from './presentity.js';
import type { ListMember } from './resource-list-document.js';
import { rewriteSubscription } from './subscription-writes.js';

/** How long a member whose domain failed to answer waits before Herald subscribes again. */
const RETRY_MS = 60_000;
/** The user part of the Contact of a back-end subscription: this prefix, then the member record's id. */
const CONTACT_PREFIX = 'rls-';

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

export interface RemoteMembersOptions {
  identity: LocalIdentity;
  subscriptions: SubscriptionStore;
  /** Where the worker that refreshes a member is chosen, when several hold its timer. */
  claims: Claims;
  owner: string;
  /** `routes:`: how requests reach other domains. */
  routes: Pick<StaticRoutes, 'match'>;
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
 * its domain with the list watcher as From, and its NOTIFYs, addressed to a Contact that
 * names the member's record, become that member's state in the list's NOTIFYs. While the
 * list lasts, the subscription there is refreshed before it expires (a timer in the worker
 * that took the answer; one worker acts, through a claim), restarted when its notifier
 * deactivates it or lets it time out, retried after a failure; it ends with the list.
 * @see RFC 4662 §4.4, RFC 6665 §4.1
 */
export class RemoteMembers {
  /** NOTIFYs of Herald's back-end subscriptions; before authentication (the dialog is the credential). */
  readonly notifies: RequestProcessor;
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly options: RemoteMembersOptions) {
    this.notifies = {
      name: 'list-member-notifies',
      process: (ctx: RequestContext) => {
        if (ctx.req.method !== 'NOTIFY') return 'continue';
        const id = memberIdOf(ctx.req.uri, options.identity);
        return id === null ? 'continue' : this.notified(ctx, id);
      },
    };
  }

  /**
   * The record of list member `uri`, in a domain Herald does not serve, before its SUBSCRIBE
   * is sent; `null` when nothing says how to reach that domain.
   */
  member(parent: Subscription, uri: string, format: PresenceFormat): Subscription | null {
    let parsed: Uri;
    try {
      parsed = parseUri(uri);
    } catch {
      return null;
    }
    if (!isSipUri(parsed) || parsed.user === null || targetFor(this.options.routes, uri, []) === null) return null;
    const resource = aorOf(parsed);
    return { ...parent, id: listMemberId(parent.id, resource), resource, status: 'pending', localCseq: 0, expiresAt: parent.expiresAt + LIST_MEMBER_GRACE_MS, data: { listOf: parent.id, format, remote: newDialog(uri) } };
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
    const target = targetFor(this.options.routes, dialog.remoteTarget, dialog.routeSet);
    if (target === null) return null;
    const contact = this.options.contact(transportOf(target), CONTACT_PREFIX + Buffer.from(member.id).toString('base64url'));
    return this.options.originate(subscribeRequest(member, dialog, expires, contact), [target]);
  }

  /**
   * The answer to a SUBSCRIBE: a 2xx sets up the dialog (unless a NOTIFY did first) and
   * the next refresh; a failure shows the member `terminated`, retried later when its
   * domain could not answer, restarted at once when it no longer knows the subscription.
   * @see RFC 6665 §4.1.2.1, §4.1.2.2, RFC 3261 §12.1.2
   */
  private async answered(member: Subscription, sent: RemoteDialog, requested: number, { status, response }: ForwardOutcome): Promise<void> {
    const { subscriptions, clock } = this.options;
    const now = clock.now();
    const sameDialog = (current: Subscription) => remoteDialogOf(current).callId === sent.callId;
    if (status >= 200 && status < 300 && response !== null && response.expires !== 0) {
      const refreshAt = now + refreshDelayMs(response.expires ?? requested);
      const written = await rewriteSubscription(subscriptions, member, (current) => {
        if (!sameDialog(current)) return {};
        const dialog = remoteDialogOf(current);
        const established = dialog.remoteTag !== null ? {} : { remoteTag: response.to.params.get('tag') ?? null, remoteTarget: contactOf(response) ?? dialog.remoteTarget, routeSet: response.headerValues('record-route').reverse() };
        return { data: { ...current.data, remote: { ...dialog, ...established, refreshAt } } };
      }, clock);
      if (written !== undefined && sameDialog(written)) this.schedule(written.id, refreshAt);
      return;
    }
    if (status === 481 && sent.remoteTag !== null) {
      // RFC 6665 §4.1.2.2: the notifier forgot the subscription; a new one starts.
      const restarted = await rewriteSubscription(subscriptions, member, (current) => (sameDialog(current) ? { data: { ...current.data, remote: newDialog(sent.uri) } } : {}), clock);
      if (restarted !== undefined && !sameDialog(restarted)) await this.subscribe(restarted);
      return;
    }
    // A 2xx granting nothing ended the subscription there at once: tried again later, as after no answer.
    const retry = status === 408 || status >= 500 || status < 300;
    const refreshAt = retry ? now + RETRY_MS : 0;
    const ended = await rewriteSubscription(subscriptions, member, (current) => {
      if (!sameDialog(current)) return {};
      return { status: 'terminated', data: { ...current.data, remote: { ...remoteDialogOf(current), over: true, refreshAt }, reason: retry ? 'probation' : failureReason(status) } };
    }, clock);
    if (ended === undefined || !sameDialog(ended)) return;
    if (retry) this.schedule(ended.id, refreshAt);
    await this.options.changed(ended);
  }

  /**
   * A NOTIFY in a back-end subscription: 481 unless it is in the member's dialog, 500 when
   * out of order; its state and PIDF document become the member's. `terminated` restarts the
   * subscription when the notifier allows it at once (`deactivated`, `timeout`), retries it
   * later (`probation`, `giveup`), and otherwise shows the member terminated with the reason.
   * @see RFC 6665 §4.1.3, RFC 4662 §4.4
   */
  private async notified(ctx: RequestContext, id: string): Promise<'stop'> {
    const { req } = ctx;
    const { subscriptions, clock } = this.options;
    const now = clock.now();
    const state = req.subscriptionState;
    if (state === undefined) throw new SipError(400, 'Missing Subscription-State', 'SIP_ERR_PRESENCE_NO_SUBSCRIPTION_STATE');
    const member = await subscriptions.get(id, now);
    const dialog = member !== undefined && isRemoteMember(member) ? remoteDialogOf(member) : null;
    const theirTag = req.from.params.get('tag') ?? '';
    if (member === undefined || dialog === null || dialog.callId !== req.callId || dialog.localTag !== req.to.params.get('tag') || (dialog.remoteTag !== null && dialog.remoteTag !== theirTag)) {
      // The last NOTIFY of a subscription Herald already let go of is welcome.
      if (state.state === 'terminated') return respondOk(ctx);
      throw noSuchSubscription();
    }
    if (req.cseq.seq <= dialog.remoteCseq) throw cseqOutOfOrder();
    respondOk(ctx);
    const contact = req.contact;
    const base: RemoteDialog = {
      ...dialog,
      remoteTag: theirTag,
      // RFC 6665 §4.1.3: NOTIFY is a target refresh; the first one may set up the dialog.
      remoteTarget: contact === '*' || contact[0] === undefined ? dialog.remoteTarget : formatUri(contact[0].uri),
      routeSet: dialog.remoteTag === null ? req.headerValues('record-route') : dialog.routeSet,
      remoteCseq: req.cseq.seq,
      document: pidfOf(req) ?? dialog.document,
    };
    let change: Partial<Subscription>;
    let restart = false;
    let refreshAt = dialog.refreshAt;
    if (state.state === 'active' || state.state === 'pending') {
      // The notifier may shorten the subscription; the refresh comes sooner then. @see RFC 6665 §4.2.2
      const due = state.expires === null ? 0 : now + refreshDelayMs(state.expires);
      if (due !== 0 && (refreshAt === 0 || due < refreshAt)) refreshAt = due;
      change = { status: state.state, data: { ...member.data, remote: { ...base, refreshAt } } };
    } else if (state.reason === null || state.reason === 'deactivated' || state.reason === 'timeout') {
      restart = true;
      change = { data: { ...member.data, remote: newDialog(dialog.uri) } };
    } else {
      const retrySeconds = state.reason === 'probation' || state.reason === 'giveup' ? (state.retryAfter ?? RETRY_MS / 1000) : null;
      refreshAt = retrySeconds === null ? 0 : now + retrySeconds * 1000;
      change = { status: 'terminated', data: { ...member.data, remote: { ...base, over: true, refreshAt }, reason: state.reason } };
    }
    const written = await rewriteSubscription(subscriptions, member, () => change, clock);
    if (written === undefined) return 'stop';
    if (restart) {
      await this.subscribe(written);
      return 'stop';
    }
    if (refreshAt !== dialog.refreshAt && refreshAt !== 0) this.schedule(written.id, refreshAt);
    if (written.status !== member.status || remoteDialogOf(written).document !== dialog.document || written.data.reason !== member.data.reason) await this.options.changed(written);
    return 'stop';
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

/** A list member in another domain, to which Herald subscribes itself. */
export function isRemoteMember(sub: Subscription): boolean {
  return sub.data.remote !== undefined;
}

/**
 * A remote member as a list NOTIFY shows it: its state, and its document in the format
 * the list's watcher takes (PIDF as its domain wrote it, else converted).
 */
export function remoteMemberEntry(member: Subscription): ListMember {
  const uri = member.resource;
  if (member.status === 'terminated') return { uri, state: 'terminated', reason: (member.data.reason as string | undefined) ?? 'noresource', part: null };
  const { document } = remoteDialogOf(member);
  if (member.status === 'pending' || document === null) return { uri, state: member.status, part: null };
  const format = (member.data.format as PresenceFormat | undefined) ?? PIDF;
  if (format === PIDF) return { uri, state: 'active', part: { contentType: PIDF, body: document } };
  return { uri, state: 'active', part: { contentType: format, body: renderPresence(composePresence(uri, [parsePidf(document)]), format) } };
}

function remoteDialogOf(member: Subscription): RemoteDialog {
  return member.data.remote as RemoteDialog;
}

function newDialog(uri: string): RemoteDialog {
  return { uri, callId: newCallId(), localTag: newTag(), remoteTag: null, remoteTarget: uri, routeSet: [], localCseq: 0, remoteCseq: 0, over: false, refreshAt: 0, document: null };
}

/** A refresh well before the interval granted ends: a minute before, or half-way for short ones. */
function refreshDelayMs(grantedSeconds: number): number {
  const ms = grantedSeconds * 1000;
  return ms - Math.min(60_000, ms / 2);
}

/** The RLMI reason a refused SUBSCRIBE gives its member. @see RFC 4662 §5.2 */
function failureReason(status: number): string {
  if (status === 403 || status === 603) return 'rejected';
  if (status === 404 || status === 410 || status === 480 || status === 484 || status === 604) return 'noresource';
  return 'giveup';
}

/** Where a SUBSCRIBE of the dialog goes: by its route set, else as a request for the target's domain would. */
function targetFor(routes: Pick<StaticRoutes, 'match'>, remoteTarget: string, routeSet: readonly string[]): Target | null {
  let uri: Uri;
  try {
    uri = parseUri(remoteTarget);
  } catch {
    return null;
  }
  if (!isSipUri(uri)) return null;
  if (routeSet.length > 0) return { uri: remoteTarget, q: null, route: routeSet, flow: null, flowOnly: false };
  return foreignTarget(routes, uri, remoteTarget);
}

function transportOf(target: Target): Flow['transport'] {
  if (target.nextHop !== undefined) return target.nextHop.transport;
  const top = target.route[0];
  const next = top === undefined ? parseUri(target.uri) : parseNameAddr(top).uri;
  return isSipUri(next) ? uriDestination(next).transport : 'udp';
}

/** @see RFC 6665 §4.1.2, RFC 3856 §6.4 */
function subscribeRequest(member: Subscription, dialog: RemoteDialog, expires: number, contact: string): SipRequest {
  const request = new SipRequest('SUBSCRIBE', dialog.remoteTarget, [], Buffer.alloc(0));
  return request
    .addHeader('Max-Forwards', '70')
    .addHeader('From', `<${member.watcher}>;tag=${dialog.localTag}`)
    .addHeader('To', dialog.remoteTag === null ? `<${member.resource}>` : `<${member.resource}>;tag=${dialog.remoteTag}`)
    .addHeader('Call-ID', dialog.callId)
    .addHeader('CSeq', `${dialog.localCseq} SUBSCRIBE`)
    .addHeader('Contact', `<${contact}>`)
    .addHeader('Event', PRESENCE_EVENT)
    .addHeader('Accept', PIDF)
    .addHeader('Expires', String(expires));
}

/** The member record a back-end NOTIFY's Request-URI names, when it is Herald's own with that Contact's user part. */
function memberIdOf(uri: Uri, identity: LocalIdentity): string | null {
  if (!isSipUri(uri) || uri.user === null || !uri.user.startsWith(CONTACT_PREFIX) || !identity.isSelf(uri.host, uri.port)) return null;
  return Buffer.from(uri.user.slice(CONTACT_PREFIX.length), 'base64url').toString('utf8');
}

function contactOf(response: SipResponse): string | null {
  const contact = response.contact;
  return contact === '*' || contact[0] === undefined ? null : formatUri(contact[0].uri);
}

/** The NOTIFY's PIDF document when it carries one that parses; `null` otherwise (the last one stands). */
function pidfOf(req: SipRequest): string | null {
  const type = req.contentType;
  if (type === undefined || `${type.type}/${type.subtype}`.toLowerCase() !== PIDF || req.body.length === 0) return null;
  const body = req.body.toString('utf8');
  try {
    parsePidf(body);
    return body;
  } catch (error) {
    if (error instanceof InvalidPidf) return null;
    throw error;
  }
}

function respondOk(ctx: RequestContext): 'stop' {
  ctx.respond(200, 'OK');
  return 'stop';
}
