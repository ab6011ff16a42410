import { MemoryStore, type Subscription } from '@herald/store';
import type { AuthenticatedUser } from '@herald/proxy';
import type { SipRequest } from '@herald/sip';
import { FakeClock, FakeRequestContext } from '@herald/test-kit';
import type { PresencePolicy } from '../../src/authorization/presence-policy.js';
import type { NotifyState } from '../../src/notifier/notify-request.js';
import type { SubscriptionServiceOptions } from '../../src/subscriptions/subscription-service-options.js';
import { DOMAIN, identity } from './presence-requests.js';

export const POLICY: PresencePolicy = {
  defaultExpires: 3600,
  minExpires: 60,
  maxExpires: 7200,
  notifyWindowMs: 0,
  fromRegistration: true,
  watchers: { local: 'allow', foreign: 'confirm' },
  domainWatchers: {},
  strangers: { maxWatchersPerPresentity: 1000, maxSubscriptionsPerWatcherDomain: 1000, maxSubscriptionsPerSource: 500, maxForeignPendingExpires: 600 },
};

/** One call a processor made to the notifier, with how many responses had been sent by then. */
export type NotifierCall =
  | { call: 'notifyWritten'; sub: Subscription; state: NotifyState; responsesSent: number }
  | { call: 'ended'; sub: Subscription; reason: string }
  | { call: 'watchersChanged'; resource: string; event: string }
  | { call: 'changed'; resource: string; event: string };

/** A notifier that sends nothing and keeps what it was asked to do. */
export class RecordingNotifier {
  readonly calls: NotifierCall[] = [];

  constructor(private readonly responsesSent: () => number = () => 0) {}

  async notifyWritten(sub: Subscription, state: NotifyState): Promise<void> {
    this.calls.push({ call: 'notifyWritten', sub, state, responsesSent: this.responsesSent() });
  }

  async ended(sub: Subscription, reason: string): Promise<void> {
    this.calls.push({ call: 'ended', sub, reason });
  }

  watchersChanged(sub: Pick<Subscription, 'resource' | 'event'>): void {
    this.calls.push({ call: 'watchersChanged', resource: sub.resource, event: sub.event });
  }

  changed(resource: string, event: string): void {
    this.calls.push({ call: 'changed', resource, event });
  }
}

/** The memory store, a fake clock and a recording notifier: what the SUBSCRIBE processors are built on in unit tests. */
export class PresenceTestbed {
  readonly store = new MemoryStore();
  readonly clock = new FakeClock();
  /** The context of the request a test runs last. */
  ctx: FakeRequestContext | null = null;
  readonly notifier = new RecordingNotifier(() => this.ctx?.responses.length ?? 0);
  /** The list members in other domains the processors asked to subscribe to. */
  readonly remoteSubscribed: Subscription[] = [];

  context(req: SipRequest, authenticated: AuthenticatedUser | null = null): FakeRequestContext {
    return (this.ctx = new FakeRequestContext(req, { authenticated }));
  }

  async addUser(user: string, domain = DOMAIN): Promise<void> {
    await this.store.users.put({ user, domain, ha1Md5: '', ha1Sha256: '', createdAt: 0, updatedAt: 0 });
  }

  services(overrides: Partial<SubscriptionServiceOptions> = {}): SubscriptionServiceOptions {
    const { store, clock } = this;
    return {
      identity: identity(),
      locations: store.locations,
      users: store.users,
      subscriptions: store.subscriptions,
      rules: store.presenceRules,
      groups: store.groups,
      notifier: this.notifier,
      remote: { member: () => null, subscribe: async (member) => void this.remoteSubscribed.push(member) },
      policy: POLICY,
      contact: (transport) => `sip:192.0.2.1:5060;transport=${transport}`,
      clock,
      ...overrides,
    };
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}
