import { listEntryProblem } from '@herald/proxy';
import { ConfigError } from '../config-error.js';
import type { FederationConfig } from '../herald-config.js';
import { type Problems, allDefined, expectList, expectString, readSection } from '../validation-kit.js';

const FEDERATION_KEYS = ['allow', 'block'] as const;

/** `federation:`, the allow and block lists (entries added through the admin API come on top); empty when absent. */
export function readFederation(value: unknown, problems: Problems): FederationConfig | undefined {
  const map = readSection('federation', value, FEDERATION_KEYS, problems);
  if (map === undefined) return undefined;
  const allow = readList('federation.allow', map.allow, problems);
  const block = readList('federation.block', map.block, problems);
  return allow && block && { allow, block };
}

function readList(key: string, value: unknown, problems: Problems): string[] | undefined {
  const list = problems.check(() => expectList(key, value ?? [], '"*.spam.example", 198.51.100.0/24'));
  if (list === undefined) return undefined;
  const entries = list.map((entry, i) => problems.check(() => parseEntry(`${key}[${i}]`, entry)));
  return allDefined(entries) ? [...new Set(entries)] : undefined;
}

function parseEntry(key: string, value: unknown): string {
  const text = expectString(key, value);
  const problem = listEntryProblem(text);
  if (problem !== null) throw new ConfigError(key, problem);
  return text.toLowerCase();
}
