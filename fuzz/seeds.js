/**
 * Writes the seed inputs of every fuzz target into fuzz/corpus/<target>/: the RFC 4475 and
 * RFC 5118 torture messages (packages/sip/test/fixtures) and the kinds of request Herald's
 * tests send (REGISTER with and without credentials, MESSAGE, SUBSCRIBE, NOTIFY, PUBLISH, an
 * INVITE dialog, OPTIONS), addressed to the fuzzed servers' domain. Run once to (re)seed:
 * `node fuzz/seeds.js`; files already there are kept.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const fixtures = join(root, 'packages/sip/test/fixtures');

const PIDF = `<?xml version="1.0" encoding="UTF-8"?>
<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:alice@example.com">
  <tuple id="t1"><status><basic>open</basic></status><note>lunch</note></tuple>
</presence>`;

const SDP = 'v=0\r\no=alice 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n';

function request(method, uri, { from = '<sip:alice@example.com>;tag=a1', to = '<sip:bob@example.com>', via = 'SIP/2.0/UDP 127.0.0.2:5070;rport', branch = method.toLowerCase(), headers = [], body = '' } = {}) {
  return [
    `${method} ${uri} SIP/2.0`,
    `Via: ${via};branch=z9hG4bK-seed-${branch}`,
    'Max-Forwards: 70',
    `From: ${from}`,
    `To: ${to}`,
    `Call-ID: seed-${branch}@127.0.0.2`,
    `CSeq: 1 ${method}`,
    ...headers,
    `Content-Length: ${Buffer.byteLength(body)}`,
    '',
    body,
  ].join('\r\n');
}

/** Credentials the request-path target signs (fuzz/lib/credentials.js). */
const SIGN = (user, uri, algorithm) => `Digest username="${user}", realm="example.com", nonce="current", uri="${uri}", response="sign", algorithm=${algorithm}, qop=auth, nc=00000001, cnonce="c${user}"`;

const DIGEST = 'Digest username="alice", realm="example.com", nonce="AAABkFAKE", uri="sip:example.com", response="0123456789abcdef0123456789abcdef", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1"';

/** The requests Herald's own tests send, one per kind. */
export function testMessages() {
  const contact = 'Contact: <sip:alice@127.0.0.2:5070;transport=udp>;expires=3600';
  return {
    register: request('REGISTER', 'sip:example.com', { to: '<sip:alice@example.com>', headers: [contact, 'Expires: 3600'] }),
    'register-digest': request('REGISTER', 'sip:example.com', { branch: 'register2', to: '<sip:alice@example.com>', headers: [contact, `Authorization: ${DIGEST}`] }),
    'register-outbound': request('REGISTER', 'sip:example.com', { branch: 'register3', to: '<sip:alice@example.com>', headers: ['Contact: <sip:alice@127.0.0.2:5070;ob>;reg-id=1;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>"', 'Supported: outbound, path', 'Path: <sip:edge.example.com;lr>'] }),
    'register-star': request('REGISTER', 'sip:example.com', { branch: 'register4', to: '<sip:alice@example.com>', headers: ['Contact: *', 'Expires: 0'] }),
    message: request('MESSAGE', 'sip:bob@example.com', { headers: ['Content-Type: text/plain'], body: 'hello bob' }),
    'message-foreign': request('MESSAGE', 'sip:bob@example.com', { branch: 'message2', from: '<sip:carol@other.example>;tag=c1', headers: ['Content-Type: text/plain'], body: 'hi from afar' }),
    'message-relay': request('MESSAGE', 'sip:dave@partner.example', { branch: 'message3', to: '<sip:dave@partner.example>', headers: ['Content-Type: text/plain', `Proxy-Authorization: ${DIGEST}`], body: 'out' }),
    subscribe: request('SUBSCRIBE', 'sip:bob@example.com', { headers: ['Event: presence', 'Accept: application/pidf+xml', 'Expires: 600', 'Contact: <sip:alice@127.0.0.2:5070>'] }),
    'subscribe-winfo': request('SUBSCRIBE', 'sip:alice@example.com', { branch: 'subscribe2', to: '<sip:alice@example.com>', headers: ['Event: presence.winfo', 'Expires: 600', 'Contact: <sip:alice@127.0.0.2:5070>'] }),
    'subscribe-list': request('SUBSCRIBE', 'sip:buddies@example.com', { branch: 'subscribe3', to: '<sip:buddies@example.com>', headers: ['Event: presence', 'Supported: eventlist', 'Accept: application/pidf+xml, application/rlmi+xml, multipart/related', 'Contact: <sip:alice@127.0.0.2:5070>'] }),
    notify: request('NOTIFY', 'sip:alice@127.0.0.2:5070', { from: '<sip:bob@example.com>;tag=b1', to: '<sip:alice@example.com>;tag=a1', headers: ['Event: presence', 'Subscription-State: active;expires=600', 'Content-Type: application/pidf+xml', 'Contact: <sip:bob@127.0.0.3:5070>'], body: PIDF }),
    publish: request('PUBLISH', 'sip:alice@example.com', { to: '<sip:alice@example.com>', headers: ['Event: presence', 'Expires: 600', 'Content-Type: application/pidf+xml'], body: PIDF }),
    'publish-refresh': request('PUBLISH', 'sip:alice@example.com', { branch: 'publish2', to: '<sip:alice@example.com>', headers: ['Event: presence', 'Expires: 600', 'SIP-If-Match: etag-1'] }),
    invite: request('INVITE', 'sip:bob@example.com', { headers: ['Contact: <sip:alice@127.0.0.2:5070>', 'Content-Type: application/sdp', 'Supported: timer'], body: SDP }),
    cancel: request('CANCEL', 'sip:bob@example.com', { branch: 'invite' }),
    ack: request('ACK', 'sip:bob@127.0.0.3:5070', { branch: 'ack', to: '<sip:bob@example.com>;tag=b1', headers: ['Route: <sip:127.0.0.1;lr>'] }),
    bye: request('BYE', 'sip:bob@127.0.0.3:5070', { to: '<sip:bob@example.com>;tag=b1', headers: ['Route: <sip:127.0.0.1;lr;ftag=a1>'] }),
    options: request('OPTIONS', 'sip:127.0.0.1', { to: '<sip:127.0.0.1>', headers: ['Accept: application/sdp'] }),
    'options-tcp': request('OPTIONS', 'sip:example.com;transport=tcp', { branch: 'options2', via: 'SIP/2.0/TCP [::1]:5070', to: '<sip:example.com>' }),
    'info-preloaded-route': request('INFO', 'sip:bob@example.com', { from: '<sip:mallory@evil.example>;tag=m1', headers: ['Route: <sip:192.0.2.66;lr>'] }),
    'register-signed': request('REGISTER', 'sip:example.com', { branch: 'register5', to: '<sip:alice@example.com>', headers: [contact, `Authorization: ${SIGN('alice', 'sip:example.com', 'SHA-256')}`] }),
    'message-signed': request('MESSAGE', 'sip:bob@example.com', { branch: 'message4', headers: ['Content-Type: text/plain', `Proxy-Authorization: ${SIGN('alice', 'sip:bob@example.com', 'MD5')}`], body: 'signed hello' }),
    'message-signed-other-from': request('MESSAGE', 'sip:bob@example.com', { branch: 'message5', from: '<sip:alice@example.com.>;tag=a5', headers: ['Content-Type: text/plain', `Proxy-Authorization: ${SIGN('bob', 'sip:bob@example.com', 'MD5')}`], body: 'who am i' }),
    'invite-signed': request('INVITE', 'sip:bob@example.com', { branch: 'invite2', headers: ['Contact: <sip:alice@127.0.0.2:5070>', `Proxy-Authorization: ${SIGN('alice', 'sip:bob@example.com', 'MD5')}`, 'Content-Type: application/sdp'], body: SDP }),
    'subscribe-signed': request('SUBSCRIBE', 'sip:bob@example.com', { branch: 'subscribe4', headers: ['Event: presence', 'Expires: 600', 'Contact: <sip:alice@127.0.0.2:5070>', `Proxy-Authorization: ${SIGN('alice', 'sip:bob@example.com', 'SHA-256')}`] }),
    'publish-signed': request('PUBLISH', 'sip:alice@example.com', { branch: 'publish3', to: '<sip:alice@example.com>', headers: ['Event: presence', 'Expires: 600', 'Content-Type: application/pidf+xml', `Proxy-Authorization: ${SIGN('alice', 'sip:alice@example.com', 'MD5')}`], body: PIDF }),
    'message-signed-relay': request('MESSAGE', 'sip:dave@partner.example', { branch: 'message6', to: '<sip:dave@partner.example>', headers: ['Content-Type: text/plain', 'Route: <sip:192.0.2.66;lr>', `Proxy-Authorization: ${SIGN('alice', 'sip:dave@partner.example', 'MD5')}`], body: 'out' }),
    response: ['SIP/2.0 200 OK', 'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-herald-1;herald=w1', 'From: <sip:alice@example.com>;tag=a1', 'To: <sip:bob@example.com>;tag=b1', 'Call-ID: seed-response@127.0.0.1', 'CSeq: 1 MESSAGE', 'Content-Length: 0', '', ''].join('\r\n'),
  };
}

function torture() {
  const out = {};
  for (const set of ['rfc4475', 'rfc5118']) {
    for (const file of readdirSync(join(fixtures, set)).filter((f) => f.endsWith('.dat'))) {
      out[`${set}-${file.replace(/\.dat$/, '')}`] = readFileSync(join(fixtures, set, file));
    }
  }
  return out;
}

/** Seeds per target: the stream framer reads a stream whose last byte picks the segment sizes. */
export function seeds(target) {
  const all = { ...torture(), ...Object.fromEntries(Object.entries(testMessages()).map(([k, v]) => [`test-${k}`, Buffer.from(v)])) };
  if (target !== 'stream-framer') return all;
  const out = {};
  for (const [name, data] of Object.entries(all)) out[name] = Buffer.concat([data, Buffer.from([0x07])]);
  const t = testMessages();
  out['test-pipelined'] = Buffer.from(`\r\n\r\n${t.register}${t.message}\r\n\r\n${t.subscribe}\x2a`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const target of ['sip-parser', 'stream-framer', 'request-path']) {
    const dir = join(root, 'fuzz/corpus', target);
    mkdirSync(dir, { recursive: true });
    let written = 0;
    for (const [name, data] of Object.entries(seeds(target))) {
      const file = join(dir, `seed-${name}`);
      if (existsSync(file)) continue;
      writeFileSync(file, data);
      written++;
    }
    console.log(`${target}: ${written} seeds written to ${dir}`);
  }
}
