/**
 * What a presentity decided about a watcher.
 * @see RFC 3857 §3.2 (watcher states), RFC 5025 (sub-handling)
 */
export type PresenceAction = 'allow' | 'block' | 'polite-block' | 'confirm';

/** One rule: a watcher URI (`sip:bob@example.net`) or a whole domain (`example.net`). */
export interface PresenceRule {
  presentity: string;
  /** A URI, or a bare domain for every watcher of that domain. */
  watcher: string;
  action: PresenceAction;
  updatedAt: number;
}

/** A presentity's authorization rules and settings; durable. */
export interface PresenceRuleStore {
  /** The rules of a presentity, sorted by watcher. */
  rules(presentity: string): Promise<PresenceRule[]>;
  /** Creates or replaces the rule for (presentity, watcher). */
  setRule(rule: PresenceRule): Promise<void>;
  removeRule(presentity: string, watcher: string): Promise<boolean>;
  /** Invisible mode: watchers see the presentity `closed`. */
  isInvisible(presentity: string): Promise<boolean>;
  setInvisible(presentity: string, invisible: boolean): Promise<void>;
}
