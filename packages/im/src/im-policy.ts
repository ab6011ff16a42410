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
  /** Messages one recipient may have waiting; beyond it the sender gets the failure. */
  maxStoredPerUser: number;
}

export const DEFAULT_IM_POLICY: Readonly<ImPolicy> = Object.freeze({
  maxBodySize: 65535,
  udpMessageLimit: 1300,
  storeForMs: 7 * 86_400_000,
  maxStoredPerUser: 1000,
});
