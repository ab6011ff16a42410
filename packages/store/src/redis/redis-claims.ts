import type { Claims } from '../claims.js';
import { type RedisContext, type RedisScript, defineScript, redisCall } from './redis-client.js';

/** KEYS: the claim. ARGV: owner, ttl ms. Taken when free or the owner's (renewed); returns the holder. */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`;

/** KEYS: the claim. ARGV: owner. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
`;

/** Claims as keys `claim:<key>` expiring by TTL (Redis's clock, not the caller's). */
export class RedisClaims implements Claims {
  private readonly claimScript: RedisScript;
  private readonly releaseScript: RedisScript;

  constructor(private readonly context: RedisContext) {
    this.claimScript = defineScript(context.client, 'heraldClaim', 1, CLAIM);
    this.releaseScript = defineScript(context.client, 'heraldClaimRelease', 1, RELEASE);
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<string> {
    return String(await redisCall(this.context, 'take a claim', () => this.claimScript(claimKey(key), owner, Math.max(1, Math.ceil(ttlMs)))));
  }

  async holder(key: string): Promise<string | null> {
    return redisCall(this.context, 'look up a claim', () => this.context.client.get(claimKey(key)));
  }

  async release(key: string, owner: string): Promise<void> {
    await redisCall(this.context, 'release a claim', () => this.releaseScript(claimKey(key), owner));
  }
}

function claimKey(key: string): string {
  return `claim:${key}`;
}
