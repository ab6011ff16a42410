import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SipResponse } from '@herald/sip';
import { requestText, StreamClient, UdpClient, WsClient } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';

const torture = join(dirname(fileURLToPath(import.meta.url)), '../../sip/test/fixtures/rfc4475');

/**
 * What the daemon answers each RFC 4475 message with, serving example.com. Syntax errors
 * get 400/505 naming the problem; valid requests get what Herald does today for their
 * method and Request-URI; responses and requests without a usable Via get nothing.
 */
const ANSWERS: Record<string, number | null> = {
  // RFC 4475 §3.1.1: valid messages.
  'wsinv.dat': 407, // INVITE from a local user: challenged before it is relayed (RFC 3261 §22.3)
  'intmeth.dat': 407, // unknown method from a local user: authentication comes first (§8.2)
  'esc01.dat': 403, // INVITE from example.net for example.net: Herald relays only for its own users
  'escnull.dat': 401, // REGISTER: challenged (§22.2)
  'esc02.dat': 407, // RE%47IST%45R from a local user
  'lwsdisp.dat': 407, // OPTIONS for a user, from a local user
  'longreq.dat': 404, // INVITE for a user with no account
  'dblreq.dat': 401, // challenged
  'semiuri.dat': 404, // OPTIONS for a user with no account: proxied, not answered for them
  'transports.dat': 407, // challenged
  'mpart01.dat': 407, // challenged
  'unreason.dat': null, // responses are never answered
  'noreason.dat': null,
  // §3.1.2: syntactically invalid.
  'badinv01.dat': 400,
  'clerr.dat': 400,
  'ncl.dat': 400,
  'scalar02.dat': 400,
  'scalarlg.dat': null,
  'quotbal.dat': 400,
  'ltgtruri.dat': 400,
  'lwsruri.dat': 400,
  'lwsstart.dat': 400,
  'trws.dat': 400,
  'escruri.dat': 400,
  'baddate.dat': 400,
  'regbadct.dat': 400,
  'badaspec.dat': 400,
  'baddn.dat': 400,
  'badvers.dat': 505,
  'mismatch01.dat': 400,
  'mismatch02.dat': 400,
  'bigcode.dat': null,
  // §3.2 – §3.4: transaction and application layer.
  'badbranch.dat': 404, // OPTIONS without the magic cookie: RFC 2543 matching, then the location service
  'insuf.dat': 400,
  'unkscm.dat': 416,
  'novelsc.dat': 416,
  'unksm2.dat': 401, // challenged
  'bext01.dat': 420,
  'invut.dat': 404,
  'regaut01.dat': 401, // challenged
  'multi01.dat': 400,
  'mcl01.dat': 400,
  'bcast.dat': null,
  'zeromf.dat': 404, // Max-Forwards 0 matters only once there is somewhere to forward to
  'cparam01.dat': 401, // challenged
  'cparam02.dat': 401, // challenged
  'regescrt.dat': 401, // challenged
  'sdp01.dat': 404,
  'inv2543.dat': 404,
  'test.dat': null, // no Via: nothing to answer with
};

/** How long an answer may trail the probe's: a store lookup on a loaded CI machine. */
const LATE_MS = 1000;

const SERVING = `
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "ws://127.0.0.1:0"]
sip: { maxMessageSize: 8192, maxHeaderSize: 6144 }
log: { level: info }
# RFC 4475's messages and the scripted requests come from other domains on 127.0.0.1 without DNS; what is tested is the answer to the request itself.
federation: { default: permissive }
`;

describe('responses to malformed and unhandled requests', () => {
  let herald: HeraldProcess;
  beforeAll(async () => {
    herald = await startHerald(SERVING);
  });
  afterAll(async () => {
    await herald?.stop();
  });

  /**
   * Sends `data` over a fresh WebSocket (one message per frame), then a probe OPTIONS, and
   * returns the status and reason of the answer that is not the probe's, or null when none
   * came by LATE_MS after the probe's (a lookup in the store can answer after the probe).
   * Read as text: a 400 copies the request's broken headers, so it need not parse.
   */
  async function answerOver(data: Buffer): Promise<{ status: number; reason: string } | null> {
    const ws = await WsClient.connect(`ws://127.0.0.1:${herald.port('ws')}`);
    const isProbe = (text: string) => /\r\nCall-ID: probe\r\n/.test(text);
    try {
      await ws.send(data, true); // binary frame: some bodies are not UTF-8 (RFC 7118 §5)
      await ws.send(requestText({ uri: 'sip:example.com', callId: 'probe', transport: 'WS' }));
      let first = (await ws.messages.next()).toString('utf8');
      if (isProbe(first)) {
        const late = await Promise.race([ws.messages.next(), new Promise<null>((r) => setTimeout(() => r(null), LATE_MS))]);
        if (late === null) return null;
        first = late.toString('utf8');
      } else expect(isProbe((await ws.messages.next()).toString('utf8'))).toBe(true);
      const m = /^SIP\/2\.0 (\d{3}) (.*)\r\n/.exec(first);
      expect(m).not.toBeNull();
      return { status: Number(m![1]), reason: m![2] };
    } finally {
      ws.close();
    }
  }

  it('has an expected answer for every RFC 4475 message', () => {
    expect(readdirSync(torture).filter((f) => f.endsWith('.dat')).sort()).toEqual(Object.keys(ANSWERS).sort());
  });

  describe.each(Object.entries(ANSWERS))('RFC 4475 %s', (file, status) => {
    it(status === null ? 'gets no response' : `gets ${status}`, async () => {
      const answer = await answerOver(readFileSync(join(torture, file)));
      expect(answer?.status ?? null).toBe(status);
      if (answer && status === 400) expect(answer.reason).not.toBe('Bad Request');
    });
  });

  describe('over UDP', () => {
    let client: UdpClient;
    beforeAll(async () => {
      client = await UdpClient.bind();
    });
    afterAll(async () => {
      await client.close();
    });
    const send = (text: string | Buffer) => client.send(text, herald.port('udp'));
    const sentBy = () => `127.0.0.1:${client.port}`;

    it('answers a malformed request with 400 naming the problem', async () => {
      await send(requestText({ sentBy: sentBy(), rport: true, headers: ['Expires: soon'] }));
      const res = (await client.nextMessage()) as SipResponse;
      expect([res.status, res.reason]).toEqual([400, 'Malformed Expires header: invalid Expires "soon"']);
    });

    it('drops a CRLF keep-alive and answers what follows', async () => {
      await send('\r\n\r\n');
      await send(requestText({ uri: 'sip:example.com', sentBy: sentBy(), rport: true, callId: 'after-keepalive' }));
      const res = (await client.nextMessage()) as SipResponse;
      expect([res.status, res.callId]).toEqual([200, 'after-keepalive']);
    });

    it('answers a datagram over maxMessageSize with 513', async () => {
      await send(requestText({ method: 'MESSAGE', uri: 'sip:bob@example.com', sentBy: sentBy(), rport: true, body: 'x'.repeat(10000) }));
      expect(((await client.nextMessage()) as SipResponse).status).toBe(513);
    });

    it.each([
      ['a CANCEL matching no transaction', { method: 'CANCEL', uri: 'sip:bob@example.com' }, 481],
      ['a request for a domain not served', { method: 'MESSAGE', uri: 'sip:bob@elsewhere.test' }, 403],
      ['a request for a domain not served with Max-Forwards 0', { method: 'MESSAGE', uri: 'sip:bob@elsewhere.test', headers: ['Max-Forwards: 0'] }, 483],
      ['a request for a user with no account', { method: 'SUBSCRIBE', uri: 'sip:nobody@example.com', headers: ['Event: presence'] }, 404],
      ['a known method Herald does not handle for its domain', { method: 'INVITE', uri: 'sip:example.com' }, 405],
      ['an unknown method for Herald itself (a proxy forwards unknown methods to users)', { method: 'FROBNICATE', uri: 'sip:example.com' }, 501],
      ['an unsupported URI scheme', { method: 'OPTIONS', uri: 'http://example.com/' }, 416],
      ['a required extension', { method: 'OPTIONS', uri: 'sip:example.com', headers: ['Require: foo, bar'] }, 420],
      // RFC 3261 §16.3: Require is the UAS's to check; a request for a user is routed (here to no one).
      ['a request for a user that requires an extension', { method: 'MESSAGE', uri: 'sip:nobody@example.com', headers: ['Require: foo, bar'] }, 404],
    ])('answers %s', async (_, options, status) => {
      const { headers = [], ...rest } = options as { headers?: string[]; method: string; uri: string };
      let text = requestText({ ...rest, sentBy: sentBy(), rport: true, headers: headers.filter((h) => !h.startsWith('Max-Forwards')) });
      if (headers.some((h) => h === 'Max-Forwards: 0')) text = text.replace('Max-Forwards: 70', 'Max-Forwards: 0');
      await send(text);
      const res = (await client.nextMessage()) as SipResponse;
      expect(res.status).toBe(status);
      if (status === 420) expect(res.header('unsupported')).toBe('foo, bar');
      if (status === 405) expect(res.header('allow')).toContain('OPTIONS');
    });

    it('answers SIP/3.0 with 505', async () => {
      await send(requestText({ uri: 'sip:example.com', sentBy: sentBy(), rport: true }).replace(' SIP/2.0\r\n', ' SIP/3.0\r\n'));
      const res = (await client.nextMessage()) as SipResponse;
      expect([res.status, res.reason]).toEqual([505, 'Version Not Supported']);
    });

    it('never answers an ACK', async () => {
      await send(requestText({ method: 'ACK', uri: 'sip:bob@example.com', sentBy: sentBy(), rport: true }));
      await send(requestText({ uri: 'sip:example.com', sentBy: sentBy(), rport: true, callId: 'after-ack' }));
      expect(((await client.nextMessage()) as SipResponse).callId).toBe('after-ack');
    });

    it('answers a retransmission with the same response, once per copy', async () => {
      const text = requestText({ method: 'FROBNICATE', uri: 'sip:example.com', sentBy: sentBy(), rport: true, callId: 'retrans' });
      await send(text);
      await send(text);
      const a = (await client.nextMessage()) as SipResponse;
      const b = (await client.nextMessage()) as SipResponse;
      expect([a.status, b.status]).toEqual([501, 501]);
      expect(b.to.params.get('tag')).toBe(a.to.params.get('tag'));
    });
  });

  describe('over TCP', () => {
    it('answers a ping with a pong (RFC 5626 §4.4.1)', async () => {
      const client = await StreamClient.connect('tcp', herald.port('tcp'));
      await client.write('\r\n\r\n');
      expect(await client.items.next()).toBe('pong');
      client.destroy();
    });

    it('answers a malformed request with 400 and keeps the connection', async () => {
      const client = await StreamClient.connect('tcp', herald.port('tcp'));
      await client.write(requestText({ transport: 'TCP', uri: 'sip:example.com' }).replace('CSeq: 1 OPTIONS', 'CSeq: 1 INVITE'));
      expect(((await client.nextMessage()) as SipResponse).reason).toBe('CSeq method does not match the request method');
      await client.write(requestText({ transport: 'TCP', uri: 'sip:example.com' }));
      expect(((await client.nextMessage()) as SipResponse).status).toBe(200);
      client.destroy();
    });

    it.each([
      ['a Content-Length that is not a number', 'OPTIONS sip:example.com SIP/2.0\r\nContent-Length: many\r\n\r\n'],
      ['a header block over maxHeaderSize', 'OPTIONS sip:example.com SIP/2.0\r\nX-Long: ' + 'a'.repeat(7000)],
      ['a body over maxBodySize', 'OPTIONS sip:example.com SIP/2.0\r\nContent-Length: 99999\r\n\r\n'],
    ])('closes a stream with %s', async (_, text) => {
      const client = await StreamClient.connect('tcp', herald.port('tcp'));
      await client.write(text);
      await client.closed;
      expect(client.socket.destroyed).toBe(true);
    });
  });
});
