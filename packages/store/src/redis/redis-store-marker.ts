import type { StoreMarker, StoreMarkerCheck, StoreMarkerRecord } from '../store-marker.js';
import { type RedisContext, type RedisScript, defineScript, redisCall } from './redis-client.js';

/**
 * KEYS: the marker hash. ARGV: candidate id, now, the id known before ('' for none).
 * Returns id, createdAt, foundEmptyAt ('' for none), 1 when this call recorded foundEmptyAt.
 */
const CHECK_MARKER = `
local id = redis.call('HGET', KEYS[1], 'id')
if not id then
  redis.call('HSET', KEYS[1], 'id', ARGV[1], 'createdAt', ARGV[2])
  id = ARGV[1]
end
local first = 0
if ARGV[3] ~= '' and ARGV[3] ~= id then
  first = redis.call('HSETNX', KEYS[1], 'foundEmptyAt', ARGV[2])
end
local fields = redis.call('HMGET', KEYS[1], 'createdAt', 'foundEmptyAt')
return { id, fields[1], fields[2] or '', first }
`;

const MARKER_KEY = 'marker';

/**
 * The marker as a hash without expiry (`marker`: id, createdAt, foundEmptyAt). Redis must
 * not evict it: `maxmemory-policy noeviction`, or a `volatile-*` policy, which evicts only
 * keys with a TTL.
 */
export class RedisStoreMarker implements StoreMarker {
  private readonly checkMarker: RedisScript;

  constructor(private readonly context: RedisContext) {
    this.checkMarker = defineScript(context.client, 'heraldCheckMarker', 1, CHECK_MARKER);
  }

  async check(candidate: string, now: number, known?: string): Promise<StoreMarkerCheck> {
    const [id, createdAt, foundEmptyAt, first] = (await redisCall(this.context, 'check the marker key', () =>
      this.checkMarker(MARKER_KEY, candidate, now, known ?? ''),
    )) as [string, string, string, number];
    return { ...record(id, createdAt, foundEmptyAt || null), firstToReport: first === 1 };
  }

  async read(): Promise<StoreMarkerRecord | undefined> {
    const [id, createdAt, foundEmptyAt] = await redisCall(this.context, 'read the marker key', () =>
      this.context.client.hmget(MARKER_KEY, 'id', 'createdAt', 'foundEmptyAt'),
    );
    return id === null ? undefined : record(id, createdAt ?? '0', foundEmptyAt);
  }
}

function record(id: string, createdAt: string, foundEmptyAt: string | null): StoreMarkerRecord {
  return { id, createdAt: Number(createdAt), ...(foundEmptyAt !== null && { foundEmptyAt: Number(foundEmptyAt) }) };
}
