import { DomainAddressList, listEntryProblem } from './domain-address-list.js';

describe('federation allow and block lists', () => {
  const list = new DomainAddressList(['partner.example', '*.spam.example', '198.51.100.0/24', '192.0.2.7', '2001:db8::/32', 'Upper.Example']);

  it('matches exact domains, case-insensitively as written in the config', () => {
    expect(list.hasDomain('partner.example')).toBe(true);
    expect(list.hasDomain('upper.example')).toBe(true);
    expect(list.hasDomain('other.example')).toBe(false);
  });

  it('matches the subdomains of a *. entry but not the domain itself', () => {
    expect(list.hasDomain('a.spam.example')).toBe(true);
    expect(list.hasDomain('b.a.spam.example')).toBe(true);
    expect(list.hasDomain('spam.example')).toBe(false);
    expect(list.hasDomain('notspam.example')).toBe(false);
  });

  it('matches addresses and CIDR ranges, IPv4-mapped IPv6 included', () => {
    expect(list.hasAddress('198.51.100.200')).toBe(true);
    expect(list.hasAddress('::ffff:198.51.100.1')).toBe(true);
    expect(list.hasAddress('198.51.101.1')).toBe(false);
    expect(list.hasAddress('192.0.2.7')).toBe(true);
    expect(list.hasAddress('192.0.2.8')).toBe(false);
    expect(list.hasAddress('2001:db8:1::5')).toBe(true);
    expect(list.hasAddress('2001:db9::5')).toBe(false);
    expect(list.hasAddress('not-an-address')).toBe(false);
  });

  it('says what is wrong with an entry', () => {
    expect(listEntryProblem('198.51.100.0/33')).toMatch(/not a CIDR range/);
    expect(listEntryProblem('10.0.0.0/x')).toMatch(/not a CIDR range/);
    expect(listEntryProblem('bad domain')).toMatch(/not a domain or address/);
    expect(listEntryProblem('*.')).toMatch(/not a domain/);
    expect(listEntryProblem('-a.example')).toMatch(/not a domain/);
    expect(listEntryProblem('::1')).toBeNull();
    expect(() => new DomainAddressList(['ok.example', 'x y'])).toThrow(/"x y"/);
  });
});
