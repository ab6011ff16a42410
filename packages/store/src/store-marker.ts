/** The marker key as read: written once by the first client that finds none. */
export interface StoreMarkerRecord {
  /** A random id chosen by the client that wrote the marker. */
  id: string;
  /** When the marker was written, ms since the epoch. */
  createdAt: number;
  /**
   * When a client that knew an earlier marker found it gone (the store was emptied: Redis
   * restarted without its data, FLUSHALL), ms since the epoch.
   */
  foundEmptyAt?: number;
}

/** What {@link StoreMarker.check} found. */
export interface StoreMarkerCheck extends StoreMarkerRecord {
  /**
   * This call is the first to find that the marker it knew is gone: its caller reports
   * the loss (one report however many clients notice).
   */
  firstToReport: boolean;
}

/**
 * A marker key, written when the store is first used, by which a client tells an emptied
 * store from one that holds its data: losing the data loses the marker too, and the next
 * client to look writes a new one with another id.
 */
export interface StoreMarker {
  /**
   * Reads the marker, writing `{ id: candidate, createdAt: now }` when there is none (the
   * first writer wins). `known` is the id this client read before: when the marker's id
   * differs, the store lost its data since, and the first caller to see that records
   * `foundEmptyAt: now` and gets `firstToReport`.
   */
  check(candidate: string, now: number, known?: string): Promise<StoreMarkerCheck>;
  /** The marker, without writing one; `undefined` when there is none. */
  read(): Promise<StoreMarkerRecord | undefined>;
}
