import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('enum', () => {
  it('asks e164.arpa when absent, the listed suffixes in order when given, none when empty', () => {
    expect(parse('domains: [example.com]').enum).toEqual({ suffixes: ['e164.arpa'] });
    expect(parse('enum: { suffixes: [E164.Example.NET., e164.arpa] }').enum).toEqual({ suffixes: ['e164.example.net', 'e164.arpa'] });
    expect(parse('enum: { suffixes: [] }').enum).toEqual({ suffixes: [] });
  });

  it('names the key and the fix for a suffix that is no domain, and for an unknown key', () => {
    expect(problem('enum: { suffixes: ["not a domain"] }', 'enum.suffixes[0]')).toMatch(/e164\.arpa/);
    expect(problem('enum: { suffixes: e164.arpa }', 'enum.suffixes')).toMatch(/list/);
    expect(problem('enum: { sufixes: [e164.arpa] }', 'enum.sufixes')).toMatch(/suffixes/);
  });
});
