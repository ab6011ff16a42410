import { DEFAULT_REGISTRAR_POLICY, type RegistrarPolicy } from '@herald/registrar';
import { type Problems, UINT32_MAX, readSection, readWholeNumbers } from '../validation-kit.js';
import { readExpiryLimits } from './read-expiry-limits.js';

const REGISTRAR_KEYS = ['defaultExpires', 'minExpires', 'maxExpires', 'maxContacts'] as const;

/** `registrar:`, into @herald/registrar's policy. @see RFC 3261 §10.3 */
export function readRegistrar(value: unknown, problems: Problems): RegistrarPolicy | undefined {
  const map = readSection('registrar', value, REGISTRAR_KEYS, problems);
  if (map === undefined) return undefined;
  const expiry = readExpiryLimits('registrar', map, DEFAULT_REGISTRAR_POLICY, problems);
  const { maxContacts } = readWholeNumbers('registrar', map, { maxContacts: { unit: 'contacts', max: UINT32_MAX } }, DEFAULT_REGISTRAR_POLICY, problems);
  if (expiry === undefined || maxContacts === undefined) return undefined;
  return { ...expiry, maxContacts };
}
