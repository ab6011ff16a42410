import { NotAnAliasError, type UserRecord, type UserStore, accountAor } from '../user-store.js';

/** Orders strings by UTF-16 code unit, as SQLite's BINARY collation and Redis do for ASCII. */
export function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Accounts and aliases in this process's memory; nothing survives a restart (tests and
 * throwaway runs).
 */
export class MemoryUserStore implements UserStore {
  /** domain → user → record */
  private readonly domains = new Map<string, Map<string, UserRecord>>();
  /** alias → AoR */
  private readonly aliases = new Map<string, string>();
  /** AoR → its aliases */
  private readonly aliasesByAor = new Map<string, Set<string>>();
  /** AoR → its external form, one of its aliases */
  private readonly externals = new Map<string, string>();

  async get(user: string, domain: string): Promise<UserRecord | undefined> {
    const record = this.domains.get(domain)?.get(user);
    return record && { ...record };
  }

  async put(record: UserRecord): Promise<void> {
    let users = this.domains.get(record.domain);
    if (!users) this.domains.set(record.domain, (users = new Map()));
    users.set(record.user, { ...record });
  }

  async delete(user: string, domain: string): Promise<boolean> {
    const users = this.domains.get(domain);
    const existed = users?.delete(user) ?? false;
    if (users?.size === 0) this.domains.delete(domain);
    const aor = accountAor(user, domain);
    for (const alias of this.aliasesByAor.get(aor) ?? []) this.aliases.delete(alias);
    this.aliasesByAor.delete(aor);
    this.externals.delete(aor);
    return existed;
  }

  async list(domain?: string): Promise<UserRecord[]> {
    const domains = domain === undefined ? [...this.domains.keys()].sort(byCodeUnit) : [domain];
    const records: UserRecord[] = [];
    for (const d of domains) {
      const users = this.domains.get(d);
      if (!users) continue;
      for (const user of [...users.keys()].sort(byCodeUnit)) records.push({ ...users.get(user)! });
    }
    return records;
  }

  async addAlias(alias: string, aor: string): Promise<void> {
    if (this.aliases.get(alias) === aor) return;
    this.unlinkAlias(alias);
    this.aliases.set(alias, aor);
    let owned = this.aliasesByAor.get(aor);
    if (!owned) this.aliasesByAor.set(aor, (owned = new Set()));
    owned.add(alias);
  }

  async removeAlias(alias: string): Promise<boolean> {
    return this.unlinkAlias(alias);
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    return this.aliases.get(alias);
  }

  async aliasesOf(aor: string): Promise<string[]> {
    return [...(this.aliasesByAor.get(aor) ?? [])].sort(byCodeUnit);
  }

  async setExternalAlias(aor: string, alias: string | null): Promise<void> {
    if (alias === null) {
      this.externals.delete(aor);
      return;
    }
    if (this.aliases.get(alias) !== aor) throw new NotAnAliasError(alias, aor);
    this.externals.set(aor, alias);
  }

  async externalAliasOf(aor: string): Promise<string | undefined> {
    return this.externals.get(aor);
  }

  /** Synchronous, so that no other call can run between the unlink and the write. */
  private unlinkAlias(alias: string): boolean {
    const aor = this.aliases.get(alias);
    if (aor === undefined) return false;
    this.aliases.delete(alias);
    if (this.externals.get(aor) === alias) this.externals.delete(aor);
    const owned = this.aliasesByAor.get(aor);
    owned?.delete(alias);
    if (owned?.size === 0) this.aliasesByAor.delete(aor);
    return true;
  }
}
