import type { TransactionClaims } from '../transaction-claims.js';

/**
 * Claims in process memory, for one process. Expired claims are dropped from the front of
 * the insertion order as new ones come, so the map holds about what is live.
 */
export class MemoryTransactionClaims implements TransactionClaims {
  private readonly claims = new Map<string, { owner: string; until: number }>();

  async claim(key: string, owner: string, ttlMs: number, now: number): Promise<string> {
    this.dropExpired(now);
    const current = this.live(key, now);
    if (current !== null) return current;
    this.claims.delete(key);
    this.claims.set(key, { owner, until: now + ttlMs });
    return owner;
  }

  async holder(key: string, now: number): Promise<string | null> {
    return this.live(key, now);
  }

  private live(key: string, now: number): string | null {
    const c = this.claims.get(key);
    return c !== undefined && c.until > now ? c.owner : null;
  }

  private dropExpired(now: number): void {
    for (const [key, c] of this.claims) {
      if (c.until > now) return;
      this.claims.delete(key);
    }
  }
}
