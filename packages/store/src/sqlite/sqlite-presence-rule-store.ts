import type Database from 'better-sqlite3';
import type { PresenceAction, PresenceRule, PresenceRuleStore } from '../presence-rule-store.js';
import { sqliteCall } from './sqlite-database.js';

interface RuleRow {
  presentity: string;
  watcher: string;
  action: PresenceAction;
  updated_at: number;
}

/**
 * Presence authorization rules in the embedded SQLite file.
 * @see RFC 3857 §3.2, RFC 5025
 */
export class SqlitePresenceRuleStore implements PresenceRuleStore {
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
  }

  async rules(presentity: string): Promise<PresenceRule[]> {
    return sqliteCall('read presence rules', () => {
      return this.selectRules
        .all(presentity)
        .map((r) => ({ presentity: r.presentity, watcher: r.watcher, action: r.action, updatedAt: r.updated_at }));
    });
  }

  async setRule(rule: PresenceRule): Promise<void> {
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
    return sqliteCall('read invisible mode', () => {
      return this.selectInvisible.get(presentity) !== undefined;
    });
  }

  async setInvisible(presentity: string, invisible: boolean): Promise<void> {
    return sqliteCall('write invisible mode', () => {
      if (invisible) this.insertInvisible.run(presentity);
      else this.deleteInvisible.run(presentity);
    });
  }
}
