import type { ExpiryLimits } from '@herald/proxy';
import { type Problems, UINT32_MAX, type WholeNumberKey, allRead, readWholeNumbers } from '../validation-kit.js';

const DELTA_SECONDS: WholeNumberKey = { unit: 'seconds', max: UINT32_MAX };
const EXPIRY_KEYS = { defaultExpires: DELTA_SECONDS, minExpires: DELTA_SECONDS, maxExpires: DELTA_SECONDS } satisfies Record<keyof ExpiryLimits, WholeNumberKey>;

/** `defaultExpires`, `minExpires` and `maxExpires` of a section, the default between the other two. */
export function readExpiryLimits(section: string, map: Record<string, unknown>, defaults: ExpiryLimits, problems: Problems): ExpiryLimits | undefined {
  const limits = allRead(readWholeNumbers(section, map, EXPIRY_KEYS, defaults, problems));
  if (limits === undefined) return undefined;
  const { defaultExpires, minExpires, maxExpires } = limits;
  if (minExpires > maxExpires) {
    problems.add(`${section}.minExpires`, `${minExpires} is larger than ${section}.maxExpires (${maxExpires}); lower it or raise ${section}.maxExpires`);
    return undefined;
  }
  if (defaultExpires < minExpires || defaultExpires > maxExpires) {
    problems.add(`${section}.defaultExpires`, `${defaultExpires} is outside ${section}.minExpires..maxExpires (${minExpires}..${maxExpires}); choose a value in that range`);
    return undefined;
  }
  return limits;
}
