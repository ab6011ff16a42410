import { problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('log', () => {
  it('takes a known level', () => {
    expect(problem('log: { level: verbose }', 'log.level')).toBe(
      'log.level: expected one of error, warn, info, debug, got "verbose"; write e.g. level: error',
    );
  });

  it('must be a mapping', () => {
    expect(problem('log: debug', 'log')).toContain('expected a mapping of keys, got "debug"; write it as log: { KEY: VALUE, ... }');
  });
});
