import type { SipResponse } from '@herald/sip';
import { UdpClient, branch, requestText } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { TcpPhone } from './helpers/tcp-phone.js';

const CONFIG = `
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"]
log: { level: info }
# The impostors claim other domains from 127.0.0.1 without DNS; what is tested is the proxy's own checks.
federation: { default: permissive }
users:
  - { user: alice, domain: example.com, password: "wonderland" }
  - { user: bob, domain: example.com, password: "builder" }
`;

/** Long enough for a forwarded request or a misdirected answer to have arrived on loopback. */
const QUIET_MS = 500;

/**
 * Requests that try to make Herald work for someone other than the sender: steer it with a
 * preloaded Route, reflect its answers to a chosen address, or pass as a local user by
 * spelling the domain differently.
 */
describe('impostors', () => {
  let herald: HeraldProcess;
  let udpPort: number;
  let bob: TcpPhone;
  let attacker: UdpClient;
  /** Another host (127.0.0.3) at the attacker's port: where a reflected answer would land. */
  let victim: UdpClient;

  beforeAll(async () => {
    herald = await startHerald(CONFIG);
    udpPort = herald.port('udp');
    bob = await TcpPhone.register(herald.port('tcp'), 'bob', 'builder');
    attacker = await UdpClient.bind('127.0.0.1');
    victim = await UdpClient.bind('127.0.0.3', attacker.port);
  }, 30_000);

  afterAll(async () => {
    bob?.close();
    await attacker?.close();
    await victim?.close();
    await herald?.stop();
  });

  afterEach(() => {
    expect(victim.datagrams.length).toBe(0);
  });

  const send = async (options: Parameters<typeof requestText>[0]): Promise<SipResponse> => {
    await attacker.send(requestText({ sentBy: `127.0.0.1:${attacker.port}`, ...options }), udpPort);
    for (;;) {
      const m = await attacker.nextMessage(5000);
      if (!m.isRequest() && m.status >= 200) return m;
    }
  };

  const message = (from: string, headers: string[] = []) =>
    send({ method: 'MESSAGE', uri: 'sip:bob@example.com', from: `<${from}>;tag=m1`, to: '<sip:bob@example.com>', headers: ['Content-Type: text/plain', ...headers], body: 'hello' });

  const expectNothingFor = async (ms: number) => {
    await new Promise((r) => setTimeout(r, ms));
    expect(victim.datagrams.length).toBe(0);
    await expect(bob.client.items.next(1)).rejects.toThrow(/nothing arrived/);
  };

  describe('preloaded Route (RFC 3261 §16.4)', () => {
    it('refuses a foreign request to a local user whose Route names another host (403), and sends nothing there', async () => {
      const res = await message('sip:mallory@evil.test', [`Route: <sip:127.0.0.3:${attacker.port};lr>`]);
      expect(res.status).toBe(403);
      expect(res.reason).toMatch(/route/i);
      await expectNothingFor(QUIET_MS);
    });

    it('refuses a Route naming another host even after Herald itself', async () => {
      const res = await message('sip:mallory@evil.test', [`Route: <sip:127.0.0.1:${udpPort};lr>, <sip:127.0.0.3:${attacker.port};lr>`]);
      expect(res.status).toBe(403);
      await expectNothingFor(QUIET_MS);
    });

    it.each([
      ['its own address', () => `<sip:127.0.0.1:${udpPort};lr>`],
      ['the served domain', () => '<sip:example.com;lr>'],
    ])('delivers a foreign request whose only Route names Herald by %s', async (_, route) => {
      const delivered = bob.nextRequest(5000);
      const res = message('sip:carol@elsewhere.test', [`Route: ${route()}`]);
      const req = await delivered;
      expect(req.method).toBe('MESSAGE');
      expect(req.header('route')).toBeUndefined();
      await bob.answer(req, 200);
      expect((await res).status).toBe(200);
    });
  });

  describe('where answers go (RFC 3581, RFC 3261 §18.2.2)', () => {
    const options = (viaParams: string) => {
      const text = requestText({ sentBy: `127.0.0.1:${attacker.port}`, uri: 'sip:example.com', branch: branch() });
      return text.replace(/^(Via: [^\r]*);branch=/m, `$1;${viaParams};branch=`);
    };

    it.each([
      ['a received= the client wrote itself', 'received=127.0.0.3'],
      ['maddr', 'maddr=127.0.0.3'],
      ['a received= and rport= the client wrote itself', "received=127.0.0.3;rport=9"],
    ])('answers the real source, whatever %s says', async (_, params) => {
      await attacker.send(options(params), udpPort);
      const res = (await attacker.nextMessage(5000)) as SipResponse;
      expect(res.status).toBe(200);
      expect(res.via[0].params.get('received')).toBe(params.startsWith('received') ? '127.0.0.1' : undefined);
      await expectNothingFor(QUIET_MS);
    });
  });

  describe('a local user spelled another way must authenticate (RFC 3261 §22.3)', () => {
    it.each([
      ['with a trailing dot', 'sip:alice@example.com.'],
      ['in capitals', 'sip:alice@EXAMPLE.COM'],
      ["at Herald's own address", () => `sip:alice@127.0.0.1:${udpPort}`],
      ["at Herald's own address without a port", 'sip:alice@127.0.0.1'],
    ])('challenges a From %s (407) and delivers nothing', async (_, from) => {
      const res = await message(typeof from === 'function' ? from() : from);
      expect(res.status).toBe(407);
      expect(res.proxyAuthenticate[0].params.get('realm')).toBe('example.com');
      await expectNothingFor(QUIET_MS);
    });
  });
});
