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
  /** This worker was the first to find the store emptied and has not logged it yet. */
  private reportPending = false;
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
        // Until the accounts are back, the marker counts as unseen: a failed re-seed is tried again.
        this.reportPending ||= marker.firstToReport;
        const users = await this.options.reseed();
        await secret?.refresh();
        this.known = marker.id;
        const details = { foundEmptyAt: new Date(marker.foundEmptyAt ?? clock.now()).toISOString(), reseededUsers: users };
        if (this.reportPending) {
          this.reportPending = false;
          logger.warn(
            'store found empty (Redis restarted without its data, or flushed): users: accounts written again, nonce secret re-read; accounts added with herald user or the admin API, registrations, subscriptions and stored messages are lost (run Redis with appendonly yes)',
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
