import { type SipUri, parseUri } from '@herald/sip';
import { createSocket } from 'node:dgram';
import { FakeClock, type NamedServer, freePort, startNamed } from '@herald/test-kit';
import { DnsClient } from './dns-client.js';
import { DomainAddresses } from './domain-addresses.js';
import { MailboxServers } from './mailbox-servers.js';
import { SipResolver } from './sip-resolver.js';

describe('the addresses that may speak for a domain (RFC 3263 §4, RFC 3861 §4)', () => {
  let named: NamedServer;
  let addresses: DomainAddresses;

  beforeAll(async () => {
    named = await startNamed([
      {
        origin: 'peer.test',
        records: [
          '@ IN NAPTR 10 50 "S" "SIP+D2U" "" _sip._udp.peer.test.',
          '@ IN NAPTR 20 50 "S" "SIP+D2T" "" _sip._tcp.peer.test.',
          '_sip._udp IN SRV 10 50 5060 a',
          '_sip._tcp IN SRV 10 50 5060 b',
          '_im._sip IN SRV 10 50 5070 im',
          'a IN A 192.0.2.1',
          'a IN A 192.0.2.2',
          'b IN AAAA 2001:db8::b',
          'v6 IN AAAA 2001:db8:0:0::1',
          'im IN A 192.0.2.30',
        ],
      },
    ]);
    const dns = new DnsClient({ servers: [named.server] });
    addresses = new DomainAddresses(new SipResolver({ dns }), new MailboxServers(dns));
  });
  afterAll(async () => {
    await named?.stop();
  });

  it.each(['192.0.2.1', '192.0.2.2', '2001:DB8::B', '::ffff:192.0.2.1', '192.0.2.30'])('counts %s, an address of some destination', async (address) => {
    expect(await addresses.speaksFor('peer.test', address)).toBe(true);
  });

  it('compares IPv6 in one form, whichever way the zone or the socket spells it', async () => {
    const hops = [parseUri('sip:[2001:DB8:0:0:0:0:0:2]') as SipUri];
    expect(await addresses.speaksFor('v6.peer.test', '2001:db8::1')).toBe(true);
    expect(await addresses.speaksFor('peer.test', '2001:db8:0::b')).toBe(true);
    expect(await addresses.speaksFor('peer.test', '[2001:db8::2]', hops)).toBe(true);
  });

  describe('with a DNS server that does not answer', () => {
    const silent = createSocket('udp4');
    const clock = new FakeClock();
    beforeAll(() => new Promise<void>((resolve) => silent.bind(0, '127.0.0.1', resolve)));
    afterAll(() => {
      // The queries still waiting time out, and nothing is left open.
      clock.advance(60_000);
      silent.close();
    });

    it('answers as soon as a next hop matches', async () => {
      const dns = new DnsClient({ servers: [`127.0.0.1:${silent.address().port}`], timeoutMs: 1000, attempts: 1, clock });
      const waiting = new DomainAddresses(new SipResolver({ dns }), new MailboxServers(dns));
      expect(await waiting.speaksFor('peer.test', '198.51.100.5', [parseUri('sip:198.51.100.5') as SipUri])).toBe(true);
    });
  });

  it('remembers a verdict for 30 s, asking nothing meanwhile', async () => {
    const dns = new DnsClient({ servers: [named.server] });
    const resolver = new SipResolver({ dns });
    let asked = 0;
    const counting = { resolveUri: (...a: Parameters<SipResolver['resolveUri']>) => (asked++, resolver.resolveUri(...a)), resolveWithoutDns: resolver.resolveWithoutDns.bind(resolver) };
    const clock = new FakeClock();
    const remembering = new DomainAddresses(counting, new MailboxServers(dns), clock);
    expect(await remembering.speaksFor('peer.test', '192.0.2.1')).toBe(true);
    expect(await remembering.speaksFor('peer.test', '192.0.2.99')).toBe(false);
    const first = asked;
    expect(await remembering.speaksFor('peer.test', '192.0.2.1')).toBe(true);
    expect(await remembering.speaksFor('peer.test', '192.0.2.99')).toBe(false);
    expect(asked).toBe(first);
    clock.advance(30_000);
    expect(await remembering.speaksFor('peer.test', '192.0.2.1')).toBe(true);
    expect(asked).toBeGreaterThan(first);
  });

  it('does not count another address', async () => {
    expect(await addresses.speaksFor('peer.test', '192.0.2.99')).toBe(false);
    expect(await addresses.speaksFor('unknown.peer.test', '192.0.2.1')).toBe(false);
  });

  it('counts the addresses of configured next hops', async () => {
    const hops: SipUri[] = [parseUri('sip:198.51.100.5:5080;transport=tcp') as SipUri];
    expect(await addresses.speaksFor('peer.test', '198.51.100.5', hops)).toBe(true);
  });

  it('counts only the next hops’ addresses when told to (a community naming its proxies), remembered apart', async () => {
    const hops: SipUri[] = [parseUri('sip:im.peer.test') as SipUri];
    expect(await addresses.speaksFor('peer.test', '192.0.2.30', hops, true)).toBe(true);
    expect(await addresses.speaksFor('peer.test', '192.0.2.1', hops, true)).toBe(false);
    expect(await addresses.speaksFor('peer.test', '192.0.2.1', hops)).toBe(true);
    expect(await addresses.speaksFor('peer.test', '192.0.2.1', [], true)).toBe(false);
  });

  it('rejects when DNS cannot be asked and no answer found the address', async () => {
    const silent = new DnsClient({ servers: [`127.0.0.1:${await freePort()}`], timeoutMs: 100, attempts: 1 });
    const cut = new DomainAddresses(new SipResolver({ dns: silent }), new MailboxServers(silent));
    await expect(cut.speaksFor('peer.test', '192.0.2.1')).rejects.toThrow();
    expect(await cut.speaksFor('peer.test', '198.51.100.5', [parseUri('sip:198.51.100.5') as SipUri])).toBe(true);
  });
});
