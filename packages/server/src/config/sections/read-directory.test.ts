import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, problem, scratch, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

const DOMAINS = 'domains: [dc.acme.test, acme.test]\n';

describe('directory', () => {
  it('is absent unless configured', () => {
    expect(parse(DOMAINS).directory).toBeUndefined();
  });

  it('reads an LDAP directory, the bind password from a file, with the defaults', () => {
    writeFileSync(join(scratch.dir, 'ldap.secret'), 's3cret\n');
    const config = parse(`${DOMAINS}directory:
  ldap: { url: "ldap://127.0.0.1:389", bindDn: "cn=herald,dc=acme,dc=test", bindPasswordFile: ldap.secret, baseDn: "ou=people,dc=acme,dc=test",
          accountDomain: DC.acme.test, filter: "(objectClass=inetOrgPerson)" }
`);
    expect(config.directory).toEqual({
      ldap: {
        url: 'ldap://127.0.0.1:389',
        bindDn: 'cn=herald,dc=acme,dc=test',
        bindPassword: 's3cret',
        baseDn: 'ou=people,dc=acme,dc=test',
        accountAttribute: 'uid',
        accountDomain: 'dc.acme.test',
        externalAttribute: 'mail',
        filter: '(objectClass=inetOrgPerson)',
        cacheTimeMs: 60_000,
        timeoutMs: 5_000,
      },
    });
  });

  it('binds anonymously without bindDn, and takes cacheTime 0', () => {
    const config = parse(`${DOMAINS}directory: { ldap: { url: "ldaps://ldap.acme.test", baseDn: "dc=acme,dc=test", accountAttribute: userPrincipalName, cacheTime: 0 } }\n`);
    expect(config.directory?.ldap).toEqual({ url: 'ldaps://ldap.acme.test', baseDn: 'dc=acme,dc=test', accountAttribute: 'userPrincipalName', externalAttribute: 'mail', cacheTimeMs: 0, timeoutMs: 5_000 });
  });

  it.each([
    ['directory: { ldap: { baseDn: "dc=acme,dc=test" } }', 'directory.ldap.url', /is required; give the LDAP server/],
    ['directory: { ldap: { url: "http://ldap.acme.test", baseDn: "dc=acme,dc=test" } }', 'directory.ldap.url', /not an LDAP server URL; write ldap:\/\/HOST:PORT/],
    ['directory: { ldap: { url: "ldap://h/dc=acme", baseDn: "dc=acme,dc=test" } }', 'directory.ldap.url', /the base DN goes in baseDn/],
    ['directory: { ldap: { url: "ldap://h" } }', 'directory.ldap.baseDn', /is required/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, accountDomain: other.test } }', 'directory.ldap.accountDomain', /not one of domains \(dc.acme.test, acme.test\)/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, filter: "objectClass=person" } }', 'directory.ldap.filter', /not an LDAP filter.*in parentheses/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, filter: "(&(objectClass=person)" } }', 'directory.ldap.filter', /unbalanced parentheses/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, externalAttribute: "mail)(uid=*" } }', 'directory.ldap.externalAttribute', /not an LDAP attribute name/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, bindDn: "cn=herald" } }', 'directory.ldap.bindPassword', /bindPasswordFile: PATH/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, bindPassword: x } }', 'directory.ldap.bindDn', /is required with a bind password/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, bindDn: c, bindPassword: x, bindPasswordFile: f } }', 'directory.ldap.bindPasswordFile', /cannot be given with bindPassword/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, bindDn: c, bindPasswordFile: missing.secret } }', 'directory.ldap.bindPasswordFile', /cannot read .*missing.secret \(no such file\)/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, cacheTime: -1 } }', 'directory.ldap.cacheTime', /out of range/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b, cachetime: 5 } }', 'directory.ldap.cachetime', /did you mean `cacheTime`/],
    ['directory: { ldap: { url: "ldap://h", baseDn: b }, url: "ldap://h" }', 'directory.url', /is not a key of directory/],
  ])('%s: %s', (text, key, message) => {
    expect(problem(`${DOMAINS}${text}\n`, key)).toMatch(message);
  });
});
