import type { AorBindings, Binding, LocationStore } from '../location-store.js';
import { type MemorySweepOptions, PeriodicSweep, dropWhere } from './memory-sweep.js';

interface AorRecord {
  bindings: Binding[];
  version: number;
  /** The latest expiry among the bindings: the record is live while this is after `now`. */
  latest: number;
}

/**
 * A copy the caller may change without changing the store. One literal of the fields
 * (not a spread): every REGISTER copies each binding on read and on write.
 */
function copyBinding(b: Binding): Binding {
  return {
    contact: b.contact,
    params: b.params,
    q: b.q,
    expiresAt: b.expiresAt,
    callId: b.callId,
    cseq: b.cseq,
    path: b.path.length === 0 ? [] : b.path.slice(),
    instanceId: b.instanceId,
    regId: b.regId,
    flow: { ...b.flow },
    userAgent: b.userAgent,
    updatedAt: b.updatedAt,
  };
}

/** Copies of the bindings still live at `now`, in one pass. */
function liveCopies(bindings: readonly Binding[], now: number): Binding[] {
  const out: Binding[] = [];
  for (const b of bindings) if (b.expiresAt > now) out.push(copyBinding(b));
  return out;
}

/**
 * The location service in this process's memory (the embedded default). Expiry is lazy
 * (reads filter on `now`), and a periodic sweep drops the records that expired before the
 * latest `now` it was given, so memory stays bounded.
 * @see RFC 3261 §10.3
 */
export class MemoryLocationStore implements LocationStore {
  private readonly records = new Map<string, AorRecord>();
  private readonly periodic: PeriodicSweep;

  constructor(options: MemorySweepOptions = {}) {
    this.periodic = new PeriodicSweep((now) => this.sweep(now), options);
  }

  async get(aor: string, now: number): Promise<AorBindings> {
    this.periodic.seen(now);
    const record = this.records.get(aor);
    if (!record || record.latest <= now) return { bindings: [], version: 0 };
    return { bindings: liveCopies(record.bindings, now), version: record.version };
  }

  async compareAndSet(aor: string, version: number, next: readonly Binding[], now: number): Promise<boolean> {
    this.periodic.seen(now);
    const record = this.records.get(aor);
    // A record whose bindings have all expired is no record: its version reads as 0.
    const current = record && record.latest > now ? record.version : 0;
    if (current !== version) return false;
    const kept = liveCopies(next, now);
    if (kept.length === 0) {
      this.records.delete(aor);
      return true;
    }
    // Versions keep counting over an expired record, so a stale reader cannot match again.
    let latest = kept[0].expiresAt;
    for (const b of kept) if (b.expiresAt > latest) latest = b.expiresAt;
    this.records.set(aor, { bindings: kept, version: (record?.version ?? 0) + 1, latest });
    return true;
  }

  async countAors(now: number): Promise<number> {
    this.periodic.seen(now);
    let count = 0;
    for (const record of this.records.values()) if (record.latest > now) count++;
    return count;
  }

  /** Drops the records expired at `now`; returns how many. */
  sweep(now: number): number {
    return dropWhere(this.records, (record) => record.latest <= now).length;
  }

  /** Stops the sweep. */
  close(): void {
    this.periodic.close();
  }
}
