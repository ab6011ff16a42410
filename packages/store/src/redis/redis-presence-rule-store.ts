import type { PresenceAction, PresenceRule, PresenceRuleStore } from '../presence-rule-store.js';
import { type RedisContext, redisCall } from './redis-client.js';

/*
 * Keys. `rule:{presentity}`: hash watcher → `{ action, updatedAt }` as JSON.
 * `rule:{presentity}:invisible`: present while invisible mode is on.
 * Every operation is one command on one key.
 */
const rulesKey = (presentity: string) => `rule:{${presentity}}`;
const invisibleKey = (presentity: string) => `rule:{${presentity}}:invisible`;

/**
 * Presence authorization rules in Redis.
 * @see RFC 3857 §3.2, RFC 5025
 */
export class RedisPresenceRuleStore implements PresenceRuleStore {
  constructor(private readonly context: RedisContext) {}

  async rules(presentity: string): Promise<PresenceRule[]> {
    const all = await redisCall(this.context, 'read presence rules', () => this.context.client.hgetall(rulesKey(presentity)));
    return Object.keys(all)
      .sort()
      .map((watcher) => {
        const { action, updatedAt } = JSON.parse(all[watcher]) as { action: PresenceAction; updatedAt: number };
        return { presentity, watcher, action, updatedAt };
      });
  }

  async setRule(rule: PresenceRule): Promise<void> {
    const json = JSON.stringify({ action: rule.action, updatedAt: rule.updatedAt });
    await redisCall(this.context, 'write a presence rule', () => this.context.client.hset(rulesKey(rule.presentity), rule.watcher, json));
  }

  async removeRule(presentity: string, watcher: string): Promise<boolean> {
    return (await redisCall(this.context, 'remove a presence rule', () => this.context.client.hdel(rulesKey(presentity), watcher))) === 1;
  }

  async isInvisible(presentity: string): Promise<boolean> {
    return (await redisCall(this.context, 'read invisible mode', () => this.context.client.exists(invisibleKey(presentity)))) === 1;
  }

  async setInvisible(presentity: string, invisible: boolean): Promise<void> {
    const { client } = this.context;
    await redisCall(this.context, 'write invisible mode', (): Promise<unknown> =>
      invisible ? client.set(invisibleKey(presentity), '1') : client.del(invisibleKey(presentity)),
    );
  }
}
