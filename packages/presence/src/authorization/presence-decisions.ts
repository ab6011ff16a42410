import { randomHex } from '@herald/sip';
import type { MessageBus } from '@herald/store';

/** The bus channel on which a presentity's decisions reach the workers. */
export const DECISIONS_CHANNEL = 'presence:decisions';

/**
 * A change the admin API (or the CLI through it) made to a presentity's authorization,
 * already written to the store: its subscriptions must be brought in line.
 */
export type PresenceDecision =
  | { presentity: string; change: 'rules' }
  | { presentity: string; change: 'visibility' }
  | { presentity: string; change: 'removed'; watcher: string };

/** Tells the workers of every node about `decision`; one of them applies it. */
export async function announceDecision(bus: MessageBus, decision: PresenceDecision): Promise<void> {
  await bus.publish(DECISIONS_CHANNEL, Buffer.from(JSON.stringify({ id: randomHex(8), ...decision })));
}

/** A decision read off the bus, with the id that lets one worker claim it; `null` for anything else. */
export function readDecision(payload: Buffer): (PresenceDecision & { id: string }) | null {
  try {
    const d = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
    if (typeof d.id !== 'string' || typeof d.presentity !== 'string') return null;
    if (d.change === 'rules' || d.change === 'visibility') return { id: d.id, presentity: d.presentity, change: d.change };
    if (d.change === 'removed' && typeof d.watcher === 'string') return { id: d.id, presentity: d.presentity, change: 'removed', watcher: d.watcher };
    return null;
  } catch {
    return null;
  }
}
