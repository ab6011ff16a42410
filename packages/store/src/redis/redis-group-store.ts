import type { Group, GroupStore } from '../group-store.js';
import { type RedisContext, type RedisScript, checkExec, defineScript, redisCall } from './redis-client.js';

/*
 * Keys. Every group lives in one hash, `groups:{groups}` (URI → JSON), beside the sorted
 * set `group-uris:{groups}` of every URI, all with score 0, so ZRANGEBYLEX lists them
 * sorted and by prefix. One hash tag for both: put and delete are one MULTI, and list one
 * script, on one Cluster slot. Groups are written at admin rate and are small, so one
 * slot holds them all easily.
 */
const GROUPS_KEY = 'groups:{groups}';
const URIS_KEY = 'group-uris:{groups}';

/** KEYS: the URI index, the groups hash. ARGV: ZRANGEBYLEX min and max. */
const LIST = `
local uris = redis.call('ZRANGEBYLEX', KEYS[1], ARGV[1], ARGV[2])
local out = {}
-- In chunks: Lua's unpack() refuses a few thousand values at once.
for i = 1, #uris, 1000 do
  local found = redis.call('HMGET', KEYS[2], unpack(uris, i, math.min(i + 999, #uris)))
  for _, j in ipairs(found) do
    if j then out[#out + 1] = j end
  end
end
return out
`;

/** Groups and resource lists in Redis. */
export class RedisGroupStore implements GroupStore {
  private readonly listScript: RedisScript;

  constructor(private readonly context: RedisContext) {
    this.listScript = defineScript(context.client, 'heraldGroupList', 2, LIST);
  }

  async get(uri: string): Promise<Group | undefined> {
    const j = await redisCall(this.context, 'read a group', () => this.context.client.hget(GROUPS_KEY, uri));
    return j === null ? undefined : (JSON.parse(j) as Group);
  }

  async put(group: Group): Promise<void> {
    const json = JSON.stringify({ uri: group.uri, members: group.members, name: group.name });
    await redisCall(this.context, 'write a group', async () =>
      checkExec(await this.context.client.multi().hset(GROUPS_KEY, group.uri, json).zadd(URIS_KEY, 0, group.uri).exec()),
    );
  }

  async delete(uri: string): Promise<boolean> {
    const [deleted] = await redisCall(this.context, 'delete a group', async () =>
      checkExec(await this.context.client.multi().hdel(GROUPS_KEY, uri).zrem(URIS_KEY, uri).exec()),
    );
    return deleted === 1;
  }

  async list(prefix = ''): Promise<Group[]> {
    // 0xff never occurs in UTF-8, so `[prefix` .. `[prefix\xff` holds exactly the URIs starting with it.
    const min = prefix ? `[${prefix}` : '-';
    const max = prefix ? Buffer.concat([Buffer.from(`[${prefix}`), Buffer.from([0xff])]) : '+';
    const found = (await redisCall(this.context, 'list groups', () => this.listScript(URIS_KEY, GROUPS_KEY, min, max))) as string[];
    return found.map((j) => JSON.parse(j) as Group);
  }
}
