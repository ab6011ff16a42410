import { ha1 } from '@herald/sip';
import { type StoreConfig, type UserRecord, type UserStore, accountAor } from '@herald/store';
import { userNameProblem } from './account-name.js';
import type { HeraldConfig, UserSeed } from './config/herald-config.js';

/** `alice@example.com` (or `sip:alice@example.com`) as an account's user and domain; `undefined` when it names none. */
export function parseAccountAddress(text: string): { user: string; domain: string } | undefined {
  const address = text.replace(/^sips?:/i, '');
  const at = address.lastIndexOf('@');
  const user = address.slice(0, at);
  const domain = address.slice(at + 1).toLowerCase();
  if (at <= 0 || domain === '' || userNameProblem(user) !== null) return undefined;
  return { user, domain };
}

/**
 * The stored form of an account: the digest HA1 for MD5 and for SHA-256, realm = domain.
 * The password itself is never kept. @see RFC 7616 §3.4.2
 */
export function userRecord(user: string, domain: string, password: string, now: number, createdAt = now): UserRecord {
  return {
    user,
    domain,
    ha1Md5: ha1('MD5', user, domain, password),
    ha1Sha256: ha1('SHA-256', user, domain, password),
    createdAt,
    updatedAt: now,
  };
}

/** Creates the account, or sets its password when it exists (keeping its creation time). */
export async function putAccount(users: UserStore, user: string, domain: string, password: string, now: number): Promise<'created' | 'updated'> {
  const existing = await users.get(user, domain);
  await users.put(userRecord(user, domain, password, now, existing?.createdAt ?? now));
  return existing === undefined ? 'created' : 'updated';
}

/**
 * Why `user@domain` cannot become an account, the mirror of an alias that may not be an
 * account: it is an alias already (its owner could register and send as it). `null` when it can.
 */
export async function accountNameTaken(users: Pick<UserStore, 'resolveAlias'>, user: string, domain: string): Promise<string | null> {
  const aor = accountAor(user, domain);
  const owner = await users.resolveAlias(aor);
  return owner === undefined ? null : `${aor} is an alias of ${owner}; delete the alias first`;
}

/**
 * Writes the `users:` accounts of the configuration (creating them or resetting their
 * passwords); resolves with how many. Rejects, writing none, when one is another account's
 * alias, as `herald user add` refuses it.
 */
export async function seedUsers(users: UserStore, seeds: readonly UserSeed[], now: number): Promise<number> {
  for (const seed of seeds) {
    const taken = await accountNameTaken(users, seed.user, seed.domain);
    if (taken !== null) throw new Error(`users: ${taken} (herald user alias del ${seed.user}@${seed.domain}), or remove the entry from users`);
  }
  for (const seed of seeds) await putAccount(users, seed.user, seed.domain, seed.password, now);
  return seeds.length;
}

/** What `openStore` needs of the configuration; Redis connection errors go to `logger` (ioredis retries by itself). */
export function storeOptions(config: HeraldConfig, logger?: { warn(message: string, meta?: object): void }): StoreConfig {
  if (config.store.kind === 'embedded') return { kind: 'embedded', dataDir: config.dataDir };
  return logger === undefined ? config.store : { ...config.store, onError: (e) => logger.warn('redis connection error', { error: e.message }) };
}
