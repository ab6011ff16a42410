import { createResponse } from '@herald/sip';
import { Ctx, harness, invite, target } from '../../test/helpers/proxy-core-harness.js';
import type { Target } from '../routing/target.js';

const PAI = 'P-Asserted-Identity: <sip:ceo@example.com>';

/** A target in a gateway community: Herald's trust domain. */
function communityTarget(): Target {
  return { ...target('sip:bob@198.51.100.5'), peer: { domain: 'chi.acme.test', onlyTls: false, community: 'chicago' } };
}

describe('RFC 3325 §5 P-Asserted-Identity in the responses relayed upstream', () => {
  it('is removed from a response of a user agent or a domain outside the trust domain (it would reach a community that believes it)', async () => {
    const { core, ctx, answer } = withCtx();
    const outcome = core.forward(ctx, [target('sip:alice@198.51.100.9')]);
    answer(0, 180, [PAI]);
    answer(0, 200, [PAI]);
    expect((await outcome).status).toBe(200);
    expect(ctx.responses.map((r) => [r.status, r.response?.headerValues('p-asserted-identity')])).toEqual([
      [180, []],
      [200, []],
    ]);
  });

  it('is removed from the best final response of failed branches', async () => {
    const { core, ctx, answer } = withCtx('MESSAGE');
    const outcome = core.forward(ctx, [target('sip:alice@198.51.100.9')]);
    answer(0, 486, [PAI]);
    expect((await outcome).status).toBe(486);
    expect(ctx.responses[0].response?.hasHeader('p-asserted-identity')).toBe(false);
  });

  it('is kept in a response of a gateway community', async () => {
    const { core, ctx, answer } = withCtx();
    const outcome = core.forward(ctx, [communityTarget()]);
    answer(0, 200, ['P-Asserted-Identity: <sip:bob@chi.acme.test>']);
    expect((await outcome).status).toBe(200);
    expect(ctx.responses[0].response?.headerValues('p-asserted-identity')).toEqual(['<sip:bob@chi.acme.test>']);
  });

  it('is removed from a 2xx that matches no transaction any more (its branch unknown)', async () => {
    const { core, ctx, sent, whenSent } = withCtx();
    void core.forward(ctx, [communityTarget()]);
    await whenSent(1);
    const stray = createResponse(sent[0].request, 200, undefined, { headers: [['P-Asserted-Identity', '<sip:ceo@example.com>']] });
    core.forwardStray(stray);
    expect(stray.hasHeader('p-asserted-identity')).toBe(false);
  });
});

function withCtx(method = 'INVITE') {
  const h = harness();
  return { ...h, ctx: new Ctx(h.core, invite([], method)) };
}
