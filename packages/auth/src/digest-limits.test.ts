import type { RequestProcessor } from '@herald/proxy';
import type { DigestAlgorithm, SipError } from '@herald/sip';
import { DOMAIN, SOURCE, answer, challengeFor, h, makeAuthenticator, request, send, useDigestHarness } from '../test/helpers/digest-harness.js';

useDigestHarness();

describe('failed authentication limits', () => {
  const limits = { maxFailuresPerSource: 5, maxFailuresPerUser: 3, windowMs: 60_000, slowAfter: 100, slowDelayMs: 500 };

  async function fail(auth: RequestProcessor, user = 'alice', source = SOURCE): Promise<SipError> {
    const challenge = await challengeFor(auth);
    return (await send(auth, request({ headers: [answer(challenge, { user, password: 'guess' })] }), source)).error!;
  }

  it('answers 403 after maxFailuresPerUser failures to the source that failed, even with the right password, until the window ends', async () => {
    const auth = makeAuthenticator({ limits });
    for (let i = 0; i < 3; i++) expect((await fail(auth)).status).toBe(401);
    const challenge = await challengeFor(auth);
    const blocked = await send(auth, request({ headers: [answer(challenge)] }));
    expect(blocked.error?.status).toBe(403);
    expect(blocked.error?.reason).toBe('Too Many Failed Authentications');
    expect(blocked.error?.code).toBe('SIP_ERR_AUTH_BLOCKED');
    expect(h.failures.at(-1)).toBe('blocked');

    h.clock.advance(60_000);
    const fresh = await challengeFor(auth);
    const { verdict } = await send(auth, request({ headers: [answer(fresh)] }));
    expect(verdict).toBe('continue');
  });

  it("does not lock the owner out: another source's failures leave a source without failures its check (issue 13 item 8)", async () => {
    const auth = makeAuthenticator({ limits });
    const stranger = '203.0.113.66';
    for (let i = 0; i < 5; i++) await fail(auth, 'alice', stranger);
    const owner = await send(auth, request({ headers: [answer(await challengeFor(auth))] }), '203.0.113.9');
    expect(owner.verdict).toBe('continue');
    expect(owner.ctx.authenticated?.aor).toBe('sip:alice@example.com');
    // The stranger stays refused, right password or not, and a success elsewhere does not free it.
    const again = await send(auth, request({ headers: [answer(await challengeFor(auth))] }), stranger);
    expect(again.error?.code).toBe('SIP_ERR_AUTH_BLOCKED');
  });

  it('gives each new source one guess once the account is over its limit', async () => {
    const auth = makeAuthenticator({ limits });
    for (let i = 0; i < 3; i++) await fail(auth, 'alice', `203.0.113.${i}`);
    expect((await fail(auth, 'alice', '203.0.113.50')).status).toBe(401);
    expect((await fail(auth, 'alice', '203.0.113.50')).code).toBe('SIP_ERR_AUTH_BLOCKED');
  });

  it('answers 403 to a source after maxFailuresPerSource h.failures over any h.users', async () => {
    const auth = makeAuthenticator({ limits });
    for (let i = 0; i < 5; i++) await fail(auth, `user${i}`);
    const challenge = await challengeFor(auth);
    expect((await send(auth, request({ headers: [answer(challenge)] }))).error?.code).toBe('SIP_ERR_AUTH_BLOCKED');
    const elsewhere = await send(auth, request({ headers: [answer(challenge, { nc: '00000002' })] }), '203.0.113.9');
    expect(elsewhere.verdict).toBe('continue');
  });

  it("on success forgets the source's failures for the account, not the account's or the source's", async () => {
    const auth = makeAuthenticator({ limits });
    await fail(auth);
    await fail(auth);
    const challenge = await challengeFor(auth);
    expect((await send(auth, request({ headers: [answer(challenge)] }))).verdict).toBe('continue');
    const keys = [`src:${SOURCE}`, `user:alice@${DOMAIN}`, `src-user:${SOURCE}|alice@${DOMAIN}`];
    expect(await h.authState.failuresOf(keys, h.clock.now())).toEqual([2, 2, 0]);
  });

  it('delays the challenge after slowAfter h.failures by slowDelayMs per failure, at most 5 s', async () => {
    const auth = makeAuthenticator({ limits: { ...limits, maxFailuresPerUser: 20, maxFailuresPerSource: 20, slowAfter: 2, slowDelayMs: 2000 } });
    for (let i = 0; i < 6; i++) await fail(auth);
    expect(h.sleeps).toEqual([2000, 4000, 5000, 5000]);
  });

  it('does not delay a success', async () => {
    const auth = makeAuthenticator({ limits: { ...limits, slowAfter: 0 } });
    const challenge = await challengeFor(auth);
    expect((await send(auth, request({ headers: [answer(challenge)] }))).verdict).toBe('continue');
    expect(h.sleeps).toEqual([]);
  });
});

describe('options', () => {
  it('are validated at start-up', () => {
    expect(() => makeAuthenticator({ algorithms: [] })).toThrow(RangeError);
    expect(() => makeAuthenticator({ algorithms: ['SHA-512-256' as DigestAlgorithm] })).toThrow(RangeError);
    expect(() => makeAuthenticator({ algorithms: ['MD5', 'MD5'] })).toThrow(RangeError);
    expect(() => makeAuthenticator({ limits: { windowMs: 0 } })).toThrow(RangeError);
    expect(() => makeAuthenticator({ limits: { slowDelayMs: -1 } })).toThrow(RangeError);
  });
});
