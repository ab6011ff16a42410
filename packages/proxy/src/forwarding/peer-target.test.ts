import { type SipUri, createResponse, parseUri } from '@herald/sip';
import type { ClientTransaction } from '@herald/stack';
import { Ctx, harness, invite, target } from '../../test/helpers/proxy-core-harness.js';
import { communityRoutes } from '../federation/peer-table.js';
import { StaticRoutes, foreignTarget } from '../routing/static-routes.js';
import type { OutboundPeer } from '../routing/target.js';

const ENCRYPTED: OutboundPeer = { domain: 'peer.example.net', onlyTls: true, tlsCheck: { anyCertificate: true } };

function hops(...uris: string[]): SipUri[] {
  return uris.map((u) => parseUri(u) as SipUri);
}

describe('RFC 5922 §4, §7.3 forwarding to a peer domain that requires TLS', () => {
  it('resolves the URI for TLS only, checks every destination against the peer domain, and fails over', async () => {
    const { core, sent, whenSent, answer, failoverPeers } = harness();
    const outcome = core.forward(new Ctx(core, invite([], 'MESSAGE')), [{ ...target('sip:bob@pool.example.net'), peer: ENCRYPTED }]);
    await whenSent(1);
    expect(sent[0].destination).toEqual({ transport: 'tls', address: '192.0.2.51', port: 5061, serverName: 'peer.example.net', tlsCheck: { anyCertificate: true } });
    expect(sent[0].request.topVia.transport).toBe('TLS');
    // A TLS handshake that fails (a certificate naming another domain) is a transport error: the next destination is tried.
    sent[0].handler.onTransportError({} as ClientTransaction, new Error('certificate names other.test'), createResponse(sent[0].request, 503));
    expect(sent[1].destination).toMatchObject({ transport: 'tls', address: '192.0.2.52', serverName: 'peer.example.net' });
    // The failover is told whose branch it was (a gateway community's metrics count it).
    expect(failoverPeers).toEqual(['peer.example.net']);
    answer(1, 200);
    expect((await outcome).status).toBe(200);
  });

  it('answers 503 naming the domain once every TLS destination failed', async () => {
    const { core, sent, whenSent } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = core.forward(ctx, [{ ...target('sip:bob@pool.example.net'), peer: ENCRYPTED }]);
    await whenSent(1);
    for (let i = 0; i < 3; i++) sent[i].handler.onTransportError({} as ClientTransaction, new Error('handshake failed'), createResponse(sent[i].request, 503));
    expect((await outcome).status).toBe(503);
    expect(ctx.responses.at(-1)?.response?.reason).toBe('TLS Connection To peer.example.net Failed');
  });

  it('skips the next hops that are not TLS', async () => {
    const { core, sent, whenSent, answer } = harness();
    const outcome = core.forward(new Ctx(core, invite([], 'MESSAGE')), [
      { ...target('sip:bob@peer.example.net'), nextHops: hops('sip:192.0.2.52;transport=udp', 'sip:192.0.2.60:5070;transport=tls'), peer: { domain: 'peer.example.net', onlyTls: true } },
    ]);
    await whenSent(1);
    expect(sent.map((s) => s.destination)).toEqual([{ transport: 'tls', address: '192.0.2.60', port: 5070, serverName: 'peer.example.net' }]);
    answer(0, 200);
    expect((await outcome).status).toBe(200);
  });

  it('takes transport=tcp as TLS for a peer that requires it, as for a SIPS URI', async () => {
    const { core, sent, whenSent } = harness();
    void core.forward(new Ctx(core, invite([], 'MESSAGE')), [{ ...target('sip:bob@peer.example.net'), nextHops: hops('sip:192.0.2.52;transport=tcp'), peer: ENCRYPTED }]);
    await whenSent(1);
    expect(sent[0].destination).toMatchObject({ transport: 'tls', address: '192.0.2.52', port: 5061 });
  });

  it('answers 503 naming the domain when no TLS destination is left, sending nothing', async () => {
    const { core, sent } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = await core.forward(ctx, [{ ...target('sip:bob@peer.example.net'), nextHops: hops('sip:192.0.2.52;transport=udp'), peer: ENCRYPTED }]);
    expect(sent).toHaveLength(0);
    expect(outcome.status).toBe(503);
    expect(ctx.responses[0].response?.reason).toBe('No TLS Route To peer.example.net');
  });

  it('keeps every transport for a peer that does not require TLS, named for the peer domain', async () => {
    const { core, sent, whenSent } = harness();
    void core.forward(new Ctx(core, invite([], 'MESSAGE')), [{ ...target('sip:bob@pool.example.net'), peer: { domain: 'peer.example.net', onlyTls: false } }]);
    await whenSent(1);
    expect(sent[0].destination).toEqual({ transport: 'udp', address: '192.0.2.51', port: 5060, serverName: 'peer.example.net' });
  });
});

describe('RFC 3263 §4 forwarding to a gateway community', () => {
  const routes = new StaticRoutes(communityRoutes({ list: [{ domains: ['chi.acme.test'], proxies: ['sip:192.0.2.70:5070', 'sip:192.0.2.71:5070'], transport: 'tcp' }] }));
  const noProxies: OutboundPeer = { domain: 'pool.example.net', onlyTls: false, community: 'ny', defaultPort: 5090 };

  it('sends to its proxies in order, taking the community transport, and fails over to the next', async () => {
    const { core, sent, whenSent, answer, timeOut } = harness();
    const uri = parseUri('sip:bob@chi.acme.test') as SipUri;
    const outcome = core.forward(new Ctx(core, invite([], 'MESSAGE')), [foreignTarget(routes, uri, 'sip:bob@chi.acme.test', { domain: 'chi.acme.test', onlyTls: false, community: 'chicago' })]);
    await whenSent(1);
    expect(sent[0].destination).toMatchObject({ transport: 'tcp', address: '192.0.2.70', port: 5070 });
    timeOut(0);
    await whenSent(2);
    expect(sent[1].destination).toMatchObject({ transport: 'tcp', address: '192.0.2.71', port: 5070 });
    answer(1, 200);
    expect((await outcome).status).toBe(200);
  });

  it('without proxies, finds the domain by RFC 3263 and falls back to its A/AAAA at the community port', async () => {
    const { core, sent, whenSent } = harness();
    const uri = parseUri('sip:bob@pool.example.net') as SipUri;
    void core.forward(new Ctx(core, invite([], 'MESSAGE')), [foreignTarget(new StaticRoutes([]), uri, 'sip:bob@pool.example.net', noProxies)]);
    await whenSent(1);
    expect(sent[0].destination).toMatchObject({ transport: 'udp', address: '192.0.2.51', port: 5090 });
  });

  it('without proxies, with a transport, asks for the domain over that transport', async () => {
    const { core, sent, whenSent } = harness();
    const uri = parseUri('sip:bob@pool.example.net') as SipUri;
    const target = foreignTarget(new StaticRoutes([]), uri, 'sip:bob@pool.example.net', { ...noProxies, transport: 'tcp' });
    expect(target.nextHops?.map((h) => `${h.host};transport=${h.params.get('transport')}`)).toEqual(['pool.example.net;transport=tcp']);
    void core.forward(new Ctx(core, invite([], 'MESSAGE')), [target]);
    await whenSent(1);
    expect(sent[0].destination).toMatchObject({ transport: 'tcp', address: '192.0.2.51', port: 5090 });
  });

  it('checks a TLS proxy of a community that does not require TLS against the proxy’s own name, as a route’s', async () => {
    const { core, sent, whenSent } = harness();
    const toProxy = { ...target('sip:bob@chi.acme.test'), nextHops: hops('sips:pool.example.net'), peer: { domain: 'chi.acme.test', onlyTls: false, community: 'chicago' } };
    void core.forward(new Ctx(core, invite([], 'MESSAGE')), [toProxy]);
    await whenSent(1);
    expect(sent[0].destination).toEqual({ transport: 'tls', address: '192.0.2.51', port: 5061, serverName: 'pool.example.net' });
  });
});
