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
  /** Who sent it, as the caps per sender count it; absent when nobody said (nor counted). */
  sender?: MessageSender;
}

export type NewStoredMessage = Omit<StoredMessage, 'id' | 'attempts'>;

/** The sender of a stored message, as the caps inside its recipient's cap count it. */
export interface MessageSender {
  /** The sender's AoR: the authenticated user's, else From's. */
  aor: string;
  /** The sender's domain when it is not one Herald serves (nobody could authenticate it); `null` for a local sender. */
  foreignDomain: string | null;
}

/** How many live messages a recipient may have waiting; `Infinity` where there is no cap. */
export interface MessageCaps {
  /** All of them. */
  perRecipient: number;
  /** Those with the new message's sender. */
  perSender: number;
  /** Those with the new message's foreign domain (not checked for a local sender). */
  perForeignDomain: number;
}

/** A cap `add` found reached. */
export type MessageCap = 'recipient' | 'sender' | 'foreign-domain';

/** Offline messages; durable: a 202 is sent only once `add` has resolved. */
export interface MessageStore {
  /**
   * Keeps `message` unless, at `now`, the recipient's live messages already reach one of
   * `caps` (all of them, those of its sender, those of its sender's foreign domain), checked
   * and written in one step.
   * @returns the stored message, or the cap that was reached.
   */
  add(message: NewStoredMessage, caps: MessageCaps, now: number): Promise<StoredMessage | MessageCap>;
  /** The recipient's live messages, oldest first. */
  list(recipient: string, now: number): Promise<StoredMessage[]>;
  /**
   * False when nothing is stored for the recipient, known without I/O; true when something
   * may be (`list` tells). A store that would have to ask a server has no such method. Every
   * REGISTER asks, and almost every one finds nothing.
   */
  mayHold?(recipient: string): boolean;
  /** Counts one more delivery attempt. */
  markAttempt(recipient: string, id: string): Promise<void>;
  /** Removes one message (after the recipient's 2xx); false when it was gone already. */
  remove(recipient: string, id: string): Promise<boolean>;
  /** Removes every message of the recipient; returns how many. */
  purge(recipient: string): Promise<number>;
  /** Deletes up to `limit` messages expired at `now`; returns how many. */
  sweepExpired(now: number, limit: number): Promise<number>;
}
