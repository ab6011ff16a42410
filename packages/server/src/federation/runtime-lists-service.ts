import type { FederationPolicy, RuntimeLists } from '@herald/proxy';
import type { Clock, TimerHandle } from '@herald/stack';
import type { Store } from '@herald/store';
import type { Logger } from '../logger.js';
import { RUNTIME_LISTS_CHANNEL, readRuntimeLists } from './runtime-lists.js';

/** How often each worker reads the stored lists again, in case an announcement was lost. */
export const RUNTIME_LISTS_REREAD_MS = 30_000;

export interface RuntimeListsServiceOptions {
  store: Pick<Store, 'settings' | 'bus' | 'onReconnect'>;
  /** The policy the lists are handed to. */
  view: Pick<FederationPolicy, 'useRuntimeLists'>;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}

/**
 * A worker's copy of the run-time allow and block lists: read from the store at start, again
 * on each announcement on the bus (an admin API change), when the store's connection is back
 * (announcements while it was down are lost), and every `intervalMs`; each time they
 * differ from the ones applied, handed to the federation view. A read that fails keeps the
 * lists applied before, with a warning.
 */
export class RuntimeListsService {
  /** The lists applied, as JSON; a view starts with none. */
  private applied = JSON.stringify({ allow: [], block: [] });
  private reading: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private timer: TimerHandle | null = null;
  private unsubscribe: (() => Promise<void>) | null = null;
  private stopped = false;
  private readonly intervalMs: number;

  constructor(private readonly options: RuntimeListsServiceOptions) {
    this.intervalMs = options.intervalMs ?? RUNTIME_LISTS_REREAD_MS;
  }

  /** The lists last applied. */
  get current(): RuntimeLists {
    return JSON.parse(this.applied) as RuntimeLists;
  }

  /** Subscribes to announcements, then reads and applies the stored lists. */
  async start(): Promise<void> {
    const { store } = this.options;
    this.unsubscribe = await store.bus.subscribe(RUNTIME_LISTS_CHANNEL, () => void this.refresh());
    store.onReconnect(() => void this.refresh());
    await this.refresh();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.unsubscribe?.().catch(() => undefined);
    this.unsubscribe = null;
    await this.next;
    await this.reading;
  }

  /**
   * Reads the stored lists and applies them when they changed. Asked while a read is under
   * way, it reads once more after it: that read may have seen the value before the change
   * that was just announced.
   */
  refresh(): Promise<void> {
    if (this.reading === null) {
      this.reading = this.readOnce().finally(() => (this.reading = null));
      return this.reading;
    }
    this.next ??= this.reading.then(() => {
      this.next = null;
      return this.refresh();
    });
    return this.next;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.options.clock.setTimeout(() => void this.refresh().finally(() => this.schedule()), this.intervalMs);
  }

  private async readOnce(): Promise<void> {
    const { store, view, logger } = this.options;
    let lists: RuntimeLists;
    try {
      lists = await readRuntimeLists(store.settings);
    } catch (error) {
      logger.warn('federation: cannot read the run-time allow and block lists; the ones read before stay in force', { error: (error as Error).message });
      return;
    }
    const text = JSON.stringify(lists);
    if (text === this.applied || this.stopped) return;
    try {
      view.useRuntimeLists({ allow: [...lists.allow], block: [...lists.block] });
    } catch (error) {
      logger.error('federation: the policy refused the run-time allow and block lists; the ones applied before stay in force', { error });
      return;
    }
    this.applied = text;
    logger.info('federation: run-time allow and block lists applied', { allow: lists.allow, block: lists.block });
  }
}
