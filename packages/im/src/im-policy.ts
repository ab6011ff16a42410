/** Limits of the IM service (`im:` in the configuration). */
export interface ImPolicy {
  /** Largest MESSAGE body accepted, in bytes; a larger one gets 413. */
  maxBodySize: number;
  /**
   * Largest MESSAGE accepted over UDP, in bytes; a larger one gets 513 and goes over TCP
   * instead. @see RFC 3428 §5 (1300 bytes, below the path MTU)
   */
  udpMessageLimit: number;
  /** How long a stored message waits for its recipient, in ms. */
  storeForMs: number;
  /** Messages one recipient may have waiting; beyond it the sender gets 480. */
  maxStoredPerUser: number;
  /** Of those, from one sender (the authenticated user, else the From AoR). */
  maxStoredPerSender: number;
  /** Of those, from the senders of one other domain together (who cannot authenticate). */
  maxStoredPerForeignDomain: number;
}

export const DEFAULT_IM_POLICY: Readonly<ImPolicy> = Object.freeze({
  maxBodySize: 65535,
  udpMessageLimit: 1300,
  storeForMs: 7 * 86_400_000,
  maxStoredPerUser: 1000,
  // One sender, or one other domain, cannot fill a user's store: others' messages still get in.
  maxStoredPerSender: 100,
  maxStoredPerForeignDomain: 300,
});
