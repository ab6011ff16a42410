import type { Clock, TimerHandle } from '../clock.js';

/** What a termination timer ends. */
export interface Terminable {
  dispose(): void;
}

interface Batch {
  /** `clock.now()` when the batch was opened. */
  at: number;
  members: Terminable[];
}

/**
 * The timers that only end a transaction once it has waited long enough to absorb
 * retransmissions: D, I, J, K (RFC 3261 §17) and L, M (RFC 6026). They are never stopped
 * early and each has one fixed duration, so the transactions that start the same timer in
 * the same millisecond share one clock timer. At thousands of requests a second this keeps
 * a lingering transaction (32 s on UDP) down to one array slot instead of a timer object and
 * its closure.
 */
export class TerminationTimers {
  /** The batch still being filled, by duration. */
  private readonly open = new Map<number, Batch>();
  private readonly pending = new Set<TimerHandle>();

  constructor(private readonly clock: Clock) {}

  /** Clock timers pending (each ends one batch). */
  get size(): number {
    return this.pending.size;
  }

  /** Ends `member` after `ms` (> 0), unless it has ended before; ending twice must be harmless. */
  add(member: Terminable, ms: number): void {
    const now = this.clock.now();
    let batch = this.open.get(ms);
    if (batch === undefined || batch.at !== now) {
      const members: Terminable[] = [];
      batch = { at: now, members };
      this.open.set(ms, batch);
      const handle = this.clock.setTimeout(() => {
        this.pending.delete(handle);
        if (this.open.get(ms)?.members === members) this.open.delete(ms);
        for (const m of members) m.dispose();
      }, ms);
      this.pending.add(handle);
    }
    batch.members.push(member);
  }

  /** Stops every timer without ending anything: for shutdown. */
  clear(): void {
    for (const handle of this.pending) this.clock.clearTimeout(handle);
    this.pending.clear();
    this.open.clear();
  }
}
