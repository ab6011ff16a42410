import type { Subscription, SubscriptionStore } from '../subscription-store.js';
import { type MemoryGraceOptions, PeriodicSweep, dropWhere } from './memory-sweep.js';

/**
 * Subscription dialogs in process memory, indexed by resource and event for fan-out. An
 * expired one waits for `takeExpired` (so its watcher is told) for the grace period; then
 * the periodic sweep, which runs on the latest `now` any call passed in, drops it.
 * @see RFC 6665 §4.2
 */
export class MemorySubscriptionStore implements SubscriptionStore {
  private readonly byId = new Map<string, Subscription>();
  /** `resource \0 event` → ids: fan-out costs the resource's watchers, not every subscription. */
  private readonly byWatched = new Map<string, Set<string>>();
  private readonly graceMs: number;
  private readonly periodic: PeriodicSweep;

  constructor(options: MemoryGraceOptions = {}) {
    this.graceMs = options.graceMs ?? 300_000;
    this.periodic = new PeriodicSweep((now) => this.sweep(now), options);
  }

  /** Stops the periodic sweep. */
  close(): void {
    this.periodic.close();
  }

  async get(id: string, now: number): Promise<Subscription | undefined> {
    this.periodic.seen(now);
    const s = this.byId.get(id);
    return s && s.expiresAt > now ? copied(s) : undefined;
  }

  async compareAndSet(next: Subscription, now: number): Promise<boolean> {
    this.periodic.seen(now);
    const cur = this.byId.get(next.id);
    // An expired record counts as none: `get` did not show it to the caller either.
    const version = cur && cur.expiresAt > now ? cur.version : 0;
    if (version !== next.version - 1) return false;
    if (cur) this.unindex(cur);
    this.byId.set(next.id, copied(next));
    const key = watched(next.resource, next.event);
    const ids = this.byWatched.get(key);
    if (ids) ids.add(next.id);
    else this.byWatched.set(key, new Set([next.id]));
    return true;
  }

  async delete(id: string): Promise<boolean> {
    const cur = this.byId.get(id);
    if (!cur) return false;
    this.drop(cur);
    return true;
  }

  async byResource(resource: string, event: string, now: number): Promise<Subscription[]> {
    this.periodic.seen(now);
    const out: Subscription[] = [];
    for (const id of this.byWatched.get(watched(resource, event)) ?? []) {
      const s = this.byId.get(id);
      if (s && s.expiresAt > now) out.push(copied(s));
    }
    return out;
  }

  async takeExpired(now: number, limit: number): Promise<Subscription[]> {
    this.periodic.seen(now);
    return this.dropWhere((s) => s.expiresAt <= now, limit);
  }

  /** Drops subscriptions expired for longer than the grace period; what the periodic sweep runs. */
  sweep(now: number): number {
    return this.dropWhere((s) => s.expiresAt + this.graceMs <= now).length;
  }

  private dropWhere(expired: (s: Subscription) => boolean, limit = Infinity): Subscription[] {
    const dropped = dropWhere(this.byId, expired, limit);
    for (const s of dropped) this.unindex(s);
    return dropped;
  }

  private drop(s: Subscription): void {
    this.byId.delete(s.id);
    this.unindex(s);
  }

  private unindex(s: Subscription): void {
    const key = watched(s.resource, s.event);
    const ids = this.byWatched.get(key);
    ids?.delete(s.id);
    if (ids?.size === 0) this.byWatched.delete(key);
  }
}

/**
 * A copy that shares nothing with the stored record, as a round trip through Redis gives;
 * structuredClone cost ~6 µs a record, a third of a SUBSCRIBE's store time.
 */
function copied(s: Subscription): Subscription {
  return { ...s, routeSet: [...s.routeSet], accept: [...s.accept], flow: s.flow === null ? null : { ...s.flow }, data: plainCopy(s.data) };
}

/** A deep copy of JSON-like data (what a package keeps in `data`). */
function plainCopy<T>(value: T): T {
  if (Array.isArray(value)) return value.map(plainCopy) as T;
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = plainCopy(v);
  return out as T;
}

function watched(resource: string, event: string): string {
  return `${resource}\0${event}`;
}
