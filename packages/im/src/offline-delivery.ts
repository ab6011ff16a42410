import { type ForwardOutcome, type Target, contactTarget } from '@herald/proxy';
import { type SipRequest, randomHex } from '@herald/sip';
import type { Claims, LocationStore, MessageStore } from '@herald/store';
import { deliveryRequest } from './offline-message.js';

const NOTHING: Promise<void> = Promise.resolve();

/** How long one worker holds a recipient's delivery; renewed when half of it has passed. */
const LEASE_MS = 60_000;
/** How often expired messages are swept, and how many at most per sweep. */
const SWEEP_MS = 60_000;
const SWEEP_LIMIT = 1000;

export interface OfflineDeliveryOptions {
  locations: LocationStore;
  messages: MessageStore;
  /** Where the delivery lease of a recipient is taken. */
  claims: Claims;
  /** Sends a request Herald originates to targets (`ProxyCore.originate`). */
  originate(request: SipRequest, targets: readonly Target[]): Promise<ForwardOutcome>;
  /** This worker, for delivery leases. */
  owner: string;
  /** The host for Call-IDs of delivered messages. */
  host: string;
  clock: { now(): number };
  logger?: { warn(msg: string, meta?: Record<string, unknown>): void };
  /** How the sweep of expired messages reports its runs; absent, a failure is logged at warn each time. */
  sweeps?: { failed(error: unknown): void; succeeded(): void };
}

/**
 * Delivers stored messages when their recipient registers: one at a time, oldest first,
 * each removed only after the recipient's 2xx; on a failure the rest wait for the next
 * registration. One worker at a time delivers a recipient's messages (a lease: the claim
 * `delivery:<aor>` in the store).
 * @see RFC 3428 §7
 */
export class OfflineDelivery {
  private seq = 0;
  private sweeper: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly options: OfflineDeliveryOptions) {}

  /** Starts the periodic sweep of expired messages. */
  start(): void {
    const { messages, clock, sweeps, logger } = this.options;
    this.sweeper = setInterval(() => {
      void messages.sweepExpired(clock.now(), SWEEP_LIMIT).then(
        () => sweeps?.succeeded(),
        (error: unknown) => (sweeps ? sweeps.failed(error) : logger?.warn('offline messages: sweeping expired messages failed', { error })),
      );
    }, SWEEP_MS);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper !== null) clearInterval(this.sweeper);
    this.sweeper = null;
  }

  /** A binding was added for `aor`: deliver what waits for it. Never rejects. */
  registered(aor: string): Promise<void> {
    // Most registrations find nothing waiting: answered from memory where the store can.
    if (this.options.messages.mayHold?.(aor) === false) return NOTHING;
    return this.deliverLogged(aor);
  }

  private async deliverLogged(aor: string): Promise<void> {
    try {
      await this.deliver(aor);
    } catch (error) {
      this.options.logger?.warn('offline messages: delivery stopped', { recipient: aor, error });
    }
  }

  private async deliver(aor: string): Promise<void> {
    const { messages, locations, clock } = this.options;
    // A read first: most registrations find nothing waiting, and need no lease (a write).
    if ((await messages.list(aor, clock.now())).length === 0) return;
    const holder = `${this.options.owner}/${++this.seq}/${randomHex(2)}`;
    const key = `delivery:${aor}`;
    let leasedAt = clock.now();
    const lease = async () => (await this.options.claims.claim(key, holder, LEASE_MS, leasedAt)) === holder;
    if (!(await lease())) return;
    try {
      for (const message of await messages.list(aor, clock.now())) {
        if (clock.now() - leasedAt >= LEASE_MS / 2) {
          leasedAt = clock.now();
          if (!(await lease())) return;
        }
        const { bindings } = await locations.get(aor, clock.now());
        if (bindings.length === 0) return;
        const outcome = await this.options.originate(deliveryRequest(message, this.options.host), bindings.map(contactTarget));
        if (outcome.status >= 200 && outcome.status < 300) {
          await messages.remove(aor, message.id);
          continue;
        }
        await messages.markAttempt(aor, message.id);
        return;
      }
    } finally {
      await this.options.claims.release(key, holder).catch(() => undefined);
    }
  }
}
