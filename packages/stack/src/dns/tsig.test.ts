import { makeTsigKey, type NamedServer, startNamed } from '@herald/test-kit';
import { parseDnsServer, randomDnsId, tcpExchange, udpExchange } from './dns-exchange.js';
import { decodeDnsMessage, type DnsRecord, encodeDnsMessage, OPCODE, RCODE, RR_CLASS } from './dns-wire.js';
import { signTsig, type TsigKey, verifyTsig } from './tsig.js';

const NOW = 1_780_000_000_000;
const key: TsigKey = { name: 'Herald-DDNS', algorithm: 'hmac-sha256', secret: Buffer.alloc(32, 1).toString('base64') };
const query = () => encodeDnsMessage({ id: 0x4242, questions: [{ name: 'example.test', type: 'SOA' }] });

/** What a server does (RFC 8945 §5.3): sign its response with the request's MAC in front. */
function signedResponse(requestMac: Buffer, signer = key, at = NOW): Buffer {
  const response = encodeDnsMessage({ id: 0x4242, flags: { qr: true }, questions: [{ name: 'example.test', type: 'SOA' }] });
  return signTsig(response, signer, at, requestMac).message;
}

describe('RFC 8945 TSIG, sign and verify', () => {
  it('appends the TSIG record last, raises ARCOUNT, and names key and algorithm in lower case (§4.2, §4.3.3)', () => {
    const { message, mac } = signTsig(query(), key, NOW);
    const m = decodeDnsMessage(message);
    expect(message.readUInt16BE(10)).toBe(1);
    expect(m.tsigOffset).toBe(query().length);
    expect(m.additionals[0]).toMatchObject({ name: 'herald-ddns', class: RR_CLASS.ANY, ttl: 0, type: 'TSIG', algorithm: 'hmac-sha256', timeSigned: NOW / 1000, fudge: 300, mac, originalId: 0x4242, error: 0 });
    expect(mac).toHaveLength(32);
  });

  it('accepts a response signed with the same key over the request MAC (§5.3)', () => {
    const { mac } = signTsig(query(), key, NOW);
    expect(verifyTsig(signedResponse(mac), key, mac, NOW + 10_000)).toEqual({ ok: true });
  });

  it('reports BADSIG for a changed octet or another request MAC', () => {
    const { mac } = signTsig(query(), key, NOW);
    const tampered = signedResponse(mac);
    tampered[3] ^= 0x01;
    expect(verifyTsig(tampered, key, mac, NOW)).toMatchObject({ ok: false, error: 'BADSIG' });
    expect(verifyTsig(signedResponse(Buffer.alloc(32)), key, mac, NOW)).toMatchObject({ ok: false, error: 'BADSIG' });
    const otherSecret = { ...key, secret: Buffer.alloc(32, 2).toString('base64') };
    expect(verifyTsig(signedResponse(mac, otherSecret), key, mac, NOW)).toMatchObject({ ok: false, error: 'BADSIG' });
  });

  it('reports BADKEY for another key name, BADTIME outside the fudge, UNSIGNED without TSIG', () => {
    const { mac } = signTsig(query(), key, NOW);
    expect(verifyTsig(signedResponse(mac, { ...key, name: 'other' }), key, mac, NOW)).toMatchObject({ ok: false, error: 'BADKEY' });
    expect(verifyTsig(signedResponse(mac), key, mac, NOW + 301_000)).toMatchObject({ ok: false, error: 'BADTIME' });
    expect(verifyTsig(signedResponse(mac), key, mac, NOW - 300_000)).toEqual({ ok: true });
    expect(verifyTsig(query(), key, mac, NOW)).toMatchObject({ ok: false, error: 'UNSIGNED' });
  });

  it('signs with hmac-sha512 and hmac-sha1 as well', () => {
    for (const algorithm of ['hmac-sha512', 'HMAC-SHA1']) {
      const k = { ...key, algorithm };
      const { mac } = signTsig(query(), k, NOW);
      expect(verifyTsig(signedResponse(mac, k), k, mac, NOW)).toEqual({ ok: true });
    }
  });
});

describe('RFC 8945 TSIG against BIND named', () => {
  const updateKey = makeTsigKey('herald-test-key');
  let named: NamedServer;
  beforeAll(async () => {
    named = await startNamed([{ origin: 'ddns.test', records: [], updateKey }]);
  });
  afterAll(() => named?.stop());

  const server = () => parseDnsServer(named.server);
  const update = (name: string, address: string): Buffer => {
    const add: DnsRecord = { name, class: RR_CLASS.IN, ttl: 60, type: 'A', address };
    return encodeDnsMessage({ id: randomDnsId(), opcode: OPCODE.UPDATE, questions: [{ name: 'ddns.test', type: 'SOA' }], authorities: [add] });
  };

  it('signs an UPDATE that named applies, and verifies named’s signed answer', async () => {
    const { message, mac } = signTsig(update('node1.ddns.test', '192.0.2.41'), updateKey, Date.now());
    const answer = await tcpExchange(server(), message, { timeout: 5000 });
    expect(decodeDnsMessage(answer).rcode).toBe(RCODE.NOERROR);
    expect(verifyTsig(answer, updateKey, mac, Date.now())).toEqual({ ok: true });
    expect(await named.dig('node1.ddns.test', 'A')).toEqual(['192.0.2.41']);
  });

  it('signs a query over UDP that named answers signed', async () => {
    const q = encodeDnsMessage({ id: randomDnsId(), questions: [{ name: 'ddns.test', type: 'SOA' }] });
    const { message, mac } = signTsig(q, updateKey, Date.now());
    const answer = await udpExchange(server(), message, { timeout: 5000 });
    expect(decodeDnsMessage(answer).answers[0]).toMatchObject({ type: 'SOA', mname: 'ns.ddns.test' });
    expect(verifyTsig(answer, updateKey, mac, Date.now())).toEqual({ ok: true });
  });

  it('is refused with NOTAUTH and BADSIG when the secret is wrong, and nothing changes', async () => {
    const wrong = { ...updateKey, secret: makeTsigKey().secret };
    const { message, mac } = signTsig(update('node2.ddns.test', '192.0.2.42'), wrong, Date.now());
    const answer = await tcpExchange(server(), message, { timeout: 5000 });
    expect(decodeDnsMessage(answer).rcode).toBe(RCODE.NOTAUTH);
    expect(verifyTsig(answer, wrong, mac, Date.now())).toMatchObject({ ok: false, error: 'BADSIG' });
    expect(await named.dig('node2.ddns.test', 'A')).toEqual([]);
  });

  it('is refused with NOTAUTH and BADKEY when named does not know the key', async () => {
    const unknown = makeTsigKey('nobody-key');
    const { message, mac } = signTsig(update('node3.ddns.test', '192.0.2.43'), unknown, Date.now());
    const answer = await tcpExchange(server(), message, { timeout: 5000 });
    expect(decodeDnsMessage(answer).rcode).toBe(RCODE.NOTAUTH);
    expect(verifyTsig(answer, unknown, mac, Date.now())).toMatchObject({ ok: false, error: 'BADKEY' });
  });

  it('is refused with NOTAUTH and BADTIME when signed an hour away', async () => {
    const { message, mac } = signTsig(update('node4.ddns.test', '192.0.2.44'), updateKey, Date.now() - 3_600_000);
    const answer = await tcpExchange(server(), message, { timeout: 5000 });
    expect(decodeDnsMessage(answer).rcode).toBe(RCODE.NOTAUTH);
    expect(verifyTsig(answer, updateKey, mac, Date.now())).toMatchObject({ ok: false, error: 'BADTIME' });
  });
});
