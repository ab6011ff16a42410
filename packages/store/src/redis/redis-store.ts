import { Cluster, type ClusterNode, Redis, type RedisOptions, type SentinelAddress } from 'ioredis';
import type { Store } from '../store.js';
import { RedisAuthStateStore } from './redis-auth-state-store.js';
import { type RedisClient, type RedisContext, redisCall } from './redis-client.js';
import { RedisGroupStore } from './redis-group-store.js';
import { RedisLocationStore } from './redis-location-store.js';
import { RedisMessageBus } from './redis-message-bus.js';
import { RedisClaims } from './redis-claims.js';
import { RedisStoreMarker } from './redis-store-marker.js';
import { RedisMessageStore } from './redis-message-store.js';
import { RedisPresenceRuleStore } from './redis-presence-rule-store.js';
import { RedisPublicationStore } from './redis-publication-store.js';
import { RedisSettingsStore } from './redis-settings-store.js';
import { RedisSubscriptionStore } from './redis-subscription-store.js';
import { RedisUserStore } from './redis-user-store.js';

/** How to reach Redis besides the URL. */
export interface RedisStoreOptions {
  /**
   * Put before every key (`herald:`), so several deployments or tests share one Redis.
   * Keep braces out of it: a hash tag here would put every key in one Cluster slot.
   */
  keyPrefix?: string;
  /** Sentinels to ask for the master named `name`; the URL then gives only credentials and TLS. */
  sentinels?: Array<Partial<SentinelAddress>>;
  /** The master's name in Sentinel. */
  name?: string;
  /** Cluster seed nodes; the URL then gives only credentials and TLS. */
  cluster?: ClusterNode[];
  /** A command with no answer after this long rejects with `StoreUnavailableError`; 2000 ms unless given. */
  commandTimeoutMs?: number;
  /** The name Redis shows for the connection in CLIENT LIST (CLIENT SETNAME on each connection). */
  connectionName?: string;
  /** Told each connection error (ioredis keeps reconnecting); they are dropped unless given. */
  onError?: (error: Error) => void;
}

/*
 * Connection behaviour while Redis is down, so that a request gets its 503 in bounded
 * time instead of hanging:
 * - enableOfflineQueue: true, so commands sent during start-up or a brief reconnect
 *   (a Sentinel failover) wait for the connection instead of failing at once;
 * - maxRetriesPerRequest: 1, so those queued commands are failed after one failed
 *   reconnect attempt (about 50 ms when the port refuses, connectTimeout when it hangs);
 * - connectTimeout: 2000 ms, bounding one attempt against a host that drops packets;
 * - the default retryStrategy keeps reconnecting (backing off to 2 s), so the store
 *   recovers by itself when Redis returns;
 * - disconnectTimeout: 500 ms: how long a closing socket may linger before it is
 *   destroyed; ioredis arms that timer even for a socket already closed, and it would
 *   keep the process alive for the default 2 s after close();
 * - every store call also has its own deadline (commandTimeoutMs, see redisCall), which
 *   covers a connection that is up but silent and a Cluster's own offline queue.
 */
const CONNECTION = { maxRetriesPerRequest: 1, connectTimeout: 2000, disconnectTimeout: 500 } satisfies RedisOptions;

class RedisStore implements Store {
  readonly kind = 'redis';
  readonly locations: RedisLocationStore;
  readonly users: RedisUserStore;
  readonly authState: RedisAuthStateStore;
  readonly messages: RedisMessageStore;
  readonly subscriptions: RedisSubscriptionStore;
  readonly publications: RedisPublicationStore;
  readonly groups: RedisGroupStore;
  readonly presenceRules: RedisPresenceRuleStore;
  readonly settings: RedisSettingsStore;
  readonly bus: RedisMessageBus;
  readonly claims: RedisClaims;
  readonly marker: RedisStoreMarker;

  constructor(
    private readonly context: RedisContext,
    keyPrefix: string,
  ) {
    this.locations = new RedisLocationStore(context);
    this.users = new RedisUserStore(context);
    this.authState = new RedisAuthStateStore(context);
    this.messages = new RedisMessageStore(context);
    this.subscriptions = new RedisSubscriptionStore(context);
    this.publications = new RedisPublicationStore(context);
    this.groups = new RedisGroupStore(context);
    this.presenceRules = new RedisPresenceRuleStore(context);
    this.settings = new RedisSettingsStore(context);
    this.bus = new RedisMessageBus(context, keyPrefix);
    this.claims = new RedisClaims(context);
    this.marker = new RedisStoreMarker(context);
  }

  async ping(): Promise<void> {
    await redisCall(this.context, 'answer a ping', () => this.context.client.ping());
  }

  onReconnect(listener: () => void): void {
    const { client } = this.context;
    // 'ready' follows every connection; the first one is no reconnection.
    let connectedBefore = client.status === 'ready';
    client.on('ready', () => {
      if (connectedBefore) listener();
      connectedBefore = true;
    });
  }

  async close(): Promise<void> {
    this.bus.close();
    const { client } = this.context;
    if (client.status === 'ready') {
      try {
        await redisCall(this.context, 'close', () => client.quit());
        return;
      } catch {
        // No answer to QUIT: drop the connection below.
      }
    }
    if (client.status !== 'end') client.disconnect();
  }
}

/**
 * The shared store: every worker and node on one Redis (direct, through Sentinel, or a
 * Cluster). `url` is `redis://` or `rediss://` (TLS), with credentials and a database
 * number when needed. Resolves without waiting for the connection; `ping()` says
 * whether Redis answers.
 */
export async function openRedisStore(url: string, options: RedisStoreOptions = {}): Promise<Store> {
  const parsed = new URL(url);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`a Redis store URL starts with redis:// or rediss://, not ${parsed.protocol}//`);
  }
  const common = {
    ...CONNECTION,
    enableOfflineQueue: true,
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  };
  let client: RedisClient;
  if (options.cluster) {
    client = new Cluster(options.cluster, {
      enableOfflineQueue: true,
      ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
      redisOptions: {
        ...CONNECTION,
        ...(options.connectionName ? { connectionName: options.connectionName } : {}),
        ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
        ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
        ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
      },
    });
  } else if (options.sentinels) {
    if (!options.name) throw new Error('a Redis store through Sentinel needs the master\'s name');
    client = new Redis(url, { ...common, sentinels: options.sentinels, name: options.name });
  } else {
    client = new Redis(url, common);
  }
  const onError = options.onError ?? (() => undefined);
  client.on('error', onError);
  return new RedisStore({ client, commandTimeoutMs: options.commandTimeoutMs ?? 2000 }, options.keyPrefix ?? '');
}
