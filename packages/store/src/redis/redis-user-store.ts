import type { Result } from 'ioredis';
import { NotAnAliasError, type UserRecord, type UserStore, accountAor } from '../user-store.js';
import { LOST_RACE, keptChanging, retryCompareAndSet } from '../compare-and-set.js';
import { byCodeUnit } from '../memory/memory-user-store.js';
import { type RedisContext, checkExec, redisCall } from './redis-client.js';

/*
 * Keys. An account is a hash under its domain's hash tag (`user:{example.com}:alice`),
 * beside the domain's sorted set of user names (`users:{example.com}`), so writing both
 * is one MULTI on one Cluster slot. `user-domains` lists the domains for `list()`.
 * Every alias key shares one hash tag (`alias:{alias}:…`, `alias-of:{alias}:…`,
 * `alias-external:{alias}:…`): moving an alias touches the alias, two AoRs' sets and the
 * old AoR's external mark, and that must be one script on one slot. Aliases are few, so
 * one slot holds them all easily.
 */
const DOMAINS_KEY = 'user-domains';
const userKey = (user: string, domain: string) => `user:{${domain}}:${user}`;
const domainKey = (domain: string) => `users:{${domain}}`;
const aliasKey = (alias: string) => `alias:{alias}:${alias}`;
const aliasesOfKey = (aor: string) => `alias-of:{alias}:${aor}`;
const externalKey = (aor: string) => `alias-external:{alias}:${aor}`;

/**
 * KEYS: the alias, the set of the AoR it names now (any key in the slot when none), the
 * set of the new AoR, the external mark of the AoR it names now (likewise). ARGV: alias,
 * new AoR, the AoR the caller read ('' for none). The old AoR is read first and checked
 * here, since a script must name every key it touches. A moved alias loses its mark.
 */
const MOVE_ALIAS = `
local old = redis.call('GET', KEYS[1]) or ''
if old ~= ARGV[3] then return 0 end
if old ~= '' then redis.call('SREM', KEYS[2], ARGV[1]) end
if old ~= '' and old ~= ARGV[2] and redis.call('GET', KEYS[4]) == ARGV[1] then redis.call('DEL', KEYS[4]) end
redis.call('SET', KEYS[1], ARGV[2])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`;

/** KEYS: the alias, its AoR's set, its AoR's external mark. ARGV: alias, the AoR the caller read. */
const REMOVE_ALIAS = `
if redis.call('GET', KEYS[1]) ~= ARGV[2] then return 0 end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[2], ARGV[1])
if redis.call('GET', KEYS[3]) == ARGV[1] then redis.call('DEL', KEYS[3]) end
return 1
`;

/**
 * KEYS: the AoR's set, its external mark, then the alias keys the caller read from the
 * set. ARGV: the AoR, then the aliases. Returns 0 when an alias was added meanwhile (the
 * caller reads again).
 */
const REMOVE_ALIASES_OF = `
redis.call('DEL', KEYS[2])
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
  redis.call('SREM', KEYS[1], ARGV[i - 1])
end
if redis.call('SCARD', KEYS[1]) > 0 then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/**
 * KEYS: the alias, the AoR's external mark. ARGV: the AoR, the alias. Returns 0 when the
 * alias names another AoR or none.
 */
const MARK_EXTERNAL = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[2])
return 1
`;

type Reply = Result<number, { type: 'default' }>;

interface UserCommands {
  heraldMoveAlias(alias: string, oldSet: string, newSet: string, oldExternal: string, aliasValue: string, aor: string, old: string): Reply;
  heraldRemoveAlias(alias: string, set: string, external: string, aliasValue: string, aor: string): Reply;
  heraldRemoveAliasesOf(numberOfKeys: number, ...keysAndArgs: string[]): Reply;
  heraldMarkExternal(alias: string, external: string, aor: string, aliasValue: string): Reply;
}


/**
 * Accounts and aliases in Redis, shared by every node. Durable as far as the operator's
 * Redis persistence is (AOF recommended).
 * @see RFC 7616 §3.4.2 (HA1 only, never the password)
 */
export class RedisUserStore implements UserStore {
  private readonly commands: UserCommands;

  constructor(private readonly context: RedisContext) {
    context.client.defineCommand('heraldMoveAlias', { numberOfKeys: 4, lua: MOVE_ALIAS });
    context.client.defineCommand('heraldRemoveAlias', { numberOfKeys: 3, lua: REMOVE_ALIAS });
    context.client.defineCommand('heraldRemoveAliasesOf', { lua: REMOVE_ALIASES_OF });
    context.client.defineCommand('heraldMarkExternal', { numberOfKeys: 2, lua: MARK_EXTERNAL });
    this.commands = context.client as unknown as UserCommands;
  }

  async get(user: string, domain: string): Promise<UserRecord | undefined> {
    const hash = await redisCall(this.context, 'read an account', () => this.context.client.hgetall(userKey(user, domain)));
    return toRecord(hash);
  }

  async put(record: UserRecord): Promise<void> {
    const { client } = this.context;
    await redisCall(this.context, 'write an account', () =>
      Promise.all([
        client
          .multi()
          .hset(userKey(record.user, record.domain), {
            user: record.user,
            domain: record.domain,
            ha1Md5: record.ha1Md5,
            ha1Sha256: record.ha1Sha256,
            createdAt: record.createdAt,
            updatedAt: record.updatedAt,
          })
          .zadd(domainKey(record.domain), 0, record.user)
          .exec()
          .then(checkExec),
        client.zadd(DOMAINS_KEY, 0, record.domain),
      ]),
    );
  }

  async delete(user: string, domain: string): Promise<boolean> {
    const { client } = this.context;
    // Aliases first: when the second step fails, a retried delete still finds the account.
    await this.removeAliasesOf(accountAor(user, domain));
    const replies = await redisCall(this.context, 'delete an account', () =>
      client.multi().del(userKey(user, domain)).zrem(domainKey(domain), user).exec().then(checkExec),
    );
    return Number(replies[0]) > 0;
  }

  async list(domain?: string): Promise<UserRecord[]> {
    const { client } = this.context;
    return redisCall(this.context, 'list accounts', async () => {
      const domains = domain === undefined ? await client.zrange(DOMAINS_KEY, 0, -1) : [domain];
      const records: UserRecord[] = [];
      for (const d of domains) {
        const users = await client.zrange(domainKey(d), 0, -1);
        if (users.length === 0) continue;
        const pipeline = client.pipeline();
        for (const user of users) pipeline.hgetall(userKey(user, d));
        for (const hash of checkExec(await pipeline.exec())) {
          const record = toRecord(hash as Record<string, string>);
          if (record) records.push(record);
        }
      }
      return records;
    });
  }

  async addAlias(alias: string, aor: string): Promise<void> {
    const { client } = this.context;
    await redisCall(this.context, 'write an alias', async () => {
      await retryCompareAndSet(async () => {
        const old = (await client.get(aliasKey(alias))) ?? '';
        const oldAor = old === '' ? aor : old;
        const moved = await this.commands.heraldMoveAlias(aliasKey(alias), aliasesOfKey(oldAor), aliasesOfKey(aor), externalKey(oldAor), alias, aor, old);
        return moved === 1 ? undefined : LOST_RACE;
      }, keptChanging(`alias ${alias}`));
    });
  }

  async removeAlias(alias: string): Promise<boolean> {
    const { client } = this.context;
    return redisCall(this.context, 'delete an alias', async () => {
      return retryCompareAndSet(async () => {
        const aor = await client.get(aliasKey(alias));
        if (aor === null) return false;
        return (await this.commands.heraldRemoveAlias(aliasKey(alias), aliasesOfKey(aor), externalKey(aor), alias, aor)) === 1 ? true : LOST_RACE;
      }, keptChanging(`alias ${alias}`));
    });
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    const aor = await redisCall(this.context, 'read an alias', () => this.context.client.get(aliasKey(alias)));
    return aor ?? undefined;
  }

  async aliasesOf(aor: string): Promise<string[]> {
    const aliases = await redisCall(this.context, 'list aliases', () => this.context.client.smembers(aliasesOfKey(aor)));
    return aliases.sort(byCodeUnit);
  }

  async setExternalAlias(aor: string, alias: string | null): Promise<void> {
    if (alias === null) {
      await redisCall(this.context, 'clear the external alias', () => this.context.client.del(externalKey(aor)));
      return;
    }
    const marked = await redisCall(this.context, 'mark the external alias', () => this.commands.heraldMarkExternal(aliasKey(alias), externalKey(aor), aor, alias));
    if (marked !== 1) throw new NotAnAliasError(alias, aor);
  }

  async externalAliasOf(aor: string): Promise<string | undefined> {
    const alias = await redisCall(this.context, 'read the external alias', () => this.context.client.get(externalKey(aor)));
    return alias ?? undefined;
  }

  private async removeAliasesOf(aor: string): Promise<void> {
    const { client } = this.context;
    await redisCall(this.context, 'delete aliases', async () => {
      await retryCompareAndSet(async () => {
        const aliases = await client.smembers(aliasesOfKey(aor));
        if (aliases.length === 0) return;
        const keys = [aliasesOfKey(aor), externalKey(aor), ...aliases.map(aliasKey)];
        return (await this.commands.heraldRemoveAliasesOf(keys.length, ...keys, aor, ...aliases)) === 1 ? undefined : LOST_RACE;
      }, keptChanging(`the aliases of ${aor}`));
    });
  }
}

function toRecord(hash: Record<string, string>): UserRecord | undefined {
  if (hash.user === undefined || hash.domain === undefined) return undefined;
  return {
    user: hash.user,
    domain: hash.domain,
    ha1Md5: hash.ha1Md5 ?? '',
    ha1Sha256: hash.ha1Sha256 ?? '',
    createdAt: Number(hash.createdAt),
    updatedAt: Number(hash.updatedAt),
  };
}

