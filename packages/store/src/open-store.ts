import { openEmbeddedStore } from './embedded-store.js';
import { type RedisStoreOptions, openRedisStore } from './redis/redis-store.js';
import type { Store } from './store.js';

/** Where Herald keeps its state: the embedded default, or a shared Redis. */
export type StoreConfig =
  | { kind: 'embedded'; dataDir: string }
  | ({ kind: 'redis'; url: string } & Pick<RedisStoreOptions, 'keyPrefix' | 'sentinels' | 'name' | 'cluster' | 'onError'>);

/** Opens the store `config` names. */
export async function openStore(config: StoreConfig): Promise<Store> {
  switch (config.kind) {
    case 'embedded':
      return openEmbeddedStore(config.dataDir);
    case 'redis':
    {
      const { kind: _, url, ...options } = config;
      return openRedisStore(url, options);
    }
  }
}
