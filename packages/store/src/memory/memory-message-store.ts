import type { MessageCap, MessageCaps, MessageStore, NewStoredMessage, StoredMessage } from '../message-store.js';
import { capReached } from '../message-caps.js';
import { type MemorySweepOptions, PeriodicSweep, dropNestedWhere } from './memory-sweep.js';

/**
 * Offline messages in process memory (tests, and a single process that may lose them on
 * restart). Reads filter on `now`, and a periodic sweep drops the messages expired at the
 * latest `now` it was given.
 * @see RFC 3428 §7
 */
export class MemoryMessageStore implements MessageStore {
  /** Per recipient, in insertion order, which is arrival order. */
  private readonly byRecipient = new Map<string, Map<string, StoredMessage>>();
  private seq = 0;
  private readonly periodic: PeriodicSweep;

  constructor(options: MemorySweepOptions = {}) {
    this.periodic = new PeriodicSweep((now) => this.sweep(now, Infinity), options);
  }

  /** Stops the periodic sweep. */
  close(): void {
    this.periodic.close();
  }

  async add(message: NewStoredMessage, caps: MessageCaps, now: number): Promise<StoredMessage | MessageCap> {
    this.periodic.seen(now);
    const mine = this.byRecipient.get(message.recipient);
    const live = [...(mine?.values() ?? [])].filter((m) => m.expiresAt > now);
    const full = capReached(message, live, caps);
    if (full !== null) return full;
    // Zero-padded so that ids compare like their arrival as strings too.
    const id = String(++this.seq).padStart(16, '0');
    const stored = copy({ ...message, id, attempts: 0 });
    if (mine) mine.set(id, stored);
    else this.byRecipient.set(message.recipient, new Map([[id, stored]]));
    return copy(stored);
  }

  async list(recipient: string, now: number): Promise<StoredMessage[]> {
    this.periodic.seen(now);
    const out: StoredMessage[] = [];
    for (const m of this.byRecipient.get(recipient)?.values() ?? []) if (m.expiresAt > now) out.push(copy(m));
    return out;
  }

  mayHold(recipient: string): boolean {
    return this.byRecipient.has(recipient);
  }

  async markAttempt(recipient: string, id: string): Promise<void> {
    const m = this.byRecipient.get(recipient)?.get(id);
    if (m) m.attempts++;
  }

  async remove(recipient: string, id: string): Promise<boolean> {
    const mine = this.byRecipient.get(recipient);
    if (!mine?.delete(id)) return false;
    if (mine.size === 0) this.byRecipient.delete(recipient);
    return true;
  }

  async purge(recipient: string): Promise<number> {
    const n = this.byRecipient.get(recipient)?.size ?? 0;
    this.byRecipient.delete(recipient);
    return n;
  }

  async sweepExpired(now: number, limit: number): Promise<number> {
    this.periodic.seen(now);
    return this.sweep(now, limit);
  }

  /** Deletes up to `limit` messages expired at `now`; what the periodic sweep runs. */
  sweep(now: number, limit: number): number {
    return dropNestedWhere(this.byRecipient, (m) => m.expiresAt <= now, limit).length;
  }
}

function copy(m: StoredMessage): StoredMessage {
  const out: StoredMessage = { ...m, headers: m.headers.map(([name, value]) => [name, value]), body: Buffer.from(m.body) };
  if (m.sender) out.sender = { ...m.sender };
  return out;
}
