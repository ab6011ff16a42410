import type { TransactionClaims } from '../transaction-claims.js';
import { type RedisContext, type RedisScript, defineScript, redisCall } from './redis-client.js';

/** KEYS: the claim. ARGV: owner, ttl ms. Returns the holder: ARGV[1] when the claim was free. */
const CLAIM = `
local current = redis.call('GET', KEYS[1])
if current then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]
`;

/** Claims as keys `txc:<transaction key>` expiring by TTL (Redis's clock, not the caller's). */
export class RedisTransactionClaims implements TransactionClaims {
  private readonly claimScript: RedisScript;

  constructor(private readonly context: RedisContext) {
    this.claimScript = defineScript(context.client, 'heraldTransactionClaim', 1, CLAIM);
  }

  async claim(key: string, owner: string, ttlMs: number): Promise<string> {
    return String(await redisCall(this.context, 'claim a transaction', () => this.claimScript(claimKey(key), owner, Math.max(1, Math.ceil(ttlMs)))));
  }

  async holder(key: string): Promise<string | null> {
    return redisCall(this.context, 'look up a transaction', () => this.context.client.get(claimKey(key)));
  }
}

function claimKey(key: string): string {
  return `txc:${key}`;
}
