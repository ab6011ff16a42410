import type { Cluster, Redis } from 'ioredis';
import { StoreUnavailableError } from '../store.js';

/** A connection to one Redis (direct or through Sentinel) or to a Redis Cluster. */
/**
 * Added to the TTL of keys whose values carry their own expiry (compared with the caller's
 * `now` on every read): the TTL only collects them, so a key must not vanish, by Redis's
 * clock, before its value says it has expired.
 */
export const TTL_GRACE_MS = 5000;

export type RedisClient = Redis | Cluster;

/** What the Redis stores share: the client and how long a command may take. */
export interface RedisContext {
  client: RedisClient;
  /** A command that has not answered after this many ms rejects with `StoreUnavailableError`. */
  commandTimeoutMs: number;
}

/**
 * Runs one Redis round trip: any failure, or no answer within the deadline, rejects with
 * a `StoreUnavailableError` (the request gets 503 with Retry-After).
 *
 * The deadline is kept here rather than by ioredis' `commandTimeout` because that one
 * does not cover commands waiting in a Cluster's offline queue.
 */
export function redisCall<T>(context: RedisContext, what: string, op: () => Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StoreUnavailableError(`Redis store did not ${what} within ${context.commandTimeoutMs} ms`)),
      context.commandTimeoutMs,
    );
    let pending: Promise<T>;
    try {
      pending = op();
    } catch (error) {
      pending = Promise.reject(error);
    }
    pending.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(
          error instanceof StoreUnavailableError
            ? error
            : new StoreUnavailableError(`Redis store could not ${what}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }),
        );
      },
    );
  });
}

/** True when the client talks to a Cluster, where multi-key commands need one slot. */
export function isCluster(client: RedisClient): client is Cluster {
  return client.isCluster;
}

/** The replies of a MULTI or pipeline; throws the first command's error. */
export function checkExec(replies: Array<[Error | null, unknown]> | null): unknown[] {
  if (replies === null) throw new Error('the transaction was aborted');
  return replies.map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** The record a stored JSON value holds, when there is one and it is still live at `now`. */
export function parseLive<T extends { expiresAt: number }>(json: string | null, now: number): T | undefined {
  if (json === null) return undefined;
  const record = JSON.parse(json) as T;
  return record.expiresAt > now ? record : undefined;
}

/** A Lua script defined on the client: EVALSHA, falling back to EVAL; keys first, then ARGV. */
export type RedisScript = (...keysAndArgs: Array<string | number | Buffer>) => Promise<unknown>;

/** Defines `lua` on the client under `name`, taking `numberOfKeys` keys (ioredis prefixes them). */
export function defineScript(client: RedisClient, name: string, numberOfKeys: number, lua: string): RedisScript {
  client.defineCommand(name, { numberOfKeys, lua });
  const run = (client as unknown as Record<string, RedisScript>)[name];
  return (...keysAndArgs) => run.apply(client, keysAndArgs);
}

/** Defines `lua` on the client under `name`, taking as many keys as the first argument says (ioredis prefixes them). */
export function defineVariadicScript(client: RedisClient, name: string, lua: string): (keys: number, ...keysAndArgs: Array<string | number>) => Promise<unknown> {
  client.defineCommand(name, { lua });
  const run = (client as unknown as Record<string, RedisScript>)[name];
  return (...keysAndArgs) => run.apply(client, keysAndArgs);
}

/** At most this many expiry-index members are read and handled per round of `takeFromIndex`. */
const INDEX_BATCH = 100;

/**
 * Takes up to `limit` entries out of a sorted set scored by expiry: reads the members
 * expired at `now` and hands them to `take`, which removes each in a script that first
 * checks its score (a refreshed entry stays) and returns what it removed. A member
 * another caller took meanwhile is simply not returned, and the next round reads past it,
 * so two concurrent callers share the expired entries, each taken once.
 */
export async function takeFromIndex<T>(
  context: RedisContext,
  index: string,
  now: number,
  limit: number,
  take: (members: string[]) => Promise<T[]>,
): Promise<T[]> {
  const max = Math.floor(limit);
  const out: T[] = [];
  while (out.length < max) {
    const members = await context.client.zrangebyscore(index, '-inf', now, 'LIMIT', 0, Math.min(INDEX_BATCH, max - out.length));
    if (members.length === 0) break;
    out.push(...(await take(members)));
  }
  return out;
}
