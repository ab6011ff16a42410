import { type NamedServer, startNamed } from '@herald/test-kit';
import { DnsClient, DnsError, EnumLookup, MailboxServers } from '../src/index.js';

// A real named serving a public-style tree, a private tree, and a domain's _im/_pres SRV records.
describe('RFC 6116 ENUM and RFC 3861 SRV against a real named', () => {
  let named: NamedServer;
  let dns: DnsClient;

  beforeAll(async () => {
    named = await startNamed([
      {
        origin: 'e164.arpa',
        records: [
          '0.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 10 "u" "E2U+sip" "!^.*$!sip:bob@peer.test!" .',
          '0.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 20 "u" "E2U+im" "!^.*$!im:bob@peer.test!" .',
          // Non-terminal: the block +1 202 555 01xx is delegated by NAPTR to the private tree.
          '1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 10 "" "" "" 0.1.0.5.5.5.2.0.2.1.e164.example.',
          // An expression with what EREs leave undefined (\d) and a runaway one, before the good one, are skipped
          // (named itself refuses to load the grossly malformed ones).
          '2.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 10 "u" "E2U+sip" "!^\\\\+\\\\d+$!sip:undefined@peer.test!" .',
          '2.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 20 "u" "E2U+sip" "!^(.+)+$!sip:runaway@peer.test!" .',
          '2.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 30 "u" "E2U+sip" "!^\\\\+1(.*)$!sip:\\\\1@peer.test!" .',
        ],
      },
      {
        origin: 'e164.example',
        records: [
          '0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 10 "u" "E2U+sip" "!^\\\\+1202555(.*)$!sip:ext\\\\1@private.test!" .',
          '9.9.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 10 "u" "E2U+sip" "!^.*$!sip:only-private@private.test!" .',
        ],
      },
      {
        origin: 'peer.test',
        records: ['_im._sip 60 IN SRV 20 10 5070 sip2', '_im._sip 60 IN SRV 10 10 5060 sip1', '_pres._sip 60 IN SRV 0 0 0 .'],
      },
    ]);
    dns = new DnsClient({ servers: [named.server], timeoutMs: 500, attempts: 1 });
  });
  afterAll(async () => {
    await named?.stop();
  });

  it('finds E2U+im before E2U+sip when asked for im, within one Order whatever the Preference', async () => {
    const enumLookup = new EnumLookup(dns, ['e164.arpa']);
    expect(await enumLookup.resolve('+12025550100', ['im', 'sip'])).toEqual({ uri: 'im:bob@peer.test', enumservice: 'im', domain: '0.0.1.0.5.5.5.2.0.2.1.e164.arpa' });
    expect(await enumLookup.resolve('+12025550100', ['sip'])).toEqual({ uri: 'sip:bob@peer.test', enumservice: 'sip', domain: '0.0.1.0.5.5.5.2.0.2.1.e164.arpa' });
  });

  it('skips malformed and runaway expressions and uses the next record', async () => {
    const found = await new EnumLookup(dns, ['e164.arpa']).resolve('+12025550102', ['sip']);
    expect(found?.uri).toBe('sip:2025550102@peer.test');
  });

  it('follows a non-terminal record to the domain it names', async () => {
    const viaBlock = await new EnumLookup(dns, ['e164.arpa']).resolve('+120255501', ['sip']);
    expect(viaBlock).toEqual({ uri: 'sip:ext01@private.test', enumservice: 'sip', domain: '0.1.0.5.5.5.2.0.2.1.e164.example' });
  });

  it('tries the suffixes in order and gives null when none has the number', async () => {
    const both = new EnumLookup(dns, ['e164.arpa', 'e164.example']);
    expect((await both.resolve('+12025550199', ['sip']))?.uri).toBe('sip:only-private@private.test');
    expect(await both.resolve('+12025550198', ['sip'])).toBeNull();
    expect(await new EnumLookup(dns, []).resolve('+12025550100', ['sip'])).toBeNull();
  });

  it('rejects with a DnsError when a suffix cannot be asked and no other has the number', async () => {
    // named is authoritative only: a tree it does not serve is REFUSED.
    const refusing = new EnumLookup(dns, ['e164.arpa', 'e164.unserved']);
    await expect(refusing.resolve('+12025550198', ['sip'])).rejects.toBeInstanceOf(DnsError);
    expect((await refusing.resolve('+12025550100', ['sip']))?.uri).toBe('sip:bob@peer.test');
  });

  it('gives the _im._sip servers in priority order, null without records, [] for "."', async () => {
    const servers = new MailboxServers(dns);
    const im = await servers.locate('im', 'peer.test');
    expect(im?.map((u) => `${u.host}:${u.port}`)).toEqual(['sip1.peer.test:5060', 'sip2.peer.test:5070']);
    expect(await servers.locate('pres', 'peer.test')).toEqual([]);
    expect(await servers.locate('im', 'nowhere.peer.test')).toBeNull();
  });
});
