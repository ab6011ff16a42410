import type { SettingsStore } from '../settings-store.js';
import { type RedisContext, redisCall } from './redis-client.js';

/* Keys. `setting:{name}`: the value, a string. Every operation is one command on one key. */
const settingKey = (name: string) => `setting:{${name}}`;

/** Run-time settings in Redis. */
export class RedisSettingsStore implements SettingsStore {
  constructor(private readonly context: RedisContext) {}

  async read(name: string): Promise<string | undefined> {
    return (await redisCall(this.context, 'read a setting', () => this.context.client.get(settingKey(name)))) ?? undefined;
  }

  async write(name: string, value: string): Promise<void> {
    await redisCall(this.context, 'write a setting', () => this.context.client.set(settingKey(name), value));
  }

  async remove(name: string): Promise<boolean> {
    return (await redisCall(this.context, 'remove a setting', () => this.context.client.del(settingKey(name)))) === 1;
  }
}
