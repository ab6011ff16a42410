import type { MessageCap, MessageCaps, MessageSender, MessageStore, NewStoredMessage, StoredMessage } from '../message-store.js';
import { type RedisContext, type RedisScript, checkExec, defineScript, redisCall, takeFromIndex } from './redis-client.js';

/** What is kept per message id; `attempts` lives in its own hash so HINCRBY can count it. */
interface MessageRecord {
  headers: Array<[string, string]>;
  contentType: string | null;
  /** base64, so that a binary body round-trips byte for byte. */
  body: string;
  storedAt: number;
  expiresAt: number;
  sender?: MessageSender;
}

/*
 * Keys. Per recipient, under one hash tag: `msg:{aor}:seq` (INCR counter for ids), `:data`
 * (id → JSON), `:att` (id → attempts), `:exp` (sorted set id → expiresAt), `:from` (id →
 * the sender's AoR and foreign domain, joined by a newline, what the caps count). One global
 * sorted set, `msg:expiry` (`id|aor` → expiresAt), drives sweepExpired. Every script is
 * given all its keys, so the deployment's key prefix (ioredis `keyPrefix`) applies to them.
 * CLUSTER: add, remove, purge and the sweep touch `msg:expiry` beside a recipient's keys,
 * which crosses slots; fine on one Redis or Sentinel, to be split per slot before Cluster.
 */

/**
 * KEYS: seq, data, att, exp, expiry, from. ARGV: now, the caps per recipient, per sender and
 * per foreign domain, record JSON, expiresAt, recipient, the sender's AoR and foreign domain
 * ('' for none). Returns the new id, or the cap reached.
 */
const ADD = `
local now = ARGV[1]
-- Count and insert in one script: two concurrent adds cannot both pass a cap.
if redis.call('ZCOUNT', KEYS[4], '(' .. now, '+inf') >= tonumber(ARGV[2]) then return 'recipient' end
local sender, domain = ARGV[8], ARGV[9]
if sender ~= '' then
  local live = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. now, '+inf')
  local fromSender, fromDomain = 0, 0
  if #live > 0 then
    for _, from in ipairs(redis.call('HMGET', KEYS[6], unpack(live))) do
      if from then
        local bar = string.find(from, '\\n', 1, true)
        if string.sub(from, 1, bar - 1) == sender then fromSender = fromSender + 1 end
        if domain ~= '' and string.sub(from, bar + 1) == domain then fromDomain = fromDomain + 1 end
      end
    end
  end
  if fromSender >= tonumber(ARGV[3]) then return 'sender' end
  if domain ~= '' and fromDomain >= tonumber(ARGV[4]) then return 'foreign-domain' end
end
local id = string.format('%016d', redis.call('INCR', KEYS[1]))
redis.call('HSET', KEYS[2], id, ARGV[5])
redis.call('ZADD', KEYS[4], ARGV[6], id)
redis.call('ZADD', KEYS[5], ARGV[6], id .. '|' .. ARGV[7])
if sender ~= '' then redis.call('HSET', KEYS[6], id, sender .. '\\n' .. domain) end
return id
`;

/** KEYS: data, att. ARGV: id. */
const MARK_ATTEMPT = `
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then redis.call('HINCRBY', KEYS[2], ARGV[1], 1) end
return 0
`;

/** KEYS: data, att, exp, expiry, from. ARGV: id, recipient. */
const REMOVE = `
if redis.call('HDEL', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[5], ARGV[1])
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('ZREM', KEYS[4], ARGV[1] .. '|' .. ARGV[2])
return 1
`;

/** KEYS: data, att, exp, expiry, from. ARGV: recipient. */
const PURGE = `
local ids = redis.call('HKEYS', KEYS[1])
for _, id in ipairs(ids) do redis.call('ZREM', KEYS[4], id .. '|' .. ARGV[1]) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[5])
return #ids
`;

/**
 * KEYS: data, att, exp, expiry, from. ARGV: the `msg:expiry` member, id, now. Deletes the
 * message when its entry is still due; returns 1 when a message went.
 */
const SWEEP_ONE = `
local score = redis.call('ZSCORE', KEYS[4], ARGV[1])
if not score or tonumber(score) > tonumber(ARGV[3]) then return 0 end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[2])
redis.call('HDEL', KEYS[5], ARGV[2])
redis.call('ZREM', KEYS[3], ARGV[2])
return redis.call('HDEL', KEYS[1], ARGV[2])
`;

const EXPIRY_KEY = 'msg:expiry';

/** A cap as the script takes it: no cap is the largest count there can be. */
const capArg = (cap: number) => (Number.isFinite(cap) ? Math.max(0, Math.floor(cap)) : Number.MAX_SAFE_INTEGER);

function recipientKeys(recipient: string) {
  const base = `msg:{${recipient}}:`;
  return { seq: `${base}seq`, data: `${base}data`, att: `${base}att`, exp: `${base}exp`, from: `${base}from` };
}

/**
 * Offline messages in Redis; durable when the operator enables AOF. Ids are a per-recipient
 * counter, zero-padded, so they sort like arrival.
 * @see RFC 3428 §7
 */
export class RedisMessageStore implements MessageStore {
  private readonly addScript: RedisScript;
  private readonly markAttemptScript: RedisScript;
  private readonly removeScript: RedisScript;
  private readonly purgeScript: RedisScript;
  private readonly sweepOneScript: RedisScript;

  constructor(private readonly context: RedisContext) {
    const { client } = context;
    this.addScript = defineScript(client, 'heraldMessageAdd', 6, ADD);
    this.markAttemptScript = defineScript(client, 'heraldMessageMarkAttempt', 2, MARK_ATTEMPT);
    this.removeScript = defineScript(client, 'heraldMessageRemove', 5, REMOVE);
    this.purgeScript = defineScript(client, 'heraldMessagePurge', 5, PURGE);
    this.sweepOneScript = defineScript(client, 'heraldMessageSweepOne', 5, SWEEP_ONE);
  }

  async add(message: NewStoredMessage, caps: MessageCaps, now: number): Promise<StoredMessage | MessageCap> {
    const k = recipientKeys(message.recipient);
    const { sender } = message;
    const record: MessageRecord = {
      headers: message.headers,
      contentType: message.contentType,
      body: Buffer.from(message.body).toString('base64'),
      storedAt: message.storedAt,
      expiresAt: message.expiresAt,
      ...(sender && { sender }),
    };
    const reply = await redisCall(this.context, 'store a message', () =>
      this.addScript(
        k.seq,
        k.data,
        k.att,
        k.exp,
        EXPIRY_KEY,
        k.from,
        now,
        capArg(caps.perRecipient),
        capArg(caps.perSender),
        capArg(caps.perForeignDomain),
        JSON.stringify(record),
        message.expiresAt,
        message.recipient,
        sender?.aor ?? '',
        sender?.foreignDomain ?? '',
      ),
    );
    const id = String(reply);
    if (!/^\d+$/.test(id)) return id as MessageCap;
    const stored: StoredMessage = { ...message, headers: message.headers.map(([n, v]) => [n, v]), body: Buffer.from(message.body), id, attempts: 0 };
    if (sender) stored.sender = { ...sender };
    return stored;
  }

  async list(recipient: string, now: number): Promise<StoredMessage[]> {
    const k = recipientKeys(recipient);
    // MULTI: records and attempt counts from the same instant.
    const replies = await redisCall(this.context, 'list messages', () => this.context.client.multi().hgetall(k.data).hgetall(k.att).exec());
    const [data, att] = checkExec(replies) as [Record<string, string>, Record<string, string>];
    const out: StoredMessage[] = [];
    for (const id of Object.keys(data).sort()) {
      const r = JSON.parse(data[id]) as MessageRecord;
      if (r.expiresAt <= now) continue;
      out.push({
        id,
        recipient,
        headers: r.headers,
        contentType: r.contentType,
        body: Buffer.from(r.body, 'base64'),
        storedAt: r.storedAt,
        expiresAt: r.expiresAt,
        attempts: Number(att[id] ?? 0),
        ...(r.sender && { sender: r.sender }),
      });
    }
    return out;
  }

  async markAttempt(recipient: string, id: string): Promise<void> {
    const k = recipientKeys(recipient);
    await redisCall(this.context, 'count a delivery attempt', () => this.markAttemptScript(k.data, k.att, id));
  }

  async remove(recipient: string, id: string): Promise<boolean> {
    const k = recipientKeys(recipient);
    return (await redisCall(this.context, 'remove a message', () => this.removeScript(k.data, k.att, k.exp, EXPIRY_KEY, k.from, id, recipient))) === 1;
  }

  async purge(recipient: string): Promise<number> {
    const k = recipientKeys(recipient);
    return Number(await redisCall(this.context, 'purge messages', () => this.purgeScript(k.data, k.att, k.exp, EXPIRY_KEY, k.from, recipient)));
  }


  async sweepExpired(now: number, limit: number): Promise<number> {
    const swept = await redisCall(this.context, 'sweep expired messages', () =>
      takeFromIndex(this.context, EXPIRY_KEY, now, limit, async (members) => {
        const results = await Promise.all(
          members.map((member) => {
            const bar = member.indexOf('|');
            const k = recipientKeys(member.slice(bar + 1));
            return this.sweepOneScript(k.data, k.att, k.exp, EXPIRY_KEY, k.from, member, member.slice(0, bar), now);
          }),
        );
        return results.filter((removed) => removed === 1);
      }),
    );
    return swept.length;
  }
}
