import type { PresenceRule, PresenceRuleStore } from '../presence-rule-store.js';

/**
 * Presence authorization rules in process memory.
 * @see RFC 3857 §3.2
 */
export class MemoryPresenceRuleStore implements PresenceRuleStore {
  /** presentity → watcher → rule. */
  private readonly byPresentity = new Map<string, Map<string, PresenceRule>>();
  private readonly invisible = new Set<string>();

  async rules(presentity: string): Promise<PresenceRule[]> {
    const out = [...(this.byPresentity.get(presentity)?.values() ?? [])].map((r) => ({ ...r }));
    return out.sort((a, b) => (a.watcher < b.watcher ? -1 : a.watcher > b.watcher ? 1 : 0));
  }

  async setRule(rule: PresenceRule): Promise<void> {
    let mine = this.byPresentity.get(rule.presentity);
    if (!mine) this.byPresentity.set(rule.presentity, (mine = new Map()));
    mine.set(rule.watcher, { ...rule });
  }

  async removeRule(presentity: string, watcher: string): Promise<boolean> {
    const mine = this.byPresentity.get(presentity);
    if (!mine?.delete(watcher)) return false;
    if (mine.size === 0) this.byPresentity.delete(presentity);
    return true;
  }

  async isInvisible(presentity: string): Promise<boolean> {
    return this.invisible.has(presentity);
  }

  async setInvisible(presentity: string, invisible: boolean): Promise<void> {
    if (invisible) this.invisible.add(presentity);
    else this.invisible.delete(presentity);
  }
}
