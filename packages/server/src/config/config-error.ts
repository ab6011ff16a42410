/**
 * Stable codes of configuration errors.
 *
 * - `HERALD_ERR_CONFIG_INVALID`: a value has the wrong type, range or form.
 * - `HERALD_ERR_CONFIG_UNKNOWN_KEY`: a key Herald does not know (often a typo).
 * - `HERALD_ERR_CONFIG_REQUIRED`: a key that the rest of the configuration needs is absent.
 * - `HERALD_ERR_CONFIG_FILE`: the configuration file, or a file it names, cannot be read.
 * - `HERALD_ERR_CONFIG_SYNTAX`: the file is not valid YAML.
 */
export type ConfigErrorCode =
  | 'HERALD_ERR_CONFIG_INVALID'
  | 'HERALD_ERR_CONFIG_UNKNOWN_KEY'
  | 'HERALD_ERR_CONFIG_REQUIRED'
  | 'HERALD_ERR_CONFIG_FILE'
  | 'HERALD_ERR_CONFIG_SYNTAX';

/**
 * A configuration that Herald refuses to start with.
 *
 * One problem reads `key: what is wrong; how to fix it`. `loadConfig` and `parseConfig`
 * throw a single `ConfigError` for the whole file: its `errors` lists every problem found
 * (at least one), its message puts each on its own line under the file name, and its
 * `key` and `code` are those of the first problem.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** Dotted path of the offending key (`listen[1]`, `tls.cert`); empty for the file as a whole. */
  readonly key: string;
  readonly code: ConfigErrorCode;
  #problems: readonly ConfigError[] = [this];

  constructor(key: string, detail: string, code: ConfigErrorCode = 'HERALD_ERR_CONFIG_INVALID') {
    super(key === '' ? detail : `${key}: ${detail}`);
    this.key = key;
    this.code = code;
  }

  /** Every problem found; a single problem lists itself. */
  get errors(): readonly ConfigError[] {
    return this.#problems;
  }

  /** Gathers the problems found in `source` into the one error to throw. */
  static collect(source: string, problems: readonly ConfigError[]): ConfigError {
    const [first] = problems;
    if (first === undefined) throw new Error('ConfigError.collect needs at least one problem');
    const message =
      problems.length === 1
        ? `${source}: ${first.message}`
        : `${source}: ${problems.length} configuration errors:\n${problems.map((p) => `  ${p.message}`).join('\n')}`;
    const error = new ConfigError(first.key, '', first.code);
    error.message = message;
    error.#problems = problems;
    return error;
  }
}
