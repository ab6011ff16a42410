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
}

/** Subscription dialogs; soft state that expires with the subscription. */
export interface SubscriptionStore {
  get(id: string, now: number): Promise<Subscription | undefined>;
  /**
   * Writes `next` when the stored record still has version `next.version - 1` (or there is
   * none and `next.version` is 1). @returns false on a conflict.
   */
  compareAndSet(next: Subscription, now: number): Promise<boolean>;
  /**
   * Deletes the subscription; false when there was none. `indexedAs` is the resource and
   * event the caller read it with: a store may save a read when they still hold.
   */
  delete(id: string, indexedAs?: Pick<Subscription, 'resource' | 'event'>): Promise<boolean>;
  /** The live subscriptions to `resource` for `event`: the watchers to notify. */
  byResource(resource: string, event: string, now: number): Promise<Subscription[]>;
  /**
   * Takes up to `limit` subscriptions expired at `now` out of the store and returns them,
   * each to exactly one caller across workers, so that one timeout NOTIFY goes out.
   */
  takeExpired(now: number, limit: number): Promise<Subscription[]>;
}
