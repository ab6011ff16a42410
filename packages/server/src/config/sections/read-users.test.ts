import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('users', () => {
  it('seeds accounts, the domain defaulting to the first served one', () => {
    const config = parse('domains: [example.com, example.org]\nusers:\n  - { user: alice, password: "s3cret" }\n  - { user: bob, domain: example.org, password: pw }');
    expect(config.users).toEqual([
      { user: 'alice', domain: 'example.com', password: 's3cret' },
      { user: 'bob', domain: 'example.org', password: 'pw' },
    ]);
  });

  it('names the entry whose domain is not served', () => {
    expect(problem('domains: [example.com]\nusers: [{ user: alice, domain: example.net, password: pw }]', 'users[0].domain')).toBe(
      'users[0].domain: "example.net" is not a served domain; use one of example.com, or add it to domains',
    );
  });

  it('refuses a user name with a domain in it, and a password YAML read as a number', () => {
    expect(problem('users: [{ user: alice@example.com, password: pw }]', 'users[0].user')).toMatch(/^users\[0\]\.user: "alice@example.com" is not a user name/);
    expect(problem('users: [{ user: alice, password: 1234 }]', 'users[0].password')).toBe('users[0].password: is a number; put the password in quotes so that YAML keeps it as written');
  });

  it('requires a password', () => {
    expect(problem('users: [{ user: alice }]', 'users[0].password')).toMatch(/^users\[0\]\.password: is required/);
  });
});

describe('users, when domains was refused', () => {
  it('reports domains alone, not a served-domain problem with an empty list of domains', () => {
    expect(problem('domains: []\nusers: [{ user: alice, domain: example.com, password: pw }]', 'domains')).toContain('is empty');
    expect(problem('domains: ["a b"]\nusers: [{ user: alice, password: pw }]', 'domains[0]')).toContain('is not a domain name');
    expect(problem('domains: []\npresence: { domains: [{ domain: other.example }] }', 'domains')).toContain('is empty');
  });
});
