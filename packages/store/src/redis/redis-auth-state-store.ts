import type { Result } from 'ioredis';
import type { AuthStateStore, NonceCountRepeat } from '../auth-state-store.js';
import { type RedisContext, TTL_GRACE_MS, isCluster, redisCall } from './redis-client.js';

/*
 * Values carry their own expiry next to the count (`nc:expiresAt:at:request`, `until:count`) and the
 * scripts compare it with the caller's `now`; the key TTL (relative to `now`) only
 * reclaims memory. So the answer never depends on the Redis clock agreeing with ours.
 */

/**
 * KEYS: the nonce's key. ARGV: nc, expiresAt, now, request ('' for none), windowMs.
 * Returns 1 when recorded, 2 for the repeat allowed (nothing written), 0 for a replay. The
 * value is `nc:expiresAt:at:request` (a value without a request is let repeat by nothing).
 */
const ADVANCE_NONCE_COUNT = `
local now = tonumber(ARGV[3])
local nc = tonumber(ARGV[1])
local cur = redis.call('GET', KEYS[1])
if cur then
  local s1 = string.find(cur, ':', 1, true)
  local s2 = string.find(cur, ':', s1 + 1, true)
  local seen = tonumber(string.sub(cur, 1, s1 - 1))
  local expires = tonumber(string.sub(cur, s1 + 1, (s2 or 0) - 1))
  if expires > now and nc <= seen then
    if nc < seen or ARGV[4] == '' or not s2 then return 0 end
    local s3 = string.find(cur, ':', s2 + 1, true)
    if not s3 or string.sub(cur, s3 + 1) ~= ARGV[4] then return 0 end
    if now >= tonumber(string.sub(cur, s2 + 1, s3 - 1)) + tonumber(ARGV[5]) then return 0 end
    return 2
  end
end
local expiresAt = tonumber(ARGV[2])
if expiresAt > now then
  redis.call('SET', KEYS[1], ARGV[1] .. ':' .. ARGV[2] .. ':' .. ARGV[3] .. ':' .. ARGV[4], 'PX', math.ceil(expiresAt - now) + ${TTL_GRACE_MS})
else
  redis.call('DEL', KEYS[1])
end
return 1
`;

/** KEYS: the counter. ARGV: windowMs, now. A window starts with its first failure. */
const ADD_FAILURE = `
local now = tonumber(ARGV[2])
local cur = redis.call('GET', KEYS[1])
local untilMs, count = 0, 0
if cur then
  local sep = string.find(cur, ':', 1, true)
  untilMs = tonumber(string.sub(cur, 1, sep - 1))
  count = tonumber(string.sub(cur, sep + 1))
end
if untilMs <= now then
  untilMs = now + tonumber(ARGV[1])
  count = 0
end
count = count + 1
redis.call('SET', KEYS[1], string.format('%d:%d', untilMs, count), 'PX', math.ceil(untilMs - now) + ${TTL_GRACE_MS})
return count
`;

/** KEYS: the secret. ARGV: the candidate. The first writer's candidate stays. */
const SHARED_SECRET = `
local secret = redis.call('GET', KEYS[1])
if secret then return secret end
redis.call('SET', KEYS[1], ARGV[1])
return ARGV[1]
`;

interface AuthCommands {
  heraldAdvanceNonceCount(key: string, nc: number, expiresAt: number, now: number, request: string, windowMs: number): Result<number, { type: 'default' }>;
  heraldAddFailure(key: string, windowMs: number, now: number): Result<number, { type: 'default' }>;
  heraldSharedSecret(key: string, candidate: string): Result<string, { type: 'default' }>;
}

const SECRET_KEY = 'auth-secret';
/**
 * `nonce-use:`, not the `nonce:` of builds before the retransmission repeat: their script
 * reads `nc:expiresAt` and would fail on this value, answering 503 while both builds share
 * one Redis. Apart, each build keeps its own count of a nonce for the minutes the nonce lives.
 */
const nonceKey = (nonce: string) => `nonce-use:${nonce}`;
const failureKey = (key: string) => `fail:${key}`;

/** The failures a stored `until:count` value counts at `now`. */
function countAt(value: string | null, now: number): number {
  if (value === null) return 0;
  const sep = value.indexOf(':');
  return Number(value.slice(0, sep)) > now ? Number(value.slice(sep + 1)) : 0;
}

/**
 * Digest nonce counts and failure counters in Redis, so that every worker and node sees
 * a replay and counts every failure.
 * @see RFC 7616 §3.4, §5.4
 */
export class RedisAuthStateStore implements AuthStateStore {
  private readonly commands: AuthCommands;

  constructor(private readonly context: RedisContext) {
    context.client.defineCommand('heraldAdvanceNonceCount', { numberOfKeys: 1, lua: ADVANCE_NONCE_COUNT });
    context.client.defineCommand('heraldAddFailure', { numberOfKeys: 1, lua: ADD_FAILURE });
    context.client.defineCommand('heraldSharedSecret', { numberOfKeys: 1, lua: SHARED_SECRET });
    this.commands = context.client as unknown as AuthCommands;
  }

  async advanceNonceCount(nonce: string, nc: number, expiresAt: number, now: number, repeat?: NonceCountRepeat): Promise<boolean | 'repeated'> {
    const advanced = await redisCall(this.context, 'record a nonce count', () =>
      this.commands.heraldAdvanceNonceCount(nonceKey(nonce), nc, expiresAt, now, repeat?.request ?? '', repeat?.windowMs ?? 0),
    );
    return advanced === 2 ? 'repeated' : advanced === 1;
  }

  async addFailure(key: string, windowMs: number, now: number): Promise<number> {
    return redisCall(this.context, 'count a failure', () => this.commands.heraldAddFailure(failureKey(key), windowMs, now));
  }

  async failures(key: string, now: number): Promise<number> {
    const value = await redisCall(this.context, 'read failures', () => this.context.client.get(failureKey(key)));
    return countAt(value, now);
  }

  async failuresOf(keys: readonly string[], now: number): Promise<number[]> {
    if (keys.length === 0) return [];
    const { client } = this.context;
    // MGET needs one slot on a Cluster; there the GETs go out together instead.
    const values = await redisCall(this.context, 'read failures', () =>
      isCluster(client) ? Promise.all(keys.map((key) => client.get(failureKey(key)))) : client.mget(keys.map(failureKey)),
    );
    return values.map((value) => countAt(value, now));
  }

  async clearFailures(key: string): Promise<void> {
    await redisCall(this.context, 'clear failures', () => this.context.client.del(failureKey(key)));
  }

  async sharedSecret(candidate: string): Promise<string> {
    return redisCall(this.context, 'read the shared secret', () => this.commands.heraldSharedSecret(SECRET_KEY, candidate));
  }
}
