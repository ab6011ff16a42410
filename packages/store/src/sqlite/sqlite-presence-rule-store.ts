import type Database from 'better-sqlite3';
import type { PresenceAction, PresenceRule, PresenceRuleStore } from '../presence-rule-store.js';
import { OtherCommits, sqliteCall } from './sqlite-database.js';

interface RuleRow {
  presentity: string;
  watcher: string;
  action: PresenceAction;
  updated_at: number;
}

/**
 * Presence authorization rules in the embedded SQLite file. Every SUBSCRIBE and NOTIFY asks
 * for a presentity's rules and invisible mode, and most presentities have neither: those
 * that have some are kept in memory (re-read when another connection has written the
 * file), so that the others cost no query.
 * @see RFC 3857 §3.2, RFC 5025
 */
export class SqlitePresenceRuleStore implements PresenceRuleStore {
  private readonly withSettings: Database.Statement<[], string>;
  private readonly otherCommits: OtherCommits;
  /** Presentities that may have rules or be invisible (a superset: a removal does not take one out). */
  private configured: Set<string> | null = null;
  private readonly selectRules: Database.Statement<[string], RuleRow>;
  private readonly upsertRule: Database.Statement<[string, string, string, number]>;
  private readonly deleteRule: Database.Statement<[string, string]>;
  private readonly selectInvisible: Database.Statement<[string], { presentity: string }>;
  private readonly insertInvisible: Database.Statement<[string]>;
  private readonly deleteInvisible: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    sqliteCall('create the tables', () =>
      db.exec(`
      CREATE TABLE IF NOT EXISTS presence_rules (
        presentity TEXT NOT NULL,
        watcher TEXT NOT NULL,
        action TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (presentity, watcher)
      ) WITHOUT ROWID;
      CREATE TABLE IF NOT EXISTS presence_invisible (
        presentity TEXT PRIMARY KEY
      ) WITHOUT ROWID;
    `),
    );
    this.selectRules = db.prepare('SELECT * FROM presence_rules WHERE presentity = ? ORDER BY watcher');
    this.upsertRule = db.prepare(
      'INSERT INTO presence_rules (presentity, watcher, action, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (presentity, watcher) DO UPDATE SET action = excluded.action, updated_at = excluded.updated_at',
    );
    this.deleteRule = db.prepare('DELETE FROM presence_rules WHERE presentity = ? AND watcher = ?');
    this.selectInvisible = db.prepare('SELECT presentity FROM presence_invisible WHERE presentity = ?');
    this.insertInvisible = db.prepare('INSERT OR IGNORE INTO presence_invisible (presentity) VALUES (?)');
    this.deleteInvisible = db.prepare('DELETE FROM presence_invisible WHERE presentity = ?');
    this.withSettings = db.prepare<[], string>('SELECT presentity FROM presence_rules UNION SELECT presentity FROM presence_invisible').pluck();
    this.otherCommits = new OtherCommits(db);
  }

  private mayHaveSettings(presentity: string): boolean {
    if (this.otherCommits.changed() || this.configured === null) this.configured = new Set(sqliteCall('read presence settings', () => this.withSettings.all()));
    return this.configured.has(presentity);
  }

  async rules(presentity: string): Promise<PresenceRule[]> {
    if (!this.mayHaveSettings(presentity)) return [];
    return sqliteCall('read presence rules', () => {
      return this.selectRules
        .all(presentity)
        .map((r) => ({ presentity: r.presentity, watcher: r.watcher, action: r.action, updatedAt: r.updated_at }));
    });
  }

  async setRule(rule: PresenceRule): Promise<void> {
    this.configured?.add(rule.presentity);
    return sqliteCall('write a presence rule', () => {
      this.upsertRule.run(rule.presentity, rule.watcher, rule.action, rule.updatedAt);
    });
  }

  async removeRule(presentity: string, watcher: string): Promise<boolean> {
    return sqliteCall('delete a presence rule', () => {
      return this.deleteRule.run(presentity, watcher).changes > 0;
    });
  }

  async isInvisible(presentity: string): Promise<boolean> {
    if (!this.mayHaveSettings(presentity)) return false;
    return sqliteCall('read invisible mode', () => {
      return this.selectInvisible.get(presentity) !== undefined;
    });
  }

  async setInvisible(presentity: string, invisible: boolean): Promise<void> {
    if (invisible) this.configured?.add(presentity);
    return sqliteCall('write invisible mode', () => {
      if (invisible) this.insertInvisible.run(presentity);
      else this.deleteInvisible.run(presentity);
    });
  }
}
