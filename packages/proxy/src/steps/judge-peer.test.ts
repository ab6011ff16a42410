import { type SipRequest, parseMessage } from '@herald/sip';
import { DnsError, type Flow, type PeerCertificate } from '@herald/stack';
import { FakeRequestContext } from '@herald/test-kit';
import { requestText } from '@herald/test-kit';
import type { CommunitySettings } from '../federation/community-settings.js';
import { CommunitySwitch } from '../federation/community-switch.js';
import { FederationPolicy } from '../federation/federation-policy.js';
import { DEFAULT_FEDERATION, type FederationSettings, type PeerSettings } from '../federation/federation-settings.js';
import { FlowOffences } from '../federation/flow-offences.js';
import { PeerTable, peersOf } from '../federation/peer-table.js';
import { LocalIdentity } from '../routing/local-identity.js';
import { judgePeer } from './judge-peer.js';

const PEER_ADDRESS = '192.0.2.10';
const CA = 'AA:AA:AA';

const identity = new LocalIdentity(['example.com'], [], []);

function peer(domain: string, over: Partial<PeerSettings> = {}): PeerSettings {
  return { domain, level: 'verified', features: ['messages', 'presence', 'calls', 'fileTransfer'], roles: {}, watchers: 'allow', ...over };
}

function flow(transport: Flow['transport'], remoteAddress: string, peerCertificate?: PeerCertificate): Flow {
  return { id: `${transport}-1`, transport, owner: 'test~1~00', localAddress: '192.0.2.1', localPort: 5060, remoteAddress, remotePort: 5060, ...(peerCertificate && { peerCertificate }) };
}

function cert(identities: string[], over: Partial<PeerCertificate> = {}): PeerCertificate {
  return { identities, authorized: true, chain: ['11:11', CA], ...over };
}

function request(method: string, from = 'sip:bob@peer.test', uri = 'sip:alice@example.com'): SipRequest {
  return parseMessage(Buffer.from(requestText({ method, uri, from: `<${from}>;tag=f`, to: `<${uri}>` }))) as SipRequest;
}

interface Harness {
  run(req: SipRequest, f: Flow): Promise<FakeRequestContext>;
  closed: string[];
  observed: string[];
}

function harness(settings: Partial<FederationSettings>, dns: (domain: string, address: string) => Promise<boolean> = async (_d, a) => a === PEER_ADDRESS): Harness {
  const all = { ...DEFAULT_FEDERATION, ...settings };
  const closed: string[] = [];
  const observed: string[] = [];
  const step = judgePeer({
    policy: new FederationPolicy(all, new PeerTable(peersOf(all, []))),
    identity,
    addresses: { speaksFor: (domain, address) => dns(domain, address) },
    offences: new FlowOffences(),
    closeFlow: (id) => closed.push(id),
    observe: (p, direction, result) => observed.push(`${p} ${direction} ${result}`),
  });
  return {
    closed,
    observed,
    async run(req, f) {
      const ctx = new FakeRequestContext(req, { flow: f });
      const verdict = await ctx.run(step);
      if (verdict === 'continue') expect(ctx.responses).toEqual([]);
      return ctx;
    },
  };
}

/** The status and reason the step answered, or `continue` with the verdict's level and proof. */
function outcome(ctx: FakeRequestContext): string {
  return ctx.responses.length > 0 ? `${ctx.response.status} ${ctx.response.reason}` : `continue ${ctx.peer?.level} ${ctx.peer?.proof}`;
}

describe('federation levels inbound', () => {
  it('permissive takes any source', async () => {
    const h = harness({ default: 'permissive' });
    expect(outcome(await h.run(request('MESSAGE'), flow('udp', '203.0.113.9')))).toBe('continue permissive none');
  });

  it('verified (RFC 3263) takes an address the domain DNS gives, and refuses another', async () => {
    const h = harness({});
    expect(outcome(await h.run(request('MESSAGE'), flow('udp', PEER_ADDRESS)))).toBe('continue verified address');
    expect(outcome(await h.run(request('MESSAGE'), flow('tcp', `::ffff:${PEER_ADDRESS}`)))).toBe('continue verified address');
    expect(outcome(await h.run(request('MESSAGE'), flow('udp', '203.0.113.9')))).toBe('403 Source Not Authorized For peer.test');
    expect(h.observed).toEqual(['other in accepted', 'other in accepted', 'other in SIP_ERR_FEDERATION_SOURCE_NOT_AUTHORIZED']);
  });

  it('verified takes the addresses a peer entry lists without asking DNS', async () => {
    const h = harness({ peers: [peer('peer.test', { addresses: ['203.0.113.0/28'] })] }, () => Promise.reject(new DnsError('no server answered', 'SIP_ERR_DNS_TIMEOUT')));
    expect(outcome(await h.run(request('MESSAGE'), flow('udp', '203.0.113.9')))).toBe('continue verified address');
    expect(outcome(await h.run(request('MESSAGE'), flow('udp', '203.0.113.99')))).toMatch(/^503/);
  });

  it('verified answers 503 with Retry-After when DNS cannot be asked', async () => {
    const h = harness({}, async () => {
      throw new DnsError('no server answered', 'SIP_ERR_DNS_TIMEOUT');
    });
    const ctx = await h.run(request('MESSAGE'), flow('udp', PEER_ADDRESS));
    expect(outcome(ctx)).toBe('503 DNS Unavailable For peer.test');
    expect(ctx.response.header('retry-after')).toMatch(/^\d+$/);
  });

  it('encrypted requires TLS, and the address check', async () => {
    const h = harness({ peers: [peer('peer.test', { level: 'encrypted' })] });
    expect(outcome(await h.run(request('MESSAGE'), flow('tcp', PEER_ADDRESS)))).toBe('403 TLS Required For peer.test');
    expect(outcome(await h.run(request('MESSAGE'), flow('tls', PEER_ADDRESS, cert(['peer.test'], { authorized: false }))))).toBe('continue encrypted address');
    expect(outcome(await h.run(request('MESSAGE'), flow('tls', '203.0.113.9')))).toBe('403 Source Not Authorized For peer.test');
  });

  describe('trusted (RFC 5922 §7.2)', () => {
    const trusted = (ca?: string[]) => harness({ peers: [peer('peer.test', { level: 'trusted', ...(ca && { ca: { path: '/ca.pem', fingerprints: ca } }) })] }, async () => false);

    it('takes a verified certificate naming the domain, from any address, without DNS', async () => {
      expect(outcome(await trusted().run(request('MESSAGE'), flow('tls', '203.0.113.9', cert(['peer.test']))))).toBe('continue trusted certificate');
      expect(outcome(await trusted([CA.toLowerCase()]).run(request('MESSAGE'), flow('tls', '203.0.113.9', cert(['peer.test']))))).toBe('continue trusted certificate');
    });

    it('refuses no TLS, no certificate, a self-signed one, one not anchored at the peer CA, one naming another domain', async () => {
      expect(outcome(await trusted().run(request('MESSAGE'), flow('tcp', PEER_ADDRESS)))).toBe('403 TLS Required For peer.test');
      expect(outcome(await trusted().run(request('MESSAGE'), flow('tls', PEER_ADDRESS)))).toBe('403 Certificate Not Trusted For peer.test');
      const selfSigned = cert(['peer.test'], { authorized: false, authorizationError: 'DEPTH_ZERO_SELF_SIGNED_CERT', chain: ['11:11'] });
      expect(outcome(await trusted().run(request('MESSAGE'), flow('tls', PEER_ADDRESS, selfSigned)))).toBe('403 Certificate Not Trusted For peer.test');
      expect(outcome(await trusted(['BB:BB']).run(request('MESSAGE'), flow('tls', PEER_ADDRESS, cert(['peer.test']))))).toBe('403 Certificate Not Trusted For peer.test');
      const other = harness({ peers: [peer('peer.test', { level: 'trusted' })] });
      expect(outcome(await other.run(request('MESSAGE'), flow('tls', PEER_ADDRESS, { identities: ['sub.peer.test'], authorized: false, chain: [] })))).toBe('403 Certificate Not Trusted For peer.test');
    });

    it('refuses a certificate from another peer’s own CA, which vouches only for that peer', async () => {
      const h = harness({ peers: [peer('partner.test', { level: 'trusted', ca: { path: '/a.pem', fingerprints: [CA] } }), peer('peer.test', { level: 'trusted' })] }, async () => false);
      // partner.test's CA issued itself a certificate naming peer.test: the chain verifies, but it is not partner.test's to vouch for.
      expect(outcome(await h.run(request('MESSAGE'), flow('tls', PEER_ADDRESS, cert(['peer.test']))))).toBe('403 Certificate Not Trusted For peer.test');
      expect(outcome(await h.run(request('MESSAGE', 'sip:carol@partner.test'), flow('tls', PEER_ADDRESS, cert(['partner.test']))))).toBe('continue trusted certificate');
    });

    it('refuses a verified certificate that names other domains only, with no wildcard match', async () => {
      expect(outcome(await trusted().run(request('MESSAGE'), flow('tls', PEER_ADDRESS, cert(['wrong.test']))))).toBe('403 Certificate Does Not Name peer.test');
      expect(outcome(await trusted().run(request('MESSAGE'), flow('tls', PEER_ADDRESS, cert(['*.peer.test', 'peer.test.example']))))).toBe('403 Certificate Does Not Name peer.test');
    });
  });

  it('refuses a From of another domain over a flow identified by certificate, and closes it at the third offence', async () => {
    const h = harness({ default: 'permissive' });
    const tls = flow('tls', PEER_ADDRESS, cert(['peer.test']));
    expect(outcome(await h.run(request('MESSAGE', 'sip:eve@third.test'), tls))).toBe('403 From Domain Does Not Match Connection');
    expect(outcome(await h.run(request('MESSAGE'), tls))).toBe('continue permissive certificate');
    expect(outcome(await h.run(request('MESSAGE', 'sip:eve@third.test'), tls))).toBe('403 From Domain Does Not Match Connection');
    expect(h.closed).toEqual([]);
    expect(outcome(await h.run(request('MESSAGE', 'sip:eve@third.test'), tls))).toBe('403 From Domain Does Not Match Connection');
    expect(h.closed).toEqual(['tls-1']);
  });

  it('does not hold an unverified certificate against the From', async () => {
    const h = harness({ default: 'permissive' });
    expect(outcome(await h.run(request('MESSAGE', 'sip:eve@third.test'), flow('tls', PEER_ADDRESS, cert(['peer.test'], { authorized: false }))))).toBe('continue permissive none');
  });
});

describe('lists, level off and features inbound', () => {
  it('meets a From written with a trailing dot or in capitals with its domain’s lists and level', async () => {
    const blocked = harness({ block: ['peer.test'] });
    expect(outcome(await blocked.run(request('MESSAGE', 'sip:bob@PEER.test.'), flow('udp', PEER_ADDRESS)))).toBe('403 Domain Blocked');
    const trusted = harness({ peers: [peer('peer.test', { level: 'trusted' })] });
    expect(outcome(await trusted.run(request('MESSAGE', 'sip:bob@peer.test.'), flow('udp', PEER_ADDRESS)))).toBe('403 TLS Required For peer.test');
  });

  it('refuses a From without a domain (tel:) unless the default level is permissive', async () => {
    expect(outcome(await harness({}).run(request('MESSAGE', 'tel:+15551234'), flow('udp', PEER_ADDRESS)))).toBe('403 From Names No Domain');
    expect(outcome(await harness({ default: 'permissive' }).run(request('MESSAGE', 'tel:+15551234'), flow('udp', PEER_ADDRESS)))).toBe('continue permissive none');
    expect(outcome(await harness({ default: 'permissive', block: [PEER_ADDRESS] }).run(request('MESSAGE', 'tel:+15551234'), flow('udp', PEER_ADDRESS)))).toBe('403 Address Blocked');
  });

  it('refuses a From naming an address (any host speaks for its own), unless a peer entry names it', async () => {
    const any = async () => true;
    expect(outcome(await harness({}, any).run(request('MESSAGE', `sip:spam@${PEER_ADDRESS}`), flow('udp', PEER_ADDRESS)))).toBe('403 From Names No Domain');
    expect(outcome(await harness({ peers: [peer(PEER_ADDRESS)] }, any).run(request('MESSAGE', `sip:gw@${PEER_ADDRESS}`), flow('udp', PEER_ADDRESS)))).toBe('continue verified address');
  });

  it('takes the domain of an im: or pres: From', async () => {
    expect(outcome(await harness({ block: ['peer.test'] }).run(request('MESSAGE', 'im:bob@peer.test'), flow('udp', PEER_ADDRESS)))).toBe('403 Domain Blocked');
  });

  it('refuses a blocked domain, a blocked address, a domain not allowed, a domain at off', async () => {
    expect(outcome(await harness({ block: ['*.test'] }).run(request('MESSAGE'), flow('udp', PEER_ADDRESS)))).toBe('403 Domain Blocked');
    expect(outcome(await harness({ block: ['192.0.2.0/24'] }).run(request('MESSAGE'), flow('udp', PEER_ADDRESS)))).toBe('403 Address Blocked');
    expect(outcome(await harness({ allow: ['partner.test'] }).run(request('MESSAGE'), flow('udp', PEER_ADDRESS)))).toBe('403 Domain Not Allowed');
    expect(outcome(await harness({ peers: [peer('peer.test', { level: 'off' })] }).run(request('MESSAGE'), flow('udp', PEER_ADDRESS)))).toBe('403 Federation Disabled For peer.test');
  });

  it('refuses presence from a peer allowed messages only, and lets OPTIONS through', async () => {
    const h = harness({ peers: [peer('peer.test', { features: ['messages'] })] });
    expect(outcome(await h.run(request('MESSAGE'), flow('udp', PEER_ADDRESS)))).toBe('continue verified address');
    expect(outcome(await h.run(request('SUBSCRIBE'), flow('udp', PEER_ADDRESS)))).toBe('403 Presence Not Allowed With peer.test');
    expect(outcome(await h.run(request('OPTIONS'), flow('udp', PEER_ADDRESS)))).toBe('continue verified address');
    expect(h.observed).toEqual(['peer.test in accepted', 'peer.test in SIP_ERR_FEDERATION_FEATURE_REFUSED', 'peer.test in accepted']);
  });

  it('takes a feature limited to a role only for the local users of the role', async () => {
    const h = harness({ peers: [peer('peer.test', { roles: { presence: ['alice@example.com'] } })] });
    expect(outcome(await h.run(request('SUBSCRIBE', 'sip:bob@peer.test', 'sip:alice@EXAMPLE.com'), flow('udp', PEER_ADDRESS)))).toBe('continue verified address');
    expect(outcome(await h.run(request('SUBSCRIBE', 'sip:bob@peer.test', 'sip:carol@example.com'), flow('udp', PEER_ADDRESS)))).toBe('403 Presence Not Allowed For carol@example.com');
  });
});

describe('gateway communities inbound', () => {
  const PROXY_ADDRESS = '198.51.100.20';
  const chicago: CommunitySettings = {
    name: 'chicago',
    domains: ['chi.acme.test', '*.chi.acme.test'],
    proxies: ['sip:gw1.chi.acme.test'],
    port: 5060,
    transport: null,
    trustedIps: [PEER_ADDRESS],
    enabled: true,
    convertIds: false,
    level: 'verified',
    watchers: 'allow',
    probeIntervalMs: 10_000,
  };

  /** DNS: the proxy gw1.chi.acme.test is at PROXY_ADDRESS; the domain's own records give DOMAIN_ADDRESS. */
  const DOMAIN_ADDRESS = '203.0.113.50';
  function communityHarness(communities: CommunitySettings[]) {
    const settings = { enabled: true, list: communities };
    const policy = new FederationPolicy(DEFAULT_FEDERATION, new PeerTable(peersOf(DEFAULT_FEDERATION, [], settings)), undefined, new CommunitySwitch(settings));
    const asked: string[] = [];
    const step = judgePeer({
      policy,
      identity,
      addresses: {
        speaksFor: async (domain, address, hops = [], hopsOnly = false) => {
          asked.push(`${domain} ${hops.map((h) => h.host).join(',')} ${hopsOnly}`);
          return (hops.length > 0 && address === PROXY_ADDRESS) || (!hopsOnly && address === DOMAIN_ADDRESS);
        },
      },
      offences: new FlowOffences(),
      closeFlow: () => undefined,
    });
    return {
      policy,
      asked,
      async run(req: SipRequest, f: Flow) {
        const ctx = new FakeRequestContext(req, { flow: f });
        await ctx.run(step);
        return ctx;
      },
    };
  }
  const from = 'sip:bob@east.chi.acme.test';

  it('takes a trusted IP without DNS and an address of a proxy, and names the community on the verdict', async () => {
    const h = communityHarness([chicago]);
    const trusted = await h.run(request('MESSAGE', from), flow('udp', PEER_ADDRESS));
    expect(outcome(trusted)).toBe('continue verified address');
    expect(trusted.peer).toEqual({ domain: 'east.chi.acme.test', peer: '*.chi.acme.test', level: 'verified', proof: 'address', community: 'chicago' });
    expect(h.asked).toEqual([]);
    expect(outcome(await h.run(request('MESSAGE', from), flow('udp', PROXY_ADDRESS)))).toBe('continue verified address');
    expect(h.asked).toEqual(['east.chi.acme.test gw1.chi.acme.test true']);
  });

  it('refuses the domain’s own DNS address when the community names its proxies (an impostor in its domain)', async () => {
    const h = communityHarness([chicago]);
    expect(outcome(await h.run(request('MESSAGE', from), flow('udp', DOMAIN_ADDRESS)))).toBe('403 Source Not Authorized For east.chi.acme.test');
    expect(outcome(await h.run(request('MESSAGE', from), flow('udp', '192.0.2.99')))).toBe('403 Source Not Authorized For east.chi.acme.test');
  });

  it('takes the domain’s RFC 3263 addresses for a community without proxies', async () => {
    const h = communityHarness([{ ...chicago, proxies: [] }]);
    expect(outcome(await h.run(request('MESSAGE', 'sip:bob@chi.acme.test'), flow('udp', DOMAIN_ADDRESS)))).toBe('continue verified address');
    expect(h.asked).toEqual(['chi.acme.test  false']);
  });

  it('refuses a switched-off community, from a trusted IP too, both by its own switch and the global one', async () => {
    const h = communityHarness([chicago]);
    h.policy.communities.useRuntimeStates({ communities: { chicago: false } });
    const ctx = await h.run(request('MESSAGE', from), flow('udp', PEER_ADDRESS));
    expect(outcome(ctx)).toBe('403 Community chicago Disabled');
    h.policy.communities.useRuntimeStates({ all: false, communities: { chicago: true } });
    expect(outcome(await h.run(request('MESSAGE', from), flow('udp', PEER_ADDRESS)))).toBe('403 Community chicago Disabled');
    expect(outcome(await harnessOff().run(request('MESSAGE', from), flow('udp', PEER_ADDRESS)))).toBe('403 Community chicago Disabled');
  });

  function harnessOff() {
    return communityHarness([{ ...chicago, enabled: false }]);
  }

  it('refuses anything but TLS from a tls community, its trusted IPs too', async () => {
    const h = communityHarness([{ ...chicago, transport: 'tls' }]);
    expect(outcome(await h.run(request('MESSAGE', from), flow('tcp', PEER_ADDRESS)))).toBe('403 TLS Required For east.chi.acme.test');
    expect(outcome(await h.run(request('MESSAGE', from), flow('tls', PEER_ADDRESS)))).toBe('continue encrypted address');
  });

  it('leaves a request from another domain without a community on its verdict', async () => {
    const h = communityHarness([chicago]);
    const ctx = await h.run(request('MESSAGE', 'sip:bob@other.test'), flow('udp', DOMAIN_ADDRESS));
    expect(ctx.peer).toEqual({ domain: 'other.test', peer: null, level: 'verified', proof: 'address' });
  });
});
