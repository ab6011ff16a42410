import type { ForwardOutcome, LocalIdentity, RequestProcessor, Target } from '@herald/proxy';
import type { SipRequest } from '@herald/sip';
import type { Store } from '@herald/store';
import { Notifier } from './notifier.js';
import { PRESENCE_EVENT, PresencePackage } from './presence-package.js';
import type { PresencePolicy } from './presence-policy.js';
import { publicationRequests } from './publish-processor.js';
import { subscriptionDialogs, subscriptionRequests } from './subscribe-processor.js';

export interface PresenceAgentOptions {
  identity: LocalIdentity;
  store: Pick<Store, 'subscriptions' | 'publications' | 'locations' | 'users' | 'presenceRules' | 'claims'>;
  policy: PresencePolicy;
  originate(request: SipRequest, targets: readonly Target[]): Promise<ForwardOutcome>;
  /** Herald's Contact on a transport. */
  contact(transport: string): string;
  owner: string;
  requireAuthentication: boolean;
  clock: { now(): number };
  logger?: { warn(msg: string, meta?: Record<string, unknown>): void };
}

const SWEEP_MS = 1000;
const SWEEP_LIMIT = 500;

/**
 * The presence agent: the processors for SUBSCRIBE and PUBLISH, the notifier behind them,
 * and the sweep that tells watchers when a publication expires.
 * @see RFC 3856, RFC 3903, RFC 6665
 */
export class PresenceAgent {
  /** Initial SUBSCRIBEs to local presentities; after authentication. */
  readonly subscriptions: RequestProcessor;
  /** SUBSCRIBEs in Herald's subscription dialogs; before authentication. */
  readonly dialogs: RequestProcessor;
  /** PUBLISH for local presentities; after authentication. */
  readonly publications: RequestProcessor;
  private readonly notifier: Notifier;
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly options: PresenceAgentOptions) {
    const { identity, store, policy, clock, owner, contact, logger } = options;
    this.notifier = new Notifier({ subscriptions: store.subscriptions, claims: store.claims, originate: options.originate, contact, owner, windowMs: policy.notifyWindowMs, clock, logger });
    this.notifier.register(new PresencePackage({ publications: store.publications, locations: store.locations, rules: store.presenceRules, policy, logger }));
    const lookup = { identity, locations: store.locations, users: store.users };
    const service = { ...lookup, subscriptions: store.subscriptions, notifier: this.notifier, policy, contact, owner, clock };
    this.subscriptions = subscriptionRequests(service);
    this.dialogs = subscriptionDialogs(service);
    this.publications = publicationRequests({ ...lookup, publications: store.publications, notifier: this.notifier, policy, requireAuthentication: options.requireAuthentication, clock });
  }

  start(): void {
    this.notifier.start();
    this.sweeper = setInterval(() => void this.sweepPublications(), SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    this.notifier.stop();
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  /** A presentity registered its first contact or lost its last: what watchers see may change. */
  registrationChanged(aor: string): void {
    this.notifier.changed(aor, PRESENCE_EVENT);
  }

  /** Expired publications, each taken by one worker, change what their presentity's watchers see. @see RFC 3903 §5 */
  private async sweepPublications(): Promise<void> {
    const { store, clock, logger } = this.options;
    try {
      const expired = await store.publications.takeExpired(clock.now(), SWEEP_LIMIT);
      for (const resource of new Set(expired.map((p) => p.resource))) this.notifier.changed(resource, PRESENCE_EVENT);
    } catch (error) {
      logger?.warn('presence: sweeping expired publications failed', { error });
    }
  }
}
