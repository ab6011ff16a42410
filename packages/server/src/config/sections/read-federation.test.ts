import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('federation', () => {
  it('has empty lists when absent, and keeps the listed entries in lower case, once each', () => {
    expect(parse('domains: [example.com]').federation).toEqual({ allow: [], block: [] });
    expect(parse('federation: { allow: [Partner.Example], block: ["*.Spam.example", 198.51.100.0/24, "*.spam.example"] }').federation).toEqual({
      allow: ['partner.example'],
      block: ['*.spam.example', '198.51.100.0/24'],
    });
  });

  it('names the key, quotes the entry and says what an entry may be', () => {
    expect(problem('federation: { block: ["spam example"] }', 'federation.block[0]')).toMatch(/"spam example" is not a domain or address; write a domain \(peer\.example\)/);
    expect(problem('federation: { allow: [10.0.0.0/33] }', 'federation.allow[0]')).toMatch(/CIDR range/);
    expect(problem('federation: { block: spam.example }', 'federation.block')).toMatch(/list/);
    expect(problem('federation: { blocks: [spam.example] }', 'federation.blocks')).toMatch(/block/);
  });
});
