import { availableParallelism } from 'node:os';
import { ConfigError } from '../config-error.js';
import type { StoreConfig } from '../herald-config.js';
import { expectInteger } from '../validation-kit.js';

/** `auto`: one worker per core on Redis; the embedded store lives in one process. */
export function readWorkers(value: unknown, store: StoreConfig): number {
  if (value === 'auto') return store.kind === 'redis' ? Math.max(1, availableParallelism()) : 1;
  const n = expectInteger('workers', value, 'processes', 256);
  if (n > 1 && store.kind === 'embedded') {
    throw new ConfigError('workers', `${n} workers need a shared store; the embedded store lives in one process, so set store: redis://HOST:6379 or workers: 1`);
  }
  return n;
}
