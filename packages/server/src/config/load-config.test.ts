import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.js';
import { defaultConfig, loadConfig } from './load-config.js';
import { reject, scratch, useScratchDir } from '../../test/helpers/config-fixture.js';

useScratchDir();

describe('YAML syntax', () => {
  it('names the file and line', () => {
    const error = reject('domains: [example.com]\nlisten:\n  - udp://0.0.0.0:5060\n - tcp://0.0.0.0:5060\n');
    expect(error.code).toBe('HERALD_ERR_CONFIG_SYNTAX');
    expect(error.key).toBe('');
    expect(error.errors).toHaveLength(1);
    expect(error.message).toMatch(new RegExp(`^${scratch.file}: line 4, column 1: .*; fix the YAML there`));
  });

  it('rejects a key given twice', () => {
    const error = reject('log: { level: info }\nlog: { level: debug }\n');
    expect(error.code).toBe('HERALD_ERR_CONFIG_SYNTAX');
    expect(error.message).toContain('line 2, column 1');
  });

  it('rejects an alias without its anchor', () => {
    const error = reject('log: *defaults\n');
    expect(error.code).toBe('HERALD_ERR_CONFIG_SYNTAX');
    expect(error.message).toMatch(new RegExp(`^${scratch.file}: .*defaults.*; fix the YAML aliases`));
  });

  it('rejects a file that is not a mapping', () => {
    const error = reject('- udp://0.0.0.0:5060\n');
    expect(error.key).toBe('');
    expect(error.message).toContain('the configuration must be a YAML mapping of keys (domains, listen, ...), got a list; start from the example');
  });
});

describe('loadConfig', () => {
  let cwd: string;
  beforeEach(() => {
    cwd = process.cwd();
    process.chdir(scratch.dir);
  });
  afterEach(() => {
    process.chdir(cwd);
  });

  it('uses the defaults when no file is given and herald.yaml is absent', () => {
    expect(loadConfig(undefined, {})).toEqual(defaultConfig(scratch.dir));
  });

  it('reads herald.yaml from the working directory', () => {
    writeFileSync(scratch.file, 'domains: [example.org]\n');
    const config = loadConfig(undefined, {});
    expect(config.domains).toEqual(['example.org']);
    expect(config.source).toBe(scratch.file);
  });

  it('reads the file named by HERALD_CONFIG', () => {
    writeFileSync(join(scratch.dir, 'other.yaml'), 'domains: [example.net]\n');
    writeFileSync(scratch.file, 'domains: [example.org]\n');
    expect(loadConfig(undefined, { HERALD_CONFIG: 'other.yaml' }).domains).toEqual(['example.net']);
  });

  it('prefers the path given over HERALD_CONFIG', () => {
    writeFileSync(join(scratch.dir, 'given.yaml'), 'domains: [given.example]\n');
    expect(loadConfig('given.yaml', { HERALD_CONFIG: 'missing.yaml' }).domains).toEqual(['given.example']);
  });

  it('fails on a missing file given explicitly', () => {
    const error = (() => {
      try {
        loadConfig('missing.yaml', {});
      } catch (e) {
        return e as ConfigError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.code).toBe('HERALD_ERR_CONFIG_FILE');
    expect(error.message).toBe(
      `${join(scratch.dir, 'missing.yaml')}: cannot read the configuration file (no such file); check the path, or give none to start on the defaults`,
    );
  });

  it('fails on a missing file named by HERALD_CONFIG', () => {
    expect(() => loadConfig(undefined, { HERALD_CONFIG: 'missing.yaml' })).toThrow(
      'cannot read the configuration file (no such file); check the path in HERALD_CONFIG, or unset it to start on the defaults',
    );
  });
});
