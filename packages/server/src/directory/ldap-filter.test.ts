import { equalityFilter, escapeFilterValue } from './ldap-filter.js';

describe('RFC 4515 §3 filter values', () => {
  it('escapes the characters that would change the filter, and nothing else', () => {
    expect(escapeFilterValue('Alice_Smith@acme.test')).toBe('Alice_Smith@acme.test');
    expect(escapeFilterValue('*)(uid=*')).toBe('\\2a\\29\\28uid=\\2a');
    expect(escapeFilterValue('a\\b\0c')).toBe('a\\5cb\\00c');
  });

  it('ands the equality match with the operator\'s filter', () => {
    expect(equalityFilter('mail', 'x*@acme.test')).toBe('(mail=x\\2a@acme.test)');
    expect(equalityFilter('uid', 'asmith', '(objectClass=inetOrgPerson)')).toBe('(&(objectClass=inetOrgPerson)(uid=asmith))');
  });
});
