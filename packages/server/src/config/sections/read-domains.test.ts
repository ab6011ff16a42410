import { problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('domains', () => {
  it('must be a list', () => {
    expect(problem('domains: example.com', 'domains')).toBe(
      'domains: expected a list, got "example.com"; write it as a YAML list, e.g. domains: [example.com]',
    );
  });

  it('must not be empty', () => {
    expect(problem('domains: []', 'domains')).toContain('is empty; list the SIP domains Herald serves');
  });

  it('rejects a scheme or a port', () => {
    expect(problem('domains: [a.org, "sip:example.com"]', 'domains[1]')).toBe(
      'domains[1]: "sip:example.com" is not a domain name or IP address; a domain is a bare host name, without scheme or port; write example.com',
    );
    expect(problem('domains: ["example.com:5060"]', 'domains[0]')).toContain('write example.com');
  });

  it('rejects a bad IPv4 address and a bad name', () => {
    expect(problem('domains: [10.0.0.256]', 'domains[0]')).toContain('write a valid IPv4 address');
    expect(problem('domains: [exa_mple.com]', 'domains[0]')).toContain('write a host name such as example.com');
  });

  it('rejects an entry that is not text', () => {
    expect(problem('domains: [{ name: x }]', 'domains[0]')).toBe('domains[0]: expected text, got a mapping; give a single value');
    expect(problem('domains: [""]', 'domains[0]')).toContain('is empty; give a value');
  });
});
