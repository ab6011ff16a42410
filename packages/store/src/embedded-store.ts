import { MemoryAuthStateStore } from './memory/memory-auth-state-store.js';
import { MemoryMessageBus } from './memory/memory-message-bus.js';
import { MemoryLocationStore } from './memory/memory-location-store.js';
import { MemoryPublicationStore } from './memory/memory-publication-store.js';
import { MemorySubscriptionStore } from './memory/memory-subscription-store.js';
import { MemoryClaims } from './memory/memory-claims.js';
import { MemoryStoreMarker } from './memory/memory-store-marker.js';
import { type SqliteDatabase, openSqliteDatabase, sqliteCall } from './sqlite/sqlite-database.js';
import { SqliteGroupStore } from './sqlite/sqlite-group-store.js';
import { SqliteMessageStore } from './sqlite/sqlite-message-store.js';
import { SqlitePresenceRuleStore } from './sqlite/sqlite-presence-rule-store.js';
import { SqliteSettingsStore } from './sqlite/sqlite-settings-store.js';
import { SqliteUserStore } from './sqlite/sqlite-user-store.js';
import type { Store } from './store.js';

class EmbeddedStore implements Store {
  readonly kind = 'embedded';
  readonly users: SqliteUserStore;
  readonly messages: SqliteMessageStore;
  readonly groups: SqliteGroupStore;
  readonly presenceRules: SqlitePresenceRuleStore;
  readonly settings: SqliteSettingsStore;
  readonly bus = new MemoryMessageBus();
  readonly claims = new MemoryClaims();
  // One process owns the file: the marker lives as long as the process.
  readonly marker = new MemoryStoreMarker();
  readonly locations: MemoryLocationStore;
  readonly authState: MemoryAuthStateStore;
  readonly subscriptions: MemorySubscriptionStore;
  readonly publications: MemoryPublicationStore;

  constructor(private readonly db: SqliteDatabase) {
    this.users = new SqliteUserStore(db);
    this.messages = new SqliteMessageStore(db);
    this.groups = new SqliteGroupStore(db);
    this.presenceRules = new SqlitePresenceRuleStore(db);
    this.settings = new SqliteSettingsStore(db);
    // Soft state after the tables: a schema that fails to open leaves no sweep running.
    this.locations = new MemoryLocationStore();
    this.authState = new MemoryAuthStateStore();
    this.subscriptions = new MemorySubscriptionStore();
    this.publications = new MemoryPublicationStore();
  }

  async ping(): Promise<void> {
    sqliteCall('answer a ping', () => this.db.prepare('SELECT 1').get());
  }

  onReconnect(): void {}

  async close(): Promise<void> {
    this.locations.close();
    this.authState.close();
    this.subscriptions.close();
    this.publications.close();
    this.db.close();
  }
}

/**
 * The single-node store: soft state (bindings, nonce counts, failure counters,
 * subscriptions, publications) in memory; durable state (accounts, aliases, offline
 * messages, groups, presence rules, run-time settings) in `herald.db` under `dataDir`, created if missing.
 */
export async function openEmbeddedStore(dataDir: string): Promise<Store> {
  const db = openSqliteDatabase(dataDir);
  try {
    return new EmbeddedStore(db);
  } catch (error) {
    db.close();
    throw error;
  }
}
