import type { CreateOutcome, Subscription, SubscriptionCaps, SubscriptionStore } from '../subscription-store.js';
import { LOST_RACE, keptChanging, retryCompareAndSet } from '../compare-and-set.js';
import { type RedisContext, type RedisScript, checkExec, defineScript, defineVariadicScript, isCluster, parseLive, redisCall, takeFromIndex } from './redis-client.js';

/*
 * Keys. `sub:{id}`: a hash with the record as JSON (`j`) and the fields scripts need
 * without a JSON decoder (`v` version, `e` expiresAt, `r` resource, `ev` event, and for a
 * watcher of another domain `fd` its domain and `fs` its source address).
 * `sub:{resource}:event`: sorted set id → expiresAt, the watchers byResource reads.
 * `sub:expiry`: sorted set id → expiresAt over every subscription, which takeExpired pops.
 * `sub:fd:{domain}`, `sub:fs:{source}`: sorted sets id → expiresAt of the watchers of
 * other domains, which the caps of `create` count.
 * Scripts are given every key they touch, so the key prefix (ioredis `keyPrefix`) applies:
 * where a key depends on the stored record (the resource it is indexed under now), the
 * caller reads it first and the script refuses (-1) when it changed meanwhile.
 * CLUSTER: the write scripts touch the record, its watched set, `sub:expiry` and the
 * foreign watcher's sets, several slots; fine on one Redis or Sentinel, to be split per
 * slot before Cluster.
 */

/** The script saw another resource or event than the caller read: read again. */
const MOVED = -1;

/** The fields a record is indexed under, in the order of `indexedUnder`. */
const INDEX_FIELDS = ['r', 'ev', 'fd', 'fs'] as const;

/** Where a record is indexed: resource, event, foreign domain and source ('' when none). */
type IndexedUnder = [resource: string, event: string, domain: string, source: string];

/**
 * KEYS: the record, the watched set it is in now (the new one when none), the new
 * watched set, the expiry index, the foreign domain's and source's sets. ARGV: version,
 * JSON, expiresAt, now, resource, event, id, the resource and event the caller read ('' for
 * none), the foreign domain and source ('' for none).
 */
const COMPARE_AND_SET = `
local cur = redis.call('HMGET', KEYS[1], 'v', 'e', 'r', 'ev')
if (cur[3] or '') ~= ARGV[8] or (cur[4] or '') ~= ARGV[9] then return -1 end
-- An expired record counts as none: get() did not show it to the caller either.
local curVersion = 0
if cur[1] and tonumber(cur[2]) > tonumber(ARGV[4]) then curVersion = tonumber(cur[1]) end
if curVersion ~= tonumber(ARGV[1]) - 1 then return 0 end
if cur[1] then redis.call('ZREM', KEYS[2], ARGV[7]) end
redis.call('HSET', KEYS[1], 'j', ARGV[2], 'v', ARGV[1], 'e', ARGV[3], 'r', ARGV[5], 'ev', ARGV[6], 'fd', ARGV[10], 'fs', ARGV[11])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[7])
redis.call('ZADD', KEYS[4], ARGV[3], ARGV[7])
if ARGV[10] ~= '' then
  redis.call('ZADD', KEYS[5], ARGV[3], ARGV[7])
  redis.call('ZADD', KEYS[6], ARGV[3], ARGV[7])
end
return 1
`;

/**
 * Many compare-and-sets of records that keep their expiry and where they are indexed (a
 * fan-out's CSeq steps), so that only the records change, in one round trip. KEYS: the
 * records. ARGV: now, then per record version, JSON, expiresAt, resource, event, foreign
 * domain and source ('' for none). Returns per record 1 (written), 0 (a conflict) or -1:
 * the record is new, indexed elsewhere or given another expiry, left to `COMPARE_AND_SET`.
 */
const COMPARE_AND_SET_IN_PLACE = `
local now = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  local a = 1 + 7 * (i - 1)
  local cur = redis.call('HMGET', KEYS[i], 'v', 'e', 'r', 'ev', 'fd', 'fs')
  if not cur[1] or cur[2] ~= ARGV[a + 3] or cur[3] ~= ARGV[a + 4] or cur[4] ~= ARGV[a + 5] or (cur[5] or '') ~= ARGV[a + 6] or (cur[6] or '') ~= ARGV[a + 7] then
    out[i] = -1
  elseif tonumber(cur[2]) <= now or tonumber(cur[1]) ~= tonumber(ARGV[a + 1]) - 1 then
    -- An expired record counts as none: get() did not show it to the caller either.
    out[i] = 0
  else
    redis.call('HSET', KEYS[i], 'j', ARGV[a + 2], 'v', ARGV[a + 1])
    out[i] = 1
  end
end
return out
`;

/**
 * KEYS: the record, its watched set, the expiry index, the foreign domain's and source's
 * sets. ARGV: JSON, expiresAt, now, resource, event, id, the caps on the resource, the
 * domain and the source (-1 for none), the foreign domain and source ('' for none).
 */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 'exists' end
local now = ARGV[3]
local function full(key, cap)
  local most = tonumber(cap)
  return most >= 0 and redis.call('ZCOUNT', key, '(' .. now, '+inf') >= most
end
if full(KEYS[2], ARGV[7]) then return 'resource' end
local foreign = ARGV[10] ~= ''
if foreign then
  -- Entries of records gone unannounced (expired, dropped) go here; live ones keep their place.
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', now)
  redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
  if full(KEYS[4], ARGV[8]) then return 'foreign-domain' end
  if full(KEYS[5], ARGV[9]) then return 'foreign-source' end
end
redis.call('HSET', KEYS[1], 'j', ARGV[1], 'v', 1, 'e', ARGV[2], 'r', ARGV[4], 'ev', ARGV[5], 'fd', ARGV[10], 'fs', ARGV[11])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[6])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[6])
if foreign then
  redis.call('ZADD', KEYS[4], ARGV[2], ARGV[6])
  redis.call('ZADD', KEYS[5], ARGV[2], ARGV[6])
end
return 'created'
`;

/**
 * KEYS: the record, its watched set, the expiry index, its foreign domain's and source's
 * sets. ARGV: id, the resource, event, foreign domain and source read.
 */
const DELETE = `
local cur = redis.call('HMGET', KEYS[1], 'r', 'ev', 'fd', 'fs')
if not cur[1] then return 0 end
if cur[1] ~= ARGV[2] or cur[2] ~= ARGV[3] or (cur[3] or '') ~= ARGV[4] or (cur[4] or '') ~= ARGV[5] then return -1 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[4] ~= '' then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('ZREM', KEYS[5], ARGV[1])
end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * KEYS: the expiry index, the record, its watched set, its foreign domain's and source's
 * sets. ARGV: id, now, the resource, event, foreign domain and source read. Returns the
 * JSON when this caller took the subscription, -1 when it moved, nothing when it was not
 * due (refreshed) or already gone.
 */
const TAKE_ONE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[2]) then return false end
local cur = redis.call('HMGET', KEYS[2], 'j', 'r', 'ev', 'fd', 'fs')
if cur[1] and (cur[2] ~= ARGV[3] or cur[3] ~= ARGV[4] or (cur[4] or '') ~= ARGV[5] or (cur[5] or '') ~= ARGV[6]) then return -1 end
redis.call('ZREM', KEYS[1], ARGV[1])
if not cur[1] then return false end
redis.call('ZREM', KEYS[3], ARGV[1])
if ARGV[5] ~= '' then
  redis.call('ZREM', KEYS[4], ARGV[1])
  redis.call('ZREM', KEYS[5], ARGV[1])
end
redis.call('DEL', KEYS[2])
return cur[1]
`;

const EXPIRY_KEY = 'sub:expiry';
const recordKey = (id: string) => `sub:{${id}}`;
const watchedKey = (resource: string, event: string) => `sub:{${resource}}:${event}`;
/** The sets of a foreign watcher's domain and source; never written for '' (no foreign watcher). */
const foreignKeys = (domain: string, source: string) => [`sub:fd:{${domain}}`, `sub:fs:{${source}}`] as const;
/** A cap as the scripts take it: -1 for none. */
const capArg = (cap: number) => (Number.isFinite(cap) ? Math.max(0, Math.floor(cap)) : -1);

/**
 * Subscription dialogs in Redis, shared by every worker; compare-and-set and expiry run as Lua.
 * @see RFC 6665 §4.2
 */
export class RedisSubscriptionStore implements SubscriptionStore {
  private readonly compareAndSetScript: RedisScript;
  private readonly compareAndSetInPlaceScript: (keys: number, ...keysAndArgs: Array<string | number>) => Promise<unknown>;
  private readonly createScript: RedisScript;
  private readonly deleteScript: RedisScript;
  private readonly takeOneScript: RedisScript;

  constructor(private readonly context: RedisContext) {
    const { client } = context;
    this.compareAndSetScript = defineScript(client, 'heraldSubscriptionCompareAndSet', 6, COMPARE_AND_SET);
    this.compareAndSetInPlaceScript = defineVariadicScript(client, 'heraldSubscriptionCompareAndSetInPlace', COMPARE_AND_SET_IN_PLACE);
    this.createScript = defineScript(client, 'heraldSubscriptionCreate', 5, CREATE);
    this.deleteScript = defineScript(client, 'heraldSubscriptionDelete', 5, DELETE);
    this.takeOneScript = defineScript(client, 'heraldSubscriptionTakeOne', 5, TAKE_ONE);
  }

  async get(id: string, now: number): Promise<Subscription | undefined> {
    const j = await redisCall(this.context, 'read a subscription', () => this.context.client.hget(recordKey(id), 'j'));
    return parseLive<Subscription>(j, now);
  }

  async compareAndSet(next: Subscription, now: number): Promise<boolean> {
    const json = JSON.stringify(next);
    const watched = watchedKey(next.resource, next.event);
    const domain = next.foreign?.domain ?? '';
    const source = next.foreign?.source ?? '';
    return redisCall(this.context, 'write a subscription', async () => {
      // First as the caller has it (none for a new record, else indexed as it is now), with no read.
      let [resource, event] = next.version === 1 ? ['', ''] : [next.resource, next.event];
      return retryCompareAndSet(async (attempt) => {
        if (attempt > 0) [resource, event] = await this.indexedUnder(next.id);
        const result = await this.compareAndSetScript(
          recordKey(next.id),
          resource === '' ? watched : watchedKey(resource, event),
          watched,
          EXPIRY_KEY,
          ...foreignKeys(domain, source),
          next.version,
          json,
          next.expiresAt,
          now,
          next.resource,
          next.event,
          next.id,
          resource,
          event,
          domain,
          source,
        );
        return result === MOVED ? LOST_RACE : result === 1;
      }, keptChanging(`subscription ${next.id}`));
    });
  }

  async compareAndSetMany(next: readonly Subscription[], now: number): Promise<boolean[]> {
    // CLUSTER: the records are in as many slots as there are records; one at a time there.
    if (next.length === 0) return [];
    if (next.length === 1 || isCluster(this.context.client)) return Promise.all(next.map((n) => this.compareAndSet(n, now)));
    const args: Array<string | number> = next.map((n) => recordKey(n.id));
    args.push(now);
    for (const n of next) args.push(n.version, JSON.stringify(n), n.expiresAt, n.resource, n.event, n.foreign?.domain ?? '', n.foreign?.source ?? '');
    const replies = (await redisCall(this.context, 'write subscriptions', () => this.compareAndSetInPlaceScript(next.length, ...args))) as number[];
    // The script has written its records: one of the rest failing must not hide them (their
    // NOTIFYs, whose CSeqs are stored now, would never be sent). A record whose write failed
    // counts as not written; the caller reads it again, and meets the outage there.
    const rest = await Promise.allSettled(replies.map((r, i) => (r === -1 ? this.compareAndSet(next[i], now) : r === 1)));
    return rest.map((r) => r.status === 'fulfilled' && r.value);
  }

  async create(sub: Subscription, caps: SubscriptionCaps, now: number): Promise<CreateOutcome> {
    const domain = sub.foreign?.domain ?? '';
    const source = sub.foreign?.source ?? '';
    const outcome = await redisCall(this.context, 'create a subscription', () =>
      this.createScript(
        recordKey(sub.id),
        watchedKey(sub.resource, sub.event),
        EXPIRY_KEY,
        ...foreignKeys(domain, source),
        JSON.stringify({ ...sub, version: 1 }),
        sub.expiresAt,
        now,
        sub.resource,
        sub.event,
        sub.id,
        capArg(caps.perResource),
        capArg(caps.perForeignDomain),
        capArg(caps.perForeignSource),
        domain,
        source,
      ),
    );
    return outcome as CreateOutcome;
  }

  async delete(id: string, indexedAs?: Pick<Subscription, 'resource' | 'event' | 'foreign'>): Promise<boolean> {
    return redisCall(this.context, 'delete a subscription', async () => {
      let under: IndexedUnder =
        indexedAs === undefined ? ['', '', '', ''] : [indexedAs.resource, indexedAs.event, indexedAs.foreign?.domain ?? '', indexedAs.foreign?.source ?? ''];
      return retryCompareAndSet(async (attempt) => {
        if (attempt > 0 || indexedAs === undefined) under = await this.indexedUnder(id);
        const [resource, event, domain, source] = under;
        if (resource === '') return false;
        const result = await this.deleteScript(recordKey(id), watchedKey(resource, event), EXPIRY_KEY, ...foreignKeys(domain, source), id, resource, event, domain, source);
        return result === MOVED ? LOST_RACE : result === 1;
      }, keptChanging(`subscription ${id}`));
    });
  }

  async byResource(resource: string, event: string, now: number): Promise<Subscription[]> {
    const { client } = this.context;
    const found = await redisCall(this.context, 'read the watchers of a resource', async () => {
      const ids = await client.zrangebyscore(watchedKey(resource, event), `(${now}`, '+inf');
      // CLUSTER: a pipeline holds one slot's keys; the records are each in their own.
      if (ids.length < 2 || isCluster(client)) return Promise.all(ids.map((id) => client.hget(recordKey(id), 'j')));
      const pipeline = client.pipeline();
      for (const id of ids) pipeline.hget(recordKey(id), 'j');
      return checkExec(await pipeline.exec()) as Array<string | null>;
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
      const [resource, event, domain, source] = await this.indexedUnder(id);
      const watched = resource === '' ? recordKey(id) : watchedKey(resource, event);
      const reply = await this.takeOneScript(EXPIRY_KEY, recordKey(id), watched, ...foreignKeys(domain, source), id, now, resource, event, domain, source);
      return reply === MOVED ? LOST_RACE : typeof reply === 'string' ? reply : undefined;
    }, keptChanging(`subscription ${id}`));
  }

  /** Where the record is indexed now; all '' when there is none. */
  private async indexedUnder(id: string): Promise<IndexedUnder> {
    const fields = await this.context.client.hmget(recordKey(id), ...INDEX_FIELDS);
    return fields.map((f) => f ?? '') as IndexedUnder;
  }
}
