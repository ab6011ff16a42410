import type { Store } from '../store.js';
import { MemoryAuthStateStore } from './memory-auth-state-store.js';
import { MemoryGroupStore } from './memory-group-store.js';
import { MemoryLocationStore } from './memory-location-store.js';
import { MemoryMessageStore } from './memory-message-store.js';
import { MemoryMessageBus } from './memory-message-bus.js';
import { MemoryPresenceRuleStore } from './memory-presence-rule-store.js';
import { MemoryPublicationStore } from './memory-publication-store.js';
import { MemorySettingsStore } from './memory-settings-store.js';
import { MemorySubscriptionStore } from './memory-subscription-store.js';
import { MemoryClaims } from './memory-claims.js';
import { MemoryStoreMarker } from './memory-store-marker.js';
import type { MemorySweepOptions } from './memory-sweep.js';
import { MemoryUserStore } from './memory-user-store.js';

/** Every store in this process's memory: for tests and runs that keep nothing. */
export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly locations: MemoryLocationStore;
  readonly users = new MemoryUserStore();
  readonly authState: MemoryAuthStateStore;
  readonly messages: MemoryMessageStore;
  readonly subscriptions: MemorySubscriptionStore;
  readonly publications: MemoryPublicationStore;
  readonly groups = new MemoryGroupStore();
  readonly presenceRules = new MemoryPresenceRuleStore();
  readonly settings = new MemorySettingsStore();
  readonly bus = new MemoryMessageBus();
  readonly claims = new MemoryClaims();
  readonly marker = new MemoryStoreMarker();

  constructor(options: MemorySweepOptions = {}) {
    this.locations = new MemoryLocationStore(options);
    this.authState = new MemoryAuthStateStore(options);
    this.messages = new MemoryMessageStore(options);
    this.subscriptions = new MemorySubscriptionStore(options);
    this.publications = new MemoryPublicationStore(options);
  }

  async ping(): Promise<void> {}

  onReconnect(): void {}

  async close(): Promise<void> {
    this.locations.close();
    this.authState.close();
    this.messages.close();
    this.subscriptions.close();
    this.publications.close();
  }
}
