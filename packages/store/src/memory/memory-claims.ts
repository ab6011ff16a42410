import type { Claims } from '../claims.js';

/** Claims in process memory, for one process; expired ones are swept whenever the map has doubled since the last sweep. */
export class MemoryClaims implements Claims {
  private readonly claims = new Map<string, { owner: string; until: number }>();
  private sweepAt = 1024;

  async claim(key: string, owner: string, ttlMs: number, now: number): Promise<string> {
    const current = this.live(key, now);
    if (current !== null && current !== owner) return current;
    this.claims.set(key, { owner, until: now + ttlMs });
    if (this.claims.size >= this.sweepAt) this.sweep(now);
    return owner;
  }

  async holder(key: string, now: number): Promise<string | null> {
    return this.live(key, now);
  }

  async release(key: string, owner: string): Promise<void> {
    if (this.claims.get(key)?.owner === owner) this.claims.delete(key);
  }

  private live(key: string, now: number): string | null {
    const c = this.claims.get(key);
    return c !== undefined && c.until > now ? c.owner : null;
  }

  private sweep(now: number): void {
    for (const [key, c] of this.claims) if (c.until <= now) this.claims.delete(key);
    this.sweepAt = Math.max(1024, 2 * this.claims.size);
  }
}
