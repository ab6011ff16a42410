import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError } from './config-error.js';
import type { HeraldConfig } from './herald-config.js';
import { readHeraldConfig } from './read-herald-config.js';
import { fileError } from './validation-kit.js';

/** File looked for in the working directory when no path is given. */
export const DEFAULT_CONFIG_FILE = 'herald.yaml';

/** The configuration used when no file is given, with `dataDir` under `baseDir`. */
export function defaultConfig(baseDir: string = process.cwd()): HeraldConfig {
  return readHeraldConfig({}, undefined, baseDir);
}

/**
 * Reads and validates the configuration file.
 *
 * The file is `path`, else `env.HERALD_CONFIG`, else `herald.yaml` in the working
 * directory if present; with none of them Herald runs on {@link defaultConfig}.
 *
 * @throws ConfigError listing every problem found, or naming the file that cannot be read.
 */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): HeraldConfig {
  const fromEnv = path === undefined && env.HERALD_CONFIG !== undefined && env.HERALD_CONFIG !== '';
  const given = path ?? (fromEnv ? env.HERALD_CONFIG : undefined);
  if (given === undefined && !existsSync(DEFAULT_CONFIG_FILE)) return defaultConfig();

  const file = resolve(given ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const fix = fromEnv
      ? 'check the path in HERALD_CONFIG, or unset it to start on the defaults'
      : 'check the path, or give none to start on the defaults';
    throw ConfigError.collect(file, [
      new ConfigError('', `cannot read the configuration file (${fileError(error)}); ${fix}`, 'HERALD_ERR_CONFIG_FILE'),
    ]);
  }
  return parseConfig(text, file);
}

/**
 * Parses and validates configuration text. Relative paths in it (`tls.cert`, `dataDir`)
 * are resolved against the directory of `source`, the file the text came from.
 *
 * @throws ConfigError listing every problem found.
 */
export function parseConfig(text: string, source: string): HeraldConfig {
  const file = resolve(source);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  // Only the first: the errors after a syntax error mostly follow from it.
  const [syntax] = doc.errors;
  if (syntax !== undefined) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    const detail = `line ${line}, column ${col}: ${syntax.message}; fix the YAML there (indent with spaces, quote values that contain ": " or " #")`;
    throw ConfigError.collect(file, [new ConfigError('', detail, 'HERALD_ERR_CONFIG_SYNTAX')]);
  }

  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    const detail = `${(error as Error).message}; fix the YAML aliases (*name)`;
    throw ConfigError.collect(file, [new ConfigError('', detail, 'HERALD_ERR_CONFIG_SYNTAX')]);
  }
  return readHeraldConfig(raw, file, dirname(file));
}
