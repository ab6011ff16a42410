import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('registrar', () => {
  it('reads every key', () => {
    expect(parse('registrar: { defaultExpires: 600, minExpires: 30, maxExpires: 3600, maxContacts: 2 }').registrar).toEqual({ defaultExpires: 600, minExpires: 30, maxExpires: 3600, maxContacts: 2 });
  });

  it('keeps the default within the minimum and the maximum', () => {
    expect(problem('registrar: { minExpires: 7200, maxExpires: 3600 }', 'registrar.minExpires')).toMatch(/^registrar\.minExpires: 7200 is larger than registrar\.maxExpires/);
    expect(problem('registrar: { defaultExpires: 10 }', 'registrar.defaultExpires')).toMatch(/^registrar\.defaultExpires: 10 is outside/);
  });
});
