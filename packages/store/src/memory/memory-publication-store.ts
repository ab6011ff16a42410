import type { Publication, PublicationStore } from '../publication-store.js';
import { ExpiryIndex, type MemoryGraceOptions, PeriodicSweep } from './memory-sweep.js';

/**
 * Event state publications in process memory. An expired one waits for `takeExpired` (so
 * its watchers are told) for the grace period; then the periodic sweep, which runs on
 * the latest `now` any call passed in, drops it.
 * @see RFC 3903 §6
 */
export class MemoryPublicationStore implements PublicationStore {
  /** `resource \0 event` → etag → publication. */
  private readonly byResource = new Map<string, Map<string, Publication>>();
  /** `resource \0 event \0 etag` by when it expires: the sweeps take what expired without testing every publication. */
  private readonly expiry = new ExpiryIndex();
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
      this.expiry.remove(indexId(k, previousEtag), prev.expiresAt);
    }
    if (!mine) this.byResource.set(k, (mine = new Map()));
    const replaced = mine.get(next.etag);
    if (replaced) this.expiry.remove(indexId(k, next.etag), replaced.expiresAt);
    mine.set(next.etag, { ...next });
    this.expiry.add(indexId(k, next.etag), next.expiresAt);
    return true;
  }

  async remove(resource: string, event: string, etag: string): Promise<boolean> {
    const k = key(resource, event);
    const mine = this.byResource.get(k);
    const p = mine?.get(etag);
    if (!p) return false;
    mine!.delete(etag);
    this.expiry.remove(indexId(k, etag), p.expiresAt);
    if (mine!.size === 0) this.byResource.delete(k);
    return true;
  }

  async takeExpired(now: number, limit: number): Promise<Publication[]> {
    this.periodic.seen(now);
    return this.dropExpired(now, limit);
  }

  /** Drops publications expired for longer than the grace period; what the periodic sweep runs. */
  sweep(now: number): number {
    return this.dropExpired(now - this.graceMs, Infinity).length;
  }

  /** Drops up to `limit` publications that expired at or before `until`; returns them. */
  private dropExpired(until: number, limit: number): Publication[] {
    const dropped: Publication[] = [];
    // An id whose publication is gone is due too: the index lets go of it.
    for (const id of this.expiry.take(until, limit, (id) => (this.indexed(id).p?.expiresAt ?? -Infinity) <= until)) {
      const { k, mine, p } = this.indexed(id);
      if (p === undefined) continue;
      mine!.delete(p.etag);
      if (mine!.size === 0) this.byResource.delete(k);
      dropped.push(p);
    }
    return dropped;
  }

  /** The publication an expiry-index id names, with its resource's key and map. */
  private indexed(id: string): { k: string; mine: Map<string, Publication> | undefined; p: Publication | undefined } {
    const at = id.lastIndexOf('\0');
    const k = id.slice(0, at);
    const mine = this.byResource.get(k);
    return { k, mine, p: mine?.get(id.slice(at + 1)) };
  }
}

/** A publication's id in the expiry index; an entity-tag has no NUL in it. */
function indexId(k: string, etag: string): string {
  return `${k}\0${etag}`;
}

function key(resource: string, event: string): string {
  return `${resource}\0${event}`;
}
