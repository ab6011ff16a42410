import type { AdminConfig } from '../herald-config.js';
import { parseHostPortKey } from '../host-port.js';
import { type Problems, checkKeys, expectMap, expectSecret } from '../validation-kit.js';

const ADMIN_KEYS = ['listen', 'token'] as const;

/** `admin:`, the admin HTTP API's address (127.0.0.1:8088 by default) and its required token; undefined when absent. */
export function readAdmin(value: unknown, problems: Problems): AdminConfig | undefined {
  if (value == null) return undefined;
  const map = problems.check(() => expectMap('admin', value));
  if (map === undefined) return undefined;
  checkKeys('admin', map, ADMIN_KEYS, problems);
  const address = problems.check(() => parseHostPortKey('admin.listen', map.listen ?? '127.0.0.1:8088'));
  let token: string | undefined;
  if (map.token == null) {
    problems.add('admin.token', 'is required with admin; give a long random string (e.g. the output of `openssl rand -hex 32`) that API clients send as "Authorization: Bearer TOKEN"', 'HERALD_ERR_CONFIG_REQUIRED');
  } else {
    token = problems.check(() => expectSecret('admin.token', map.token));
  }
  if (address === undefined || token === undefined) return undefined;
  return { ...address, token };
}
