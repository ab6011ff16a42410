import type { Publication, PublicationStore } from '../publication-store.js';
import { type RedisContext, type RedisScript, defineScript, parseLive, redisCall, takeFromIndex } from './redis-client.js';

/*
 * Keys. Per resource and event, under the resource's hash tag: `pub:{resource}:event`
 * (etag → JSON) and `pub:{resource}:event:exp` (sorted set etag → expiresAt). One global
 * sorted set, `pub:expiry` (`resource\nevent\netag` → expiresAt), drives takeExpired; the
 * caller turns a member back into key names, so every script is given all its keys and
 * the key prefix (ioredis `keyPrefix`) applies to them.
 * CLUSTER: put, remove and the take touch `pub:expiry` beside a resource's keys, which
 * crosses slots; fine on one Redis or Sentinel, to be split per slot before Cluster.
 */

/**
 * KEYS: data, its expiry set, the global expiry index. ARGV: etag, JSON, expiresAt,
 * previous etag ('' for none), the index member's start, now.
 * RFC 3903 §6 steps 4–5: the entity-tag must name a live publication; the old one goes
 * and the new one comes in the same script, so no reader sees both or neither.
 */
const PUT = `
if ARGV[4] ~= '' then
  local score = redis.call('ZSCORE', KEYS[2], ARGV[4])
  if not score or tonumber(score) <= tonumber(ARGV[6]) then return 0 end
  redis.call('HDEL', KEYS[1], ARGV[4])
  redis.call('ZREM', KEYS[2], ARGV[4])
  redis.call('ZREM', KEYS[3], ARGV[5] .. ARGV[4])
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[5] .. ARGV[1])
return 1
`;

/** KEYS: data, its expiry set. ARGV: now. */
const LIST = `
local etags = redis.call('ZRANGEBYSCORE', KEYS[2], '(' .. ARGV[1], '+inf')
local out = {}
for _, etag in ipairs(etags) do
  local j = redis.call('HGET', KEYS[1], etag)
  if j then out[#out + 1] = j end
end
return out
`;

/** KEYS: data, its expiry set, the global expiry index. ARGV: etag, the index member's start. */
const REMOVE = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[2] .. ARGV[1])
return 1
`;

/**
 * KEYS: the global expiry index, data, its expiry set. ARGV: the index member, etag, now.
 * Popping the member here is what hands each expired publication to exactly one caller.
 */
const TAKE_ONE = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[3]) then return false end
redis.call('ZREM', KEYS[1], ARGV[1])
local j = redis.call('HGET', KEYS[2], ARGV[2])
if not j then return false end
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return j
`;

const EXPIRY_KEY = 'pub:expiry';
const dataKey = (resource: string, event: string) => `pub:{${resource}}:${event}`;

/** The start of a `pub:expiry` member; the etag follows. */
function member(resource: string, event: string): string {
  return `${resource}\n${event}\n`;
}

/**
 * Event state publications in Redis, shared by every worker.
 * @see RFC 3903 §6
 */
export class RedisPublicationStore implements PublicationStore {
  private readonly putScript: RedisScript;
  private readonly listScript: RedisScript;
  private readonly removeScript: RedisScript;
  private readonly takeOneScript: RedisScript;

  constructor(private readonly context: RedisContext) {
    const { client } = context;
    this.putScript = defineScript(client, 'heraldPublicationPut', 3, PUT);
    this.listScript = defineScript(client, 'heraldPublicationList', 2, LIST);
    this.removeScript = defineScript(client, 'heraldPublicationRemove', 3, REMOVE);
    this.takeOneScript = defineScript(client, 'heraldPublicationTakeOne', 3, TAKE_ONE);
  }

  async list(resource: string, event: string, now: number): Promise<Publication[]> {
    const data = dataKey(resource, event);
    const found = (await redisCall(this.context, 'list publications', () => this.listScript(data, `${data}:exp`, now))) as string[];
    return found.map((j) => JSON.parse(j) as Publication).sort((a, b) => a.updatedAt - b.updatedAt);
  }

  async get(resource: string, event: string, etag: string, now: number): Promise<Publication | undefined> {
    const j = await redisCall(this.context, 'read a publication', () => this.context.client.hget(dataKey(resource, event), etag));
    return parseLive<Publication>(j, now);
  }

  async put(next: Publication, previousEtag: string | null, now: number): Promise<boolean> {
    const data = dataKey(next.resource, next.event);
    const result = await redisCall(this.context, 'write a publication', () =>
      this.putScript(
        data,
        `${data}:exp`,
        EXPIRY_KEY,
        next.etag,
        JSON.stringify(next),
        next.expiresAt,
        previousEtag ?? '',
        member(next.resource, next.event),
        now,
      ),
    );
    return result === 1;
  }

  async remove(resource: string, event: string, etag: string): Promise<boolean> {
    const data = dataKey(resource, event);
    const result = await redisCall(this.context, 'remove a publication', () =>
      this.removeScript(data, `${data}:exp`, EXPIRY_KEY, etag, member(resource, event)),
    );
    return result === 1;
  }

  async takeExpired(now: number, limit: number): Promise<Publication[]> {
    const taken = await redisCall(this.context, 'take expired publications', () =>
      takeFromIndex(this.context, EXPIRY_KEY, now, limit, async (members) => {
        const replies = await Promise.all(
          members.map((m) => {
            const a = m.indexOf('\n');
            const b = m.indexOf('\n', a + 1);
            const data = dataKey(m.slice(0, a), m.slice(a + 1, b));
            return this.takeOneScript(EXPIRY_KEY, data, `${data}:exp`, m, m.slice(b + 1), now);
          }),
        );
        return replies.filter((j): j is string => typeof j === 'string');
      }),
    );
    return taken.map((j) => JSON.parse(j) as Publication);
  }
}
