import type { Intervals } from '../herald-config.js';
import { type Problems, expectInteger } from '../validation-kit.js';

/** `defaultExpires`, `minExpires` and `maxExpires` of a section, the default between the other two. */
export function readIntervals(section: string, map: Record<string, unknown>, fallback: Intervals, problems: Problems): Intervals | undefined {
  const integer = (name: keyof Intervals) => problems.check(() => expectInteger(`${section}.${name}`, map[name] ?? fallback[name], 'seconds', 4294967295));
  const defaultExpires = integer('defaultExpires');
  const minExpires = integer('minExpires');
  const maxExpires = integer('maxExpires');
  if (defaultExpires === undefined || minExpires === undefined || maxExpires === undefined) return undefined;
  if (minExpires > maxExpires) {
    problems.add(`${section}.minExpires`, `${minExpires} is larger than ${section}.maxExpires (${maxExpires}); lower it or raise ${section}.maxExpires`);
    return undefined;
  }
  if (defaultExpires < minExpires || defaultExpires > maxExpires) {
    problems.add(`${section}.defaultExpires`, `${defaultExpires} is outside ${section}.minExpires..maxExpires (${minExpires}..${maxExpires}); choose a value in that range`);
    return undefined;
  }
  return { defaultExpires, minExpires, maxExpires };
}
