import type Database from 'better-sqlite3';
import type { Group, GroupStore } from '../group-store.js';
import { sqliteCall } from './sqlite-database.js';

interface GroupRow {
  uri: string;
  name: string | null;
  members: string;
}

/** Groups and resource lists in the embedded SQLite file. */
export class SqliteGroupStore implements GroupStore {
  private readonly select: Database.Statement<[string], GroupRow>;
  private readonly upsert: Database.Statement<[string, string | null, string]>;
  private readonly deleteOne: Database.Statement<[string]>;
  private readonly selectFrom: Database.Statement<[string], GroupRow>;

  constructor(db: Database.Database) {
    sqliteCall('create the tables', () =>
      db.exec(`
      CREATE TABLE IF NOT EXISTS im_groups (
        uri TEXT PRIMARY KEY,
        name TEXT,
        members TEXT NOT NULL
      ) WITHOUT ROWID;
    `),
    );
    this.select = db.prepare('SELECT uri, name, members FROM im_groups WHERE uri = ?');
    this.upsert = db.prepare(
      'INSERT INTO im_groups (uri, name, members) VALUES (?, ?, ?) ON CONFLICT (uri) DO UPDATE SET name = excluded.name, members = excluded.members',
    );
    this.deleteOne = db.prepare('DELETE FROM im_groups WHERE uri = ?');
    this.selectFrom = db.prepare('SELECT uri, name, members FROM im_groups WHERE uri >= ? ORDER BY uri');
  }

  async get(uri: string): Promise<Group | undefined> {
    return sqliteCall('read a group', () => {
      const row = this.select.get(uri);
      return row && toGroup(row);
    });
  }

  async put(group: Group): Promise<void> {
    return sqliteCall('write a group', () => {
      this.upsert.run(group.uri, group.name, JSON.stringify(group.members));
    });
  }

  async delete(uri: string): Promise<boolean> {
    return sqliteCall('delete a group', () => {
      return this.deleteOne.run(uri).changes > 0;
    });
  }

  async list(prefix = ''): Promise<Group[]> {
    return sqliteCall('list groups', () => {
      // Walks the primary key from `prefix` and stops at the first URI past it: no LIKE escaping.
      const out: Group[] = [];
      for (const row of this.selectFrom.iterate(prefix)) {
        if (!row.uri.startsWith(prefix)) break;
        out.push(toGroup(row));
      }
      return out;
    });
  }
}

function toGroup(row: GroupRow): Group {
  return { uri: row.uri, members: JSON.parse(row.members) as string[], name: row.name };
}
