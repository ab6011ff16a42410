import { randomHex } from '@herald/sip';
import type { Clock, TimerHandle } from '@herald/stack';
import { type Store, StoreUnavailableError } from '@herald/store';
import type { Logger } from './logger.js';
import type { SharedSecret } from './shared-secret.js';

/** How often each worker looks at the store's marker and re-reads the shared secret. */
export const STORE_CHECK_INTERVAL_MS = 5000;

export interface StoreLossWatchOptions {
  store: Pick<Store, 'marker' | 'onReconnect'>;
  /** The marker's id as this worker read it at start-up, before it seeded the store. */
  markerId: string;
  /** Writes again what the configuration owns (the `users:` accounts); resolves with how many. */
  reseed: () => Promise<number>;
  /** The nonce and flow-token secret kept in the store; null when `auth.secret` gives it. */
  secret: SharedSecret | null;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}

/**
 * Notices that the store lost its data (Redis restarted without it, FLUSHALL) and puts
 * back what the configuration owns. Every `intervalMs`, and at once when the connection
 * comes back, it checks the marker key: another id than the one read at start-up means
 * the store was emptied. Then it writes the `users:` accounts again, and the first worker
 * to notice logs one warning (the marker records when, for `/healthz`). Each check also
 * re-reads the shared secret, so that every worker signs with the same one again: the
 * one a worker started after the loss wrote, or this worker's own, written back.
 */
export class StoreLossWatch {
  private known: string;
  private timer: TimerHandle | null = null;
  private checking: Promise<void> | null = null;
  private stopped = false;
  private readonly candidate = randomHex(16);
  private readonly intervalMs: number;

  constructor(private readonly options: StoreLossWatchOptions) {
    this.known = options.markerId;
    this.intervalMs = options.intervalMs ?? STORE_CHECK_INTERVAL_MS;
  }

  start(): void {
    this.options.store.onReconnect(() => void this.check());
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.checking;
  }

  /** Checks once (a check already running is joined, not repeated). */
  check(): Promise<void> {
    this.checking ??= this.checkOnce().finally(() => (this.checking = null));
    return this.checking;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => void this.check().finally(() => this.schedule()), this.intervalMs);
  }

  private async checkOnce(): Promise<void> {
    const { store, clock, secret, logger } = this.options;
    try {
      const marker = await store.marker.check(this.candidate, clock.now(), this.known);
      if (marker.id !== this.known) {
        this.known = marker.id;
        const users = await this.options.reseed();
        await secret?.refresh();
        const details = { foundEmptyAt: new Date(marker.foundEmptyAt ?? clock.now()).toISOString(), reseededUsers: users };
        if (marker.firstToReport) {
          logger.warn(
            'store found empty (Redis restarted without its data, or flushed): the users: accounts are written again and the workers agree on a new nonce secret; accounts added with herald user or the admin API, registrations, subscriptions and stored messages are lost (keep Redis data with appendonly yes)',
            details,
          );
        } else if (logger.isDebugEnabled()) {
          logger.debug('store found empty: users: accounts written again', details);
        }
        return;
      }
      await secret?.refresh();
    } catch (error) {
      // An outage is answered 503 and shown by /healthz; the next check runs after it.
      if (!(error instanceof StoreUnavailableError)) logger.error('store check failed', { error });
    }
  }
}
