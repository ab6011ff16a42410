/**
 * A MESSAGE kept for a recipient who could not take it.
 * @see RFC 3428 §7 (store-and-forward is a local policy)
 */
export interface StoredMessage {
  /** Unique id, assigned by the store; ordered like the messages' arrival. */
  id: string;
  /** The recipient's AoR. */
  recipient: string;
  /** From, To, Date and the other headers kept for delivery, as `[name, value]`. */
  headers: Array<[string, string]>;
  contentType: string | null;
  body: Buffer;
  /** ms since the epoch. */
  storedAt: number;
  expiresAt: number;
  /** Delivery attempts so far. */
  attempts: number;
}

export type NewStoredMessage = Omit<StoredMessage, 'id' | 'attempts'>;

/** Offline messages; durable: a 202 is sent only once `add` has resolved. */
export interface MessageStore {
  /**
   * Keeps `message`, unless the recipient already has `cap` live messages.
   * @returns the stored message, or `undefined` when the cap was reached.
   */
  add(message: NewStoredMessage, cap: number, now: number): Promise<StoredMessage | undefined>;
  /** The recipient's live messages, oldest first. */
  list(recipient: string, now: number): Promise<StoredMessage[]>;
  /** Counts one more delivery attempt. */
  markAttempt(recipient: string, id: string): Promise<void>;
  /** Removes one message (after the recipient's 2xx); false when it was gone already. */
  remove(recipient: string, id: string): Promise<boolean>;
  /** Removes every message of the recipient; returns how many. */
  purge(recipient: string): Promise<number>;
  /** Deletes up to `limit` messages expired at `now`; returns how many. */
  sweepExpired(now: number, limit: number): Promise<number>;
}
