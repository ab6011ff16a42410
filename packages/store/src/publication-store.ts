/**
 * Event state published by one user agent.
 * @see RFC 3903 §4
 */
export interface Publication {
  /** The AoR the state is about. */
  resource: string;
  /** `presence` */
  event: string;
  /** The entity-tag Herald assigned. @see RFC 3903 §4.1 */
  etag: string;
  contentType: string;
  body: string;
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number;
  /** ms since the epoch; the most recent person element wins composition. */
  updatedAt: number;
}

/** Publications; soft state that expires with each publication. */
export interface PublicationStore {
  /** The live publications of `resource` for `event`, oldest update first. */
  list(resource: string, event: string, now: number): Promise<Publication[]>;
  get(resource: string, event: string, etag: string, now: number): Promise<Publication | undefined>;
  /**
   * Stores `next`; when `previousEtag` is given, the publication with that entity-tag is
   * replaced atomically (refresh or modify, RFC 3903 §6 steps 4–5).
   * @returns false when `previousEtag` names no live publication (412).
   */
  put(next: Publication, previousEtag: string | null, now: number): Promise<boolean>;
  remove(resource: string, event: string, etag: string): Promise<boolean>;
  /** Takes up to `limit` publications expired at `now`, each to one caller, so watchers are told once. */
  takeExpired(now: number, limit: number): Promise<Publication[]>;
}
