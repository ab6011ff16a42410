import { type SipRequest, parseMessage } from '@herald/sip';
import type { Flow } from '@herald/stack';
import { FAKE_FLOW, FakeRequestContext, requestText } from '@herald/test-kit';
import type { PeerVerdict } from '../federation/peer-verdict.js';
import { chicagoCommunity, communityPolicy } from '../../test/helpers/community-fixture.js';
import { assertIdentityToCommunity, stripAssertedIdentity, stripAssertedIdentityInDialog } from './asserted-identity.js';

const ALICE = { user: 'alice', domain: 'example.com', aor: 'sip:alice@example.com' };
const policy = communityPolicy([chicagoCommunity()]);

function request(uri: string, from: string, ...pai: string[]): SipRequest {
  const extra = pai.map((value) => `P-Asserted-Identity: ${value}`);
  return parseMessage(Buffer.from(requestText({ method: 'MESSAGE', uri, from: `<${from}>;tag=f`, to: `<${uri}>`, headers: extra }))) as SipRequest;
}

async function run(step: ReturnType<typeof stripAssertedIdentity>, req: SipRequest, over: { peer?: PeerVerdict; authenticated?: typeof ALICE; flow?: Flow } = {}): Promise<string[]> {
  const ctx = new FakeRequestContext(req, { ...(over.authenticated && { authenticated: over.authenticated }), ...(over.flow && { flow: over.flow }) });
  if (over.peer !== undefined) ctx.peer = over.peer;
  expect(await ctx.run(step)).toBe('continue');
  return ctx.req.headerValues('p-asserted-identity');
}

describe('RFC 3325 §5 P-Asserted-Identity and the trust domain', () => {
  const fromChicago: PeerVerdict = { domain: 'chi.acme.test', peer: 'chi.acme.test', level: 'verified', proof: 'address', community: 'chicago' };

  it('keeps P-Asserted-Identity from a community whose sender was verified', async () => {
    expect(await run(stripAssertedIdentity(), request('sip:alice@example.com', 'sip:bob@chi.acme.test', '<sip:bob@chi.acme.test>'), { peer: fromChicago })).toEqual(['<sip:bob@chi.acme.test>']);
  });

  it('removes every P-Asserted-Identity from another domain, an unverified community sender, and Herald’s own users', async () => {
    const strip = stripAssertedIdentity();
    const peer: PeerVerdict = { domain: 'peer.test', peer: null, level: 'verified', proof: 'address' };
    expect(await run(strip, request('sip:alice@example.com', 'sip:bob@peer.test', '<sip:bob@peer.test>', '<tel:+15551234>'), { peer })).toEqual([]);
    expect(await run(strip, request('sip:alice@example.com', 'sip:bob@chi.acme.test', '<sip:ceo@chi.acme.test>'), { peer: { ...fromChicago, proof: 'none' } })).toEqual([]);
    expect(await run(strip, request('sip:bob@example.com', 'sip:alice@example.com', '<sip:ceo@example.com>'), { authenticated: ALICE })).toEqual([]);
  });

  it('asserts the authenticated identity towards a community, in place of any other', async () => {
    expect(await run(assertIdentityToCommunity(policy), request('sip:bob@chi.acme.test', 'sip:alice@example.com', '<sip:ceo@example.com>'), { authenticated: ALICE })).toEqual(['<sip:alice@example.com>']);
  });

  it('sends none to a domain outside the trust domain, nor without an authenticated sender', async () => {
    const assert = assertIdentityToCommunity(policy);
    expect(await run(assert, request('sip:bob@peer.test', 'sip:alice@example.com', '<sip:alice@example.com>'), { authenticated: ALICE })).toEqual([]);
    expect(await run(assert, request('sip:bob@chi.acme.test', 'sip:alice@example.com', '<sip:alice@example.com>'))).toEqual([]);
    expect(await run(assert, request('sip:bob@peer.test', 'sip:alice@example.com'), { authenticated: ALICE })).toEqual([]);
  });

  /** The community's connector sends from FAKE_FLOW's address; anyone else is not the community. */
  const addresses = { speaksFor: (_domain: string, address: string) => address === FAKE_FLOW.remoteAddress };
  const impostor: Flow = { ...FAKE_FLOW, remoteAddress: '203.0.113.66' };

  it('within a dialog, keeps it from a community’s domain only', async () => {
    const strip = stripAssertedIdentityInDialog({ policy, addresses });
    expect(await run(strip, request('sip:alice@192.0.2.1', 'sip:bob@chi.acme.test', '<sip:bob@chi.acme.test>'))).toEqual(['<sip:bob@chi.acme.test>']);
    expect(await run(strip, request('sip:bob@192.0.2.7', 'sip:alice@example.com', '<sip:ceo@example.com>'), { authenticated: ALICE })).toEqual([]);
    expect(await run(strip, request('sip:alice@192.0.2.1', 'sip:bob@peer.test', '<sip:bob@peer.test>'))).toEqual([]);
  });

  it('within a dialog, removes it when the sender is not the community’s (a dialog member writing a community From)', async () => {
    const strip = stripAssertedIdentityInDialog({ policy, addresses });
    expect(await run(strip, request('sip:alice@192.0.2.1', 'sip:bob@chi.acme.test', '<sip:ceo@chi.acme.test>'), { flow: impostor })).toEqual([]);
    const dnsDown = stripAssertedIdentityInDialog({ policy, addresses: { speaksFor: () => Promise.reject(new Error('no DNS')) } });
    expect(await run(dnsDown, request('sip:alice@192.0.2.1', 'sip:bob@chi.acme.test', '<sip:ceo@chi.acme.test>'))).toEqual([]);
  });

  it('within a dialog, removes it from a community switched off', async () => {
    const off = communityPolicy([chicagoCommunity()], {}, false);
    expect(await run(stripAssertedIdentityInDialog({ policy: off, addresses }), request('sip:alice@192.0.2.1', 'sip:bob@chi.acme.test', '<sip:bob@chi.acme.test>'))).toEqual([]);
  });
});
