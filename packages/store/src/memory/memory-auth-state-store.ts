import type { AuthStateStore, NonceCountRepeat } from '../auth-state-store.js';
import { type MemorySweepOptions, PeriodicSweep, dropWhere } from './memory-sweep.js';

interface NonceRecord {
  nc: number;
  expiresAt: number;
  /** The `repeat.request` that recorded `nc` ('' without one), and when. */
  request: string;
  at: number;
}

interface FailureWindow {
  count: number;
  /** The window ends here, ms since the epoch. */
  until: number;
}

/**
 * Digest nonce counts and failure counters in this process's memory (the embedded
 * default): lazy expiry on `now`, plus a periodic sweep that keeps memory bounded.
 * @see RFC 7616 §3.4, §5.4
 */
export class MemoryAuthStateStore implements AuthStateStore {
  private readonly nonces = new Map<string, NonceRecord>();
  private readonly windows = new Map<string, FailureWindow>();
  private secret: string | undefined;
  private readonly periodic: PeriodicSweep;

  constructor(options: MemorySweepOptions = {}) {
    this.periodic = new PeriodicSweep((now) => this.sweep(now), options);
  }

  async advanceNonceCount(nonce: string, nc: number, expiresAt: number, now: number, repeat?: NonceCountRepeat): Promise<boolean | 'repeated'> {
    this.periodic.seen(now);
    const seen = this.nonces.get(nonce);
    if (seen && seen.expiresAt > now && nc <= seen.nc) {
      const repeated = repeat !== undefined && repeat.request !== '' && nc === seen.nc && repeat.request === seen.request && now < seen.at + repeat.windowMs;
      return repeated ? 'repeated' : false;
    }
    // A nonce already expired leaves no record: its count would be forgotten at once.
    if (expiresAt > now) this.nonces.set(nonce, { nc, expiresAt, request: repeat?.request ?? '', at: now });
    else this.nonces.delete(nonce);
    return true;
  }

  async addFailure(key: string, windowMs: number, now: number): Promise<number> {
    this.periodic.seen(now);
    let window = this.windows.get(key);
    if (!window || window.until <= now) {
      window = { count: 0, until: now + windowMs };
      this.windows.set(key, window);
    }
    return ++window.count;
  }

  async failures(key: string, now: number): Promise<number> {
    this.periodic.seen(now);
    return this.count(key, now);
  }

  async failuresOf(keys: readonly string[], now: number): Promise<number[]> {
    this.periodic.seen(now);
    return keys.map((key) => this.count(key, now));
  }

  async clearFailures(key: string): Promise<void> {
    this.windows.delete(key);
  }

  async sharedSecret(candidate: string): Promise<string> {
    this.secret ??= candidate;
    return this.secret;
  }

  /** Drops the nonce records and failure windows expired at `now`; returns how many. */
  sweep(now: number): number {
    return dropWhere(this.nonces, (record) => record.expiresAt <= now).length + dropWhere(this.windows, (window) => window.until <= now).length;
  }

  /** Stops the sweep. */
  close(): void {
    this.periodic.close();
  }

  private count(key: string, now: number): number {
    const window = this.windows.get(key);
    return window && window.until > now ? window.count : 0;
  }
}
