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
