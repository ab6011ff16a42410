import type { LogConfig, LogLevel } from '../herald-config.js';
import { type Problems, allRead, expectOneOf, readSection } from '../validation-kit.js';

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
const LOG_FORMATS: readonly LogConfig['format'][] = ['json', 'pretty', 'auto'];
const LOG_KEYS = ['level', 'format'] as const;

/** `log:`, level and format. */
export function readLog(value: unknown, problems: Problems): LogConfig | undefined {
  const map = readSection('log', value, LOG_KEYS, problems);
  if (map === undefined) return undefined;
  const level = problems.check(() => expectOneOf('log.level', map.level ?? 'info', LOG_LEVELS));
  const format = problems.check(() => expectOneOf('log.format', map.format ?? 'auto', LOG_FORMATS));
  return allRead({ level, format });
}
