import { PassThrough } from 'node:stream';
import { MemoryUserStore } from '@herald/store';
import { FakeClock, type SlapdServer, startSlapd } from '@herald/test-kit';
import { createLogger } from '../logger.js';
import { DIRECTORY_RETRY_AFTER_MS, DirectoryAliases } from './directory-aliases.js';
import { LDAP_DIRECTORY_DEFAULTS, LdapDirectory, type LdapDirectorySettings } from './ldap-directory.js';

const SUFFIX = 'dc=acme,dc=test';
const person = (uid: string, mail: string, description = `${uid}@dc.acme.test`) =>
  [`dn: uid=${uid},ou=people,${SUFFIX}`, 'objectClass: inetOrgPerson', `uid: ${uid}`, `cn: ${uid}`, `sn: ${uid}`, `mail: ${mail}`, `description: ${description}`].join('\n');
const LDIF = [
  `dn: ou=people,${SUFFIX}\nobjectClass: organizationalUnit\nou: people`,
  person('asmith', 'Alice_Smith@acme.test'),
  person('bjones', 'Bob_Jones@other.test'),
  // One external form for two people: the directory's error, which maps neither.
  person('cdoe', 'shared@acme.test'),
  person('ddoe', 'shared@acme.test'),
].join('\n\n');
const CACHE_MS = 60_000;

describe('DirectoryAliases: ID conversion from an LDAP directory when the store has no mapping', () => {
  let slapd: SlapdServer;
  let clock: FakeClock;
  let users: MemoryUserStore;
  let lines: string[];
  let directory: LdapDirectory;

  const aliases = (settings: Partial<LdapDirectorySettings> = {}) => {
    const out = new PassThrough();
    out.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    directory = new LdapDirectory({
      ...LDAP_DIRECTORY_DEFAULTS,
      url: slapd.url,
      bindDn: slapd.adminDn,
      bindPassword: slapd.adminPassword,
      baseDn: SUFFIX,
      accountDomain: 'dc.acme.test',
      filter: '(objectClass=inetOrgPerson)',
      cacheTimeMs: CACHE_MS,
      ...settings,
    });
    return new DirectoryAliases({ users, directory, cacheTimeMs: CACHE_MS, clock, logger: createLogger({ level: 'info', format: 'json' }, out), url: slapd.url });
  };

  beforeAll(async () => {
    slapd = await startSlapd({ suffix: SUFFIX, ldif: LDIF });
  }, 30_000);
  afterAll(async () => {
    await slapd?.close();
  });
  beforeEach(() => {
    clock = new FakeClock();
    users = new MemoryUserStore();
    lines = [];
  });
  afterEach(async () => {
    await directory?.close();
  });

  it('reads an account\'s external form and the account an external form names', async () => {
    const ids = aliases();
    await expect(ids.externalAliasOf('sip:asmith@dc.acme.test')).resolves.toBe('sip:Alice_Smith@acme.test');
    await expect(ids.resolveAlias('sip:Alice_Smith@acme.test')).resolves.toBe('sip:asmith@dc.acme.test');
    // The directory's equality match for mail ignores case (caseIgnoreIA5Match).
    await expect(ids.resolveAlias('sip:alice_smith@acme.test')).resolves.toBe('sip:asmith@dc.acme.test');
    await expect(ids.externalAliasOf('sip:nobody@dc.acme.test')).resolves.toBeUndefined();
    await expect(ids.resolveAlias('sip:nobody@acme.test')).resolves.toBeUndefined();
    // accountDomain: the directory names accounts of that domain only.
    await expect(ids.externalAliasOf('sip:asmith@acme.test')).resolves.toBeUndefined();
  });

  it('takes the account as user@domain from the attribute when no accountDomain is set', async () => {
    const ids = aliases({ accountDomain: undefined, accountAttribute: 'description' });
    await expect(ids.externalAliasOf('sip:bjones@dc.acme.test')).resolves.toBe('sip:Bob_Jones@other.test');
    await expect(ids.resolveAlias('sip:Bob_Jones@other.test')).resolves.toBe('sip:bjones@dc.acme.test');
  });

  it('answers with the store\'s mapping first', async () => {
    await users.addAlias('sip:a.smith@acme.test', 'sip:asmith@dc.acme.test');
    await users.setExternalAlias('sip:asmith@dc.acme.test', 'sip:a.smith@acme.test');
    const ids = aliases();
    await expect(ids.externalAliasOf('sip:asmith@dc.acme.test')).resolves.toBe('sip:a.smith@acme.test');
    await expect(ids.resolveAlias('sip:a.smith@acme.test')).resolves.toBe('sip:asmith@dc.acme.test');
  });

  it('maps neither of two entries that share an external form', async () => {
    const ids = aliases();
    await expect(ids.resolveAlias('sip:shared@acme.test')).resolves.toBeUndefined();
    await expect(ids.externalAliasOf('sip:cdoe@dc.acme.test')).resolves.toBe('sip:shared@acme.test');
  });

  it('RFC 4515 §3: a name with filter characters matches only itself', async () => {
    const ids = aliases();
    // Unescaped, (mail=Alice*@acme.test) would be a substring match finding asmith.
    await expect(ids.resolveAlias('sip:Alice*@acme.test')).resolves.toBeUndefined();
    await expect(ids.resolveAlias('sip:*)(uid=asmith@acme.test')).resolves.toBeUndefined();
  });

  it('keeps answers for cacheTime, warns once while the server is stopped, answers "no mapping" and reads it again once it is back', async () => {
    const ids = aliases();
    await expect(ids.externalAliasOf('sip:asmith@dc.acme.test')).resolves.toBe('sip:Alice_Smith@acme.test');
    await expect(ids.resolveAlias('sip:nobody@acme.test')).resolves.toBeUndefined();
    await slapd.stop();
    try {
      // Kept answers, positive and negative, need no server.
      await expect(ids.externalAliasOf('sip:asmith@dc.acme.test')).resolves.toBe('sip:Alice_Smith@acme.test');
      await expect(ids.resolveAlias('sip:Bob_Jones@other.test')).resolves.toBeUndefined();
      await expect(ids.resolveAlias('sip:Alice_Smith@acme.test')).resolves.toBeUndefined();
      clock.advance(CACHE_MS + 1);
      await expect(ids.externalAliasOf('sip:asmith@dc.acme.test')).resolves.toBeUndefined();
      await new Promise((r) => setImmediate(r));
      const warnings = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'warn');
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ url: slapd.url });
      expect(String(warnings[0].message)).toContain('cannot be asked');
    } finally {
      await slapd.restart();
    }
    // Within the retry interval the server is not asked; after it, it is.
    await expect(ids.resolveAlias('sip:Alice_Smith@acme.test')).resolves.toBeUndefined();
    clock.advance(DIRECTORY_RETRY_AFTER_MS);
    await expect(ids.resolveAlias('sip:Alice_Smith@acme.test')).resolves.toBe('sip:asmith@dc.acme.test');
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 'info').map((l) => l.message)).toEqual([expect.stringContaining('answers again')]);
  });
});
