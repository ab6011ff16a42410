import { DEFAULT_ENUM_SUFFIXES, canonicalName } from '@herald/stack';
import { ConfigError } from '../config-error.js';
import type { EnumConfig } from '../herald-config.js';
import { isHostname } from '../host-port.js';
import { type Problems, allDefined, expectList, expectString, readSection } from '../validation-kit.js';

const ENUM_KEYS = ['suffixes'] as const;

/** `enum:`, the ENUM trees asked for telephone numbers, in order; `e164.arpa` when absent, none when `suffixes: []`. @see RFC 6116 */
export function readEnum(value: unknown, problems: Problems): EnumConfig | undefined {
  const map = readSection('enum', value, ENUM_KEYS, problems);
  if (map === undefined) return undefined;
  const list = problems.check(() => expectList('enum.suffixes', map.suffixes ?? DEFAULT_ENUM_SUFFIXES, 'e164.arpa'));
  if (list === undefined) return undefined;
  const suffixes = list.map((entry, i) => problems.check(() => parseSuffix(`enum.suffixes[${i}]`, entry)));
  return allDefined(suffixes) ? { suffixes: [...new Set(suffixes)] } : undefined;
}

function parseSuffix(key: string, value: unknown): string {
  const text = canonicalName(expectString(key, value));
  if (isHostname(text)) return text;
  throw new ConfigError(key, `"${value}" is not a domain under which numbers are published; write one such as e164.arpa or e164.example.net`);
}
