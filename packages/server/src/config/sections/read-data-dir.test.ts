import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, problem, scratch, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('dataDir', () => {
  it('may name a directory that does not exist yet under a writable one', () => {
    expect(parse('dataDir: var/herald').dataDir).toBe(join(scratch.dir, 'var/herald'));
  });

  it('is refused under /proc, where mkdir fails under a directory that exists', () => {
    expect(problem('dataDir: /proc/herald', 'dataDir')).toBe(
      'dataDir: "/proc/herald" cannot be created: "/proc" is on procfs, a kernel file system that holds no files; give a directory on a disk, e.g. dataDir: /var/lib/herald',
    );
  });

  it('is refused when a file stands in its place or in its path', () => {
    writeFileSync(join(scratch.dir, 'data'), '');
    expect(problem('dataDir: data', 'dataDir')).toContain(`"${join(scratch.dir, 'data')}" is not a directory; give a directory for the embedded store's files`);
    expect(problem('dataDir: data/herald', 'dataDir')).toContain(`cannot be created: "${join(scratch.dir, 'data')}" is not a directory`);
  });

  it('is not checked for a Redis store, which keeps no files', () => {
    expect(parse('store: redis://127.0.0.1:6379\ndataDir: /proc/herald').dataDir).toBe('/proc/herald');
  });
});
