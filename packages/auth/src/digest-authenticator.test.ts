import { type DigestAlgorithm, type SipError, parseAuth } from '@herald/sip';
import { DOMAIN, SOURCE, TestContext, addUser, answer, challengeFor, h, makeAuthenticator, params, request, send, useDigestHarness } from '../test/helpers/digest-harness.js';
import { NonceService } from './nonce-service.js';

useDigestHarness();

describe('RFC 3261 §22.2 / RFC 8760 §2.3 challenge', () => {
  it('answers a REGISTER without credentials with 401 and one WWW-Authenticate, MD5, for a client not known to choose', async () => {
    const challenge = await challengeFor(makeAuthenticator());
    expect(challenge.status).toBe(401);
    expect(challenge.reason).toBe('Unauthorized');
    expect(challenge.headers).toHaveLength(1);
    expect(challenge.headers[0][0]).toBe('WWW-Authenticate');
    expect(challenge.headers[0][1]).toMatch(/^Digest realm="example\.com", nonce="[A-Za-z0-9_-]{43}", algorithm=MD5, qop="auth"$/);
    expect(h.nonces.check(params(challenge).get('nonce')!, DOMAIN, h.clock.now())).toBe('valid');
  });

  it('offers Linphone one challenge per algorithm, SHA-256 first, one nonce for both (RFC 8760 §2.3)', async () => {
    const challenge = await challengeFor(makeAuthenticator(), { headers: ['User-Agent: Linphone Desktop/5.2.6 (Debian) LinphoneSDK/5.3.41'] });
    expect(challenge.headers.map(([name]) => name)).toEqual(['WWW-Authenticate', 'WWW-Authenticate']);
    const [sha, md5] = challenge.headers.map(([, v]) => v);
    expect(sha).toMatch(/^Digest realm="example\.com", nonce="[A-Za-z0-9_-]{43}", algorithm=SHA-256, qop="auth"$/);
    expect(md5).toMatch(/^Digest realm="example\.com", nonce="[A-Za-z0-9_-]{43}", algorithm=MD5, qop="auth"$/);
    expect(params(challenge, 0).get('nonce')).toBe(params(challenge, 1).get('nonce'));
  });

  it('takes the realm from the Request-URI domain', async () => {
    const challenge = await challengeFor(makeAuthenticator(), { uri: 'sip:example.org', from: 'sip:alice@example.org' });
    expect(params(challenge).get('realm')).toBe('example.org');
  });

  it('accepts an answer with any configured algorithm, offered to this client or not', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    expect((await send(auth, request({ headers: [answer(challenge, { algorithm: 'SHA-256' })] }))).verdict).toBe('continue');
    const linphone = await challengeFor(auth, { headers: ['User-Agent: Linphonec/5.1.65'] });
    expect((await send(auth, request({ headers: [answer(linphone, { algorithm: 'MD5' })] }))).verdict).toBe('continue');
    expect(h.successes).toEqual(['sip:alice@example.com SHA-256', 'sip:alice@example.com MD5']);
  });

  it('takes the realm from To when a REGISTER is addressed to Herald by IP address', async () => {
    const challenge = await challengeFor(makeAuthenticator(), { uri: 'sip:192.0.2.1:5060' });
    expect(challenge.status).toBe(401);
    expect(params(challenge).get('realm')).toBe(DOMAIN);
  });

  it('offers only the configured algorithms, in the configured order', async () => {
    const challenge = await challengeFor(makeAuthenticator({ algorithms: ['MD5'] }));
    expect(challenge.headers).toHaveLength(1);
    expect(params(challenge).get('algorithm')).toBe('MD5');
  });

  it('does not count a request without credentials as a failure', async () => {
    const auth = makeAuthenticator();
    for (let i = 0; i < 20; i++) await challengeFor(auth);
    expect(await h.authState.failuresOf([`src:${SOURCE}`, `user:alice@${DOMAIN}`], h.clock.now())).toEqual([0, 0]);
    expect(h.sleeps).toEqual([]);
    expect(h.failures).toEqual([]);
  });

  it('takes the Digest scheme in any case (RFC 3261 §25.1: a token)', async () => {
    const auth = makeAuthenticator();
    for (const scheme of ['digest', 'DIGEST', 'Digest']) {
      const challenge = await challengeFor(auth);
      const credentials = answer(challenge, { algorithm: 'MD5' }).replace('Authorization: Digest ', `Authorization: ${scheme} `);
      expect((await send(auth, request({ headers: [credentials] }))).verdict).toBe('continue');
    }
    expect(h.successes).toEqual(['sip:alice@example.com MD5', 'sip:alice@example.com MD5', 'sip:alice@example.com MD5']);
  });

  it('challenges again when the credentials are for another realm only', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const { error } = await send(auth, request({ headers: [answer(challenge, { realm: 'elsewhere.test' })] }));
    expect(error?.code).toBe('SIP_ERR_AUTH_CHALLENGE');
    expect(h.failures).toEqual([]);
  });
});

describe('RFC 7616 §3.4 response verification', () => {
  it.each<DigestAlgorithm>(['SHA-256', 'MD5'])('accepts a correct %s response and sets the authenticated user', async (algorithm) => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const { verdict, ctx } = await send(auth, request({ headers: [answer(challenge, { algorithm })] }));
    expect(verdict).toBe('continue');
    expect(ctx.authenticated).toEqual({ user: 'alice', domain: DOMAIN, aor: 'sip:alice@example.com' });
    expect(h.successes).toEqual([`sip:alice@example.com ${algorithm}`]);
  });

  it('gives the AoR in the registrar\'s canonical form, the user part unescaped (RFC 3261 §10.3 step 5)', async () => {
    await addUser('o#1', 'secret');
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth, { from: 'sip:o%231@example.com' });
    const { ctx } = await send(auth, request({ from: 'sip:o%231@example.com', headers: [answer(challenge, { user: 'o#1' })] }));
    expect(ctx.authenticated?.aor).toBe('sip:o#1@example.com');
  });

  it('accepts the -sess variants when configured', async () => {
    const auth = makeAuthenticator({ algorithms: ['SHA-256-sess', 'MD5-sess'] });
    const challenge = await challengeFor(auth, { headers: ['User-Agent: Linphone/5.2'] });
    expect(params(challenge).get('algorithm')).toBe('SHA-256-sess');
    expect(params(await challengeFor(auth)).get('algorithm')).toBe('MD5-sess');
    const { verdict } = await send(auth, request({ headers: [answer(challenge, { algorithm: 'SHA-256-sess' })] }));
    expect(verdict).toBe('continue');
  });

  it('accepts qop=auth-int, which covers the body', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const body = 'hello';
    const ok = await send(auth, request({ body, headers: [answer(challenge, { qop: 'auth-int', body })] }));
    expect(ok.verdict).toBe('continue');
    const tampered = await send(auth, request({ body: 'HELLO', headers: [answer(challenge, { qop: 'auth-int', body, nc: '00000002' })] }));
    expect(tampered.error?.code).toBe('SIP_ERR_AUTH_CHALLENGE');
  });

  it('accepts the RFC 2069 form without qop', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const { verdict } = await send(auth, request({ headers: [answer(challenge, { qop: null, algorithm: 'MD5' })] }));
    expect(verdict).toBe('continue');
  });

  it('rejects an algorithm that was not offered with a fresh challenge', async () => {
    const auth = makeAuthenticator({ algorithms: ['SHA-256'] });
    const challenge = await challengeFor(auth);
    const { error } = await send(auth, request({ headers: [answer(challenge, { algorithm: 'MD5' })] }));
    expect(error?.status).toBe(401);
    expect(h.failures).toEqual(['unsupported-algorithm']);
  });

  it('answers a wrong password with a fresh challenge, not stale, and counts it', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const { error, ctx } = await send(auth, request({ headers: [answer(challenge, { password: 'guess' })] }));
    expect(error?.status).toBe(401);
    expect(error?.code).toBe('SIP_ERR_AUTH_CHALLENGE');
    expect(params(error!).has('stale')).toBe(false);
    expect(params(error!).get('nonce')).not.toBe(params(challenge).get('nonce'));
    expect(ctx.authenticated).toBeNull();
    expect(h.failures).toEqual(['wrong-password']);
    expect(await h.authState.failuresOf([`src:${SOURCE}`, `user:alice@${DOMAIN}`], h.clock.now())).toEqual([1, 1]);
    // The counted failure keeps its transaction, so a retransmission is not counted again.
    expect(ctx.statelessAnswer).toBe(false);
  });

  it('sends the REGISTER challenge statelessly (RFC 3261 §26.3.2.4), and no other', async () => {
    const auth = makeAuthenticator();
    expect((await send(auth, request())).ctx.statelessAnswer).toBe(true);
    expect((await send(auth, request({ method: 'MESSAGE', uri: 'sip:bob@' + DOMAIN }))).ctx.statelessAnswer).toBe(false);
  });

  it('answers an unknown user exactly as a wrong password', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const wrong = (await send(auth, request({ headers: [answer(challenge, { password: 'guess' })] }))).error!;
    const unknown = (await send(auth, request({ headers: [answer(challenge, { user: 'mallory' })] }))).error!;
    expect([unknown.status, unknown.reason, unknown.code]).toEqual([wrong.status, wrong.reason, wrong.code]);
    const shape = (e: SipError) => e.headers.map(([name, v]) => [name, [...parseAuth(v).params.keys()]]);
    expect(shape(unknown)).toEqual(shape(wrong));
    expect(h.failures).toEqual(['wrong-password', 'unknown-user']);
  });

  it('rejects a forged nonce with a fresh challenge without counting a failure', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const forged = new NonceService('another-secret-entirely-32-bytes').issue(DOMAIN, h.clock.now());
    const { error } = await send(auth, request({ headers: [answer(challenge, { nonce: forged })] }));
    expect(error?.status).toBe(401);
    expect(params(error!).has('stale')).toBe(false);
    expect(h.failures).toEqual(['invalid-nonce']);
    expect(await h.authState.failures(`user:alice@${DOMAIN}`, h.clock.now())).toBe(0);
  });

  it('answers with 400 when username, nonce, uri or response is missing', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const full = answer(challenge);
    for (const name of ['username', 'nonce', 'uri', 'response']) {
      const without = full.replace(new RegExp(`, ${name}="[^"]*"|(?<=Digest )${name}="[^"]*", `), '');
      const { error } = await send(auth, request({ headers: [without] }));
      expect(error?.status).toBe(400);
      expect(error?.code).toBe('SIP_ERR_AUTH_MALFORMED');
      expect(error?.reason).toBe(`Missing Digest ${name}`);
    }
  });
});

describe('RFC 7616 §3.3 stale nonce', () => {
  it('answers a correct response with an expired nonce with stale=true', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    h.clock.advance(300_000);
    const { error } = await send(auth, request({ headers: [answer(challenge), 'User-Agent: Linphone/5.2'] }));
    expect(error?.status).toBe(401);
    expect(error!.headers).toHaveLength(2);
    for (let i = 0; i < 2; i++) expect(params(error!, i).get('stale')).toBe('true');
    expect(error!.headers[0][1]).toMatch(/, stale=true$/);
    expect(h.nonces.check(params(error!).get('nonce')!, DOMAIN, h.clock.now())).toBe('valid');
    expect(h.failures).toEqual(['stale-nonce']);
  });

  it('does not say stale when the password was wrong', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    h.clock.advance(300_000);
    const { error } = await send(auth, request({ headers: [answer(challenge, { password: 'guess' })] }));
    expect(params(error!).has('stale')).toBe(false);
    expect(h.failures).toEqual(['wrong-password']);
  });
});

describe('RFC 7616 §3.4 nonce-count', () => {
  it('accepts increasing nc values for one nonce and rejects a replayed one', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    expect((await send(auth, request({ cseq: 2, headers: [answer(challenge, { nc: '00000001' })] }))).verdict).toBe('continue');
    expect((await send(auth, request({ cseq: 3, headers: [answer(challenge, { nc: '00000002' })] }))).verdict).toBe('continue');
    const replay = await send(auth, request({ cseq: 4, headers: [answer(challenge, { nc: '00000002' })] }));
    expect(replay.error?.status).toBe(401);
    expect(replay.error?.code).toBe('SIP_ERR_AUTH_CHALLENGE');
    expect(params(replay.error!).has('stale')).toBe(false);
    expect(h.failures).toEqual(['replay']);
    expect((await send(auth, request({ cseq: 5, headers: [answer(challenge, { nc: '0000000A' })] }))).verdict).toBe('continue');
  });

  it('lets a retransmission of an authenticated REGISTER (the same bytes from the same source) through again within 64·T1, answered statelessly (RFC 3261 §8.2.7, §17.1.2.2)', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const registration = request({ cseq: 2, headers: [answer(challenge)] });
    const first = await send(auth, registration);
    expect(first.verdict).toBe('continue');
    expect(first.ctx.statelessAnswer).toBe(true);
    h.clock.advance(31_000);
    const again = await send(auth, registration);
    expect(again.verdict).toBe('continue');
    expect(again.ctx.authenticated?.aor).toBe('sip:alice@example.com');
    // Told apart from the first, so that the registrar applies it no second time.
    expect(first.ctx.retransmitted).toBeUndefined();
    expect(again.ctx.retransmitted).toBe(true);
    h.clock.advance(1_000);
    expect((await send(auth, registration)).error?.status).toBe(401);
    expect(h.failures).toEqual(['replay']);
  });

  it('lets only the same request from the same source show the nc again: not one with a Contact of its own, nor the same bytes from elsewhere', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const credentials = answer(challenge);
    expect((await send(auth, request({ cseq: 2, headers: [credentials, 'Contact: <sip:alice@198.51.100.7>'] }))).verdict).toBe('continue');
    const hijack = await send(auth, request({ cseq: 2, headers: [credentials, 'Contact: <sip:mallory@203.0.113.9>'] }));
    expect(hijack.error?.status).toBe(401);
    const elsewhere = await send(auth, request({ cseq: 2, headers: [credentials, 'Contact: <sip:alice@198.51.100.7>'] }), '203.0.113.9');
    expect(elsewhere.error?.status).toBe(401);
    expect(h.failures).toEqual(['replay', 'replay']);
    expect((await send(auth, request({ cseq: 2, headers: [credentials, 'Contact: <sip:alice@198.51.100.7>'] }))).verdict).toBe('continue');
  });

  it('lets no other request use the nc again, nor a retransmitted MESSAGE (its transaction absorbs retransmissions)', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    expect((await send(auth, request({ cseq: 2, headers: [answer(challenge)] }))).verdict).toBe('continue');
    expect((await send(auth, request({ cseq: 3, headers: [answer(challenge)] }))).error?.status).toBe(401);
    const spec = { method: 'MESSAGE', uri: 'sip:bob@' + DOMAIN, cseq: 2 };
    const proxyChallenge = await challengeFor(auth, spec);
    const message = request({ ...spec, headers: [answer(proxyChallenge, { method: 'MESSAGE', uri: 'sip:bob@' + DOMAIN })] });
    const first = await send(auth, message);
    expect(first.verdict).toBe('continue');
    expect(first.ctx.statelessAnswer).toBe(false);
    expect((await send(auth, message)).error?.status).toBe(407);
  });

  it('lets a nonce without qop (RFC 2069) be used once', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const credentials = answer(challenge, { qop: null });
    expect((await send(auth, request({ cseq: 2, headers: [credentials] }))).verdict).toBe('continue');
    expect((await send(auth, request({ cseq: 3, headers: [credentials] }))).error?.status).toBe(401);
  });

  it.each(['0000001', '000000001', '0000000g', '00000000'])('answers nc=%s with 400', async (nc) => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const { error } = await send(auth, request({ headers: [answer(challenge, { nc })] }));
    expect(error?.status).toBe(400);
    expect(error?.reason).toBe('Bad Digest nc');
    expect(error?.code).toBe('SIP_ERR_AUTH_MALFORMED');
  });
});

describe('RFC 7616 §3.4.6 digest-uri', () => {
  it('answers a digest-uri other than the Request-URI with 400', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth);
    const { error } = await send(auth, request({ headers: [answer(challenge, { uri: 'sip:example.org' })] }));
    expect(error?.status).toBe(400);
    expect(error?.reason).toBe('Digest URI Mismatch');
    expect(error?.code).toBe('SIP_ERR_AUTH_MALFORMED');
    expect(h.failures).toEqual(['uri-mismatch']);
  });

  it('lets it differ when checkDigestUri is off', async () => {
    const auth = makeAuthenticator({ checkDigestUri: false });
    const challenge = await challengeFor(auth);
    const { verdict } = await send(auth, request({ headers: [answer(challenge, { uri: 'sip:example.org' })] }));
    expect(verdict).toBe('continue');
  });
});

describe('RFC 3261 §22.3 proxy authentication', () => {
  const message = { method: 'MESSAGE', uri: 'sip:bob@example.com' };

  it('answers a request other than REGISTER from a local user with 407 and Proxy-Authenticate', async () => {
    const challenge = await challengeFor(makeAuthenticator(), message);
    expect(challenge.status).toBe(407);
    expect(challenge.reason).toBe('Proxy Authentication Required');
    expect(challenge.headers.map(([name]) => name)).toEqual(['Proxy-Authenticate']);
    expect(params(challenge).get('realm')).toBe(DOMAIN);
  });

  it('challenges an im: or pres: From of a served domain, the same user as its sip: address (RFC 3861)', async () => {
    for (const from of ['im:dave@example.com', 'pres:dave@EXAMPLE.com']) {
      const challenge = await challengeFor(makeAuthenticator(), { ...message, from });
      expect(challenge.status).toBe(407);
      expect(params(challenge).get('realm')).toBe(DOMAIN);
    }
  });

  it('takes the realm from the From domain, also for a request to another domain', async () => {
    const challenge = await challengeFor(makeAuthenticator(), { method: 'INVITE', uri: 'sip:carol@elsewhere.test', from: 'sip:dave@example.org' });
    expect(challenge.status).toBe(407);
    expect(params(challenge).get('realm')).toBe('example.org');
  });

  it('accepts Proxy-Authorization and ignores Authorization in a 407 flow', async () => {
    const auth = makeAuthenticator();
    const challenge = await challengeFor(auth, message);
    const spec = { method: 'MESSAGE', uri: 'sip:bob@example.com' };
    const wrongHeader = await send(auth, request({ ...message, headers: [answer(challenge, { ...spec, header: 'Authorization' })] }));
    expect(wrongHeader.error?.status).toBe(407);
    const { verdict, ctx } = await send(auth, request({ ...message, headers: [answer(challenge, spec)] }));
    expect(verdict).toBe('continue');
    expect(ctx.authenticated?.aor).toBe('sip:alice@example.com');
  });

  it('answers a REGISTER for another domain from a local user with 407', async () => {
    const challenge = await challengeFor(makeAuthenticator(), { uri: 'sip:elsewhere.test' });
    expect(challenge.status).toBe(407);
  });

  it('lets a request from another domain pass untouched', async () => {
    const { verdict, ctx } = await send(makeAuthenticator(), request({ ...message, from: 'sip:carol@elsewhere.test' }));
    expect(verdict).toBe('continue');
    expect(ctx.authenticated).toBeNull();
  });

  it('does not challenge a gateway community’s request, its P-Asserted-Identity left for the trust domain check (RFC 3325 §5)', async () => {
    const { verdict, error, ctx } = await send(makeAuthenticator(), request({ ...message, from: 'sip:bob@chi.acme.test', headers: ['P-Asserted-Identity: <sip:bob@chi.acme.test>'] }));
    expect([verdict, error]).toEqual(['continue', undefined]);
    expect(ctx.authenticated).toBeNull();
    expect(ctx.req.header('p-asserted-identity')).toBe('<sip:bob@chi.acme.test>');
  });

  it('lets a request an earlier processor authenticated pass', async () => {
    const ctx = new TestContext(request(message), SOURCE);
    ctx.authenticated = { user: 'alice', domain: DOMAIN, aor: 'sip:alice@example.com' };
    expect(makeAuthenticator().process(ctx)).toBe('continue');
  });
});

describe('RFC 3261 §22.1 ACK and CANCEL', () => {
  it.each(['ACK', 'CANCEL'])('never challenges %s', async (method) => {
    const auth = makeAuthenticator();
    const ctx = new TestContext(request({ method, uri: 'sip:bob@example.com' }), SOURCE);
    expect(auth.process(ctx)).toBe('continue');
  });
});
