import type { Clock, TimerHandle } from '@herald/stack';
import type { Store } from '@herald/store';
import type { Logger } from './logger.js';
import { type RuntimeSetting, readRuntimeSetting } from './runtime-setting.js';

/** How often each worker reads a stored run-time setting again, in case an announcement was lost. */
export const RUNTIME_SETTING_REREAD_MS = 30_000;

export interface RuntimeSettingServiceOptions<T extends object> {
  setting: RuntimeSetting<T>;
  store: Pick<Store, 'settings' | 'bus' | 'onReconnect'>;
  /**
   * Hands a value read to what obeys it (the federation policy, the community switch).
   * @throws Error when it cannot use the value; the one applied before stays in force
   */
  apply(value: T): void;
  clock: Clock;
  logger: Logger;
  intervalMs?: number;
}

/**
 * A worker's copy of a run-time setting: read from the store at start, again on each
 * announcement on the bus (an admin API change), when the store's connection is back
 * (announcements while it was down are lost), and every `intervalMs`; each time it differs
 * from the value applied, handed to `apply`. A read that fails keeps the value applied
 * before, with a warning.
 */
export class RuntimeSettingService<T extends object> {
  /** The value applied, as JSON; a worker starts with the empty one. */
  private applied: string;
  private reading: Promise<void> | null = null;
  private next: Promise<void> | null = null;
  private timer: TimerHandle | null = null;
  private unsubscribe: (() => Promise<void>) | null = null;
  private stopped = false;
  private readonly intervalMs: number;

  constructor(private readonly options: RuntimeSettingServiceOptions<T>) {
    this.intervalMs = options.intervalMs ?? RUNTIME_SETTING_REREAD_MS;
    this.applied = JSON.stringify(options.setting.empty());
  }

  /** The value last applied. */
  get current(): T {
    return JSON.parse(this.applied) as T;
  }

  /** Subscribes to announcements, then reads and applies the stored value. */
  async start(): Promise<void> {
    const { store, setting } = this.options;
    this.unsubscribe = await store.bus.subscribe(setting.channel, () => void this.refresh());
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
   * Reads the stored value and applies it when it changed. Asked while a read is under way,
   * it reads once more after it: that read may have seen the value before the change that
   * was just announced.
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
    const { store, setting, logger } = this.options;
    let value: T;
    try {
      value = await readRuntimeSetting(store.settings, setting);
    } catch (error) {
      logger.warn(`${setting.area}: cannot read the ${setting.what}; the ones read before stay in force`, { error: (error as Error).message });
      return;
    }
    const text = JSON.stringify(value);
    if (text === this.applied || this.stopped) return;
    try {
      this.options.apply(value);
    } catch (error) {
      logger.error(`${setting.area}: the policy refused the ${setting.what}; the ones applied before stay in force`, { error });
      return;
    }
    this.applied = text;
    logger.info(`${setting.area}: ${setting.what} applied`, { ...value });
  }
}
