import type { Publication, PublicationStore } from '../publication-store.js';
import { type MemoryGraceOptions, PeriodicSweep, dropNestedWhere } from './memory-sweep.js';

/**
 * Event state publications in process memory. An expired one waits for `takeExpired` (so
 * its watchers are told) for the grace period; then the periodic sweep, which runs on
 * the latest `now` any call passed in, drops it.
 * @see RFC 3903 §6
 */
export class MemoryPublicationStore implements PublicationStore {
  /** `resource \0 event` → etag → publication. */
  private readonly byResource = new Map<string, Map<string, Publication>>();
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

  async list(resource: string, event: string, now: number): Promise<Publication[]> {
    this.periodic.seen(now);
    const out: Publication[] = [];
    for (const p of this.byResource.get(key(resource, event))?.values() ?? []) if (p.expiresAt > now) out.push({ ...p });
    return out.sort((a, b) => a.updatedAt - b.updatedAt);
  }

  async get(resource: string, event: string, etag: string, now: number): Promise<Publication | undefined> {
    this.periodic.seen(now);
    const p = this.byResource.get(key(resource, event))?.get(etag);
    return p && p.expiresAt > now ? { ...p } : undefined;
  }

  async put(next: Publication, previousEtag: string | null, now: number): Promise<boolean> {
    this.periodic.seen(now);
    const k = key(next.resource, next.event);
    let mine = this.byResource.get(k);
    if (previousEtag !== null) {
      const prev = mine?.get(previousEtag);
      // An expired one is left for takeExpired, so that its watchers are still told.
      if (!prev || prev.expiresAt <= now) return false;
      mine!.delete(previousEtag);
    }
    if (!mine) this.byResource.set(k, (mine = new Map()));
    mine.set(next.etag, { ...next });
    return true;
  }

  async remove(resource: string, event: string, etag: string): Promise<boolean> {
    const k = key(resource, event);
    const mine = this.byResource.get(k);
    if (!mine?.delete(etag)) return false;
    if (mine.size === 0) this.byResource.delete(k);
    return true;
  }

  async takeExpired(now: number, limit: number): Promise<Publication[]> {
    this.periodic.seen(now);
    return dropNestedWhere(this.byResource, (p) => p.expiresAt <= now, limit);
  }

  /** Drops publications expired for longer than the grace period; what the periodic sweep runs. */
  sweep(now: number): number {
    return dropNestedWhere(this.byResource, (p) => p.expiresAt + this.graceMs <= now).length;
  }
}

function key(resource: string, event: string): string {
  return `${resource}\0${event}`;
}
