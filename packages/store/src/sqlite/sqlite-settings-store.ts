import type Database from 'better-sqlite3';
import type { SettingsStore } from '../settings-store.js';
import { sqliteCall } from './sqlite-database.js';

/**
 * Run-time settings in the embedded SQLite file. Read at admin rate and by each worker's
 * periodic re-read, so every read asks the file: a write by another connection is seen at
 * once, with no cache to invalidate.
 */
export class SqliteSettingsStore implements SettingsStore {
  private readonly select: Database.Statement<[string], string>;
  private readonly upsert: Database.Statement<[string, string]>;
  private readonly delete: Database.Statement<[string]>;

  constructor(db: Database.Database) {
    sqliteCall('create the tables', () => db.exec('CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID'));
    this.select = db.prepare<[string], string>('SELECT value FROM settings WHERE name = ?').pluck();
    this.upsert = db.prepare('INSERT INTO settings (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value');
    this.delete = db.prepare('DELETE FROM settings WHERE name = ?');
  }

  async read(name: string): Promise<string | undefined> {
    return sqliteCall('read a setting', () => this.select.get(name));
  }

  async write(name: string, value: string): Promise<void> {
    sqliteCall('write a setting', () => this.upsert.run(name, value));
  }

  async remove(name: string): Promise<boolean> {
    return sqliteCall('remove a setting', () => this.delete.run(name).changes > 0);
  }
}
