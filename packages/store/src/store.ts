import type { AuthStateStore } from './auth-state-store.js';
import type { GroupStore } from './group-store.js';
import type { LocationStore } from './location-store.js';
import type { MessageBus } from './message-bus.js';
import type { MessageStore } from './message-store.js';
import type { PresenceRuleStore } from './presence-rule-store.js';
import type { PublicationStore } from './publication-store.js';
import type { SettingsStore } from './settings-store.js';
import type { SubscriptionStore } from './subscription-store.js';
import type { Claims } from './claims.js';
import type { StoreMarker } from './store-marker.js';
import type { UserStore } from './user-store.js';

/** Every kind of state Herald keeps, behind one backend (embedded or Redis). */
export interface Store {
  readonly kind: 'embedded' | 'memory' | 'redis';
  readonly locations: LocationStore;
  readonly users: UserStore;
  readonly authState: AuthStateStore;
  readonly messages: MessageStore;
  readonly subscriptions: SubscriptionStore;
  readonly publications: PublicationStore;
  readonly groups: GroupStore;
  readonly presenceRules: PresenceRuleStore;
  /** Named settings changed at run time (the federation lists added through the admin API); durable. */
  readonly settings: SettingsStore;
  /** Messages to other workers and nodes (a request for a connection another worker holds). */
  readonly bus: MessageBus;
  /** Which worker holds a transaction, or a user's message delivery. */
  readonly claims: Claims;
  /** The marker key that tells an emptied store from one that keeps its data. */
  readonly marker: StoreMarker;
  /** Resolves when the backend answers; rejects with a `StoreUnavailableError` otherwise. */
  ping(): Promise<void>;
  /**
   * Calls `listener` each time the connection to the backend is back after it was lost
   * (Redis restarted, a failover); never for a store in this process.
   */
  onReconnect(listener: () => void): void;
  close(): Promise<void>;
}

/** Seconds a client is asked to wait (Retry-After) when the store is unavailable. */
export const STORE_RETRY_AFTER_SECONDS = 5;

/**
 * The backend could not be reached or failed; the request that needed it gets 503 with
 * Retry-After.
 */
export class StoreUnavailableError extends Error {
  readonly code = 'HERALD_ERR_STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreUnavailableError';
  }
}
