import type Database from 'better-sqlite3';
import { capReached } from '../message-caps.js';
import type { MessageCap, MessageCaps, MessageSender, MessageStore, NewStoredMessage, StoredMessage } from '../message-store.js';
import { OtherCommits, sqliteCall, unsynced } from './sqlite-database.js';

interface MessageRow {
  id: number;
  recipient: string;
  headers: string;
  content_type: string | null;
  body: Buffer;
  stored_at: number;
  expires_at: number;
  attempts: number;
  sender: string | null;
  sender_domain: string | null;
}

interface PendingAdd {
  message: NewStoredMessage;
  caps: MessageCaps;
  now: number;
  resolve(stored: StoredMessage | MessageCap): void;
  reject(error: unknown): void;
}

/**
 * Offline messages in the embedded SQLite file; each write is committed before its promise resolves.
 *
 * Every registration asks whether messages wait for the user, and almost always none do:
 * the recipients that have messages are kept in memory, so that `list` for anyone else
 * answers without a query (re-read when another connection has written the file, looked
 * at every 200 ms at most: only Herald writes messages).
 *
 * A stored message is synced to disk before `add` resolves (the sender is told 202). The
 * messages added while the event loop handles one round of I/O are committed together, in
 * one transaction and one sync (a group commit): a sync costs a few hundred µs here, with
 * the event loop blocked, and would otherwise cap the rate at a few thousand a second. The
 * writes of a delivery (removal after the 2xx, attempts) and of the sweep are not
 * synced one by one: a power cut may deliver a message again, never lose one.
 * @see RFC 3428 §7
 */
export class SqliteMessageStore implements MessageStore {
  /** Recipients that may have messages (a superset: a removal does not take one out). */
  private waiting: Set<string> | null = null;
  private readonly recipients: Database.Statement<[], string>;
  private readonly otherCommits: OtherCommits;
  private readonly addTx: (batch: readonly PendingAdd[]) => Array<StoredMessage | MessageCap>;
  /** Messages waiting for the next group commit. */
  private pending: PendingAdd[] = [];
  private readonly liveSenders: Database.Statement<[string, number], Pick<MessageRow, 'sender' | 'sender_domain'>>;
  private readonly insert: Database.Statement<[string, string, string | null, Buffer, number, number, string | null, string | null]>;
  private readonly selectLive: Database.Statement<[string, number], MessageRow>;
  private readonly attempt: Database.Statement<[number, string]>;
  private readonly deleteOne: Database.Statement<[number, string]>;
  private readonly deleteAll: Database.Statement<[string]>;
  private readonly deleteExpired: Database.Statement<[number, number]>;

  constructor(private readonly db: Database.Database) {
    // AUTOINCREMENT: ids never come back after a delete, so they keep arrival order for good.
    sqliteCall('create the tables', () =>
      db.exec(`
      CREATE TABLE IF NOT EXISTS offline_messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        recipient TEXT NOT NULL,
        headers TEXT NOT NULL,
        content_type TEXT,
        body BLOB NOT NULL,
        stored_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX IF NOT EXISTS offline_messages_recipient ON offline_messages (recipient, expires_at);
      CREATE INDEX IF NOT EXISTS offline_messages_expiry ON offline_messages (expires_at);
    `),
    );
    addSenderColumns(db);
    this.liveSenders = db.prepare('SELECT sender, sender_domain FROM offline_messages WHERE recipient = ? AND expires_at > ?');
    this.insert = db.prepare(
      'INSERT INTO offline_messages (recipient, headers, content_type, body, stored_at, expires_at, sender, sender_domain) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.selectLive = db.prepare('SELECT * FROM offline_messages WHERE recipient = ? AND expires_at > ? ORDER BY id');
    this.attempt = db.prepare('UPDATE offline_messages SET attempts = attempts + 1 WHERE id = ? AND recipient = ?');
    this.deleteOne = db.prepare('DELETE FROM offline_messages WHERE id = ? AND recipient = ?');
    this.deleteAll = db.prepare('DELETE FROM offline_messages WHERE recipient = ?');
    this.deleteExpired = db.prepare(
      'DELETE FROM offline_messages WHERE id IN (SELECT id FROM offline_messages WHERE expires_at <= ? LIMIT ?)',
    );
    this.recipients = db.prepare<[], string>('SELECT DISTINCT recipient FROM offline_messages').pluck();
    this.otherCommits = new OtherCommits(db);
    const insertOne = (message: NewStoredMessage, caps: MessageCaps, now: number): StoredMessage | MessageCap => {
      const full = capReached(message, this.liveSenders.all(message.recipient, now).map(senderOf), caps);
      if (full !== null) return full;
      const body = Buffer.isBuffer(message.body) ? message.body : Buffer.from(message.body);
      const { lastInsertRowid } = this.insert.run(
        message.recipient,
        JSON.stringify(message.headers),
        message.contentType,
        body,
        message.storedAt,
        message.expiresAt,
        message.sender?.aor ?? null,
        message.sender?.foreignDomain ?? null,
      );
      const stored: StoredMessage = { ...message, headers: message.headers.map(([n, v]) => [n, v]), body: Buffer.from(body), id: formatId(Number(lastInsertRowid)), attempts: 0 };
      if (message.sender) stored.sender = { ...message.sender };
      return stored;
    };
    const tx = db.transaction((batch: readonly PendingAdd[]) => batch.map((p) => insertOne(p.message, p.caps, p.now)));
    // IMMEDIATE takes the write lock before counting, so two connections cannot both pass the cap.
    this.addTx = (batch) => tx.immediate(batch);
  }

  async add(message: NewStoredMessage, caps: MessageCaps, now: number): Promise<StoredMessage | MessageCap> {
    return new Promise((resolve, reject) => {
      this.pending.push({ message, caps, now, resolve, reject });
      // after the I/O callbacks of this loop turn, which may add more
      if (this.pending.length === 1) setImmediate(() => this.commitPending());
    });
  }

  private commitPending(): void {
    const batch = this.pending;
    this.pending = [];
    let stored: Array<StoredMessage | MessageCap>;
    try {
      stored = sqliteCall('store a message', () => this.addTx(batch));
    } catch (error) {
      for (const p of batch) p.reject(error);
      return;
    }
    batch.forEach((p, i) => {
      if (typeof stored[i] !== 'string') this.waiting?.add(p.message.recipient);
      p.resolve(stored[i]);
    });
  }

  async list(recipient: string, now: number): Promise<StoredMessage[]> {
    return sqliteCall('list messages', () => {
      if (!this.mayHaveMessages(recipient)) return [];
      return this.selectLive.all(recipient, now).map((r) => {
        const message: StoredMessage = {
          id: formatId(r.id),
          recipient: r.recipient,
          headers: JSON.parse(r.headers) as Array<[string, string]>,
          contentType: r.content_type,
          body: r.body,
          storedAt: r.stored_at,
          expiresAt: r.expires_at,
          attempts: r.attempts,
        };
        const { sender } = senderOf(r);
        if (sender) message.sender = sender;
        return message;
      });
    });
  }

  async markAttempt(recipient: string, id: string): Promise<void> {
    return sqliteCall('count a delivery attempt', () => {
      const rowid = parseId(id);
      if (rowid !== undefined) unsynced(this.db, () => this.attempt.run(rowid, recipient));
    });
  }

  async remove(recipient: string, id: string): Promise<boolean> {
    return sqliteCall('delete a message', () => {
      const rowid = parseId(id);
      return rowid !== undefined && unsynced(this.db, () => this.deleteOne.run(rowid, recipient).changes > 0);
    });
  }

  async purge(recipient: string): Promise<number> {
    return sqliteCall('purge messages', () => {
      const { changes } = this.deleteAll.run(recipient);
      this.waiting?.delete(recipient);
      return changes;
    });
  }

  mayHold(recipient: string): boolean {
    try {
      return this.mayHaveMessages(recipient);
    } catch {
      return true; // `list` reports what failed
    }
  }

  private mayHaveMessages(recipient: string): boolean {
    if (this.otherCommits.changed() || this.waiting === null) this.waiting = new Set(this.recipients.all());
    return this.waiting.has(recipient);
  }

  async sweepExpired(now: number, limit: number): Promise<number> {
    return sqliteCall('sweep expired messages', () => {
      return unsynced(this.db, () => this.deleteExpired.run(now, Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : -1).changes);
    });
  }
}

/**
 * The sender columns, added to a table created before Herald kept senders: its messages
 * have none, and count against no sender's cap.
 */
function addSenderColumns(db: Database.Database): void {
  const columns = new Set(db.prepare<[], { name: string }>('PRAGMA table_info(offline_messages)').all().map((c) => c.name));
  if (!columns.has('sender')) sqliteCall('add the sender columns', () => db.exec('ALTER TABLE offline_messages ADD COLUMN sender TEXT; ALTER TABLE offline_messages ADD COLUMN sender_domain TEXT;'));
}

/** The sender a row records, as `StoredMessage.sender`. */
function senderOf(row: Pick<MessageRow, 'sender' | 'sender_domain'>): { sender?: MessageSender } {
  return row.sender === null ? {} : { sender: { aor: row.sender, foreignDomain: row.sender_domain } };
}

/** Zero-padded, so that ids compare like their arrival as strings too. */
function formatId(rowid: number): string {
  return String(rowid).padStart(16, '0');
}

function parseId(id: string): number | undefined {
  return /^\d{1,16}$/.test(id) ? Number(id) : undefined;
}
