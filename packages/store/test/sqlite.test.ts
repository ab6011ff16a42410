import { mkdtemp, rm } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  type SqliteDatabase,
  type Store,
  SqliteGroupStore,
  SqliteMessageStore,
  SqlitePresenceRuleStore,
  SqliteSettingsStore,
  SqliteUserStore,
  StoreUnavailableError,
  openEmbeddedStore,
  openSqliteDatabase,
  openStore,
} from '../src/index.js';
import {
  type StoreFixture,
  describeAuthStateStoreContract,
  describeGroupStoreContract,
  describeLocationStoreContract,
  describeMessageStoreContract,
  describePresenceRuleStoreContract,
  describePublicationStoreContract,
  describeSettingsStoreContract,
  describeSubscriptionStoreContract,
  describeUserStoreContract,
  testBinding,
  testUser,
} from '../src/contract/index.js';

const NO_CAPS = { perRecipient: 10, perSender: Infinity, perForeignDomain: Infinity };

/** The package as built (`npm test` builds before jest runs). */
const BUILT_STORE = join(dirname(fileURLToPath(import.meta.url)), '../dist/index.js');

/** The fixture reopens its data and opens second clients on it. */
const SHARED_FILE = { durable: true, shared: true };

let dir: string;
let files = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'herald-store-sqlite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A file of its own; `reopen` closes the connection and opens the file again, `second` opens another. */
function sqliteFixture<S>(build: (db: SqliteDatabase) => S): () => Promise<StoreFixture<S>> {
  return async () => {
    const file = `store-${++files}.db`;
    let db = openSqliteDatabase(dir, file);
    const others: SqliteDatabase[] = [];
    return {
      store: build(db),
      reopen: async () => {
        db.close();
        db = openSqliteDatabase(dir, file);
        return build(db);
      },
      second: async () => {
        const other = openSqliteDatabase(dir, file);
        others.push(other);
        return build(other);
      },
      close: async () => {
        for (const handle of [db, ...others]) if (handle.open) handle.close();
      },
    };
  };
}

describeUserStoreContract('SqliteUserStore', sqliteFixture((db) => new SqliteUserStore(db)), SHARED_FILE);
describeMessageStoreContract('SqliteMessageStore', sqliteFixture((db) => new SqliteMessageStore(db)), SHARED_FILE);
describeGroupStoreContract('SqliteGroupStore', sqliteFixture((db) => new SqliteGroupStore(db)), SHARED_FILE);
describePresenceRuleStoreContract('SqlitePresenceRuleStore', sqliteFixture((db) => new SqlitePresenceRuleStore(db)), SHARED_FILE);
describeSettingsStoreContract('SqliteSettingsStore', sqliteFixture((db) => new SqliteSettingsStore(db)), SHARED_FILE);

/** The embedded store's soft state: one process, nothing to reopen. */
function embeddedFixture<S>(pick: (store: Store) => S): () => Promise<StoreFixture<S>> {
  return async () => {
    const store = await openEmbeddedStore(join(dir, `embedded-${++files}`));
    return { store: pick(store), close: () => store.close() };
  };
}

describeLocationStoreContract('embedded store locations', embeddedFixture((store) => store.locations));
describeAuthStateStoreContract('embedded store auth state', embeddedFixture((store) => store.authState));
describeSubscriptionStoreContract('embedded store subscriptions', embeddedFixture((store) => store.subscriptions));
describePublicationStoreContract('embedded store publications', embeddedFixture((store) => store.publications));

describe('SQLite database', () => {
  it('is in WAL mode and syncs every commit (synchronous=FULL)', () => {
    const db = openSqliteDatabase(dir, `pragmas-${++files}.db`);
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('synchronous', { simple: true })).toBe(2);
    } finally {
      db.close();
    }
  });

  it('creates its directory and the missing ones above it', () => {
    const nested = join(dir, `nested-${++files}`, 'a', 'b');
    openSqliteDatabase(nested).close();
    expect(existsSync(join(nested, 'herald.db'))).toBe(true);
  });

  it('fails where mkdir answers ENOENT under a parent that exists (/proc), instead of retrying for ever', () => {
    // In a child process: the endless retry is a synchronous loop no timer here could end.
    const open = `import('${BUILT_STORE}').then((s) => s.openSqliteDatabase('/proc/herald-test/data'), (e) => console.log('no build', e.message)).catch((e) => console.log(e.name))`;
    const run = spawnSync(process.execPath, ['-e', open], { encoding: 'utf8', timeout: 10_000, killSignal: 'SIGKILL' });
    expect(run.stdout.trim()).toBe('StoreUnavailableError');
  });

  it('creates its tables once: a second store on the same file keeps the rows', async () => {
    const db = openSqliteDatabase(dir, `twice-${++files}.db`);
    try {
      await new SqliteUserStore(db).put(testUser('alice', 'example.com'));
      await expect(new SqliteUserStore(db).get('alice', 'example.com')).resolves.toEqual(testUser('alice', 'example.com'));
    } finally {
      db.close();
    }
  });

  it('keeps an account it wrote as written: a later change to the caller\'s record does not reach it', async () => {
    const db = openSqliteDatabase(dir, `written-${++files}.db`);
    try {
      const store = new SqliteUserStore(db);
      const record = testUser('alice', 'example.com');
      await store.put(record);
      record.ha1Md5 = 'e'.repeat(32);
      await expect(store.get('alice', 'example.com')).resolves.toEqual(testUser('alice', 'example.com'));
    } finally {
      db.close();
    }
  });

  it('sees an account another connection changed (herald user in another process) within 200 ms', async () => {
    const file = `cache-${++files}.db`;
    const serving = openSqliteDatabase(dir, file);
    const cli = openSqliteDatabase(dir, file);
    try {
      const store = new SqliteUserStore(serving);
      await store.put(testUser('alice', 'example.com'));
      expect((await store.get('alice', 'example.com'))?.ha1Md5).toBe(testUser('alice', 'example.com').ha1Md5);
      await new SqliteUserStore(cli).put({ ...testUser('alice', 'example.com'), ha1Md5: 'f'.repeat(32) });
      await new Promise((r) => setTimeout(r, 250));
      expect((await store.get('alice', 'example.com'))?.ha1Md5).toBe('f'.repeat(32));
      await new SqliteUserStore(cli).delete('alice', 'example.com');
      await new Promise((r) => setTimeout(r, 250));
      expect(await store.get('alice', 'example.com')).toBeUndefined();
    } finally {
      serving.close();
      cli.close();
    }
  });

  it('sees presence rules, invisible mode, aliases and external forms another connection wrote within 200 ms', async () => {
    const file = `settings-${++files}.db`;
    const serving = openSqliteDatabase(dir, file);
    const other = openSqliteDatabase(dir, file);
    try {
      const rules = new SqlitePresenceRuleStore(serving);
      const users = new SqliteUserStore(serving);
      await expect(rules.rules('sip:alice@example.com')).resolves.toEqual([]);
      await expect(rules.isInvisible('sip:alice@example.com')).resolves.toBe(false);
      await expect(users.resolveAlias('sip:al@example.com')).resolves.toBeUndefined();
      await expect(users.externalAliasOf('sip:alice@example.com')).resolves.toBeUndefined();
      const rule = { presentity: 'sip:alice@example.com', watcher: 'sip:bob@example.com', action: 'block' as const, updatedAt: 1 };
      await new SqlitePresenceRuleStore(other).setRule(rule);
      await new SqlitePresenceRuleStore(other).setInvisible('sip:alice@example.com', true);
      await new SqliteUserStore(other).addAlias('sip:al@example.com', 'sip:alice@example.com');
      await new SqliteUserStore(other).setExternalAlias('sip:alice@example.com', 'sip:al@example.com');
      await new Promise((r) => setTimeout(r, 250));
      await expect(rules.rules('sip:alice@example.com')).resolves.toEqual([rule]);
      await expect(rules.isInvisible('sip:alice@example.com')).resolves.toBe(true);
      await expect(users.resolveAlias('sip:al@example.com')).resolves.toBe('sip:alice@example.com');
      await expect(users.externalAliasOf('sip:alice@example.com')).resolves.toBe('sip:al@example.com');
      // This connection's own writes count at once.
      await rules.setRule({ ...rule, presentity: 'sip:carol@example.com' });
      await expect(rules.rules('sip:carol@example.com')).resolves.toHaveLength(1);
      await users.removeAlias('sip:al@example.com');
      await expect(users.resolveAlias('sip:al@example.com')).resolves.toBeUndefined();
      await expect(users.externalAliasOf('sip:alice@example.com')).resolves.toBeUndefined();
    } finally {
      serving.close();
      other.close();
    }
  });

  it('rejects with StoreUnavailableError once the database is closed', async () => {
    const db = openSqliteDatabase(dir, `closed-${++files}.db`);
    const store = new SqliteUserStore(db);
    db.close();
    await expect(store.get('alice', 'example.com')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(store.put(testUser('alice', 'example.com'))).rejects.toBeInstanceOf(StoreUnavailableError);
  });

  it('rejects with StoreUnavailableError in the message, group, rule and settings stores too once the database is closed', async () => {
    const db = openSqliteDatabase(dir, `closed-${++files}.db`);
    const messages = new SqliteMessageStore(db);
    const groups = new SqliteGroupStore(db);
    const rules = new SqlitePresenceRuleStore(db);
    const settings = new SqliteSettingsStore(db);
    db.close();
    await expect(messages.list('sip:alice@example.com', 0)).rejects.toBeInstanceOf(StoreUnavailableError);
    // every add of one group commit fails with it
    const message = { recipient: 'sip:alice@example.com', headers: [], contentType: null, body: Buffer.alloc(0), storedAt: 0, expiresAt: 1 };
    const adds = [messages.add(message, NO_CAPS, 0), messages.add({ ...message, recipient: 'sip:bob@example.com' }, NO_CAPS, 0)];
    for (const add of adds) await expect(add).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(groups.get('sip:team@example.com')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(rules.isInvisible('sip:alice@example.com')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(settings.read('federation.lists')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(settings.write('federation.lists', '{}')).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});

describe('SqliteMessageStore on a file from before senders were kept', () => {
  it('adds the sender columns; the old messages count against no sender', async () => {
    const file = `old-schema-${++files}.db`;
    const old = openSqliteDatabase(dir, file);
    old.exec(`CREATE TABLE offline_messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL, headers TEXT NOT NULL, content_type TEXT,
      body BLOB NOT NULL, stored_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0)`);
    old.prepare('INSERT INTO offline_messages (recipient, headers, content_type, body, stored_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)').run('sip:alice@example.com', '[]', null, Buffer.from('old'), 0, 10_000);
    old.close();
    const db = openSqliteDatabase(dir, file);
    try {
      const messages = new SqliteMessageStore(db);
      const sender = { aor: 'sip:bob@example.net', foreignDomain: 'example.net' };
      const caps = { perRecipient: 10, perSender: 1, perForeignDomain: 10 };
      const fresh = { recipient: 'sip:alice@example.com', headers: [], contentType: null, body: Buffer.from('new'), storedAt: 0, expiresAt: 10_000, sender };
      expect(await messages.add(fresh, caps, 0)).toMatchObject({ sender });
      expect(await messages.add(fresh, caps, 0)).toBe('sender');
      const listed = await messages.list('sip:alice@example.com', 0);
      expect(listed.map((m) => [m.body.toString(), m.sender])).toEqual([['old', undefined], ['new', sender]]);
    } finally {
      db.close();
    }
  });
});

describe('SqliteUserStore on a file from before external forms were kept', () => {
  it('adds their table; the old aliases resolve and can be marked', async () => {
    const file = `old-aliases-${++files}.db`;
    const old = openSqliteDatabase(dir, file);
    old.exec(`
      CREATE TABLE users (domain TEXT NOT NULL, user TEXT NOT NULL, ha1_md5 TEXT NOT NULL, ha1_sha256 TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, PRIMARY KEY (domain, user)) WITHOUT ROWID;
      CREATE TABLE user_aliases (alias TEXT NOT NULL PRIMARY KEY, aor TEXT NOT NULL) WITHOUT ROWID;
      CREATE INDEX user_aliases_by_aor ON user_aliases (aor, alias);`);
    old.prepare('INSERT INTO user_aliases (alias, aor) VALUES (?, ?)').run('sip:al@example.com', 'sip:alice@example.com');
    old.close();
    const db = openSqliteDatabase(dir, file);
    try {
      const users = new SqliteUserStore(db);
      await expect(users.resolveAlias('sip:al@example.com')).resolves.toBe('sip:alice@example.com');
      await expect(users.externalAliasOf('sip:alice@example.com')).resolves.toBeUndefined();
      await users.setExternalAlias('sip:alice@example.com', 'sip:al@example.com');
      await expect(users.externalAliasOf('sip:alice@example.com')).resolves.toBe('sip:al@example.com');
    } finally {
      db.close();
    }
  });
});

describe('embedded store', () => {
  it('creates its directory and herald.db, and keeps accounts, messages, groups, rules and settings but not bindings across a restart', async () => {
    const dataDir = join(dir, `restart-${++files}`, 'nested');
    const first = await openStore({ kind: 'embedded', dataDir });
    expect(first.kind).toBe('embedded');
    expect(existsSync(join(dataDir, 'herald.db'))).toBe(true);
    await expect(first.ping()).resolves.toBeUndefined();
    await first.users.put(testUser('alice', 'example.com'));
    await first.users.addAlias('sip:alice.smith@example.com', 'sip:alice@example.com');
    const T0 = 1_700_000_000_000;
    await first.locations.compareAndSet('sip:alice@example.com', 0, [testBinding('sip:a@1')], T0);
    const message = { recipient: 'sip:alice@example.com', headers: [], contentType: 'text/plain', body: Buffer.from('hi'), storedAt: T0, expiresAt: T0 + 60_000 };
    await first.messages.add(message, { perRecipient: 10, perSender: Infinity, perForeignDomain: Infinity }, T0);
    await first.groups.put({ uri: 'sip:team@example.com', members: ['sip:alice@example.com'], name: null });
    await first.presenceRules.setRule({ presentity: 'sip:alice@example.com', watcher: 'example.net', action: 'block', updatedAt: T0 });
    await first.settings.write('federation.lists', '{"allow":[],"block":["*.spam.example"]}');
    await first.publications.put(
      { resource: 'sip:alice@example.com', event: 'presence', etag: 'e1', contentType: 'application/pidf+xml', body: '', expiresAt: T0 + 60_000, updatedAt: T0 },
      null,
      T0,
    );
    await first.close();

    const second = await openEmbeddedStore(dataDir);
    try {
      await expect(second.users.get('alice', 'example.com')).resolves.toEqual(testUser('alice', 'example.com'));
      await expect(second.users.resolveAlias('sip:alice.smith@example.com')).resolves.toBe('sip:alice@example.com');
      await expect(second.locations.get('sip:alice@example.com', T0)).resolves.toEqual({ bindings: [], version: 0 });
      expect((await second.messages.list('sip:alice@example.com', T0)).map((m) => m.body.toString())).toEqual(['hi']);
      await expect(second.groups.get('sip:team@example.com')).resolves.toEqual({ uri: 'sip:team@example.com', members: ['sip:alice@example.com'], name: null });
      expect((await second.presenceRules.rules('sip:alice@example.com')).map((r) => r.action)).toEqual(['block']);
      await expect(second.settings.read('federation.lists')).resolves.toBe('{"allow":[],"block":["*.spam.example"]}');
      await expect(second.publications.list('sip:alice@example.com', 'presence', T0)).resolves.toEqual([]);
    } finally {
      await second.close();
    }
  });

  it('answers a ping with StoreUnavailableError once closed', async () => {
    const store = await openEmbeddedStore(join(dir, `ping-${++files}`));
    await store.close();
    await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
  });
});
