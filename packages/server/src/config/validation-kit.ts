import { ConfigError, type ConfigErrorCode } from './config-error.js';

// setTimeout fires at once for delays above 2^31 - 1 ms.
export const MAX_TIMER_MS = 2 ** 31 - 1;
export const UINT32_MAX = 4294967295;

/** Gathers problems so that one run reports all of them. */
export class Problems {
  readonly list: ConfigError[] = [];

  add(key: string, detail: string, code?: ConfigErrorCode): void {
    this.list.push(new ConfigError(key, detail, code));
  }

  /** Runs a check that throws at its first problem; records it and yields undefined then. */
  check<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.list.push(error);
      return undefined;
    }
  }
}

/** The value as a mapping of keys; key `''` is the file itself. */
export function expectMap(key: string, value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  if (key === '') {
    throw new ConfigError('', `the configuration must be a YAML mapping of keys (domains, listen, ...), got ${describe(value)}; start from the example in docs/configuration.md`);
  }
  throw new ConfigError(key, `expected a mapping of keys, got ${describe(value)}; write it as ${key}: { KEY: VALUE, ... }, or as indented KEY: VALUE lines under ${key}:`);
}

/** Reports each key of `map` that is not `known`, with the known keys it is probably a typo of. */
export function checkKeys(prefix: string, map: Record<string, unknown>, known: readonly string[], problems: Problems): void {
  for (const name of Object.keys(map)) {
    if (known.includes(name)) continue;
    const near = closest(name, known);
    const fix =
      near.length > 0
        ? `did you mean ${near.map((k) => `\`${k}\``).join(' or ')}?`
        : `remove it; the known keys are ${known.join(', ')}`;
    const what = prefix === '' ? 'a configuration key' : `a key of ${prefix}`;
    problems.add(prefix === '' ? name : `${prefix}.${name}`, `is not ${what}; ${fix}`, 'HERALD_ERR_CONFIG_UNKNOWN_KEY');
  }
}

/**
 * The mapping of a section that may be left out (read as empty), its unknown keys reported;
 * undefined when it is not a mapping.
 */
export function readSection(name: string, value: unknown, known: readonly string[], problems: Problems): Record<string, unknown> | undefined {
  const map = problems.check(() => expectMap(name, value ?? {}));
  if (map !== undefined) checkKeys(name, map, known, problems);
  return map;
}

export function expectList(key: string, value: unknown, example: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new ConfigError(key, `expected a list, got ${describe(value)}; write it as a YAML list, e.g. ${key}: [${example}]`);
}

export function expectString(key: string, value: unknown): string {
  if (typeof value === 'string') {
    if (value.trim() === '') throw new ConfigError(key, 'is empty; give a value, or remove the key to use the default');
    return value;
  }
  const fix = typeof value === 'object' && value !== null ? 'give a single value' : 'put the value in quotes';
  throw new ConfigError(key, `expected text, got ${describe(value)}; ${fix}`);
}

/** Text that is safe in a header value or a log line. */
export function expectLine(key: string, value: unknown): string {
  const text = expectString(key, value);
  if (/\p{Cc}/u.test(text)) {
    throw new ConfigError(key, `contains a line break or control character; write it on one line of printable characters`);
  }
  return text;
}

export function expectOneOf<T extends string>(key: string, value: unknown, options: readonly T[]): T {
  if (options.includes(value as T)) return value as T;
  throw new ConfigError(key, `expected one of ${options.join(', ')}, got ${describe(value)}; write e.g. ${key.split('.').pop()}: ${options[0]}`);
}

export function expectBoolean(key: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new ConfigError(key, `expected true or false, got ${describe(value)}; write ${key.split('.').pop()}: true or false, without quotes`);
}

export function expectInteger(key: string, value: unknown, unit: string, max: number, min = 1): number {
  const name = key.split('.').pop();
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ConfigError(key, `expected a whole number of ${unit}, got ${describe(value)}; write the number alone, e.g. ${name}: 1000`);
  }
  if (value < min || value > max) {
    throw new ConfigError(key, `${value} is out of range; use a whole number of ${unit} from ${min} to ${max}`);
  }
  return value;
}

/**
 * How one whole-number key of a section is written: `unit` names what it counts in messages
 * (`seconds`, `bytes`), `min` (default 1) and `max` bound it. A key written in seconds that the
 * package keeps in ms says `inMs`; `key` is its name in the file when the package names the
 * value otherwise (`storeFor` for `storeForMs`).
 */
export interface WholeNumberKey {
  key?: string;
  unit: string;
  min?: number;
  max: number;
  inMs?: boolean;
}

/**
 * Reads the whole-number keys that `keys` describes, in their order, into the units of the
 * package that uses them; an absent key takes its value from `defaults`, which are in those
 * units too. A field is undefined when its key had a problem, which is recorded.
 */
export function readWholeNumbers<F extends string>(
  section: string,
  map: Record<string, unknown>,
  keys: Readonly<Record<F, WholeNumberKey>>,
  defaults: Readonly<Record<NoInfer<F>, number>>,
  problems: Problems,
): Record<F, number | undefined> {
  const read = {} as Record<F, number | undefined>;
  for (const field of Object.keys(keys) as F[]) {
    const { key = field, unit, min = 1, max, inMs = false } = keys[field];
    const scale = inMs ? 1000 : 1;
    const written = problems.check(() => expectInteger(`${section}.${key}`, map[key] ?? defaults[field] / scale, unit, max, min));
    read[field] = written === undefined ? undefined : written * scale;
  }
  return read;
}

/** `fields` when every one of them was read, else undefined (the problems are recorded already). */
export function allRead<T extends Record<string, unknown>>(fields: T): { [K in keyof T]: Exclude<T[K], undefined> } | undefined {
  return Object.values(fields).every((value) => value !== undefined) ? (fields as { [K in keyof T]: Exclude<T[K], undefined> }) : undefined;
}

/** A shared secret: long enough that it cannot be guessed. */
export function expectSecret(key: string, value: unknown): string {
  const text = expectString(key, value);
  if (text.length < 16) throw new ConfigError(key, 'is shorter than 16 characters; use a long random string, e.g. the output of `openssl rand -hex 32`');
  return text;
}

/**
 * A list of mappings under `name` (`[]` when absent), each checked for unknown keys and read
 * by `read` with its key (`name[i]`); undefined when any entry had a problem.
 */
export function readMapList<T>(
  name: string,
  value: unknown,
  example: string,
  keys: readonly string[],
  problems: Problems,
  read: (key: string, map: Record<string, unknown>) => T | undefined,
): T[] | undefined {
  const list = problems.check(() => expectList(name, value ?? [], example));
  if (list === undefined) return undefined;
  const entries = list.map((entry, i) => {
    const key = `${name}[${i}]`;
    const map = problems.check(() => expectMap(key, entry));
    if (map === undefined) return undefined;
    checkKeys(key, map, keys, problems);
    return read(key, map);
  });
  return allDefined(entries) ? entries : undefined;
}

export function allDefined<T>(values: readonly (T | undefined)[]): values is T[] {
  return values.every((value) => value !== undefined);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return String(value);
}

/** Why a file could not be read, in words. */
export function fileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? (error as Error).message;
}

/** Known keys within a small edit distance of `name`, the nearest first, for "did you mean". */
function closest(name: string, known: readonly string[]): string[] {
  const limit = name.length <= 3 ? 1 : 2;
  const scored = known.map((key) => ({ key, distance: editDistance(name.toLowerCase(), key.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.distance));
  return best > limit ? [] : scored.filter((s) => s.distance === best).map((s) => s.key);
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`tsl` → `tls`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
