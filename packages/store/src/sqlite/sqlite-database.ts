import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../store.js';

/** A better-sqlite3 handle, shared by the SQLite stores of one file. */
export type SqliteDatabase = Database.Database;

/**
 * Opens (creating when missing) the SQLite file `fileName` in `dataDir`, creating the
 * directory too, in WAL mode with `synchronous=FULL`.
 *
 * FULL, not NORMAL: in WAL mode NORMAL syncs the log only at checkpoints, so a power cut
 * or kernel crash can lose the last commits, and DESIGN.md says a write a client was
 * told succeeded is on disk. FULL syncs the log on every commit (a few hundred µs here,
 * with the event loop blocked); writes whose loss would only repeat work use `unsynced`.
 */
export function openSqliteDatabase(dataDir: string, fileName = 'herald.db'): SqliteDatabase {
  return sqliteCall('open the database', () => {
    makeDirectory(dataDir);
    // better-sqlite3 is synchronous: a busy wait blocks the event loop, so keep it short.
    // Embedded mode has one writing process; only an admin tool could hold the lock.
    const db = new Database(join(dataDir, fileName), { timeout: 1000 });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return db;
  });
}

/**
 * Creates `dir` and its missing parents, one level at a time, the outermost first.
 * `mkdirSync(dir, { recursive: true })` retries for ever where mkdir answers ENOENT under
 * a parent that exists (under /proc), a synchronous loop that no signal interrupts;
 * here every failure is thrown.
 */
function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = dir; statSync(at, { throwIfNoEntry: false }) === undefined && dirname(at) !== at; at = dirname(at)) missing.unshift(at);
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      // Another process made it meanwhile.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(level).isDirectory()) throw error;
    }
  }
}

/**
 * Runs `op` with its commits not synced (`synchronous=NORMAL`): for writes whose loss in
 * a power cut only repeats work, such as the removal of a delivered message (delivered
 * again) or a count of delivery attempts. The log is synced with the next FULL commit or
 * at the next checkpoint; a crash of the process alone loses nothing. `db.pragma` each
 * time, not statements prepared once: SQLite applies this pragma when a statement is
 * compiled, and a prepared NORMAL run after a prepared FULL leaves the connection at FULL.
 * @see https://sqlite.org/pragma.html#pragma_synchronous
 */
export function unsynced<T>(db: SqliteDatabase, op: () => T): T {
  db.pragma('synchronous = NORMAL');
  try {
    return op();
  } finally {
    db.pragma('synchronous = FULL');
  }
}

/** SQLite result codes that mean the file cannot be used now, not a bug in a statement. */
const UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|CORRUPT|NOTADB|PROTOCOL|NOMEM)/;

/**
 * Runs `op`, turning I/O, locking and "database closed" failures into a
 * `StoreUnavailableError`; other errors (bugs) pass through.
 */
export function sqliteCall<T>(what: string, op: () => T): T {
  try {
    return op();
  } catch (error) {
    if (isUnavailable(error)) throw new StoreUnavailableError(`SQLite store could not ${what}: ${(error as Error).message}`, { cause: error });
    throw error;
  }
}

// By name and code, not instanceof: the native addon's errors may come from another realm
// (jest's VM contexts), where instanceof TypeError is false.
function isUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { name, code, message } = error as { name?: unknown; code?: unknown; message?: unknown };
  if (name === 'SqliteError') return typeof code === 'string' && UNAVAILABLE.test(code);
  if (name === 'TypeError') return typeof message === 'string' && /database connection is not open/i.test(message);
  // Node's own I/O errors (EACCES, ENOSPC...) from creating the directory.
  return typeof code === 'string' && /^E[A-Z]+$/.test(code);
}

/**
 * Whether another connection (`herald user`, another process on the file) has committed
 * since the last look, asking SQLite at most every `intervalMs`: what a store that keeps
 * rows in memory checks before trusting them. Its own connection's writes never count.
 * @see https://sqlite.org/pragma.html#pragma_data_version
 */
export class OtherCommits {
  private readonly dataVersion: Database.Statement<[], number>;
  private version = -1;
  private checkedAt = -Infinity;

  constructor(
    db: SqliteDatabase,
    private readonly intervalMs = 200,
  ) {
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  /** True on the first call, and when another connection has committed since the last call that asked SQLite. */
  changed(): boolean {
    const t = performance.now();
    if (t - this.checkedAt < this.intervalMs) return false;
    this.checkedAt = t;
    const version = sqliteCall('check for changes', () => this.dataVersion.get()!);
    if (version === this.version) return false;
    this.version = version;
    return true;
  }
}
