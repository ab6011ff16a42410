/** Options of the memory stores that expire records. */
export interface MemorySweepOptions {
  /** How often expired records are dropped, ms; 60 s unless given. */
  sweepIntervalMs?: number;
}

/**
 * The periodic sweep of a memory store. It runs on the latest `now` any call passed in
 * (`seen`), never on the wall clock, so expiry stays as deterministic as the callers'
 * clock; the timer is unref'd and never keeps the process alive.
 */
export class PeriodicSweep {
  private readonly timer: NodeJS.Timeout;
  private lastNow = 0;

  constructor(sweep: (now: number) => unknown, options: MemorySweepOptions = {}) {
    this.timer = setInterval(() => sweep(this.lastNow), options.sweepIntervalMs ?? 60_000);
    this.timer.unref();
  }

  /** Notes a caller's `now`: the sweep's clock. */
  seen(now: number): void {
    if (now > this.lastNow) this.lastNow = now;
  }

  /** True while the timer holds the process (it never should). */
  get holdsProcess(): boolean {
    return this.timer.hasRef();
  }

  /** Stops the sweep. */
  close(): void {
    clearInterval(this.timer);
  }
}

/** Options of the memory stores whose expired records wait to be taken (and announced). */
export interface MemoryGraceOptions extends MemorySweepOptions {
  /**
   * How long an expired record waits for `takeExpired` before the periodic sweep drops it
   * unannounced (a backstop that keeps memory bounded); 5 minutes unless given.
   */
  graceMs?: number;
}

/** Deletes the entries of `map` that are `expired`, up to `limit`; returns them. */
export function dropWhere<K, V>(map: Map<K, V>, expired: (value: V) => boolean, limit = Infinity): V[] {
  const out: V[] = [];
  for (const [key, value] of map) {
    if (out.length >= limit) break;
    if (expired(value)) {
      map.delete(key);
      out.push(value);
    }
  }
  return out;
}

/**
 * Deletes the entries of a map of maps that are `expired`, up to `limit`, and the inner
 * maps left empty; returns the entries.
 */
export function dropNestedWhere<K, L, V>(maps: Map<K, Map<L, V>>, expired: (value: V) => boolean, limit = Infinity): V[] {
  const out: V[] = [];
  for (const [key, inner] of maps) {
    if (out.length >= limit) break;
    out.push(...dropWhere(inner, expired, limit - out.length));
    if (inner.size === 0) maps.delete(key);
  }
  return out;
}

/**
 * Ids by the second their record expires in, so that taking what has expired looks at the
 * seconds gone by since the last take, not at every record: a sweep every second over
 * 100,000 live subscriptions would otherwise test each of them every second.
 */
export class ExpiryIndex {
  private readonly bySecond = new Map<number, Set<string>>();
  /** No id is indexed under an earlier second. */
  private earliest = Infinity;

  add(id: string, expiresAt: number): void {
    const second = Math.floor(expiresAt / 1000);
    const ids = this.bySecond.get(second);
    if (ids) ids.add(id);
    else this.bySecond.set(second, new Set([id]));
    if (second < this.earliest) this.earliest = second;
  }

  remove(id: string, expiresAt: number): void {
    const second = Math.floor(expiresAt / 1000);
    const ids = this.bySecond.get(second);
    if (ids?.delete(id) && ids.size === 0) this.bySecond.delete(second);
  }

  /**
   * Takes out of the index, and returns, up to `limit` ids indexed at or before `until` for
   * which `due` holds (the caller's check of the record itself: in the second of `until`,
   * some have not expired yet).
   */
  take(until: number, limit: number, due: (id: string) => boolean): string[] {
    const out: string[] = [];
    const last = Math.floor(until / 1000);
    if (this.earliest > last) return out;
    // Seconds one by one after a short gap (a sweep each second); the indexed seconds themselves after a long one.
    const seconds = last - this.earliest < this.bySecond.size ? secondsBetween(this.earliest, last) : [...this.bySecond.keys()].filter((s) => s <= last).sort((a, b) => a - b);
    // The earliest second at or before `last` that may still hold ids once this take is done.
    let left = Infinity;
    for (const second of seconds) {
      const ids = this.bySecond.get(second);
      if (ids === undefined) continue;
      for (const id of ids) {
        if (out.length >= limit) break;
        if (!due(id)) continue;
        ids.delete(id);
        out.push(id);
      }
      if (ids.size === 0) this.bySecond.delete(second);
      if (ids.size > 0 || out.length >= limit) left = Math.min(left, second);
      if (out.length >= limit) break;
    }
    // Nothing left up to `last`: the next take starts after it (where later ids, if any, are).
    this.earliest = Math.min(left, this.bySecond.size === 0 ? Infinity : last + 1);
    return out;
  }
}

function secondsBetween(from: number, to: number): number[] {
  const out: number[] = [];
  for (let s = from; s <= to; s++) out.push(s);
  return out;
}
