import { ConfigError } from '../config-error.js';
import type { StoreConfig } from '../herald-config.js';
import { parseHostPortKey } from '../host-port.js';
import { type Problems, checkKeys, expectLine, expectList, expectMap, expectString } from '../validation-kit.js';

const REDIS_KEYS = ['keyPrefix', 'sentinels', 'name', 'cluster'] as const;

/** `store:`, `embedded` or a Redis URL. */
export function readStore(value: unknown): StoreConfig {
  const text = expectString('store', value);
  if (text === 'embedded') return { kind: 'embedded' };
  const shown = `"${redactPassword(text)}"`;
  const fix = 'write embedded, or a Redis URL such as redis://127.0.0.1:6379 (rediss:// for TLS)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('store', `${shown} is not "embedded" or a Redis URL; ${fix}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('store', `${shown} is not "embedded" or a Redis URL; ${fix}`);
  }
  if (url.hostname === '') {
    throw new ConfigError('store', `${shown} names no Redis host; ${fix}`);
  }
  if (!/^\/?\d*$/.test(url.pathname)) {
    throw new ConfigError('store', `${shown}: the path of a Redis URL is a database number; write e.g. redis://127.0.0.1:6379/0`);
  }
  return { kind: 'redis', url: text };
}

function redactPassword(url: string): string {
  return url.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@');
}

/** `store` with what `redis:` adds to a Redis URL: a key prefix, Sentinel or Cluster nodes. */
export function withRedis(store: StoreConfig | undefined, value: unknown, problems: Problems): StoreConfig | undefined {
  if (value == null || store === undefined) return store;
  const map = problems.check(() => expectMap('redis', value));
  if (map === undefined) return undefined;
  if (store.kind !== 'redis') {
    problems.add('redis', 'applies to a Redis store only; set store: redis://HOST:6379, or remove redis:');
    return undefined;
  }
  checkKeys('redis', map, REDIS_KEYS, problems);
  const keyPrefix = map.keyPrefix == null ? undefined : problems.check(() => expectKeyPrefix(map.keyPrefix));
  const nodes = (key: 'sentinels' | 'cluster') =>
    map[key] == null ? undefined : problems.check(() => expectList(`redis.${key}`, map[key], '"10.0.0.5:26379"').map((v, i) => parseHostPortKey(`redis.${key}[${i}]`, v)));
  const sentinels = nodes('sentinels');
  const cluster = nodes('cluster');
  const name = map.name == null ? undefined : problems.check(() => expectLine('redis.name', map.name));
  if (sentinels !== undefined && name === undefined) {
    problems.add('redis.name', 'is required with redis.sentinels; give the name of the master the sentinels watch (e.g. mymaster)', 'HERALD_ERR_CONFIG_REQUIRED');
    return undefined;
  }
  if (sentinels !== undefined && cluster !== undefined) {
    problems.add('redis.cluster', 'cannot be combined with redis.sentinels; use one of them');
    return undefined;
  }
  return { ...store, ...(keyPrefix && { keyPrefix }), ...(sentinels && { sentinels }), ...(name && { name }), ...(cluster && { cluster }) };
}

function expectKeyPrefix(value: unknown): string {
  const text = expectLine('redis.keyPrefix', value);
  if (/[{}\s]/.test(text)) throw new ConfigError('redis.keyPrefix', `"${text}" holds braces or spaces; braces would put every key in one Cluster slot, so write e.g. herald:`);
  return text;
}
