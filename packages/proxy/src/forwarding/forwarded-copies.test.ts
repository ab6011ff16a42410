import { type SipMessage, type SipRequest, type SipUri, parseMessage, parseUri } from '@herald/sip';
import type { InviteServerTransaction } from '@herald/stack';
import { Ctx, UDP_FLOW, harness, invite, target } from '../../test/helpers/proxy-core-harness.js';
import type { RequestContext } from '../tu/request-context.js';

/** What the proxy core and the transaction layer read of a request, typed. */
function typedView(m: SipMessage) {
  const r = m as SipRequest;
  return {
    uri: r.uri,
    via: m.via,
    from: m.from,
    to: m.to,
    cseq: m.cseq,
    maxForwards: m.maxForwards,
    route: m.route,
    recordRoute: m.recordRoute,
    proxyAuthorization: m.proxyAuthorization,
    contact: m.contact,
  };
}

/** The typed headers a message holds are those its own lines give, parsed afresh. */
function expectOwnLines(m: SipRequest): void {
  expect(typedView(m)).toEqual(typedView(parseMessage(m.toBuffer())));
}

const EXTERNAL = parseUri('sip:Alice_Smith@acme.test') as SipUri;

describe('RFC 3261 §16.6 step 1: each copy is its own, though it starts with the parsed headers of the request', () => {
  it('keeps the request, every fork and every failover copy true to its own lines', async () => {
    const h = harness();
    const tx = {} as InviteServerTransaction;
    h.invites.set('call-1', tx);
    const req = invite([
      'Route: <sip:192.0.2.1;lr>',
      'Contact: <sip:alice@198.51.100.2:5062>',
      'Proxy-Authorization: Digest username="alice", realm="example.com", nonce="n", uri="sip:bob@example.com", response="0123456789abcdef0123456789abcdef"',
      'Proxy-Authorization: Digest username="alice", realm="other.example", nonce="m", uri="sip:bob@example.com", response="0123456789abcdef0123456789abcdef"',
      'P-Asserted-Identity: <sip:asmith@example.com>',
    ]).validate();
    req.removeFirstValue('route');
    const before = req.toBuffer();
    const viewBefore = typedView(req);
    const ctx = new Ctx(h.core, req, UDP_FLOW, tx);
    // Herald's own realm: its credentials are consumed in every copy (RFC 3261 §22.3).
    (ctx as RequestContext).authenticated = { user: 'alice', domain: 'example.com', aor: 'sip:alice@example.com' };
    ctx.presentedAs = EXTERNAL;
    const path = { ...target('sip:bob@198.51.100.7'), route: ['<sip:192.0.2.60;lr>', '<sip:core.example.org;lr>'] };
    void h.core.forward(ctx, [target('sip:bob@pool.example.net'), path, target('sip:bob@198.51.100.5', null, null)]);
    await h.whenSent(3);
    h.timeOut(h.sent.findIndex((s) => s.destination.address === '192.0.2.51'));
    await h.whenSent(4);
    expect(h.sent.map((s) => s.destination.address).sort()).toEqual(['192.0.2.51', '192.0.2.52', '192.0.2.60', '198.51.100.5']);
    for (const { request } of h.sent) {
      expectOwnLines(request);
      expect(request.proxyAuthorization.map((a) => a.params.get('realm'))).toEqual(['other.example']);
      expect(request.from.uri).toEqual(EXTERNAL);
      expect(request.maxForwards).toBe(69);
    }
    expect(h.sent.find((s) => s.destination.address === '192.0.2.60')?.request.route.map((r) => (r.uri as SipUri).host)).toEqual(['192.0.2.60', 'core.example.org']);
    const branches = new Set(h.sent.map((s) => s.request.topVia.params.get('branch')));
    expect(branches.size).toBe(4);
    for (const { request } of h.sent) expect(request.via).toHaveLength(2);
    // The request as it came, and as its responses and retransmissions see it.
    expect(req.toBuffer()).toEqual(before);
    expect(typedView(req)).toEqual(viewBefore);
    expectOwnLines(req);
  });
});
