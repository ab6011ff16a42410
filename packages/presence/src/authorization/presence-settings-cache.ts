import type { PresenceRule, PresenceRuleStore } from '@herald/store';

/** How long a worker trusts what it read, should an announcement of a change be lost. */
const TTL_MS = 30_000;
/** Presentities remembered at most; the oldest read goes first. */
const MAX_ENTRIES = 50_000;

interface Entry {
  rules?: Promise<PresenceRule[]>;
  invisible?: Promise<boolean>;
  readAt: number;
}

/**
 * A worker's memory of presentities' rules and invisible mode, read on every SUBSCRIBE and
 * NOTIFY. Every change to them goes through the admin API, which announces it on the bus;
 * each worker forgets the presentity then (`forget`), and everything after `TTL_MS`.
 */
export class PresenceSettingsCache implements Pick<PresenceRuleStore, 'rules' | 'isInvisible'> {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: Pick<PresenceRuleStore, 'rules' | 'isInvisible'>,
    private readonly clock: { now(): number },
  ) {}

  rules(presentity: string): Promise<PresenceRule[]> {
    const entry = this.entry(presentity);
    return (entry.rules ??= this.settle(presentity, this.store.rules(presentity)));
  }

  isInvisible(presentity: string): Promise<boolean> {
    const entry = this.entry(presentity);
    return (entry.invisible ??= this.settle(presentity, this.store.isInvisible(presentity)));
  }

  forget(presentity: string): void {
    this.entries.delete(presentity);
  }

  private entry(presentity: string): Entry {
    const now = this.clock.now();
    const found = this.entries.get(presentity);
    if (found !== undefined && now - found.readAt < TTL_MS) return found;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    const fresh: Entry = { readAt: now };
    this.entries.delete(presentity);
    this.entries.set(presentity, fresh);
    return fresh;
  }

  /** A failed read is not remembered: the next one asks the store again. */
  private settle<T>(presentity: string, read: Promise<T>): Promise<T> {
    return read.catch((error: unknown) => {
      this.forget(presentity);
      throw error;
    });
  }
}
