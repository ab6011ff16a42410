import { type Flow, type ForwardOutcome, type Target, contactTarget } from '@herald/proxy';
import type { SipRequest } from '@herald/sip';
import type { Claims, Subscription, SubscriptionStore } from '@herald/store';
import type { EventPackage, NotifyBody, NotifyContent } from '../event-package.js';
import { localMemberEntry, remoteMemberEntry, terminatedEntry } from '../lists/list-member-entry.js';
import { type ListData, isList, listMemberId, listOf } from '../lists/list-subscription.js';
import { isRemoteMember } from '../lists/remote-dialog.js';
import { type ListMember, listNotifyBody } from '../lists/rlmi-document.js';
import { rewriteSubscription } from '../subscription-writes.js';
import { fanOut } from './fan-out.js';
import { notifyEndsSubscription } from './notify-outcome.js';
import { type NotifyState, liveState, notifyRequest } from './notify-request.js';

export interface NotifierOptions {
  subscriptions: SubscriptionStore;
  /** Where the coalescing windows of resources are held, shared by every worker. */
  claims: Claims;
  /** Sends a request Herald originates (`ProxyCore.originate`). */
  originate(request: SipRequest, targets: readonly Target[]): Promise<ForwardOutcome>;
  /** Herald's Contact on a transport. */
  contact(transport: Flow['transport']): string;
  /** This worker (`node/pid`). */
  owner: string;
  /** The host of Content-IDs in list NOTIFYs. */
  host: string;
  /** Changes within this many ms of a NOTIFY are merged into one NOTIFY at the window's end; 0 sends each. */
  windowMs: number;
  /** A list ended and let go of a member's record (one in another domain ends its subscription there). */
  memberForgotten?(member: Subscription): void;
  clock: { now(): number };
  logger?: { warn(msg: string, meta?: Record<string, unknown>): void };
  /** A subscription ended because its NOTIFY failed or went unanswered (for the operator's metrics). */
  notifyFailed?(status: number): void;
}

/** A NOTIFY of this worker waiting for its answer; `again` once a change came meanwhile. */
interface InFlight {
  again: boolean;
}

/**
 * Sends NOTIFYs in the subscription dialogs held in the store, from any worker: the
 * worker that saw a change tells every watcher of the resource, through the flow owner
 * when a watcher's connection is another worker's. Bursts of changes to one resource
 * are coalesced across workers: the first goes out at once, later ones within the window
 * become one NOTIFY when it ends. A subscription has one NOTIFY at a time from a worker:
 * a change while the watcher has not answered goes out, with the state then, once it has,
 * and not at all when the answer (or its absence) ends the subscription. Expired
 * subscriptions get their last NOTIFY from the worker whose sweep takes them (`sweep`).
 * @see RFC 6665 §4.2.2, RFC 3856 §6.10
 */
export class Notifier {
  private readonly packages = new Map<string, EventPackage>();
  private readonly pending = new Set<ReturnType<typeof setTimeout>>();
  private readonly inFlight = new Map<string, InFlight>();
  /** Watchers of a resource (`event \0 resource`) that answered after changes came, sent the state together. */
  private readonly catchUps = new Map<string, { subs: Subscription[]; done: Promise<void> }>();
  private seq = 0;

  constructor(private readonly options: NotifierOptions) {}

  register(pkg: EventPackage): void {
    this.packages.set(pkg.event, pkg);
  }

  /** Drops the merged NOTIFYs still waiting for their window to end. */
  stop(): void {
    for (const timer of this.pending) clearTimeout(timer);
    this.pending.clear();
  }

  /**
   * Sends the NOTIFY for CSeq `sub.localCseq`, already written to the store with the
   * subscription (the first NOTIFY, or the one a refresh triggers), with the state now.
   * @see RFC 6665 §4.2.1.2
   */
  async notifyWritten(sub: Subscription, state: NotifyState): Promise<void> {
    const body = isList(sub) ? await this.fullListBody(sub) : await this.bodyFor(sub.resource, sub.event);
    await this.send(sub, sub.localCseq, state, body(sub));
  }

  /**
   * Writes `change` to a subscription (its status, what the package keeps) with the next
   * CSeq, and sends the NOTIFY that tells the watcher; nothing when it is gone.
   */
  async update(sub: Subscription, change: Partial<Pick<Subscription, 'status' | 'data'>>): Promise<void> {
    const body = await this.bodyFor(sub.resource, sub.event);
    const parent = listOf(sub);
    if (parent === null) return this.notifyNext(sub, body, change, () => this.watchersChanged(sub));
    // A member of a list subscription: its state goes to the list's watcher.
    const written = await rewriteSubscription(this.options.subscriptions, sub, () => change, this.options.clock);
    if (written === undefined) return;
    this.watchersChanged(sub);
    await this.notifyList(parent, [localMemberEntry(written, body)]);
  }

  /** A member of a list changed state on its own (one in another domain): the list's watcher is told. */
  async memberChanged(member: Subscription): Promise<void> {
    const parent = listOf(member);
    if (parent !== null) await this.notifyList(parent, [remoteMemberEntry(member)]);
  }

  /**
   * A subscription began, ended or changed standing: the watcher-information subscribers
   * of its resource (the `<event>.winfo` package) are told, when there is such a package.
   * @see RFC 3857 §4.6
   */
  watchersChanged(sub: Pick<Subscription, 'resource' | 'event'>): void {
    const winfo = `${sub.event}.winfo`;
    if (this.packages.has(winfo)) this.changed(sub.resource, winfo);
  }

  /** The state of `resource` changed: its watchers are told, coalesced. Never rejects. */
  changed(resource: string, event: string): void {
    this.coalesced(resource, event).catch((error: unknown) => this.options.logger?.warn('presence: notifying watchers failed', { resource, event, error }));
  }

  /** Ends a subscription already taken out of the store with a last NOTIFY (`terminated`). Never rejects. */
  async ended(sub: Subscription, reason: Extract<NotifyState, { state: 'terminated' }>['reason']): Promise<void> {
    try {
      const parent = listOf(sub);
      if (parent !== null) {
        this.watchersChanged(sub);
        await this.notifyList(parent, [terminatedEntry(sub.resource, reason)]);
        return;
      }
      if (isList(sub)) await this.forgetMembers(sub);
      // A watcher ended by the presentity's decision learns nothing more of it.
      const content = reason === 'timeout' && !isList(sub) ? (await this.bodyFor(sub.resource, sub.event))(sub) : null;
      // The subscription is gone from the store already; winfo need not wait for the watcher's answer.
      this.watchersChanged(sub);
      await this.send(sub, sub.localCseq + 1, { state: 'terminated', reason }, content);
    } catch (error) {
      this.options.logger?.warn('presence: final NOTIFY failed', { subscription: sub.id, error });
    }
  }

  private async coalesced(resource: string, event: string): Promise<void> {
    const { subscriptions, claims, clock, windowMs } = this.options;
    const watchers = await subscriptions.byResource(resource, event, clock.now());
    if (watchers.length === 0) return;
    if (windowMs === 0) return this.notifyWatchers(resource, event, watchers);
    const holder = `${this.options.owner}/${++this.seq}`;
    const now = clock.now();
    if ((await claims.claim(`notify:${event}:${resource}`, holder, windowMs, now)) === holder) return this.notifyWatchers(resource, event, watchers);
    // A NOTIFY went out within the window: one worker sends the merged state once it ends.
    const later = `notify-later:${event}:${resource}`;
    if ((await claims.claim(later, holder, windowMs, now)) !== holder) return;
    const timer = setTimeout(() => {
      this.pending.delete(timer);
      void claims
        .release(later, holder)
        .then(() => this.coalesced(resource, event))
        .catch((error: unknown) => this.options.logger?.warn('presence: notifying watchers failed', { resource, event, error }));
    }, windowMs);
    timer.unref();
    this.pending.add(timer);
  }

  private async notifyWatchers(resource: string, event: string, watchers: readonly Subscription[]): Promise<void> {
    const { direct, lists } = fanOut(watchers);
    const ready = this.readyForNext(direct);
    // Every watcher still owes an answer (a change that came right after another): they get the state once they answer, read then.
    if (ready.length === 0 && lists.size === 0) return;
    const body = await this.bodyFor(resource, event);
    await Promise.all([
      this.notifyEach(ready, body),
      ...[...lists].map(([parent, members]) => this.notifyList(parent, members.map((m) => localMemberEntry(m, body)))),
    ]);
  }

  /** A partial list NOTIFY: only the members that changed. @see RFC 4662 §5.2 (fullState="false") */
  private async notifyList(parentId: string, members: ListMember[]): Promise<void> {
    const parent = await this.options.subscriptions.get(parentId, this.options.clock.now());
    if (parent === undefined) return;
    await this.notifyNext(parent, (next) => listNotifyBody(next.resource, next.localCseq - 1, false, members, this.options.host));
  }

  /** The full state of a list subscription: every member, those refused included. */
  private async fullListBody(parent: Subscription): Promise<NotifyBody> {
    const { members, refused } = parent.data.list as ListData;
    const now = this.options.clock.now();
    const entries = await Promise.all(
      members.map(async (uri): Promise<ListMember> => {
        const member = await this.options.subscriptions.get(listMemberId(parent.id, uri), now);
        if (member === undefined) return terminatedEntry(uri, 'noresource');
        return isRemoteMember(member) ? remoteMemberEntry(member) : localMemberEntry(member, await this.bodyFor(uri, member.event));
      }),
    );
    for (const r of refused) entries.push(terminatedEntry(r.uri, r.reason));
    return (next) => listNotifyBody(next.resource, next.localCseq - 1, true, entries, this.options.host);
  }

  private async forgetMembers(parent: Subscription): Promise<void> {
    const { subscriptions, clock, memberForgotten } = this.options;
    const { members } = parent.data.list as ListData;
    await Promise.all(
      members.map(async (uri) => {
        const id = listMemberId(parent.id, uri);
        const member = await subscriptions.get(id, clock.now());
        if ((await subscriptions.delete(id, member)) && member !== undefined) memberForgotten?.(member);
      }),
    );
  }

  /**
   * The watchers among `watchers` with no NOTIFY of this worker waiting for its answer; the
   * others are marked to get the state once they have answered, as in `notifyNext`.
   */
  private readyForNext(watchers: readonly Subscription[]): Subscription[] {
    const ready: Subscription[] = [];
    for (const sub of watchers) {
      const flight = this.inFlight.get(sub.id);
      if (flight !== undefined) flight.again = true;
      else ready.push(sub);
    }
    return ready;
  }

  /**
   * The next NOTIFY to each of `ready` (`readyForNext`), records read for this fan-out or
   * those of the NOTIFYs just answered (advanced in place): their CSeqs written in one store
   * step, then each sent. One whose record changed since it was read is read again.
   * @see RFC 3261 §12.2.1.1 (CSeq + 1 per request in the dialog), RFC 6665 §4.2.2
   */
  private async notifyEach(ready: readonly Subscription[], body: NotifyBody): Promise<void> {
    const { subscriptions, clock } = this.options;
    if (ready.length === 0) return;
    for (const sub of ready) {
      sub.localCseq += 1;
      sub.version += 1;
    }
    const written = await subscriptions.compareAndSetMany(ready, clock.now());
    const now = clock.now();
    await Promise.all(ready.map((next, i) => (written[i] ? this.send(next, next.localCseq, liveState(next, now), body(next)) : this.notifyCurrent(next.id))));
  }

  /** A NOTIFY with the next CSeq of the dialog, written before it is sent. @see RFC 3261 §12.2.1.1 */
  private async notifyNext(sub: Subscription, body: NotifyBody, change: Partial<Subscription> = {}, written?: () => void): Promise<void> {
    const { subscriptions, clock } = this.options;
    const flight = this.inFlight.get(sub.id);
    if (flight !== undefined) {
      // The watcher has not answered the last NOTIFY: the state goes out once it has, and never if that answer ends the subscription.
      flight.again = true;
      if (Object.keys(change).length > 0 && (await rewriteSubscription(subscriptions, sub, () => change, clock)) !== undefined) written?.();
      return;
    }
    const next = await rewriteSubscription(subscriptions, sub, (current) => ({ ...change, localCseq: current.localCseq + 1 }), clock);
    if (next === undefined) return;
    written?.();
    await this.send(next, next.localCseq, liveState(next, clock.now()), body(next));
  }

  private async send(sub: Subscription, cseq: number, state: NotifyState, content: NotifyContent | null): Promise<void> {
    const request = notifyRequest(sub, cseq, state, content, this.options.contact(sub.flow?.transport ?? 'udp'));
    const target = contactTarget({ contact: sub.remoteTarget, q: null, path: sub.routeSet, regId: null, flow: sub.flow });
    const flight: InFlight = { again: false };
    const live = state.state !== 'terminated';
    if (live) this.inFlight.set(sub.id, flight);
    let outcome: ForwardOutcome;
    try {
      outcome = await this.options.originate(request, [target]);
    } finally {
      if (this.inFlight.get(sub.id) === flight) this.inFlight.delete(sub.id);
    }
    if (notifyEndsSubscription(state, outcome)) {
      if (!(await this.options.subscriptions.delete(sub.id, sub))) return;
      this.options.notifyFailed?.(outcome.status);
      this.watchersChanged(sub);
      if (isList(sub)) await this.forgetMembers(sub);
    } else if (flight.again && outcome.status < 300) await (isList(sub) ? this.notifyCurrent(sub.id) : this.catchUp(sub));
  }

  /**
   * The state as it is now, to a watcher that answered a NOTIFY after changes came, together
   * with the other watchers of the resource that answered in the same turn of the event loop
   * (the answers to one fan-out arrive together): one state read and one CSeq step for them.
   * `sub` is the record as that NOTIFY wrote it: not read again, since the compare-and-set of
   * the next CSeq finds out whether it changed since (then it is read again, `notifyEach`).
   */
  private catchUp(sub: Subscription): Promise<void> {
    const key = `${sub.event}\0${sub.resource}`;
    const waiting = this.catchUps.get(key);
    if (waiting !== undefined) {
      waiting.subs.push(sub);
      return waiting.done;
    }
    const subs = [sub];
    const done = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      this.catchUps.delete(key);
      const ready = this.readyForNext(subs);
      if (ready.length === 0) return;
      await this.notifyEach(ready, await this.bodyFor(sub.resource, sub.event));
    });
    this.catchUps.set(key, { subs, done });
    return done;
  }

  /** The whole state as it is now, to a watcher that answered a NOTIFY after changes came. */
  private async notifyCurrent(id: string): Promise<void> {
    const sub = await this.options.subscriptions.get(id, this.options.clock.now());
    if (sub === undefined) return;
    await this.notifyNext(sub, isList(sub) ? await this.fullListBody(sub) : await this.bodyFor(sub.resource, sub.event));
  }

  private async bodyFor(resource: string, event: string): Promise<NotifyBody> {
    const pkg = this.packages.get(event);
    if (pkg === undefined) throw new Error(`no event package ${event}`);
    return pkg.body(resource, this.options.clock.now());
  }

  /**
   * Ends up to `limit` expired subscriptions, each taken by one worker, with their last
   * NOTIFY. @returns the list members taken, which end with their list, not on their own.
   */
  async sweep(limit: number): Promise<Subscription[]> {
    const members: Subscription[] = [];
    for (const sub of await this.options.subscriptions.takeExpired(this.options.clock.now(), limit)) {
      if (listOf(sub) === null) void this.ended(sub, 'timeout');
      else members.push(sub);
    }
    return members;
  }
}

