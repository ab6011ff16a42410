import type { Flow, ForwardOutcome, LocalIdentity, OutboundPeers, RequestProcessor, StaticRoutes, Target } from '@herald/proxy';
import type { SipRequest } from '@herald/sip';
import type { PresenceAction, Store, SubscriptionCap } from '@herald/store';
import { DECISIONS_CHANNEL, readDecision } from './authorization/presence-decisions.js';
import type { PresencePolicy } from './authorization/presence-policy.js';
import { PresenceSettingsCache } from './authorization/presence-settings-cache.js';
import { standingChange } from './authorization/watcher-authorization.js';
import { type WatcherDecisionOptions, watcherDecision } from './authorization/watcher-decision.js';
import { PRESENCE_EVENT } from './event-package.js';
import { listMemberNotifies } from './lists/list-member-notifies.js';
import { isRemoteMember } from './lists/remote-dialog.js';
import { RemoteMembers } from './lists/remote-members.js';
import { Notifier } from './notifier/notifier.js';
import { PresencePackage } from './notifier/presence-package.js';
import { RegistrationExpiry } from './notifier/registration-expiry.js';
import { WinfoPackage } from './notifier/winfo-package.js';
import { publicationRequests } from './publications/publish-processor.js';
import { subscriptionRefreshes } from './subscriptions/refresh-processor.js';
import type { PresenceExternalIds } from './subscriptions/present-to-watcher.js';
import { initialSubscriptions } from './subscriptions/subscribe-processor.js';

export interface PresenceAgentOptions {
  identity: LocalIdentity;
  store: Pick<Store, 'subscriptions' | 'publications' | 'locations' | 'users' | 'presenceRules' | 'groups' | 'claims' | 'bus'>;
  policy: PresencePolicy;
  originate(request: SipRequest, targets: readonly Target[]): Promise<ForwardOutcome>;
  /** `routes:`: how list members in other domains are reached. */
  routes: Pick<StaticRoutes, 'match'>;
  /** The watcher policy of a configured peer domain, applied after the presentity's rules; `undefined` for another domain. */
  peerWatchers?(domain: string): PresenceAction | undefined;
  /** Whether the federation policy lets a SUBSCRIBE for a list member go to `domain`; absent, every domain may be asked. */
  mayWatchIn?(domain: string): boolean;
  /** What the federation level of a domain asks of the way there, for the SUBSCRIBEs of list members. */
  peers?: OutboundPeers;
  /** ID conversion: watchers (and list members) in a `convertIds` community see users by their external form. */
  externalIds?: PresenceExternalIds;
  /** Herald's Contact on a transport, with a user part or none. */
  contact(transport: Flow['transport'], user?: string): string;
  owner: string;
  requireAuthentication: boolean;
  clock: { now(): number };
  logger?: { warn(msg: string, meta?: Record<string, unknown>): void };
  /** What the operator's metrics count; nothing when absent. */
  observer?: PresenceObserver;
  /** How the sweep reports its runs; absent, a failure is logged at warn each time. */
  sweeps?: SweepReport;
}

/** Events of the presence agent the operator counts. */
export interface PresenceObserver {
  /** A watcher of another domain was refused by a cap. */
  capReached(cap: SubscriptionCap): void;
  /** A subscription ended because its NOTIFY failed or went unanswered. */
  notifyFailed(status: number): void;
}

/** Where a periodic sweep of the store reports each run, so that an outage is told briefly. */
export interface SweepReport {
  failed(error: unknown): void;
  succeeded(): void;
}

/** How often each worker sweeps expired subscriptions and publications, and how many of each at most. */
const SWEEP_MS = 1000;
const SWEEP_LIMIT = 500;
/** Long enough that every worker has seen a decision before its claim lapses. */
const DECISION_CLAIM_MS = 60_000;

/**
 * The presence agent: the processors for SUBSCRIBE and PUBLISH, the notifier behind them,
 * and the sweep that ends expired subscriptions and tells watchers when a publication expires.
 * @see RFC 3856, RFC 3903, RFC 6665
 */
export class PresenceAgent {
  /** Initial SUBSCRIBEs to local presentities and resource lists; after authentication. */
  readonly subscriptions: RequestProcessor;
  /** SUBSCRIBEs in Herald's subscription dialogs (refreshes, unsubscribes); before authentication, the dialog is the credential. */
  readonly subscriptionRefreshes: RequestProcessor;
  /** NOTIFYs of the subscriptions Herald holds in other domains for list members; before authentication, the dialog is the credential. */
  readonly listMemberNotifies: RequestProcessor;
  /** PUBLISH for local presentities; after authentication. */
  readonly publications: RequestProcessor;
  private readonly notifier: Notifier;
  private readonly watchers: WatcherDecisionOptions;
  private readonly settings: PresenceSettingsCache;
  private readonly expiry: RegistrationExpiry;
  private readonly remote: RemoteMembers;
  private sweeper: ReturnType<typeof setInterval> | null = null;
  private unsubscribe: (() => Promise<void>) | null = null;

  constructor(private readonly options: PresenceAgentOptions) {
    const { identity, store, policy, clock, owner, contact, logger, observer } = options;
    this.notifier = new Notifier({
      subscriptions: store.subscriptions,
      claims: store.claims,
      originate: options.originate,
      contact,
      owner,
      host: identity.primaryDomain,
      windowMs: policy.notifyWindowMs,
      memberForgotten: (member) => {
        if (isRemoteMember(member)) void this.remote.ended(member);
      },
      clock,
      logger,
      notifyFailed: observer && ((status) => observer.notifyFailed(status)),
    });
    this.remote = new RemoteMembers({
      subscriptions: store.subscriptions,
      claims: store.claims,
      owner,
      routes: options.routes,
      mayWatchIn: options.mayWatchIn,
      peers: options.peers,
      externalIds: options.externalIds,
      originate: options.originate,
      contact,
      changed: (member) => this.notifier.memberChanged(member),
      clock,
      logger,
    });
    this.settings = new PresenceSettingsCache(store.presenceRules, clock);
    this.expiry = new RegistrationExpiry({ locations: store.locations, claims: store.claims, owner, clock, expired: (aor) => this.notifier.changed(aor, PRESENCE_EVENT) });
    const openFromRegistration = (aor: string, at: number) => this.expiry.watch(aor, at);
    this.notifier.register(new PresencePackage({ publications: store.publications, locations: store.locations, rules: this.settings, policy, openFromRegistration, logger }));
    this.notifier.register(new WinfoPackage(store.subscriptions));
    const lookup = { identity, locations: store.locations, users: store.users };
    const capReached = observer && ((cap: SubscriptionCap) => observer.capReached(cap));
    const service = { ...lookup, subscriptions: store.subscriptions, rules: this.settings, groups: store.groups, notifier: this.notifier, remote: this.remote, policy, contact, clock, capReached, peerWatchers: options.peerWatchers, externalIds: options.externalIds };
    this.watchers = service;
    this.subscriptions = initialSubscriptions(service);
    this.subscriptionRefreshes = subscriptionRefreshes(service);
    this.listMemberNotifies = listMemberNotifies({ identity, subscriptions: store.subscriptions, remote: this.remote, clock });
    this.publications = publicationRequests({ ...lookup, publications: store.publications, notifier: this.notifier, policy, requireAuthentication: options.requireAuthentication, clock });
  }

  /** Starts the sweep, and listens for the decisions the admin API announces. */
  async start(): Promise<void> {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_MS);
    this.sweeper.unref();
    this.unsubscribe = await this.options.store.bus.subscribe(DECISIONS_CHANNEL, (payload) => void this.decided(payload));
  }

  async stop(): Promise<void> {
    this.notifier.stop();
    this.expiry.stop();
    this.remote.stop();
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
    await this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** A presentity registered its first contact or lost its last: what watchers see may change. */
  registrationChanged(aor: string): void {
    this.expiry.forget(aor);
    this.notifier.changed(aor, PRESENCE_EVENT);
  }

  /**
   * The presentity's rules changed: every subscription to it stands as they now say, at
   * once. A watcher now allowed after waiting gets the state; a blocked one is ended
   * (`rejected`); a politely blocked one is told `closed`.
   * @see RFC 3857 §3.2 (pending → active, → terminated)
   */
  async rulesChanged(presentity: string): Promise<void> {
    const { store, clock } = this.options;
    for (const sub of await store.subscriptions.byResource(presentity, PRESENCE_EVENT, clock.now())) {
      const change = standingChange(sub, await watcherDecision(presentity, sub.watcher, this.watchers));
      if (change.kind === 'end') {
        if (await store.subscriptions.delete(sub.id, sub)) await this.notifier.ended(sub, 'rejected');
      } else if (change.kind === 'update') await this.notifier.update(sub, change.change);
    }
  }

  /** Ends `watcher`'s subscriptions to `presentity` (`deactivated`: it may subscribe again, and is then decided anew). */
  async removeWatcher(presentity: string, watcher: string): Promise<void> {
    const { store, clock } = this.options;
    for (const sub of await store.subscriptions.byResource(presentity, PRESENCE_EVENT, clock.now())) {
      if (sub.watcher === watcher && (await store.subscriptions.delete(sub.id, sub))) await this.notifier.ended(sub, 'deactivated');
    }
  }

  /** The presentity went invisible or came back: its watchers see the change. */
  visibilityChanged(presentity: string): void {
    this.notifier.changed(presentity, PRESENCE_EVENT);
  }

  /** Applies an announced decision, when this worker is the one that claims it. */
  private async decided(payload: Buffer): Promise<void> {
    const decision = readDecision(payload);
    if (decision === null) return;
    // Every worker forgets what it read; one of them applies the decision.
    this.settings.forget(decision.presentity);
    const { store, clock, owner, logger } = this.options;
    try {
      const holder = `${owner}/${decision.id}`;
      if ((await store.claims.claim(`presence-decision:${decision.id}`, holder, DECISION_CLAIM_MS, clock.now())) !== holder) return;
      if (decision.change === 'rules') await this.rulesChanged(decision.presentity);
      else if (decision.change === 'visibility') this.visibilityChanged(decision.presentity);
      else {
        await this.removeWatcher(decision.presentity, decision.watcher);
        await this.rulesChanged(decision.presentity);
      }
    } catch (error) {
      logger?.warn('presence: applying a decision failed', { presentity: decision.presentity, change: decision.change, error });
    }
  }

  /**
   * Expired subscriptions get their last NOTIFY; expired publications, each taken by one
   * worker, change what their presentity's watchers see. @see RFC 6665 §4.2.2, RFC 3903 §5
   */
  private async sweep(): Promise<void> {
    const { store, clock, logger, sweeps } = this.options;
    try {
      // A member outlives its list only when the list's end never reached it (a worker stopped).
      for (const member of await this.notifier.sweep(SWEEP_LIMIT)) if (isRemoteMember(member)) void this.remote.ended(member);
      const expired = await store.publications.takeExpired(clock.now(), SWEEP_LIMIT);
      for (const resource of new Set(expired.map((p) => p.resource))) this.notifier.changed(resource, PRESENCE_EVENT);
      sweeps?.succeeded();
    } catch (error) {
      if (sweeps) sweeps.failed(error);
      else logger?.warn('presence: sweeping expired subscriptions and publications failed', { error });
    }
  }
}
