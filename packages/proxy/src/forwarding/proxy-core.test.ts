import { type SipRequest, createResponse, parseMessage } from '@herald/sip';
import type { ClientTransaction, Flow, InviteServerTransaction } from '@herald/stack';
import { preprocessRoute } from '../steps/preprocess-route.js';
import { Ctx, HERALD, TCP_FLOW, UDP_FLOW, harness, invite, target } from '../../test/helpers/proxy-core-harness.js';

describe('RFC 3261 §16.6 forwarding', () => {
  it('sends a copy per target with the target as Request-URI, Max-Forwards minus one, our Via on top and Record-Route', () => {
    const { core, sent } = harness();
    const req = invite();
    void core.forward(new Ctx(core, req), [target('sip:bob@198.51.100.5:5070'), target('sip:bob@198.51.100.6')]);
    expect(sent.map((s) => s.request.uriText)).toEqual(['sip:bob@198.51.100.5:5070', 'sip:bob@198.51.100.6']);
    expect(sent.map((s) => [s.destination.address, s.destination.port])).toEqual([
      ['198.51.100.5', 5070],
      ['198.51.100.6', 5060],
    ]);
    const copy = sent[0].request;
    expect(copy.maxForwards).toBe(69);
    expect(copy.via).toHaveLength(2);
    expect(copy.topVia.host).toBe(HERALD.address);
    expect(copy.topVia.params.get('herald')).toBe('node~1~aa');
    expect(sent[0].request.topVia.params.get('branch')).not.toBe(sent[1].request.topVia.params.get('branch'));
    expect(copy.recordRoute[0].uri).toMatchObject({ host: HERALD.address, port: 5060 });
    expect(copy.recordRoute[0].uri).toHaveProperty('params', new Map([['lr', null]]));
    // The original is untouched.
    expect(req.uriText).toBe('sip:bob@example.com');
    expect(req.via).toHaveLength(1);
  });

  it('record-routes twice, once per transport, when the request leaves over another one (RFC 5658)', () => {
    const { core, sent } = harness();
    void core.forward(new Ctx(core, invite()), [target('sip:bob@198.51.100.5;transport=tcp')]);
    const rr = sent[0].request.headerValues('record-route');
    expect(rr).toHaveLength(2);
    expect(rr[0]).toContain(';transport=tcp;lr');
    expect(rr[1]).not.toContain('transport=');
    expect(sent[0].request.topVia.transport).toBe('TCP');
  });

  it('does not record-route a MESSAGE or an in-dialog request', () => {
    const { core, sent } = harness();
    void core.forward(new Ctx(core, invite([], 'MESSAGE')), [target('sip:bob@198.51.100.5')]);
    void core.forward(new Ctx(core, invite().setHeader('To', '<sip:bob@example.com>;tag=b1')), [target('sip:bob@198.51.100.5')]);
    expect(sent.map((s) => s.request.hasHeader('record-route'))).toEqual([false, false]);
  });

  it('does not record-route a SUBSCRIBE it originates: Herald is an end of that dialog', () => {
    const { core, sent } = harness();
    const subscribe = invite(['Event: presence'], 'SUBSCRIBE');
    subscribe.removeHeader('via');
    void core.originate(subscribe, [target('sip:bob@198.51.100.5')]);
    expect(sent).toHaveLength(1);
    expect(sent[0].request.hasHeader('record-route')).toBe(false);
    expect(sent[0].request.via).toHaveLength(1);
  });

  it('sends to an open flow of a registered contact, and to the owner of a flow on another worker', () => {
    const { core, sent } = harness();
    const flow: Flow = { id: 'tcp-callee', transport: 'tcp', owner: 'node~1~aa', localAddress: HERALD.address, localPort: 5060, remoteAddress: '203.0.113.9', remotePort: 41000 };
    void core.forward(new Ctx(core, invite()), [target('sip:bob@10.0.0.7;transport=tcp', null, flow)]);
    void core.forward(new Ctx(core, invite()), [target('sip:bob@10.0.0.7;transport=tcp', null, { ...flow, id: 'tcp-elsewhere', owner: 'node~2~bb' })]);
    expect(sent[0].destination).toEqual({ transport: 'tcp', address: '203.0.113.9', port: 41000, flowId: 'tcp-callee' });
    expect(sent[1].destination).toMatchObject({ flowId: 'tcp-elsewhere', owner: 'node~2~bb' });
  });

  it('pre-loads a Path as Route and sends to its first hop (RFC 3327 §5.3)', async () => {
    const { core, sent, whenSent } = harness();
    void core.forward(new Ctx(core, invite()), [{ ...target('sip:bob@10.0.0.7'), route: ['<sip:edge.example.net:5080;lr>'] }]);
    await whenSent(1);
    expect(sent[0].request.headerValues('route')).toEqual(['<sip:edge.example.net:5080;lr>']);
    expect(sent[0].destination).toMatchObject({ address: '192.0.2.50', port: 5080 });
  });

  it('answers 430 for an outbound contact whose flow has closed (RFC 5626 §5.3)', async () => {
    const { core, sent } = harness();
    const ctx = new Ctx(core, invite());
    const flow: Flow = { id: 'tcp-gone', transport: 'tcp', owner: 'node~1~aa', localAddress: HERALD.address, localPort: 5060, remoteAddress: '203.0.113.9', remotePort: 41000 };
    const outcome = await core.forward(ctx, [{ ...target('sip:bob@x.invalid;transport=tcp', null, flow), flowOnly: true }]);
    expect(sent).toHaveLength(0);
    expect(outcome.status).toBe(430);
    expect(ctx.responses.map((r) => r.status)).toEqual([430]);
  });
});

describe('RFC 3261 §16.3 request validation before forwarding', () => {
  it('refuses Max-Forwards 0 with 483', () => {
    const { core } = harness();
    expect(() => core.forward(new Ctx(core, invite().setHeader('Max-Forwards', '0')), [target('sip:bob@198.51.100.5')])).toThrow(
      expect.objectContaining({ status: 483 }),
    );
  });

  it('detects a request that comes back with our own branch hash (§16.3 step 4, §16.6 step 8)', () => {
    const { core, sent } = harness();
    void core.forward(new Ctx(core, invite()), [target('sip:bob@198.51.100.9')]);
    const looped = parseMessage(sent[0].request.toBuffer()) as SipRequest;
    looped.setUri('sip:bob@example.com');
    expect(() => core.forward(new Ctx(core, looped), [target('sip:bob@198.51.100.5')])).toThrow(expect.objectContaining({ status: 482 }));
  });

  it('lets a spiral through: the same request with another Request-URI', () => {
    const { core, sent } = harness();
    void core.forward(new Ctx(core, invite()), [target('sip:bob@198.51.100.9')]);
    const spiral = parseMessage(sent[0].request.toBuffer()) as SipRequest;
    spiral.setUri('sip:robert@example.com');
    expect(() => core.forward(new Ctx(core, spiral), [target('sip:bob@198.51.100.5')])).not.toThrow();
  });
});

describe('RFC 3261 §16.7 response processing', () => {
  it('forwards provisional responses except 100, and the 2xx at once, then cancels the other branches', async () => {
    const { core, sent, answer } = harness();
    const ctx = new Ctx(core, invite());
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5'), target('sip:bob@198.51.100.6')]);
    answer(0, 100);
    answer(0, 180);
    answer(1, 180);
    answer(1, 200);
    expect((await outcome).status).toBe(200);
    expect(ctx.responses.map((r) => r.status)).toEqual([180, 180, 200]);
    // Our Via is gone from what goes upstream.
    expect(ctx.responses[2].response!.via).toHaveLength(1);
    const cancels = sent.filter((s) => s.request.method === 'CANCEL');
    expect(cancels.map((s) => s.request.uriText)).toEqual(['sip:bob@198.51.100.5']);
    expect(cancels[0].request.topVia.params.get('branch')).toBe(sent[0].request.topVia.params.get('branch'));
  });

  it('sends the best final response once every branch has failed, 4xx preferred over 5xx', async () => {
    const { core, answer } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5'), target('sip:bob@198.51.100.6')]);
    answer(0, 500);
    expect(ctx.responses).toEqual([]);
    answer(1, 486);
    expect((await outcome).status).toBe(486);
    expect(ctx.responses.map((r) => r.status)).toEqual([486]);
  });

  it('answers 500 for a lone 503 (§16.7 step 6)', async () => {
    const { core, answer } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5')]);
    answer(0, 503);
    expect((await outcome).status).toBe(500);
    expect(ctx.responses.map((r) => r.status)).toEqual([500]);
  });

  it('a 6xx cancels the pending branches and is the answer', async () => {
    const { core, sent, answer } = harness();
    const ctx = new Ctx(core, invite());
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5'), target('sip:bob@198.51.100.6')]);
    answer(0, 180);
    answer(1, 603);
    expect(sent.filter((s) => s.request.method === 'CANCEL')).toHaveLength(1);
    answer(0, 487);
    expect((await outcome).status).toBe(603);
  });

  it('tries q-value groups in sequence: the lower one only after the higher one failed', async () => {
    const { core, sent, answer } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.6', 0.5), target('sip:bob@198.51.100.5', 1)]);
    expect(sent.map((s) => s.request.uriText)).toEqual(['sip:bob@198.51.100.5']);
    answer(0, 480);
    expect(sent.map((s) => s.request.uriText)).toEqual(['sip:bob@198.51.100.5', 'sip:bob@198.51.100.6']);
    answer(1, 200);
    expect((await outcome).status).toBe(200);
  });

  it('collects the challenges of every 401/407 into the one forwarded (§16.7 step 7)', async () => {
    const { core, answer } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5'), target('sip:bob@198.51.100.6')]);
    answer(0, 407, ['Proxy-Authenticate: Digest realm="a"']);
    answer(1, 407, ['Proxy-Authenticate: Digest realm="b"']);
    await outcome;
    expect(ctx.responses[0].response!.headerValues('proxy-authenticate')).toEqual(['Digest realm="a"', 'Digest realm="b"']);
  });

  it('lets onFailure take over the final answer (store-and-forward)', async () => {
    const { core, answer } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5')], { onFailure: (best) => best.status === 408 });
    answer(0, 408);
    expect(await outcome).toMatchObject({ status: 408, handled: true });
    expect(ctx.responses).toEqual([]);
  });

  it('cancels a ringing INVITE branch on Timer C and answers 408 (§16.6 step 11)', async () => {
    const { core, sent, answer, clock } = harness();
    const ctx = new Ctx(core, invite());
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5')]);
    answer(0, 180);
    clock.advance(179_000);
    answer(0, 183);
    clock.advance(179_000);
    expect(sent.filter((s) => s.request.method === 'CANCEL')).toHaveLength(0);
    clock.advance(1_000);
    expect(sent.filter((s) => s.request.method === 'CANCEL')).toHaveLength(1);
    expect((await outcome).status).toBe(408);
  });
});

describe('RFC 3261 §16.10 CANCEL', () => {
  it('answers 200, cancels ringing branches at once and the others when they ring', async () => {
    const { core, sent, answer, invites } = harness();
    const tx = {} as InviteServerTransaction;
    invites.set('call-1', tx);
    const ctx = new Ctx(core, invite(), UDP_FLOW, tx);
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5'), target('sip:bob@198.51.100.6')]);
    answer(0, 180);
    const cancel = new Ctx(core, invite([], 'CANCEL'));
    expect(core.cancel(cancel)).toBe(true);
    expect(cancel.responses.map((r) => r.status)).toEqual([200]);
    expect(sent.filter((s) => s.request.method === 'CANCEL').map((s) => s.request.uriText)).toEqual(['sip:bob@198.51.100.5']);
    answer(1, 180);
    expect(sent.filter((s) => s.request.method === 'CANCEL').map((s) => s.request.uriText)).toEqual(['sip:bob@198.51.100.5', 'sip:bob@198.51.100.6']);
    answer(0, 487);
    answer(1, 487);
    expect((await outcome).status).toBe(487);
  });

  it('ends an INVITE cancelled before it was forwarded with 487, and forks nothing', async () => {
    const { core, sent, invites } = harness();
    const tx = {} as InviteServerTransaction;
    invites.set('call-1', tx);
    const cancel = new Ctx(core, invite([], 'CANCEL'));
    expect(core.cancel(cancel)).toBe(true);
    expect(cancel.responses.map((r) => r.status)).toEqual([200]);
    const ctx = new Ctx(core, invite(), UDP_FLOW, tx);
    expect((await core.forward(ctx, [target('sip:bob@198.51.100.5')])).status).toBe(487);
    expect(ctx.responses.map((r) => r.status)).toEqual([487]);
    expect(sent).toHaveLength(0);
  });

  it('does not know a CANCEL for an INVITE it never saw', () => {
    const { core } = harness();
    expect(core.cancel(new Ctx(core, invite([], 'CANCEL')))).toBe(false);
  });
});

describe('RFC 3261 §16.4 route preprocessing and flow tokens', () => {
  it('removes our Record-Route from the top and sends an in-dialog request to the other side of the dialog', () => {
    const { core, sent, identity, tokens } = harness();
    const token = tokens.encode({ caller: { owner: 'node~1~aa', id: TCP_FLOW.id, transport: 'tcp' }, callee: null }, 'call-1');
    const bye = invite([`Route: <sip:${token}@${HERALD.address}:5060;lr>`], 'BYE').setHeader('To', '<sip:bob@example.com>;tag=b1').setUri('sip:alice@10.1.1.1');
    const ctx = new Ctx(core, bye, UDP_FLOW);
    expect(preprocessRoute(identity, tokens).process(ctx)).toBe('continue');
    expect(bye.hasHeader('route')).toBe(false);
    expect(ctx.recordRouted).not.toBeNull();
    void core.forwardInDialog(ctx, ctx.recordRouted!);
    expect(sent[0].destination).toMatchObject({ transport: 'tcp', flowId: TCP_FLOW.id });
    expect(sent[0].request.uriText).toBe('sip:alice@10.1.1.1');
  });

  it('sends a request from a side that reconnected to the other side, never back over its old flow', () => {
    const { core, sent, identity, tokens } = harness();
    // caller on UDP (no hop), callee on a TCP flow that is still open; the callee's BYE comes on a new connection
    const token = tokens.encode({ caller: null, callee: { owner: 'node~1~aa', id: 'tcp-callee', transport: 'tcp' } }, 'call-1');
    const bye = invite([`Route: <sip:${token}@${HERALD.address}:5060;lr>`], 'BYE').setHeader('To', '<sip:bob@example.com>;tag=b1').setUri('sip:alice@198.51.100.2:5062');
    const ctx = new Ctx(core, bye, { ...TCP_FLOW, id: 'tcp-reconnected' });
    void preprocessRoute(identity, tokens).process(ctx);
    void core.forwardInDialog(ctx, ctx.recordRouted!);
    expect(sent[0].destination).toMatchObject({ transport: 'udp', address: '198.51.100.2', port: 5062 });
    expect(sent[0].destination.flowId).toBeUndefined();
  });

  it('ignores a token lifted into another Call-ID', () => {
    const { core, identity, tokens } = harness();
    const token = tokens.encode({ caller: null, callee: null }, 'another-call');
    const bye = invite([`Route: <sip:${token}@${HERALD.address}:5060;lr>`], 'BYE');
    const ctx = new Ctx(core, bye);
    void preprocessRoute(identity, tokens).process(ctx);
    expect(ctx.recordRouted).toBeNull();
  });

  it('undoes a strict router: our URI in the Request-URI, the last Route becomes the Request-URI', () => {
    const { core, identity, tokens } = harness();
    const token = tokens.encode({ caller: null, callee: null }, 'call-1');
    const req = invite(['Route: <sip:proxy2.example.net;lr>', 'Route: <sip:bob@10.2.2.2>'], 'BYE').setUri(`sip:${token}@${HERALD.address}:5060;lr`);
    const ctx = new Ctx(core, req);
    void preprocessRoute(identity, tokens).process(ctx);
    expect(req.uriText).toBe('sip:bob@10.2.2.2');
    expect(req.headerValues('route')).toEqual(['<sip:proxy2.example.net;lr>']);
    expect(ctx.recordRouted).toEqual({ caller: null, callee: null });
  });
});

describe('targets that cannot be tried', () => {
  it('counts a Request-URI with an unknown transport as a branch that answered 503', async () => {
    const { core } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = await core.forward(ctx, [target('sip:bob@198.51.100.5;transport=sctp')]);
    // Its 503 is not forwarded: 500 stands for it (§16.7 step 6).
    expect(outcome.status).toBe(500);
  });
});

describe('an outcome says whether its response came from downstream', () => {
  it('is received for a response a destination sent, whatever its status', async () => {
    const { core, answer } = harness();
    const outcome = core.originate(invite([], 'OPTIONS'), [target('sip:gw@198.51.100.5')]);
    answer(0, 404);
    expect(await outcome).toMatchObject({ status: 404, received: true });
  });

  it('is not for the responses Herald makes up: no answer, a next hop DNS does not know, a peer with no TLS destination', async () => {
    const timedOut = harness();
    const silent = timedOut.core.originate(invite([], 'OPTIONS'), [target('sip:gw@198.51.100.5')]);
    timedOut.timeOut(0);
    expect(await silent).toMatchObject({ status: 408, received: false });

    const { core } = harness();
    expect(await core.originate(invite([], 'OPTIONS'), [target('sip:gw@nowhere.example.net')])).toMatchObject({ status: 404, received: false });
    const peer = { domain: 'peer.example.net', onlyTls: true, tlsCheck: { anyCertificate: true } };
    expect(await core.originate(invite([], 'OPTIONS'), [{ ...target('sip:gw@198.51.100.5;transport=udp'), peer }])).toMatchObject({ status: 503, received: false });

    const refused = harness();
    const tls = refused.core.originate(invite([], 'OPTIONS'), [{ ...target('sip:gw@198.51.100.5;transport=tls'), peer }]);
    const { request, handler } = refused.sent[0];
    handler.onTransportError({} as ClientTransaction, new Error('certificate names other.test'), createResponse(request, 503));
    expect(await tls).toMatchObject({ status: 503, received: false });
  });
});
