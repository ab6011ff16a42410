import type { Statement } from 'better-sqlite3';
import { NotAnAliasError, type UserRecord, type UserStore, accountAor } from '../user-store.js';

import { OtherCommits, type SqliteDatabase, sqliteCall } from './sqlite-database.js';

interface UserRow {
  user: string;
  domain: string;
  ha1_md5: string;
  ha1_sha256: string;
  created_at: number;
  updated_at: number;
}

function toRecord(row: UserRow): UserRecord {
  return { user: row.user, domain: row.domain, ha1Md5: row.ha1_md5, ha1Sha256: row.ha1_sha256, createdAt: row.created_at, updatedAt: row.updated_at };
}

/**
 * Accounts and aliases in the embedded SQLite file. Each call commits before its promise
 * resolves (better-sqlite3 is synchronous), so an account is on disk once `put` resolves.
 * @see RFC 7616 §3.4.2 (HA1 only, never the password)
 */
export class SqliteUserStore implements UserStore {
  private readonly selectUser: Statement<[string, string], UserRow>;
  private readonly upsertUser: Statement<[UserRow]>;
  private readonly deleteUser: Statement<[string, string]>;
  private readonly selectAll: Statement<[], UserRow>;
  private readonly selectDomain: Statement<[string], UserRow>;
  private readonly upsertAlias: Statement<[string, string]>;
  private readonly deleteAlias: Statement<[string]>;
  private readonly deleteAliasesOf: Statement<[string]>;
  private readonly selectAliasesOf: Statement<[string], { alias: string }>;
  private readonly selectAliasAor: Statement<[string], string>;
  private readonly upsertExternal: Statement<[string, string]>;
  private readonly deleteExternal: Statement<[string]>;
  private readonly deleteExternalOfAlias: Statement<[string]>;
  private readonly selectExternals: Statement<[], { aor: string; alias: string }>;
  private readonly deleteAccount: (user: string, domain: string) => boolean;
  private readonly moveAlias: (alias: string, aor: string) => void;
  private readonly unlinkAlias: (alias: string) => boolean;
  private readonly markExternal: (aor: string, alias: string) => void;
  /** A change by another process (`herald user`) reaches requests within 200 ms; this process's own at once. */
  private readonly otherCommits: OtherCommits;
  /**
   * Accounts read so far, by `user \n domain`: every authenticated request reads one, and
   * a SELECT costs several times a Map look-up. Misses are not kept, so unknown names
   * cannot grow it.
   */
  private readonly cache = new Map<string, UserRecord>();
  /**
   * Every alias and its account, read at the first look-up: a request for a user with no
   * binding asks whether its AoR is an alias, and almost none is. Aliases are few.
   */
  private aliases: Map<string, string> | null = null;
  private readonly selectAliases: Statement<[], { alias: string; aor: string }>;
  /**
   * Every account's external form, read at the first look-up: it is asked for each request
   * towards a `convertIds` community, and few accounts have one.
   */
  private externals: Map<string, string> | null = null;

  constructor(db: SqliteDatabase) {
    sqliteCall('create the user tables', () =>
      db.exec(`
        CREATE TABLE IF NOT EXISTS users (
          domain TEXT NOT NULL,
          user TEXT NOT NULL,
          ha1_md5 TEXT NOT NULL,
          ha1_sha256 TEXT NOT NULL,
          created_at INTEGER NOT NULL,
          updated_at INTEGER NOT NULL,
          PRIMARY KEY (domain, user)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS user_aliases (
          alias TEXT NOT NULL PRIMARY KEY,
          aor TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS user_aliases_by_aor ON user_aliases (aor, alias);
        CREATE TABLE IF NOT EXISTS user_external_aliases (
          aor TEXT NOT NULL PRIMARY KEY,
          alias TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS user_external_aliases_by_alias ON user_external_aliases (alias);
      `),
    );
    this.selectUser = db.prepare('SELECT * FROM users WHERE user = ? AND domain = ?');
    this.otherCommits = new OtherCommits(db);
    this.upsertUser = db.prepare(`
      INSERT INTO users (domain, user, ha1_md5, ha1_sha256, created_at, updated_at)
      VALUES (@domain, @user, @ha1_md5, @ha1_sha256, @created_at, @updated_at)
      ON CONFLICT (domain, user) DO UPDATE SET
        ha1_md5 = excluded.ha1_md5, ha1_sha256 = excluded.ha1_sha256,
        created_at = excluded.created_at, updated_at = excluded.updated_at`);
    this.deleteUser = db.prepare('DELETE FROM users WHERE user = ? AND domain = ?');
    this.selectAll = db.prepare('SELECT * FROM users ORDER BY domain, user');
    this.selectDomain = db.prepare('SELECT * FROM users WHERE domain = ? ORDER BY user');
    this.upsertAlias = db.prepare('INSERT INTO user_aliases (alias, aor) VALUES (?, ?) ON CONFLICT (alias) DO UPDATE SET aor = excluded.aor');
    this.deleteAlias = db.prepare('DELETE FROM user_aliases WHERE alias = ?');
    this.deleteAliasesOf = db.prepare('DELETE FROM user_aliases WHERE aor = ?');
    this.selectAliases = db.prepare('SELECT alias, aor FROM user_aliases');
    this.selectAliasesOf = db.prepare('SELECT alias FROM user_aliases WHERE aor = ? ORDER BY alias');
    this.selectAliasAor = db.prepare<[string], string>('SELECT aor FROM user_aliases WHERE alias = ?').pluck();
    this.upsertExternal = db.prepare('INSERT INTO user_external_aliases (aor, alias) VALUES (?, ?) ON CONFLICT (aor) DO UPDATE SET alias = excluded.alias');
    this.deleteExternal = db.prepare('DELETE FROM user_external_aliases WHERE aor = ?');
    this.deleteExternalOfAlias = db.prepare('DELETE FROM user_external_aliases WHERE alias = ?');
    // The join drops a mark whose alias has gone, should a writer ever leave one behind.
    this.selectExternals = db.prepare(`
      SELECT e.aor, e.alias FROM user_external_aliases e
      JOIN user_aliases a ON a.alias = e.alias AND a.aor = e.aor`);
    // The account, its aliases and its external mark go in one transaction: never an alias to a deleted account.
    this.deleteAccount = db.transaction((user: string, domain: string) => {
      const existed = this.deleteUser.run(user, domain).changes > 0;
      const aor = accountAor(user, domain);
      this.deleteAliasesOf.run(aor);
      this.deleteExternal.run(aor);
      return existed;
    });
    // An alias moved to another account leaves its external mark behind.
    this.moveAlias = db.transaction((alias: string, aor: string) => {
      const old = this.selectAliasAor.get(alias);
      if (old === aor) return;
      if (old !== undefined) this.deleteExternalOfAlias.run(alias);
      this.upsertAlias.run(alias, aor);
    });
    this.unlinkAlias = db.transaction((alias: string) => {
      this.deleteExternalOfAlias.run(alias);
      return this.deleteAlias.run(alias).changes > 0;
    });
    this.markExternal = db.transaction((aor: string, alias: string) => {
      if (this.selectAliasAor.get(alias) !== aor) throw new NotAnAliasError(alias, aor);
      this.upsertExternal.run(aor, alias);
    });
  }

  async get(user: string, domain: string): Promise<UserRecord | undefined> {
    this.revalidate();
    const key = user + '\n' + domain;
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached;
    const row = sqliteCall('read an account', () => this.selectUser.get(user, domain));
    if (row === undefined) return undefined;
    const record = toRecord(row);
    this.cache.set(key, record);
    return record;
  }

  /** Drops the caches when another process has written the file since the last look. */
  private revalidate(): void {
    if (!this.otherCommits.changed()) return;
    this.cache.clear();
    this.aliases = null;
    this.externals = null;
  }

  /**
   * Writes the account and keeps it in the cache as written (a copy), as a read would: the
   * accounts of `users:` are written at start, so their first REGISTERs after a restart
   * (all phones at once) find them in memory rather than in the file.
   */
  async put(record: UserRecord): Promise<void> {
    const key = record.user + '\n' + record.domain;
    this.cache.delete(key);
    const row: UserRow = {
      user: record.user,
      domain: record.domain,
      ha1_md5: record.ha1Md5,
      ha1_sha256: record.ha1Sha256,
      created_at: record.createdAt,
      updated_at: record.updatedAt,
    };
    sqliteCall('write an account', () => this.upsertUser.run(row));
    this.cache.set(key, toRecord(row));
  }

  async delete(user: string, domain: string): Promise<boolean> {
    this.cache.delete(user + '\n' + domain);
    // Its aliases and its external form go with it.
    this.aliases = null;
    this.externals = null;
    return sqliteCall('delete an account', () => this.deleteAccount(user, domain));
  }

  async list(domain?: string): Promise<UserRecord[]> {
    const rows = sqliteCall('list accounts', () => (domain === undefined ? this.selectAll.all() : this.selectDomain.all(domain)));
    return rows.map(toRecord);
  }

  async addAlias(alias: string, aor: string): Promise<void> {
    this.externals = null;
    sqliteCall('write an alias', () => this.moveAlias(alias, aor));
    this.aliases?.set(alias, aor);
  }

  async removeAlias(alias: string): Promise<boolean> {
    this.aliases?.delete(alias);
    this.externals = null;
    return sqliteCall('delete an alias', () => this.unlinkAlias(alias));
  }

  async resolveAlias(alias: string): Promise<string | undefined> {
    this.revalidate();
    this.aliases ??= new Map(sqliteCall('read the aliases', () => this.selectAliases.all()).map((row) => [row.alias, row.aor]));
    return this.aliases.get(alias);
  }

  async aliasesOf(aor: string): Promise<string[]> {
    return sqliteCall('list aliases', () => this.selectAliasesOf.all(aor).map((row) => row.alias));
  }

  async setExternalAlias(aor: string, alias: string | null): Promise<void> {
    this.externals = null;
    sqliteCall('mark the external alias', () => (alias === null ? this.deleteExternal.run(aor) : this.markExternal(aor, alias)));
  }

  async externalAliasOf(aor: string): Promise<string | undefined> {
    this.revalidate();
    this.externals ??= new Map(sqliteCall('read the external aliases', () => this.selectExternals.all()).map((row) => [row.aor, row.alias]));
    return this.externals.get(aor);
  }
}
