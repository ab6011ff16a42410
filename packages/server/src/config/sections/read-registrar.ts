import type { RegistrarConfig } from '../herald-config.js';
import { type Problems, checkKeys, expectInteger, expectMap } from '../validation-kit.js';
import { readIntervals } from './read-expiry-limits.js';

const REGISTRAR_KEYS = ['defaultExpires', 'minExpires', 'maxExpires', 'maxContacts'] as const;

export function readRegistrar(value: unknown, problems: Problems): RegistrarConfig | undefined {
  const map = problems.check(() => expectMap('registrar', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('registrar', map, REGISTRAR_KEYS, problems);
  const intervals = readIntervals('registrar', map, { defaultExpires: 3600, minExpires: 60, maxExpires: 86400 }, problems);
  const maxContacts = problems.check(() => expectInteger('registrar.maxContacts', map.maxContacts ?? 10, 'contacts', 4294967295));
  if (intervals === undefined || maxContacts === undefined) return undefined;
  return { ...intervals, maxContacts };
}
