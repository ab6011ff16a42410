import type { FlowRef } from './location-store.js';

/** @see RFC 6665 §4.1.3 */
export type SubscriptionStatus = 'active' | 'pending' | 'terminated';

/**
 * A subscription dialog held by the notifier (Herald).
 * @see RFC 6665 §4.2, RFC 3261 §12
 */
export interface Subscription {
  /** Dialog id: Call-ID, the watcher's tag (From) and ours (To), joined by `;`. */
  id: string;
  /** Event package, with its id parameter when present (`presence`, `presence.winfo`). */
  event: string;
  /** The AoR (or list URI) subscribed to. */
  resource: string;
  /** The watcher's AoR (From URI). */
  watcher: string;
  /** Where NOTIFYs go: the watcher's Contact, route set, and our side of the dialog. */
  remoteTarget: string;
  routeSet: string[];
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our From / To values for NOTIFYs. */
  localUri: string;
  remoteUri: string;
  localCseq: number;
  remoteCseq: number;
  status: SubscriptionStatus;
  /** Accept header values of the SUBSCRIBE, lower case. */
  accept: string[];
  /** Absolute expiry, ms since the epoch. */
  expiresAt: number;
  /** Flow the SUBSCRIBE arrived on. */
  flow: FlowRef | null;
  /** The subscription-specific state a package keeps (RLMI version, last document's version...). */
  data: Record<string, unknown>;
  /** Bumped on every write; compare-and-set uses it. */
  version: number;
  /**
   * Set when the watcher is of a domain Herald does not serve and did not authenticate: the
   * caps on such watchers (per watcher domain, per source address) count it. Fixed when the
   * subscription is created.
   */
  foreign?: ForeignWatcher | null;
}

/** Who a watcher of another domain is, as the caps on strangers count it. */
export interface ForeignWatcher {
  /** The watcher's domain, lower case. */
  domain: string;
  /** The address the SUBSCRIBE that created the subscription came from. */
  source: string;
}

/** The most live subscriptions a new one may join; `Infinity` where there is no cap. */
export interface SubscriptionCaps {
  /** Subscriptions to its resource for its event. */
  perResource: number;
  /** Subscriptions with its `foreign.domain` (not checked for one without `foreign`). */
  perForeignDomain: number;
  /** Subscriptions with its `foreign.source`. */
  perForeignSource: number;
}

/** A cap `create` found reached. */
export type SubscriptionCap = 'resource' | 'foreign-domain' | 'foreign-source';

/** What `create` did: wrote the subscription, found its id taken, or found a cap reached. */
export type CreateOutcome = 'created' | 'exists' | SubscriptionCap;

/** Subscription dialogs; soft state that expires with the subscription. */
export interface SubscriptionStore {
  get(id: string, now: number): Promise<Subscription | undefined>;
  /**
   * Writes `next` when the stored record still has version `next.version - 1` (or there is
   * none and `next.version` is 1). @returns false on a conflict.
   */
  compareAndSet(next: Subscription, now: number): Promise<boolean>;
  /**
   * `compareAndSet` of each record, in one round trip where the store can: what a NOTIFY
   * fan-out writes (each watcher's next CSeq). The records need not be related.
   * @returns for each record, whether it was written (false on a conflict, or when that
   * record's own write failed after others of the batch were written: never a rejection
   * that hides records written)
   */
  compareAndSetMany(next: readonly Subscription[], now: number): Promise<boolean[]>;
  /**
   * Writes a new subscription (version 1) when no record has its id and, at `now`, the live
   * subscriptions it would join are fewer than `caps` says, all in one step: concurrent
   * creators, on any worker, cannot pass a cap together.
   */
  create(sub: Subscription, caps: SubscriptionCaps, now: number): Promise<CreateOutcome>;
  /**
   * Deletes the subscription; false when there was none. `indexedAs` is the resource and
   * event the caller read it with: a store may save a read when they still hold.
   */
  delete(id: string, indexedAs?: Pick<Subscription, 'resource' | 'event' | 'foreign'>): Promise<boolean>;
  /** The live subscriptions to `resource` for `event`: the watchers to notify. */
  byResource(resource: string, event: string, now: number): Promise<Subscription[]>;
  /**
   * Takes up to `limit` subscriptions expired at `now` out of the store and returns them,
   * each to exactly one caller across workers, so that one timeout NOTIFY goes out.
   */
  takeExpired(now: number, limit: number): Promise<Subscription[]>;
}
