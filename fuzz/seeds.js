/**
 * Writes the seed inputs of every fuzz target into fuzz/corpus/<target>/: the RFC 4475 and
 * RFC 5118 torture messages (packages/sip/test/fixtures) and the kinds of request Herald's
 * tests send (REGISTER with and without credentials, MESSAGE, SUBSCRIBE, NOTIFY, PUBLISH, an
 * INVITE dialog, OPTIONS), addressed to the fuzzed servers' domain; for the DNS codec, the
 * answers Herald's resolver and ENUM read and the UPDATE it sends (`dnsMessages`). Run once
 * to (re)seed: `node fuzz/seeds.js` (after `npm run build`); files already there are kept.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPCODE, RCODE, RR_CLASS, encodeDnsMessage, encodeHeader, encodeName, encodeRdata, typeCode } from '@herald/stack';

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

const SIP_SRV = { id: 0x5301, flags: { qr: true, aa: true, rd: true }, questions: [{ name: '_sip._udp.Example.com', type: 'SRV' }] };

/**
 * DNS messages Herald reads or writes: an SRV answer with compressed owner names and glue,
 * an ENUM NAPTR answer set (RFC 6116 §2.4 and §3.4.1 terminal and non-terminal records), an
 * NXDOMAIN with the zone's SOA, an RFC 2136 UPDATE with prerequisites and a TSIG record, and
 * a query with EDNS options.
 */
export function dnsMessages() {
  const enumDomain = '0.0.1.0.5.5.5.2.0.2.1.e164.arpa';
  const naptr = (order, preference, flags, service, regexp, replacement = '') => ({ name: enumDomain, class: RR_CLASS.IN, ttl: 300, type: 'NAPTR', order, preference, flags, service, regexp, replacement });
  return {
    'srv-compressed': compressed({
      ...SIP_SRV,
      answers: [
        { name: '_sip._udp.example.com', class: RR_CLASS.IN, ttl: 3600, type: 'SRV', priority: 10, weight: 60, port: 5060, target: 'sip1.example.com' },
        { name: '_sip._udp.example.com', class: RR_CLASS.IN, ttl: 3600, type: 'SRV', priority: 10, weight: 40, port: 5070, target: 'sip2.example.com' },
      ],
      authorities: [{ name: 'example.com', class: RR_CLASS.IN, ttl: 3600, type: 'NS', target: 'ns1.example.com' }],
      additionals: [
        { name: 'sip1.example.com', class: RR_CLASS.IN, ttl: 3600, type: 'A', address: '192.0.2.10' },
        { name: 'sip2.example.com', class: RR_CLASS.IN, ttl: 3600, type: 'AAAA', address: '2001:db8::5060' },
      ],
      edns: { udpPayloadSize: 1232 },
    }),
    'enum-naptr': encodeDnsMessage({
      id: 0x6116,
      flags: { qr: true, rd: true, ra: true },
      questions: [{ name: enumDomain, type: 'NAPTR' }],
      answers: [
        naptr(100, 10, 'u', 'E2U+sip', '!^.*$!sip:info@example.com!'),
        naptr(100, 20, 'u', 'E2U+sip', '!^\\+1(.*)$!sip:\\1@example.com!'),
        naptr(100, 30, 'u', 'E2U+im:sip', '!^+1([2-9][[:digit:]]{2})(.*)$!im:\\1\\2@example.com!i'),
        naptr(100, 40, 'u', 'E2U+pres', '#^(.*)$#pres:\\1@example.com#'),
        naptr(100, 50, 'u', 'E2U+email:mailto', '!^.*$!mailto:info@example.com!'),
        naptr(200, 10, '', 'E2U+sip', '', 'Enum.Example.net'),
        naptr(200, 20, '', 'E2U+sip', '!^\\+(.*)$!\\1.e164.example.org!'),
      ],
      authorities: [{ name: 'e164.arpa', class: RR_CLASS.IN, ttl: 86400, type: 'NS', target: 'a.ns.e164.arpa' }],
      edns: { udpPayloadSize: 1232, dnssecOk: true },
    }),
    'nxdomain-soa': encodeDnsMessage({
      id: 0x0003,
      flags: { qr: true, aa: true, rd: true },
      rcode: RCODE.NXDOMAIN,
      questions: [{ name: '_sips._tcp.nowhere.example.com', type: 'SRV' }],
      authorities: [{ name: 'example.com', class: RR_CLASS.IN, ttl: 300, type: 'SOA', mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2026120701, refresh: 7200, retry: 900, expire: 1209600, minimum: 300 }],
    }),
    'update-tsig': encodeDnsMessage({
      id: 0x2136,
      opcode: OPCODE.UPDATE,
      questions: [{ name: 'example.com', type: 'SOA' }],
      answers: [
        // RFC 2136 §2.4.4 name is in use, §2.4.3 RRset does not exist, §2.4.2 RRset exists (value dependent)
        { name: 'sip1.example.com', class: RR_CLASS.ANY, ttl: 0, type: typeCode('ANY'), rdata: Buffer.alloc(0) },
        { name: 'sip3.example.com', class: RR_CLASS.NONE, ttl: 0, type: typeCode('A'), rdata: Buffer.alloc(0) },
        { name: 'sip1.example.com', class: RR_CLASS.IN, ttl: 0, type: 'A', address: '192.0.2.10' },
      ],
      authorities: [
        // RFC 2136 §2.5.2 delete an RRset, §2.5.4 delete an RR, §2.5.1 add to an RRset
        { name: '_sip._udp.example.com', class: RR_CLASS.ANY, ttl: 0, type: typeCode('SRV'), rdata: Buffer.alloc(0) },
        { name: 'sip2.example.com', class: RR_CLASS.NONE, ttl: 0, type: 'AAAA', address: '2001:db8::5060' },
        { name: '_sip._udp.example.com', class: RR_CLASS.IN, ttl: 300, type: 'SRV', priority: 0, weight: 0, port: 5060, target: 'sip3.example.com' },
        { name: 'sip3.example.com', class: RR_CLASS.IN, ttl: 300, type: 'TXT', strings: ['herald', ''] },
      ],
      additionals: [{ name: 'herald-update', class: RR_CLASS.ANY, ttl: 0, type: 'TSIG', algorithm: 'hmac-sha256', timeSigned: 1796601600, fudge: 300, mac: Buffer.alloc(32, 0xa5), originalId: 0x2136, error: 0, otherData: Buffer.alloc(0) }],
    }),
    'query-edns': encodeDnsMessage({
      id: 0x0001,
      flags: { rd: true, ad: true, cd: true },
      questions: [{ name: 'sip.example.com', type: 'A' }, { name: '1.2.0.192.in-addr.arpa', type: 'PTR' }, { name: 'www.example.com', type: 'CNAME' }],
      edns: { udpPayloadSize: 4096, version: 0, options: [{ code: 10, data: Buffer.from('0123456789abcdef', 'hex') }] },
    }),
  };
}

/** `m` on the wire with its owner names compressed against the names before them. @see RFC 1035 §4.1.4 */
function compressed(m) {
  const records = [...(m.answers ?? []), ...(m.authorities ?? []), ...(m.additionals ?? [])];
  const parts = [encodeHeader({ id: m.id, opcode: OPCODE.QUERY, flags: m.flags, rcode: 0, counts: [m.questions.length, m.answers.length, m.authorities.length, m.additionals.length + 1] })];
  let offset = 12;
  const seen = new Map();
  const name = (text) => {
    const labels = text.split('.');
    const out = [];
    for (let i = 0; i < labels.length; i++) {
      const suffix = labels.slice(i).join('.').toLowerCase();
      const at = seen.get(suffix);
      if (at !== undefined) {
        out.push(Buffer.from([0xc0 | (at >> 8), at & 0xff]));
        return Buffer.concat(out);
      }
      seen.set(suffix, offset + Buffer.concat(out).length);
      out.push(encodeName(labels[i]).subarray(0, -1));
    }
    return Buffer.concat([...out, Buffer.from([0])]);
  };
  const push = (b) => {
    parts.push(b);
    offset += b.length;
  };
  for (const q of m.questions) {
    push(name(q.name));
    push(Buffer.from([0, typeCode(q.type), 0, RR_CLASS.IN]));
  }
  for (const r of records) {
    push(name(r.name));
    const rdata = encodeRdata(r);
    const fixed = Buffer.alloc(10);
    fixed.writeUInt16BE(typeCode(r.type), 0);
    fixed.writeUInt16BE(r.class, 2);
    fixed.writeUInt32BE(r.ttl, 4);
    fixed.writeUInt16BE(rdata.length, 8);
    push(Buffer.concat([fixed, rdata]));
  }
  // RFC 6891 §6.1.2: the OPT record, root owner
  push(Buffer.from([0, 0, 41, m.edns.udpPayloadSize >> 8, m.edns.udpPayloadSize & 0xff, 0, 0, 0, 0, 0, 0]));
  return Buffer.concat(parts);
}

/** Seeds per target: the stream framer reads a stream whose last byte picks the segment sizes. */
export function seeds(target) {
  if (target === 'dns-message') return dnsMessages();
  const all = { ...torture(), ...Object.fromEntries(Object.entries(testMessages()).map(([k, v]) => [`test-${k}`, Buffer.from(v)])) };
  if (target !== 'stream-framer') return all;
  const out = {};
  for (const [name, data] of Object.entries(all)) out[name] = Buffer.concat([data, Buffer.from([0x07])]);
  const t = testMessages();
  out['test-pipelined'] = Buffer.from(`\r\n\r\n${t.register}${t.message}\r\n\r\n${t.subscribe}\x2a`);
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const target of ['sip-parser', 'stream-framer', 'request-path', 'dns-message']) {
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
