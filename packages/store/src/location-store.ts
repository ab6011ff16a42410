/**
 * The flow a binding is reachable over: the connection its REGISTER arrived on, and the
 * worker (process on a node) that owns that connection. The stored form of `@herald/stack`'s
 * `Flow`, field for field (the store imports no SIP package; a type test in `@herald/proxy`
 * keeps the two the same).
 * @see RFC 5626 §6, RFC 7118 §5
 */
export interface FlowRef {
  /** Connection id, unique across workers and nodes. */
  id: string;
  transport: 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';
  /** The worker that holds the connection (`node~pid~…`). */
  owner: string;
  localAddress: string;
  localPort: number;
  remoteAddress: string;
  remotePort: number;
}

/**
 * One contact bound to an address-of-record.
 * @see RFC 3261 §10.3, RFC 3327, RFC 5626
 */
export interface Binding {
  /** The Contact URI as registered. */
  contact: string;
  /** The Contact's header parameters other than `expires` and `q`, as written (`;+sip.instance="<urn:…>";reg-id=1`). */
  params: string;
  /** The `q` parameter, 0 to 1; `null` when the contact gave none. */
  q: number | null;
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number;
  callId: string;
  cseq: number;
  /** Path header values of the REGISTER, top first. @see RFC 3327 §5.3 */
  path: string[];
  /** `+sip.instance`, without the quotes and angle brackets. @see RFC 5626 §4.1 */
  instanceId: string | null;
  /** `reg-id`. @see RFC 5626 §4.2 */
  regId: number | null;
  /** The flow the REGISTER came in on. */
  flow: FlowRef;
  userAgent: string | null;
  /** When the binding was last written, ms since the epoch. */
  updatedAt: number;
}

/** The live bindings of an AoR and the version to pass back to `compareAndSet`. */
export interface AorBindings {
  bindings: Binding[];
  /** 0 when the AoR has no record. */
  version: number;
}

/**
 * The location service: the bindings of each address-of-record. An update is
 * all-or-nothing (RFC 3261 §10.3 step 8): read with `get`, write with `compareAndSet`,
 * and read again when it answers false.
 * AoRs are normalised by the caller (`sip:alice@example.com`).
 */
export interface LocationStore {
  /** The bindings of `aor` that have not expired at `now`. */
  get(aor: string, now: number): Promise<AorBindings>;
  /**
   * Replaces the bindings of `aor` when its version is still `version`; an empty `next`
   * removes the record. Bindings of `next` already expired at `now` are dropped.
   * @returns false when another writer changed the record first.
   */
  compareAndSet(aor: string, version: number, next: readonly Binding[], now: number): Promise<boolean>;
  /** How many AoRs have at least one live binding at `now` (for metrics; not per request). */
  countAors(now: number): Promise<number>;
}
