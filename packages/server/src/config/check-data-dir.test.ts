import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDataDir } from './check-data-dir.js';
import { ConfigError } from './config-error.js';

/** The message of the ConfigError `checkDataDir` throws for `path`. */
function problem(path: string): string {
  try {
    checkDataDir(path);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.key).toBe('dataDir');
    return error.message;
  }
  throw new Error(`expected a ConfigError for ${path}`);
}

describe('dataDir', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-data-dir-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('may be a directory, or not exist yet under a writable one', () => {
    expect(() => checkDataDir(dir)).not.toThrow();
    expect(() => checkDataDir(join(dir, 'var/herald'))).not.toThrow();
  });

  it('is refused under /proc, where mkdir fails under a directory that exists', () => {
    expect(problem('/proc/herald')).toBe(
      'dataDir: "/proc/herald" cannot be created: "/proc" is on procfs, a kernel file system that holds no files; give a directory on a disk, e.g. dataDir: /var/lib/herald',
    );
  });

  it('is refused when a file stands in its place or in its path', () => {
    writeFileSync(join(dir, 'data'), '');
    expect(problem(join(dir, 'data'))).toBe(`dataDir: "${join(dir, 'data')}" is not a directory; give a directory for the embedded store's files, e.g. dataDir: /var/lib/herald`);
    expect(problem(join(dir, 'data/herald'))).toContain(`cannot be created: "${join(dir, 'data')}" is not a directory`);
  });
});
