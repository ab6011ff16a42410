import { type SipUri, createResponse, parseUri } from '@herald/sip';
import type { ClientTransaction, InviteServerTransaction } from '@herald/stack';
import { Ctx, UDP_FLOW, harness, invite, target } from '../../test/helpers/proxy-core-harness.js';
import { MAX_DESTINATIONS_PER_BRANCH } from './response-context.js';

describe('RFC 3263 §4.3 failover between the destinations of a next hop', () => {
  it('sends to the next destination, as a new transaction with a new branch, when one times out', async () => {
    const { core, sent, whenSent, answer, timeOut, failovers, failoverPeers } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = core.forward(ctx, [target('sip:bob@pool.example.net')]);
    await whenSent(1);
    timeOut(0);
    expect(sent.map((s) => s.destination.address)).toEqual(['192.0.2.51', '192.0.2.52']);
    expect(sent[1].request.topVia.params.get('branch')).not.toBe(sent[0].request.topVia.params.get('branch'));
    expect(sent[1].request.uriText).toBe('sip:bob@pool.example.net');
    answer(1, 200);
    expect((await outcome).status).toBe(200);
    expect(ctx.responses.map((r) => r.status)).toEqual([200]);
    expect(failovers).toEqual([['192.0.2.51', '192.0.2.52']]);
    expect(failoverPeers).toEqual([undefined]);
  });

  it('moves on after a 503 and a transport error, and answers with the last only when every destination failed', async () => {
    const { core, sent, whenSent, answer, failovers } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = core.forward(ctx, [target('sip:bob@pool.example.net')]);
    await whenSent(1);
    answer(0, 503);
    sent[1].handler.onTransportError({} as ClientTransaction, new Error('refused'), createResponse(sent[1].request, 503));
    expect(ctx.responses).toEqual([]);
    answer(2, 503);
    // RFC 3261 §16.7 step 6: the 503 of the last destination goes upstream as 500.
    expect((await outcome).status).toBe(500);
    expect(ctx.responses.map((r) => r.status)).toEqual([500]);
    expect(failovers).toHaveLength(2);
  });

  it('tries a failed destination last for a while', async () => {
    const { core, sent, whenSent, timeOut } = harness();
    void core.forward(new Ctx(core, invite([], 'MESSAGE')), [target('sip:bob@pool.example.net')]);
    await whenSent(1);
    timeOut(0);
    void core.forward(new Ctx(core, invite([], 'MESSAGE').setHeader('Call-ID', 'call-2')), [target('sip:bob@pool.example.net')]);
    await whenSent(3);
    expect(sent[2].destination.address).toBe('192.0.2.52');
  });

  it("tries a destination that failed last for the target's failedForMs when it gives one (a connector probe: until the next probe)", async () => {
    const { core, sent, whenSent, timeOut, clock } = harness();
    void core.originate(invite([], 'OPTIONS'), [{ ...target('sip:gw@pool.example.net'), failedForMs: 120_000 }]);
    await whenSent(1);
    timeOut(0);
    // Longer than the resolver's own memory (60 s).
    clock.advance(100_000);
    void core.forward(new Ctx(core, invite([], 'MESSAGE').setHeader('Call-ID', 'call-2')), [target('sip:bob@pool.example.net')]);
    await whenSent(3);
    expect(sent[2].destination.address).toBe('192.0.2.52');
  });

  it('tries a destination that answered 503 with Retry-After last, and one without it as before (RFC 3261 §21.5.4)', async () => {
    const { core, sent, whenSent, answer } = harness();
    void core.forward(new Ctx(core, invite([], 'MESSAGE')), [target('sip:bob@pool.example.net')]);
    await whenSent(1);
    answer(0, 503);
    answer(1, 503, ['Retry-After: 120 (busy)']);
    answer(2, 200);
    void core.forward(new Ctx(core, invite([], 'MESSAGE').setHeader('Call-ID', 'call-2')), [target('sip:bob@pool.example.net')]);
    await whenSent(4);
    expect(sent[3].destination.address).toBe('192.0.2.51');
    answer(3, 503);
    expect(sent[4].destination.address).toBe('192.0.2.53');
    answer(4, 503);
    expect(sent[5].destination.address).toBe('192.0.2.52');
  });

  it('does not fail over an INVITE that had a provisional response, nor one that was cancelled', async () => {
    const { core, sent, whenSent, answer, invites } = harness();
    const proceeding = new Ctx(core, invite());
    const first = core.forward(proceeding, [target('sip:bob@pool.example.net')]);
    await whenSent(1);
    answer(0, 180);
    answer(0, 503);
    expect((await first).status).toBe(500);
    expect(sent).toHaveLength(1);

    const tx = {} as InviteServerTransaction;
    invites.set('call-3', tx);
    const cancelled = new Ctx(core, invite().setHeader('Call-ID', 'call-3'), UDP_FLOW, tx);
    const second = core.forward(cancelled, [target('sip:bob@pool.example.net')]);
    await whenSent(2);
    core.cancel(new Ctx(core, invite([], 'CANCEL').setHeader('Call-ID', 'call-3')));
    answer(1, 503);
    expect((await second).status).toBe(500);
    expect(sent.filter((s) => s.request.method === 'INVITE')).toHaveLength(2);
  });

  it('tries a next hop that failed lately after the others (a dead connector of a community)', async () => {
    const { core, sent, whenSent, timeOut, answer } = harness();
    const hops = ['sip:192.0.2.70:5070', 'sip:192.0.2.71:5070'].map((h) => parseUri(h) as SipUri);
    void core.forward(new Ctx(core, invite([], 'MESSAGE')), [{ ...target('sip:bob@chi.acme.test'), nextHops: hops }]);
    await whenSent(1);
    timeOut(0);
    await whenSent(2);
    answer(1, 200);
    void core.forward(new Ctx(core, invite([], 'MESSAGE').setHeader('Call-ID', 'call-2')), [{ ...target('sip:bob@chi.acme.test'), nextHops: hops }]);
    await whenSent(3);
    expect(sent.map((s) => s.destination.address)).toEqual(['192.0.2.70', '192.0.2.71', '192.0.2.71']);
  });

  it('tries the next hops of a route in order, each destination once', async () => {
    const { core, sent, whenSent, answer } = harness();
    const hops = ['sip:192.0.2.52', 'sip:pool.example.net', 'sip:192.0.2.60:5070'].map((h) => parseUri(h) as SipUri);
    const outcome = core.forward(new Ctx(core, invite([], 'MESSAGE')), [{ ...target('sip:bob@peer.example.net'), nextHops: hops }]);
    await whenSent(1);
    for (let i = 0; i < 4; i++) answer(i, 503);
    expect(sent.map((s) => `${s.destination.address}:${s.destination.port}`)).toEqual(['192.0.2.52:5060', '192.0.2.51:5060', '192.0.2.53:5060', '192.0.2.60:5070']);
    expect(sent.every((s) => s.request.uriText === 'sip:bob@peer.example.net')).toBe(true);
    expect((await outcome).status).toBe(500);
  });

  it('answers 404 naming the domain when DNS knows no server for it', async () => {
    const { core, sent } = harness();
    const ctx = new Ctx(core, invite([], 'MESSAGE'));
    const outcome = await core.forward(ctx, [target('sip:bob@nowhere.example.net')]);
    expect(sent).toHaveLength(0);
    expect(outcome.status).toBe(404);
    expect(ctx.responses[0].response?.reason).toBe('No Route To Domain nowhere.example.net');
  });

  it('does not send a branch whose name resolves after a CANCEL', async () => {
    const { core, sent, invites } = harness();
    const tx = {} as InviteServerTransaction;
    invites.set('call-1', tx);
    const ctx = new Ctx(core, invite(), UDP_FLOW, tx);
    const outcome = core.forward(ctx, [target('sip:bob@pool.example.net')]);
    core.cancel(new Ctx(core, invite([], 'CANCEL')));
    expect((await outcome).status).toBe(487);
    expect(sent).toHaveLength(0);
  });

  it('answers a CANCEL with 487 at once while the next hop is still being resolved', async () => {
    const { core, sent, invites } = harness();
    const tx = {} as InviteServerTransaction;
    invites.set('call-1', tx);
    const ctx = new Ctx(core, invite(), UDP_FLOW, tx);
    const outcome = core.forward(ctx, [target('sip:bob@stuck.example.net')]);
    await new Promise((r) => setImmediate(r));
    core.cancel(new Ctx(core, invite([], 'CANCEL')));
    expect((await outcome).status).toBe(487);
    expect(sent).toHaveLength(0);
  });

  it(`sends one branch to ${MAX_DESTINATIONS_PER_BRANCH} destinations at most, however many DNS lists`, async () => {
    const { core, sent, whenSent, answer } = harness();
    const outcome = core.forward(new Ctx(core, invite([], 'MESSAGE')), [target('sip:bob@farm.example.net')]);
    await whenSent(1);
    for (let i = 0; i < MAX_DESTINATIONS_PER_BRANCH; i++) answer(i, 503);
    expect((await outcome).status).toBe(500);
    expect(sent).toHaveLength(MAX_DESTINATIONS_PER_BRANCH);
  });

  it('fails a non-INVITE over past one Timer F, but not once 2·64·T1 has passed since it arrived', async () => {
    const { core, clock, sent, whenSent, timeOut, answer } = harness();
    const outcome = core.forward(new Ctx(core, invite([], 'MESSAGE')), [target('sip:bob@pool.example.net')]);
    await whenSent(1);
    clock.advance(32_000);
    timeOut(0);
    expect(sent).toHaveLength(2);
    clock.advance(32_000);
    answer(1, 503);
    expect((await outcome).status).toBe(500);
    expect(sent).toHaveLength(2);
  });

  it('no longer tries a destination last once it answers', async () => {
    const { core, sent, whenSent, timeOut, answer } = harness();
    const forward = (callId: string) => void core.forward(new Ctx(core, invite([], 'MESSAGE').setHeader('Call-ID', callId)), [target('sip:bob@pool.example.net')]);
    forward('call-1');
    await whenSent(1);
    timeOut(0);
    answer(1, 200);
    forward('call-2');
    await whenSent(3);
    answer(2, 503);
    answer(3, 503);
    // 192.0.2.51 was tried last, and this time it answers.
    expect(sent[4].destination.address).toBe('192.0.2.51');
    answer(4, 200);
    forward('call-3');
    await whenSent(6);
    expect(sent[5].destination.address).toBe('192.0.2.51');
  });
});
