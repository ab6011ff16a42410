import type { Subscription, SubscriptionStore } from '../subscription-store.js';
import { LOST_RACE, keptChanging, retryCompareAndSet } from '../compare-and-set.js';
import { type RedisContext, type RedisScript, defineScript, parseLive, redisCall, takeFromIndex } from './redis-client.js';

/*
 * Keys. `sub:{id}`: a hash with the record as JSON (`j`) and the fields scripts need
 * without a JSON decoder (`v` version, `e` expiresAt, `r` resource, `ev` event).
 * `sub:{resource}:event`: sorted set id → expiresAt, the watchers byResource reads.
 * `sub:expiry`: sorted set id → expiresAt over every subscription, which takeExpired pops.
 * Scripts are given every key they touch, so the key prefix (ioredis `keyPrefix`) applies:
 * where a key depends on the stored record (the resource it is indexed under now), the
 * caller reads it first and the script refuses (-1) when it changed meanwhile.
 * CLUSTER: the write scripts touch `sub:{id}`, `sub:{resource}:event` and `sub:expiry`,
 * three slots; fine on one Redis or Sentinel, to be split per slot before Cluster.
 */

/** The script saw another resource or event than the caller read: read again. */
const MOVED = -1;

/**
 * KEYS: the record, the watched set it is in now (the new one when none), the new
 * watched set, the expiry index. ARGV: version, JSON, expiresAt, now, resource, event,
 * id, the resource and event the caller read ('' for none).
 */
const COMPARE_AND_SET = `
local cur = redis.call('HMGET', KEYS[1], 'v', 'e', 'r', 'ev')
if (cur[3] or '') ~= ARGV[8] or (cur[4] or '') ~= ARGV[9] then return -1 end
-- An expired record counts as none: get() did not show it to the caller either.
local curVersion = 0
if cur[1] and tonumber(cur[2]) > tonumber(ARGV[4]) then curVersion = tonumber(cur[1]) end
if curVersion ~= tonumber(ARGV[1]) - 1 then return 0 end
if cur[1] then redis.call('ZREM', KEYS[2], ARGV[7]) end
redis.call('HSET', KEYS[1], 'j', ARGV[2], 'v', ARGV[1], 'e', ARGV[3], 'r', ARGV[5], 'ev', ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[7])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[7])
return 1
`;

/** KEYS: the record, its watched set, the expiry index. ARGV: id, the resource and event read. */
const DELETE = `
local cur = redis.call('HMGET', KEYS[1], 'r', 'ev')
if not cur[1] then return 0 end
if cur[1] ~= ARGV[2] or cur[2] ~= ARGV[3] then return -1 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * KEYS: the expiry index, the record, its watched set. ARGV: id, now, the resource and
 * event read. Returns the JSON when this caller took the subscription, -1 when it moved,
 * nothing when it was not due (refreshed) or already gone.
 */
const TAKE_ONE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return false end
local cur = redis.call('HMGET', KEYS[2], 'j', 'r', 'ev')
if cur[1] and (cur[2] ~= ARGV[3] or cur[3] ~= ARGV[4]) then return -1 end
redis.call('ZREM', KEYS[1], ARGV[1])
if not cur[1] then return false end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('DEL', KEYS[2])
return cur[1]
`;

const EXPIRY_KEY = 'sub:expiry';
const recordKey = (id: string) => `sub:{${id}}`;
const watchedKey = (resource: string, event: string) => `sub:{${resource}}:${event}`;


/**
 * Subscription dialogs in Redis, shared by every worker; compare-and-set and expiry run as Lua.
 * @see RFC 6665 §4.2
 */
export class RedisSubscriptionStore implements SubscriptionStore {
  private readonly compareAndSetScript: RedisScript;
  private readonly deleteScript: RedisScript;
  private readonly takeOneScript: RedisScript;

  constructor(private readonly context: RedisContext) {
    const { client } = context;
    this.compareAndSetScript = defineScript(client, 'heraldSubscriptionCompareAndSet', 4, COMPARE_AND_SET);
    this.deleteScript = defineScript(client, 'heraldSubscriptionDelete', 3, DELETE);
    this.takeOneScript = defineScript(client, 'heraldSubscriptionTakeOne', 3, TAKE_ONE);
  }

  async get(id: string, now: number): Promise<Subscription | undefined> {
    const j = await redisCall(this.context, 'read a subscription', () => this.context.client.hget(recordKey(id), 'j'));
    return parseLive<Subscription>(j, now);
  }

  async compareAndSet(next: Subscription, now: number): Promise<boolean> {
    const json = JSON.stringify(next);
    const watched = watchedKey(next.resource, next.event);
    return redisCall(this.context, 'write a subscription', async () => {
      // First as the caller has it (none for a new record, else indexed as it is now), with no read.
      let [resource, event]: [string | null, string | null] = next.version === 1 ? [null, null] : [next.resource, next.event];
      return retryCompareAndSet(async (attempt) => {
        if (attempt > 0) [resource, event] = await this.indexedUnder(next.id);
        const result = await this.compareAndSetScript(
          recordKey(next.id),
          resource === null ? watched : watchedKey(resource, event ?? ''),
          watched,
          EXPIRY_KEY,
          next.version,
          json,
          next.expiresAt,
          now,
          next.resource,
          next.event,
          next.id,
          resource ?? '',
          event ?? '',
        );
        return result === MOVED ? LOST_RACE : result === 1;
      }, keptChanging(`subscription ${next.id}`));
    });
  }

  async delete(id: string, indexedAs?: Pick<Subscription, 'resource' | 'event'>): Promise<boolean> {
    return redisCall(this.context, 'delete a subscription', async () => {
      let [resource, event]: [string | null, string | null] = indexedAs === undefined ? [null, null] : [indexedAs.resource, indexedAs.event];
      return retryCompareAndSet(async (attempt) => {
        if (attempt > 0 || indexedAs === undefined) [resource, event] = await this.indexedUnder(id);
        if (resource === null || event === null) return false;
        const result = await this.deleteScript(recordKey(id), watchedKey(resource, event), EXPIRY_KEY, id, resource, event);
        return result === MOVED ? LOST_RACE : result === 1;
      }, keptChanging(`subscription ${id}`));
    });
  }

  async byResource(resource: string, event: string, now: number): Promise<Subscription[]> {
    const { client } = this.context;
    const found = await redisCall(this.context, 'read the watchers of a resource', async () => {
      const ids = await client.zrangebyscore(watchedKey(resource, event), `(${now}`, '+inf');
      return Promise.all(ids.map((id) => client.hget(recordKey(id), 'j')));
    });
    // The set and the records are read apart: keep what is still live and still indexed here.
    return found.map((j) => parseLive<Subscription>(j, now)).filter((s): s is Subscription => s?.resource === resource && s.event === event);
  }

  async takeExpired(now: number, limit: number): Promise<Subscription[]> {
    const taken = await redisCall(this.context, 'take expired subscriptions', () =>
      takeFromIndex(this.context, EXPIRY_KEY, now, limit, async (ids) => {
        const replies = await Promise.all(ids.map((id) => this.takeOne(id, now)));
        return replies.filter((j): j is string => j !== undefined);
      }),
    );
    return taken.map((j) => JSON.parse(j) as Subscription);
  }

  /** Pops one due subscription; its JSON when this caller took it. */
  private async takeOne(id: string, now: number): Promise<string | undefined> {
    return retryCompareAndSet(async () => {
      const [resource, event] = await this.indexedUnder(id);
      const watched = resource === null ? recordKey(id) : watchedKey(resource, event ?? '');
      const reply = await this.takeOneScript(EXPIRY_KEY, recordKey(id), watched, id, now, resource ?? '', event ?? '');
      return reply === MOVED ? LOST_RACE : typeof reply === 'string' ? reply : undefined;
    }, keptChanging(`subscription ${id}`));
  }

  /** The resource and event the record is indexed under now; nulls when there is none. */
  private async indexedUnder(id: string): Promise<[string | null, string | null]> {
    const [resource, event] = await this.context.client.hmget(recordKey(id), 'r', 'ev');
    return [resource ?? null, event ?? null];
  }
}

