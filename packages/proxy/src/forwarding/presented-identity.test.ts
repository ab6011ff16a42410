import { type SipUri, parseUri } from '@herald/sip';
import type { InviteServerTransaction } from '@herald/stack';
import { Ctx, UDP_FLOW, harness, invite, target } from '../../test/helpers/proxy-core-harness.js';

const EXTERNAL = parseUri('sip:Alice_Smith@acme.test') as SipUri;
const FROM = '"Alice Smith" <sip:asmith@dc.acme.test>;tag=a1;x-note=kept';

/** A request of asmith's whose copies carry the external form (`ctx.presentedAs`, set by ID conversion). */
function presented(method = 'INVITE', extra: string[] = []) {
  const h = harness();
  const tx = {} as InviteServerTransaction;
  h.invites.set('call-1', tx);
  const req = invite(extra, method).setHeader('From', FROM);
  const ctx = new Ctx(h.core, req, UDP_FLOW, tx);
  ctx.presentedAs = EXTERNAL;
  return { ...h, ctx, tx };
}

describe('DEVIATION(RFC 3261 §16.6): From of a request to a convertIds community', () => {
  it('is the external form in the copy, display name, tag and parameters kept, and the request itself is left as sent', () => {
    const { core, sent, ctx } = presented('MESSAGE');
    void core.forward(ctx, [target('sip:bob@198.51.100.5')]);
    expect(sent[0].request.header('from')).toBe('Alice Smith <sip:Alice_Smith@acme.test>;tag=a1;x-note=kept');
    expect(ctx.req.header('from')).toBe(FROM);
  });

  it('names the external form in P-Asserted-Identity too, leaving a tel URI (RFC 3325 §9.1)', () => {
    const { core, sent, ctx } = presented('MESSAGE', ['P-Asserted-Identity: "Alice" <sip:asmith@dc.acme.test>', 'P-Asserted-Identity: <tel:+15551234>']);
    void core.forward(ctx, [target('sip:bob@198.51.100.5')]);
    expect(sent[0].request.headerValues('p-asserted-identity')).toEqual(['Alice <sip:Alice_Smith@acme.test>', '<tel:+15551234>']);
  });

  it('comes back as the sender wrote it in every response relayed upstream (RFC 3261 §8.2.6.2)', async () => {
    const { core, ctx, answer } = presented();
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5')]);
    answer(0, 180);
    answer(0, 200);
    expect((await outcome).status).toBe(200);
    expect(ctx.responses.map((r) => [r.status, r.response?.header('from')])).toEqual([
      [180, FROM],
      [200, FROM],
    ]);
  });

  it('comes back in the best final response of failed branches', async () => {
    const { core, ctx, answer } = presented('MESSAGE');
    const outcome = core.forward(ctx, [target('sip:bob@198.51.100.5')]);
    answer(0, 404);
    expect((await outcome).status).toBe(404);
    expect(ctx.responses[0].response?.header('from')).toBe(FROM);
  });

  it('is the copy\'s in the CANCEL Herald sends downstream (RFC 3261 §9.1)', () => {
    const { core, sent, ctx, answer } = presented();
    void core.forward(ctx, [target('sip:bob@198.51.100.5')]);
    answer(0, 180);
    expect(core.cancel(new Ctx(core, invite([], 'CANCEL').setHeader('From', FROM)))).toBe(true);
    const cancel = sent.find((s) => s.request.method === 'CANCEL');
    expect(cancel?.request.header('from')).toBe('Alice Smith <sip:Alice_Smith@acme.test>;tag=a1;x-note=kept');
  });
});
