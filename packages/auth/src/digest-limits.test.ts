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

  it('answers 403 after maxFailuresPerUser h.failures, even with the right password, until the window ends', async () => {
    const auth = makeAuthenticator({ limits });
    for (let i = 0; i < 3; i++) expect((await fail(auth)).status).toBe(401);
    const challenge = await challengeFor(auth);
    const blocked = await send(auth, request({ headers: [answer(challenge)] }), '203.0.113.9');
    expect(blocked.error?.status).toBe(403);
    expect(blocked.error?.reason).toBe('Too Many Failed Authentications');
    expect(blocked.error?.code).toBe('SIP_ERR_AUTH_BLOCKED');
    expect(h.failures.at(-1)).toBe('blocked');

    h.clock.advance(60_000);
    const fresh = await challengeFor(auth);
    const { verdict } = await send(auth, request({ headers: [answer(fresh)] }));
    expect(verdict).toBe('continue');
  });

  it('answers 403 to a source after maxFailuresPerSource h.failures over any h.users', async () => {
    const auth = makeAuthenticator({ limits });
    for (let i = 0; i < 5; i++) await fail(auth, `user${i}`);
    const challenge = await challengeFor(auth);
    expect((await send(auth, request({ headers: [answer(challenge)] }))).error?.code).toBe('SIP_ERR_AUTH_BLOCKED');
    const elsewhere = await send(auth, request({ headers: [answer(challenge, { nc: '00000002' })] }), '203.0.113.9');
    expect(elsewhere.verdict).toBe('continue');
  });

  it('clears the user counter on success', async () => {
    const auth = makeAuthenticator({ limits });
    await fail(auth);
    await fail(auth);
    const challenge = await challengeFor(auth);
    expect((await send(auth, request({ headers: [answer(challenge)] }))).verdict).toBe('continue');
    expect(await h.authState.failures(`user:alice@${DOMAIN}`, h.clock.now())).toBe(0);
    expect(await h.authState.failures(`src:${SOURCE}`, h.clock.now())).toBe(2);
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
