import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type ClusterNode, Redis } from 'ioredis';
import { type RedisServer, freePort, startRedis } from '@herald/test-kit';
import { type Store, StoreUnavailableError, TTL_GRACE_MS, openRedisStore, openStore } from '../src/index.js';
import {
  type StoreFixture,
  describeAuthStateStoreContract,
  describeGroupStoreContract,
  describeLocationStoreContract,
  describeMessageBusContract,
  describeMessageStoreContract,
  describePresenceRuleStoreContract,
  describePublicationStoreContract,
  describeSettingsStoreContract,
  describeSubscriptionStoreContract,
  describeClaimsContract,
  describeStoreMarkerContract,
  describeUserStoreContract,
  testBinding,
  testSubscription,
  testUser,
} from '../src/contract/index.js';

const T0 = 1_700_000_000_000;
/** The fixture reopens its data and opens second clients on it. */
const SHARED_DATA = { durable: true, shared: true };

let server: RedisServer;
let prefixes = 0;

beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.stop();
});

/** A fixture on a key prefix of its own, with reopen and second clients on that prefix. */
function redisFixture<S>(pick: (store: Store) => S, cluster?: () => ClusterNode[]): () => Promise<StoreFixture<S>> {
  return async () => {
    const keyPrefix = `test-${process.pid}-${++prefixes}:`;
    const open: Store[] = [];
    const connect = async () => {
      const store = cluster ? await openRedisStore('redis://127.0.0.1', { keyPrefix, cluster: cluster() }) : await openRedisStore(server.url, { keyPrefix });
      open.push(store);
      return store;
    };
    let current = await connect();
    return {
      store: pick(current),
      reopen: async () => {
        await current.close();
        current = await connect();
        return pick(current);
      },
      second: async () => pick(await connect()),
      close: async () => {
        await Promise.all(open.map((store) => store.close()));
      },
    };
  };
}

describeLocationStoreContract('RedisLocationStore', redisFixture((store) => store.locations), SHARED_DATA);
describeUserStoreContract('RedisUserStore', redisFixture((store) => store.users), SHARED_DATA);
describeAuthStateStoreContract('RedisAuthStateStore', redisFixture((store) => store.authState), SHARED_DATA);
describeMessageStoreContract('RedisMessageStore', redisFixture((store) => store.messages), SHARED_DATA);
describeSubscriptionStoreContract('RedisSubscriptionStore', redisFixture((store) => store.subscriptions));
describePublicationStoreContract('RedisPublicationStore', redisFixture((store) => store.publications));
describeGroupStoreContract('RedisGroupStore', redisFixture((store) => store.groups), SHARED_DATA);
describePresenceRuleStoreContract('RedisPresenceRuleStore', redisFixture((store) => store.presenceRules), SHARED_DATA);
describeSettingsStoreContract('RedisSettingsStore', redisFixture((store) => store.settings), SHARED_DATA);
describeMessageBusContract('RedisMessageBus', redisFixture((store) => store.bus), SHARED_DATA);
describeClaimsContract('RedisClaims', redisFixture((store) => store.claims), SHARED_DATA);
describeStoreMarkerContract('RedisStoreMarker', redisFixture((store) => store.marker), emptyNewestPrefix, SHARED_DATA);

/** Deletes the keys of the fixture made last, as a Redis restarted without its data would have none (KEYS: tests only). */
async function emptyNewestPrefix(): Promise<void> {
  const admin = new Redis(server.url);
  try {
    const keys = await admin.keys(`test-${process.pid}-${prefixes}:*`);
    if (keys.length > 0) await admin.del(...keys);
  } finally {
    admin.disconnect();
  }
}

describe('a Redis store reconnecting', () => {
  it('tells its listeners when the connection is back, not at the first connection', async () => {
    const connectionName = `reconnecting-${process.pid}`;
    const store = await openRedisStore(server.url, { keyPrefix: `test-${process.pid}-${++prefixes}:`, connectionName });
    const admin = new Redis(server.url);
    try {
      let reconnections = 0;
      store.onReconnect(() => reconnections++);
      await store.ping();
      expect(reconnections).toBe(0);
      const line = String(await admin.client('LIST')).split('\n').find((l) => l.includes(` name=${connectionName} `))!;
      await admin.client('KILL', 'ID', /\bid=(\d+)/.exec(line)![1]);
      const until = Date.now() + 5000;
      while (reconnections === 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      expect(reconnections).toBe(1);
      await store.ping();
    } finally {
      admin.disconnect();
      await store.close();
    }
  });
});

/**
 * A one-node Redis Cluster holding every slot: enough to prove that each script and
 * MULTI names keys of one slot only, since Redis refuses CROSSSLOT even on one node.
 */
async function startClusterNode(): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'herald-redis-cluster-'));
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-announce-ip', '127.0.0.1', '--cluster-config-file', join(dir, 'nodes.conf'), '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: 'ignore' },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const admin = new Redis(port, '127.0.0.1', { retryStrategy: (times) => (times > 50 ? null : 20) });
  admin.on('error', () => undefined);
  await admin.call('CLUSTER', 'ADDSLOTSRANGE', '0', '16383');
  while (!String(await admin.call('CLUSTER', 'INFO')).includes('cluster_state:ok')) await new Promise((r) => setTimeout(r, 20));
  admin.disconnect();
  return {
    port,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('on a Redis Cluster', () => {
  let node: { port: number; stop: () => Promise<void> };
  const nodes = () => [{ host: '127.0.0.1', port: node.port }];
  beforeAll(async () => {
    node = await startClusterNode();
  });
  afterAll(async () => {
    await node.stop();
  });

  describeLocationStoreContract('RedisLocationStore on a Cluster', redisFixture((store) => store.locations, nodes), SHARED_DATA);
  describeUserStoreContract('RedisUserStore on a Cluster', redisFixture((store) => store.users, nodes), SHARED_DATA);
  describeAuthStateStoreContract('RedisAuthStateStore on a Cluster', redisFixture((store) => store.authState, nodes), SHARED_DATA);
  describeGroupStoreContract('RedisGroupStore on a Cluster', redisFixture((store) => store.groups, nodes), SHARED_DATA);
  describePresenceRuleStoreContract('RedisPresenceRuleStore on a Cluster', redisFixture((store) => store.presenceRules, nodes), SHARED_DATA);
  describeSettingsStoreContract('RedisSettingsStore on a Cluster', redisFixture((store) => store.settings, nodes), SHARED_DATA);
  // Not here: RedisMessageStore, RedisSubscriptionStore and RedisPublicationStore. Their
  // write and expiry scripts touch a global expiry index (and, for subscriptions, the
  // resource's watcher set) beside the record's keys, so Redis refuses them with CROSSSLOT
  // until those indexes are split per slot.
});

describe('Redis store', () => {
  describe('normal path', () => {
    it('opens through openStore, answers a ping and is of kind redis', async () => {
      const store = await openStore({ kind: 'redis', url: server.url, keyPrefix: `test-${process.pid}-${++prefixes}:` });
      try {
        expect(store.kind).toBe('redis');
        await expect(store.ping()).resolves.toBeUndefined();
      } finally {
        await store.close();
      }
    });

    it('keeps an AoR in one hash-tagged key whose TTL ends with its latest binding, plus the grace', async () => {
      const keyPrefix = `test-${process.pid}-${++prefixes}:`;
      const store = await openRedisStore(server.url, { keyPrefix });
      const raw = new Redis(server.url);
      try {
        await store.locations.compareAndSet('sip:alice@example.com', 0, [testBinding('sip:a@1', 30_000), testBinding('sip:a@2', 60_000)], T0);
        const key = `${keyPrefix}loc:{sip:alice@example.com}`;
        const ttl = await raw.pttl(key);
        expect(ttl).toBeGreaterThan(50_000 + TTL_GRACE_MS);
        expect(ttl).toBeLessThanOrEqual(60_000 + TTL_GRACE_MS);
        const { version } = await store.locations.get('sip:alice@example.com', T0);
        await store.locations.compareAndSet('sip:alice@example.com', version, [], T0);
        await expect(raw.exists(key)).resolves.toBe(0);
      } finally {
        raw.disconnect();
        await store.close();
      }
    });

    it('puts every key of the presence, IM and settings stores under the key prefix', async () => {
      const keyPrefix = `test-${process.pid}-${++prefixes}:`;
      const store = await openRedisStore(server.url, { keyPrefix });
      const raw = new Redis(server.url);
      const alice = 'sip:alice@example.com';
      try {
        const message = { recipient: alice, headers: [], contentType: 'text/plain', body: Buffer.from('hi'), storedAt: T0, expiresAt: T0 + 1_000 };
        await store.messages.add(message, { perRecipient: 10, perSender: Infinity, perForeignDomain: Infinity }, T0);
        await store.subscriptions.compareAndSet(
          {
            id: 's1', event: 'presence', resource: alice, watcher: 'sip:bob@example.net', remoteTarget: 'sip:bob@192.0.2.4', routeSet: [],
            callId: 'c1', localTag: 'l', remoteTag: 'r', localUri: `<${alice}>`, remoteUri: '<sip:bob@example.net>', localCseq: 1, remoteCseq: 1,
            status: 'active', accept: [], expiresAt: T0 + 1_000, flow: null, data: {}, version: 1,
          },
          T0,
        );
        await store.publications.put(
          { resource: alice, event: 'presence', etag: 'e1', contentType: 'application/pidf+xml', body: '', expiresAt: T0 + 1_000, updatedAt: T0 },
          null,
          T0,
        );
        await store.groups.put({ uri: 'sip:team@example.com', members: [alice], name: null });
        await store.presenceRules.setRule({ presentity: alice, watcher: 'example.net', action: 'allow', updatedAt: T0 });
        await store.presenceRules.setInvisible(alice, true);
        await store.settings.write('federation.lists', '{}');

        const keys = (await raw.keys(`${keyPrefix}*`)).map((key) => key.slice(keyPrefix.length)).sort();
        expect(keys).toEqual(
          [
            'group-uris:{groups}', 'groups:{groups}',
            `msg:{${alice}}:data`, `msg:{${alice}}:exp`, `msg:{${alice}}:seq`, 'msg:expiry',
            `pub:{${alice}}:presence`, `pub:{${alice}}:presence:exp`, 'pub:expiry',
            `rule:{${alice}}`, `rule:{${alice}}:invisible`, 'setting:{federation.lists}',
            `sub:{${alice}}:presence`, 'sub:{s1}', 'sub:expiry',
          ].sort(),
        );
        // What the expiry scripts reach from the global indexes is under the prefix too.
        await expect(store.messages.sweepExpired(T0 + 1_000, 10)).resolves.toBe(1);
        expect((await store.subscriptions.takeExpired(T0 + 1_000, 10)).map((s) => s.id)).toEqual(['s1']);
        expect((await store.publications.takeExpired(T0 + 1_000, 10)).map((p) => p.etag)).toEqual(['e1']);
        const left = (await raw.keys(`${keyPrefix}*`)).map((key) => key.slice(keyPrefix.length)).sort();
        expect(left).toEqual(['group-uris:{groups}', 'groups:{groups}', `msg:{${alice}}:seq`, `rule:{${alice}}`, `rule:{${alice}}:invisible`, 'setting:{federation.lists}'].sort());
        for (const pattern of ['msg:*', 'sub:*', 'pub:*', 'group*', 'rule:*', 'setting:*']) await expect(raw.keys(pattern)).resolves.toEqual([]);
      } finally {
        raw.disconnect();
        await store.close();
      }
    });

    it('keeps each prefix apart', async () => {
      const a = await openRedisStore(server.url, { keyPrefix: `test-${process.pid}-${++prefixes}:` });
      const b = await openRedisStore(server.url, { keyPrefix: `test-${process.pid}-${++prefixes}:` });
      try {
        await a.users.put(testUser('alice', 'example.com'));
        await expect(b.users.get('alice', 'example.com')).resolves.toBeUndefined();
        await expect(b.users.list()).resolves.toEqual([]);
      } finally {
        await Promise.all([a.close(), b.close()]);
      }
    });
  });

  describe('failure path', () => {
    it('reports the records a batch write wrote when the write of another, left to compareAndSet, fails', async () => {
      const store = await openRedisStore(server.url, { keyPrefix: `test-${process.pid}-${++prefixes}:` });
      try {
        const subscriptions = store.subscriptions;
        const record = (id: string, version: number, expiresAt: number) => testSubscription(id, { localCseq: version, expiresAt, version });
        await subscriptions.compareAndSet(record('s1', 1, T0 + 60_000), T0);
        await subscriptions.compareAndSet(record('s2', 1, T0 + 60_000), T0);
        // s2 is re-timed, so the batch script leaves it to compareAndSet, which fails here.
        const compareAndSet = subscriptions.compareAndSet.bind(subscriptions);
        subscriptions.compareAndSet = (next, now) => (next.id === 's2' ? Promise.reject(new StoreUnavailableError('write a subscription')) : compareAndSet(next, now));
        const written = await subscriptions.compareAndSetMany([record('s1', 2, T0 + 60_000), record('s2', 2, T0 + 120_000)], T0);
        expect(written).toEqual([true, false]);
        expect((await subscriptions.get('s1', T0))!.localCseq).toBe(2);
      } finally {
        await store.close();
      }
    });

    it('refuses a URL that is not redis:// or rediss://', async () => {
      await expect(openRedisStore('http://127.0.0.1:6379')).rejects.toThrow(/redis:\/\/ or rediss:\/\//);
    });

    it('rejects with StoreUnavailableError, not a hang, when nothing listens on the port', async () => {
      const port = await freePort();
      const store = await openRedisStore(`redis://127.0.0.1:${port}`);
      try {
        // All at once: ioredis backs off between reconnect attempts, so one after another
        // each call would wait longer than the one before.
        const calls: Array<Promise<unknown>> = [
          store.ping(),
          store.locations.get('sip:alice@example.com', T0),
          store.users.put(testUser('alice', 'example.com')),
          store.authState.failuresOf(['src:198.51.100.7'], T0),
          store.messages.list('sip:alice@example.com', T0),
          store.subscriptions.takeExpired(T0, 10),
          store.publications.get('sip:alice@example.com', 'presence', 'e1', T0),
          store.groups.list(),
          store.presenceRules.setInvisible('sip:alice@example.com', true),
          store.settings.read('federation.lists'),
        ];
        for (const call of calls) await expect(call).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        await store.close();
      }
    }, 3000);

    // A shared server (REDIS_URL) is not ours to stop.
    (process.env.REDIS_URL ? it.skip : it)('rejects with StoreUnavailableError when Redis goes away under an open store', async () => {
      const own = await startRedis();
      const store = await openRedisStore(own.url);
      try {
        await store.authState.addFailure('src:198.51.100.7', 60_000, T0);
        await own.stop();
        await expect(store.authState.failures('src:198.51.100.7', T0)).rejects.toBeInstanceOf(StoreUnavailableError);
        await expect(store.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
      } finally {
        await store.close();
      }
    }, 5000);
  });
});
