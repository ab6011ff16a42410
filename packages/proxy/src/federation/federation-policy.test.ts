import { parseUri, type SipUri } from '@herald/sip';
import { type FederationSettings, DEFAULT_FEDERATION, type PeerSettings } from './federation-settings.js';
import { FederationPolicy } from './federation-policy.js';
import { PeerTable, communityRoutes, peersOf } from './peer-table.js';
import type { CommunitySettings } from './community-settings.js';
import { CommunitySwitch } from './community-switch.js';

function peer(domain: string, over: Partial<PeerSettings> = {}): PeerSettings {
  return { domain, level: 'verified', features: ['messages', 'presence', 'calls', 'fileTransfer'], roles: {}, watchers: 'allow', ...over };
}

function policy(settings: Partial<FederationSettings> = {}, routes: Array<{ domain: string; to: string }> = []): FederationPolicy {
  const all = { ...DEFAULT_FEDERATION, ...settings };
  return new FederationPolicy(all, new PeerTable(peersOf(all, routes)));
}

describe('the peer table', () => {
  it('takes an exact domain before the longest *. entry, and a *. entry not for the bare domain', () => {
    const p = policy({ peers: [peer('*.acme.test', { level: 'permissive' }), peer('*.eu.acme.test', { level: 'encrypted' }), peer('hq.eu.acme.test', { level: 'trusted' })] });
    expect(p.levelOf('hq.eu.acme.test')).toBe('trusted');
    expect(p.levelOf('paris.eu.acme.test')).toBe('encrypted');
    expect(p.levelOf('us.acme.test')).toBe('permissive');
    expect(p.levelOf('acme.test')).toBe('verified');
    expect(p.peerFor('US.ACME.TEST')?.domain).toBe('*.acme.test');
  });

  it('makes a routes: domain a peer at the default level, all features, watchers allowed, its hops speaking for it', () => {
    const p = policy({ default: 'permissive' }, [{ domain: 'peer.test', to: 'sip:127.0.0.9:5070' }]);
    const entry = p.peerFor('peer.test');
    expect(entry).toMatchObject({ level: 'permissive', features: ['messages', 'presence', 'calls', 'fileTransfer'], watchers: 'allow', sources: ['routes'] });
    expect(entry?.hops.map((h: SipUri) => h.host)).toEqual(['127.0.0.9']);
  });

  it('merges a route into the federation.peers entry of the same domain, and a route under a *. peer takes its policy', () => {
    const p = policy({ peers: [peer('partner.test', { level: 'trusted', features: ['messages'] }), peer('*.acme.test', { level: 'encrypted' })] }, [
      { domain: 'partner.test', to: 'sip:192.0.2.1' },
      { domain: 'eu.acme.test', to: 'sip:192.0.2.2' },
    ]);
    expect(p.peerFor('partner.test')).toMatchObject({ level: 'trusted', features: ['messages'], sources: ['federation', 'routes'] });
    expect(p.peerFor('partner.test')?.hops).toEqual([parseUri('sip:192.0.2.1')]);
    expect(p.peerFor('eu.acme.test')).toMatchObject({ domain: 'eu.acme.test', level: 'encrypted', sources: ['routes'] });
  });
});

describe('allow and block lists', () => {
  it('refuses a blocked domain (and its subdomains with *.) and a blocked address', () => {
    const p = policy({ block: ['*.spam.test', 'bad.test', '198.51.100.0/24'] });
    expect(p.listRefusal('x.spam.test', '192.0.2.1')?.reason).toBe('Domain Blocked');
    expect(p.listRefusal('bad.test', null)?.reason).toBe('Domain Blocked');
    expect(p.listRefusal('spam.test', '192.0.2.1')).toBeNull();
    expect(p.listRefusal('good.test', '::ffff:198.51.100.7')?.reason).toBe('Address Blocked');
    expect(p.listRefusal('good.test', '192.0.2.1')).toBeNull();
  });

  it('admits only what a non-empty allow list names, by domain or by source address', () => {
    const p = policy({ allow: ['partner.test', '192.0.2.0/28'] });
    expect(p.listRefusal('partner.test', '203.0.113.1')).toBeNull();
    expect(p.listRefusal('other.test', '192.0.2.5')).toBeNull();
    const refused = p.listRefusal('other.test', '203.0.113.1');
    expect([refused?.status, refused?.reason, refused?.code]).toEqual([403, 'Domain Not Allowed', 'SIP_ERR_FEDERATION_DOMAIN_NOT_ALLOWED']);
  });

  it('lets block win over allow', () => {
    const p = policy({ allow: ['partner.test'], block: ['partner.test'] });
    expect(p.listRefusal('partner.test', null)?.reason).toBe('Domain Blocked');
  });

  it('refuses a domain at level off', () => {
    const p = policy({ peers: [peer('closed.test', { level: 'off' })] });
    expect(p.listRefusal('closed.test', null)?.reason).toBe('Federation Disabled For closed.test');
    expect(policy({ default: 'off' }).listRefusal('any.test', null)?.code).toBe('SIP_ERR_FEDERATION_DISABLED');
  });

  it('adds run-time entries on top of the configured ones, replaced wholesale each time', () => {
    const p = policy({ block: ['bad.test'] });
    p.useRuntimeLists({ allow: [], block: ['worse.test'] });
    expect(p.listRefusal('worse.test', null)?.reason).toBe('Domain Blocked');
    expect(p.listRefusal('bad.test', null)?.reason).toBe('Domain Blocked');
    p.useRuntimeLists({ allow: ['partner.test'], block: [] });
    expect(p.listRefusal('worse.test', null)?.reason).toBe('Domain Not Allowed');
    expect(p.listRefusal('partner.test', null)).toBeNull();
    expect(p.describe().block).toEqual([{ entry: 'bad.test', source: 'config' }]);
    expect(p.describe().allow).toEqual([{ entry: 'partner.test', source: 'runtime' }]);
  });

  it('keeps the run-time lists it had when given a bad entry', () => {
    const p = policy();
    p.useRuntimeLists({ allow: [], block: ['worse.test'] });
    expect(() => p.useRuntimeLists({ allow: [], block: ['not a domain'] })).toThrow(/not a domain or address/);
    expect(p.listRefusal('worse.test', null)?.reason).toBe('Domain Blocked');
  });
});

describe('features and roles', () => {
  it('refuses a feature the peer entry leaves out, naming it and the domain', () => {
    const p = policy({ peers: [peer('peer.test', { features: ['messages'] })] });
    expect(p.featureRefusal('peer.test', 'messages', null)).toBeNull();
    expect(p.featureRefusal('peer.test', 'presence', null)?.reason).toBe('Presence Not Allowed With peer.test');
    expect(p.featureRefusal('peer.test', 'fileTransfer', null)?.reason).toBe('File Transfer Not Allowed With peer.test');
    expect(p.featureRefusal('peer.test', null, null)).toBeNull();
  });

  it('gives a domain without a peer entry the default features', () => {
    const p = policy({ features: ['messages'] });
    expect(p.featureRefusal('any.test', 'calls', 'alice@example.com')?.code).toBe('SIP_ERR_FEDERATION_FEATURE_REFUSED');
    expect(p.featureRefusal('any.test', 'messages', 'alice@example.com')).toBeNull();
  });

  it('blocks a domain in any spelling, outbound as inbound', () => {
    const p = policy({ block: ['blocked.test'] });
    expect(p.mayReach('BLOCKED.test.', 'messages')).toBe(false);
    expect(p.listRefusal('blocked.test.', null)?.reason).toBe('Domain Blocked');
  });

  it('limits a feature with a role to the users it lists', () => {
    const p = policy({ peers: [peer('peer.test', { roles: { presence: ['alice@example.com'] } })] });
    expect(p.featureRefusal('peer.test', 'presence', 'alice@example.com')).toBeNull();
    expect(p.featureRefusal('peer.test', 'presence', 'bob@example.com')?.reason).toBe('Presence Not Allowed For bob@example.com');
    expect(p.featureRefusal('peer.test', 'presence', null)?.code).toBe('SIP_ERR_FEDERATION_ROLE_REFUSED');
    expect(p.featureRefusal('peer.test', 'messages', 'bob@example.com')).toBeNull();
  });
});

describe('the way out to a peer (RFC 5922 §7.3)', () => {
  it('asks TLS with any certificate for encrypted, a verified one anchored at the peer CA for trusted, nothing otherwise', () => {
    const p = policy({
      peers: [peer('enc.test', { level: 'encrypted' }), peer('tru.test', { level: 'trusted', ca: { path: '/ca.pem', fingerprints: ['AA:BB'] } }), peer('sys.test', { level: 'trusted' })],
    });
    expect(p.outboundPeer('enc.test')).toEqual({ domain: 'enc.test', onlyTls: true, tlsCheck: { anyCertificate: true } });
    expect(p.outboundPeer('tru.test')).toEqual({ domain: 'tru.test', onlyTls: true, tlsCheck: { anyCertificate: false, anchors: ['AA:BB'] } });
    expect(p.outboundPeer('sys.test')).toEqual({ domain: 'sys.test', onlyTls: true, tlsCheck: { anyCertificate: false } });
    expect(p.outboundPeer('other.test')).toBeUndefined();
    // A Request-URI host in another spelling is the same peer, checked against its name.
    expect(p.outboundPeer('ENC.test.')).toEqual({ domain: 'enc.test', onlyTls: true, tlsCheck: { anyCertificate: true } });
  });
});

describe('watchers and the view', () => {
  it('gives a configured peer its watcher policy and an unconfigured domain none', () => {
    const p = policy({ peers: [peer('peer.test', { watchers: 'confirm' })] }, [{ domain: 'routed.test', to: 'sip:192.0.2.1' }]);
    expect(p.peerWatchers('peer.test')).toBe('confirm');
    expect(p.peerWatchers('peer.test.')).toBe('confirm');
    expect(p.peerWatchers('routed.test')).toBe('allow');
    expect(p.peerWatchers('stranger.test')).toBeUndefined();
  });

  it('describes itself as plain JSON', () => {
    const p = policy({ block: ['bad.test'], peers: [peer('peer.test', { level: 'trusted', ca: { path: '/etc/ca.pem', fingerprints: ['AA'] }, roles: { calls: ['alice@example.com'] } })] });
    const view = JSON.parse(JSON.stringify(p.describe())) as unknown;
    expect(view).toEqual({
      default: 'verified',
      features: ['messages', 'presence', 'calls', 'fileTransfer'],
      allow: [],
      block: [{ entry: 'bad.test', source: 'config' }],
      peers: [{ domain: 'peer.test', level: 'trusted', features: ['messages', 'presence', 'calls', 'fileTransfer'], roles: { calls: ['alice@example.com'] }, watchers: 'allow', ca: '/etc/ca.pem', sources: ['federation'] }],
    });
  });
});

describe('gateway communities', () => {
  const chicago: CommunitySettings = {
    name: 'chicago',
    domains: ['chi.acme.test', '*.chi.acme.test'],
    proxies: ['sip:gw1.chi.acme.test', 'sip:gw2.chi.acme.test;transport=udp'],
    port: 5061,
    transport: 'tls',
    trustedIps: ['192.0.2.10'],
    enabled: true,
    convertIds: true,
    level: 'verified',
    watchers: 'confirm',
    probeIntervalMs: 10_000,
  };
  const ny: CommunitySettings = { ...chicago, name: 'ny', domains: ['ny.acme.test'], proxies: [], transport: null, port: 5070, trustedIps: [], convertIds: false, watchers: 'allow' };
  const settings = { enabled: true, list: [chicago, ny] };

  function communityPolicy(federation: Partial<FederationSettings> = {}): FederationPolicy {
    const all = { ...DEFAULT_FEDERATION, ...federation };
    return new FederationPolicy(all, new PeerTable(peersOf(all, [], settings)), undefined, new CommunitySwitch(settings));
  }

  it('makes each community domain a peer sharing the community reference, trusted addresses and proxies', () => {
    const p = communityPolicy();
    const exact = p.peerFor('chi.acme.test');
    const sub = p.peerFor('east.chi.acme.test');
    expect(exact).toMatchObject({ sources: ['communities'], level: 'encrypted', watchers: 'confirm', features: ['messages', 'presence', 'calls', 'fileTransfer'], roles: {} });
    expect(exact?.community).toEqual({ name: 'chicago', convertIds: true, proxiesOnly: true, port: 5061, transport: 'tls' });
    expect(sub?.community).toBe(exact?.community);
    // A proxy naming no transport takes the community's.
    expect(exact?.hops.map((h) => [h.host, h.params.get('transport')])).toEqual([
      ['gw1.chi.acme.test', 'tls'],
      ['gw2.chi.acme.test', 'udp'],
    ]);
    expect(exact?.senders?.hasAddress('192.0.2.10')).toBe(true);
    expect(p.peerFor('ny.acme.test')).toMatchObject({ level: 'verified', community: { name: 'ny', proxiesOnly: false, port: 5070, transport: null } });
    expect(p.communityOf('CHI.acme.test.')?.name).toBe('chicago');
    expect(p.communityOf('other.test')).toBeUndefined();
  });

  it('routes a community domain to its proxies, in order', () => {
    expect(communityRoutes(settings)).toEqual([
      { domain: 'chi.acme.test', to: ['sip:gw1.chi.acme.test;transport=tls', 'sip:gw2.chi.acme.test;transport=udp'] },
      { domain: '*.chi.acme.test', to: ['sip:gw1.chi.acme.test;transport=tls', 'sip:gw2.chi.acme.test;transport=udp'] },
    ]);
  });

  it('refuses a switched-off community both ways with its name, and takes it back when switched on', () => {
    const p = communityPolicy();
    expect(p.listRefusal('chi.acme.test', null)).toBeNull();
    p.communities.useRuntimeStates({ communities: { chicago: false } });
    const refused = p.listRefusal('east.chi.acme.test', '192.0.2.10');
    expect([refused?.status, refused?.reason, refused?.code]).toEqual([403, 'Community chicago Disabled', 'SIP_ERR_COMMUNITY_DISABLED']);
    expect(p.mayReach('chi.acme.test', 'presence')).toBe(false);
    expect(p.dialogRefusal('chi.acme.test', '192.0.2.10', 'presence')?.code).toBe('SIP_ERR_COMMUNITY_DISABLED');
    expect(p.listRefusal('ny.acme.test', null)).toBeNull();
    p.communities.useRuntimeStates({ all: false, communities: {} });
    expect(p.listRefusal('ny.acme.test', null)?.reason).toBe('Community ny Disabled');
    expect(p.listRefusal('other.test', null)).toBeNull();
    p.communities.useRuntimeStates({ communities: {} });
    expect(p.listRefusal('chi.acme.test', null)).toBeNull();
  });

  it('lets a blocked domain stay blocked, community or not', () => {
    expect(communityPolicy({ block: ['chi.acme.test'] }).listRefusal('chi.acme.test', null)?.reason).toBe('Domain Blocked');
  });

  it('gives the way out: TLS for a tls community, the transport and A/AAAA port of one without proxies', () => {
    const p = communityPolicy();
    expect(p.outboundPeer('chi.acme.test')).toEqual({ domain: 'chi.acme.test', onlyTls: true, tlsCheck: { anyCertificate: true }, community: 'chicago' });
    expect(p.outboundPeer('chi.acme.test')).toBe(p.outboundPeer('chi.acme.test'));
    expect(p.outboundPeer('East.Chi.acme.test')).toEqual({ domain: 'east.chi.acme.test', onlyTls: true, tlsCheck: { anyCertificate: true }, community: 'chicago' });
    expect(p.outboundPeer('ny.acme.test')).toEqual({ domain: 'ny.acme.test', onlyTls: false, community: 'ny', defaultPort: 5070 });
    const udp = new FederationPolicy(DEFAULT_FEDERATION, new PeerTable(peersOf(DEFAULT_FEDERATION, [], { list: [{ ...ny, transport: 'udp' }] })));
    expect(udp.outboundPeer('ny.acme.test')).toEqual({ domain: 'ny.acme.test', onlyTls: false, community: 'ny', defaultPort: 5070, transport: 'udp' });
  });

  it("gives the way to a connector for its probes: as to the community's first exact domain, else checked against the connector's own host", () => {
    const boston: CommunitySettings = { ...ny, name: 'boston', domains: ['*.bos.acme.test', '*.bos2.acme.test'], proxies: ['sip:gw.edge.test', 'sip:192.0.2.20'], level: 'trusted' };
    const p = new FederationPolicy(DEFAULT_FEDERATION, new PeerTable(peersOf(DEFAULT_FEDERATION, [], { list: [chicago, boston] })));
    expect(p.connectorPeer('chicago', 'gw1.chi.acme.test')).toEqual(p.outboundPeer('chi.acme.test'));
    // RFC 5922 §7.3: the probe's Request-URI is the connector; no made-up name under a wildcard.
    expect(p.connectorPeer('boston', 'GW.edge.test')).toEqual({ domain: 'gw.edge.test', onlyTls: true, tlsCheck: { anyCertificate: false }, community: 'boston' });
    // An address is no name to check (RFC 6066 §3): the domain under the first wildcard.
    expect(p.connectorPeer('boston', '192.0.2.20')).toMatchObject({ domain: 'bos.acme.test', community: 'boston' });
    expect(p.connectorPeer('denver', 'gw.edge.test')).toBeUndefined();
  });

  it('shows community peers with their source and community', () => {
    const peers = communityPolicy().describe().peers;
    expect(peers.map((p) => [p.domain, p.sources, p.community])).toEqual([
      ['chi.acme.test', ['communities'], 'chicago'],
      ['*.chi.acme.test', ['communities'], 'chicago'],
      ['ny.acme.test', ['communities'], 'ny'],
    ]);
  });

  it('turns every community off with the global switch, and refuses a name no community has', () => {
    const off = new CommunitySwitch({ enabled: false, list: [chicago] });
    expect(off.isEnabled('chicago')).toBe(false);
    expect(new CommunitySwitch(settings).isEnabled('boston')).toBe(false);
  });
});
