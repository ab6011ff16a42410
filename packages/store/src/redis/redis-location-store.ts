import type { Result } from 'ioredis';
import type { AorBindings, Binding, LocationStore } from '../location-store.js';
import { type RedisContext, TTL_GRACE_MS, redisCall } from './redis-client.js';

/**
 * KEYS[1] the AoR's hash (`v` version, `x` latest expiry, `b` bindings as JSON).
 * ARGV: expected version, now, next bindings' JSON, latest expiry of next ('' for none).
 * The record reads as version 0 once its latest binding expired at `now`, as in `get`.
 * The key's TTL is `latest - now` rather than PEXPIREAT `latest`, so the Redis clock and
 * the caller's need not agree (and tests may pass a fake `now`); reads filter on `now`.
 * @see RFC 3261 §10.3 step 8 (the update is all-or-nothing)
 */
const COMPARE_AND_SET = `
local cur = redis.call('HMGET', KEYS[1], 'v', 'x')
local stored = tonumber(cur[1]) or 0
local now = tonumber(ARGV[2])
local live = stored
if (tonumber(cur[2]) or 0) <= now then live = 0 end
if live ~= tonumber(ARGV[1]) then return 0 end
if ARGV[4] == '' then
  redis.call('DEL', KEYS[1])
  return 1
end
redis.call('HSET', KEYS[1], 'v', stored + 1, 'x', ARGV[4], 'b', ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(tonumber(ARGV[4]) - now) + ${TTL_GRACE_MS})
return 1
`;

interface LocationCommands {
  heraldLocationCas(key: string, version: number, now: number, bindings: string, latest: string): Result<number, { type: 'default' }>;
}

/**
 * The location service in Redis, shared by every worker and node. One hash per AoR under
 * a hash tag (`loc:{sip:alice@example.com}`), so a Cluster keeps each AoR in one slot and
 * the Lua compare-and-set needs no distributed lock.
 * @see RFC 3261 §10.3
 */
export class RedisLocationStore implements LocationStore {
  private readonly commands: LocationCommands;

  constructor(private readonly context: RedisContext) {
    context.client.defineCommand('heraldLocationCas', { numberOfKeys: 1, lua: COMPARE_AND_SET });
    this.commands = context.client as unknown as LocationCommands;
  }

  async get(aor: string, now: number): Promise<AorBindings> {
    const [version, latest, json] = await redisCall(this.context, 'read bindings', () => this.context.client.hmget(aorKey(aor), 'v', 'x', 'b'));
    if (version === null || latest === null || json === null || Number(latest) <= now) return { bindings: [], version: 0 };
    const bindings = (JSON.parse(json) as Binding[]).filter((b) => b.expiresAt > now);
    return { bindings, version: Number(version) };
  }

  async compareAndSet(aor: string, version: number, next: readonly Binding[], now: number): Promise<boolean> {
    const kept = next.filter((b) => b.expiresAt > now);
    const latest = kept.length === 0 ? '' : String(Math.max(...kept.map((b) => b.expiresAt)));
    const written = await redisCall(this.context, 'write bindings', () =>
      this.commands.heraldLocationCas(aorKey(aor), version, now, JSON.stringify(kept), latest),
    );
    if (written !== 1) return false;
    // The metrics index lives outside the AoR's slot, so it cannot join the script; it is
    // sent without waiting (same connection, so a later countAors sees it), and a lost
    // update only skews the gauge until the entry expires.
    const index = this.context.client;
    (latest === '' ? index.zrem(INDEX_KEY, aor) : index.zadd(INDEX_KEY, latest, aor)).catch(() => undefined);
    return true;
  }

  async countAors(now: number): Promise<number> {
    return redisCall(this.context, 'count AoRs', async () => {
      const replies = await this.context.client.multi().zremrangebyscore(INDEX_KEY, '-inf', now).zcount(INDEX_KEY, `(${now}`, '+inf').exec();
      const [error, count] = replies?.[1] ?? [new Error('the transaction was aborted'), 0];
      if (error) throw error;
      return Number(count);
    });
  }
}

/** Sorted set of AoRs scored by their latest binding expiry, for `countAors`. */
const INDEX_KEY = 'loc-index';

function aorKey(aor: string): string {
  return `loc:{${aor}}`;
}
