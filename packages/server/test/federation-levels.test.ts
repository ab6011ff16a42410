import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import { type NamedServer, StreamClient, freePort, requestText, startNamed } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { UdpAgent } from './helpers/udp-agent.js';

// Herald serves example.test on 127.0.0.1. A real named says peer.test and partner.test are
// at 127.0.0.2 and third.test at 127.0.0.3; scripted servers of those domains send from
// those addresses (the kernel routes all of 127/8 to loopback), impostors from others.

type Transport = 'udp' | 'tcp';

/** A scripted server of another domain on `address`: sends one request over UDP or TCP and returns the final response. */
async function sendFrom(transport: Transport, address: string, herald: HeraldProcess, request: { method: string; uri: string; from: string; headers?: string[]; body?: string }): Promise<SipResponse> {
  const headers = [...(request.headers ?? []), ...(request.body === undefined ? [] : ['Content-Type: text/plain'])];
  if (transport === 'udp') {
    const agent = await UdpAgent.start(herald.port('udp'), 0, address);
    try {
      await agent.send({ method: request.method, uri: request.uri, from: `<${request.from}>;tag=f`, to: `<${request.uri}>`, headers, body: request.body });
      return await agent.response();
    } finally {
      await agent.close();
    }
  }
  const client = await StreamClient.connect('tcp', herald.port('tcp'), '127.0.0.1', { localAddress: address });
  try {
    const text = requestText({
      method: request.method,
      uri: request.uri,
      transport: 'TCP',
      sentBy: `${address}:${client.localPort}`,
      from: `<${request.from}>;tag=f`,
      to: `<${request.uri}>`,
      headers: [`Contact: <sip:peer@${address}:${client.localPort};transport=tcp>`, ...headers],
      body: request.body,
    });
    await client.write(text);
    for (;;) {
      const m = await client.nextMessage(5000);
      if (m.isRequest()) {
        await client.write(createResponse(m, 200).toBuffer());
        continue;
      }
      if (m.status >= 200) return m;
    }
  } finally {
    client.destroy();
  }
}

function statusLine(res: SipResponse): string {
  return `${res.status} ${res.reason}`;
}

describe('federation levels, allow/block and features (UDP, TCP)', () => {
  let named: NamedServer;
  let home: HeraldProcess;
  let permissive: HeraldProcess;
  let alice: UdpAgent;
  let peerPort: number;

  beforeAll(async () => {
    peerPort = await freePort();
    const thirdPort = await freePort();
    const srv = (port: number, host: string, address: string) => [`_sip._udp IN SRV 10 50 ${port} ${host}`, `_sip._tcp IN SRV 10 50 ${port} ${host}`, `${host} IN A ${address}`];
    named = await startNamed([
      { origin: 'peer.test', records: srv(peerPort, 'proxy', '127.0.0.2') },
      { origin: 'partner.test', records: srv(peerPort, 'sip', '127.0.0.2') },
      { origin: 'third.test', records: srv(thirdPort, 'sip', '127.0.0.3') },
    ]);
    const common = `domains: [example.test]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
dns: { servers: ["${named.server}"] }
presence: { notifyWindow: 0 }
`;
    [home, permissive] = await Promise.all([
      startHerald(`${common}federation:
  block: ["*.spam.test", "127.0.0.4"]
  peers:
    - { domain: peer.test }
    - { domain: partner.test, features: [messages] }
    - { domain: outbound.test, addresses: [127.0.0.5] }
`),
      startHerald(`${common}federation: { default: permissive }\n`),
    ]);
  });
  afterAll(async () => {
    await Promise.all([home?.stop(), permissive?.stop()]);
    await named?.stop();
  });

  async function registerAlice(herald: HeraldProcess): Promise<UdpAgent> {
    const agent = await UdpAgent.start(herald.port('udp'));
    const aor = '<sip:alice@example.test>';
    await agent.send({ method: 'REGISTER', uri: 'sip:example.test', from: `${aor};tag=r`, to: aor, callId: `reg-${Math.random()}`, headers: ['Expires: 600'] });
    expect(statusLine(await agent.response())).toBe('200 OK');
    return agent;
  }

  beforeAll(async () => {
    alice = await registerAlice(home);
  });
  afterAll(async () => {
    await alice?.close();
  });

  /** A MESSAGE from `from` sent from `address` reaches Alice, who answers 200. */
  async function delivered(herald: HeraldProcess, to: UdpAgent, transport: Transport, address: string, from: string): Promise<void> {
    const text = `hello from ${from} ${Math.random()}`;
    const sent = sendFrom(transport, address, herald, { method: 'MESSAGE', uri: 'sip:alice@example.test', from, body: text });
    const got = await to.request(200);
    expect(got.body.toString()).toBe(text);
    expect((await sent).status).toBe(200);
  }

  describe.each(['udp', 'tcp'] as const)('inbound over %s', (transport) => {
    it('verified: accepts peer.test from the address its DNS gives (RFC 3263)', () => delivered(home, alice, transport, '127.0.0.2', 'sip:bob@peer.test'));

    it('verified: refuses an impostor claiming peer.test from another address, with the reason', async () => {
      const res = await sendFrom(transport, '127.0.0.3', home, { method: 'MESSAGE', uri: 'sip:alice@example.test', from: 'sip:mallory@peer.test', body: 'hi' });
      expect(statusLine(res)).toBe('403 Source Not Authorized For peer.test');
    });

    it('verified: accepts a peer from an address its entry lists, which its DNS does not give', () => delivered(home, alice, transport, '127.0.0.5', 'sip:carol@outbound.test'));

    it('permissive: accepts the same impostor', async () => {
      const watcher = await registerAlice(permissive);
      try {
        await delivered(permissive, watcher, transport, '127.0.0.3', 'sip:mallory@peer.test');
      } finally {
        await watcher.close();
      }
    });

    it('refuses a blocked domain and a blocked source address (over TCP, at accept)', async () => {
      expect(statusLine(await sendFrom(transport, '127.0.0.2', home, { method: 'MESSAGE', uri: 'sip:alice@example.test', from: 'sip:x@mail.spam.test', body: 'hi' }))).toBe('403 Domain Blocked');
      if (transport === 'udp') {
        expect(statusLine(await sendFrom(transport, '127.0.0.4', home, { method: 'MESSAGE', uri: 'sip:alice@example.test', from: 'sip:bob@peer.test', body: 'hi' }))).toBe('403 Address Blocked');
        return;
      }
      const client = await StreamClient.connect('tcp', home.port('tcp'), '127.0.0.1', { localAddress: '127.0.0.4' }).catch(() => null);
      if (client === null) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const closed = await Promise.race([client.closed.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000)))]);
      clearTimeout(timer);
      client.destroy();
      expect(closed).toBe(true);
    });

    it('takes MESSAGE but refuses SUBSCRIBE from a peer allowed messages only', async () => {
      await delivered(home, alice, transport, '127.0.0.2', 'sip:carol@partner.test');
      const res = await sendFrom(transport, '127.0.0.2', home, { method: 'SUBSCRIBE', uri: 'sip:alice@example.test', from: 'sip:carol@partner.test', headers: ['Event: presence', 'Expires: 60'] });
      expect(statusLine(res)).toBe('403 Presence Not Allowed With partner.test');
    });
  });

  describe('outbound', () => {
    async function fromAlice(method: string, uri: string, headers: string[] = []): Promise<SipResponse> {
      await alice.send({ method, uri, from: '<sip:alice@example.test>;tag=a', to: `<${uri}>`, headers, ...(method === 'MESSAGE' && { body: 'hi' }) });
      return alice.response();
    }

    it('refuses a blocked domain and a blocked address before anything leaves', async () => {
      expect(statusLine(await fromAlice('MESSAGE', 'sip:x@mail.spam.test', ['Content-Type: text/plain']))).toBe('403 Domain Blocked');
      expect(statusLine(await fromAlice('MESSAGE', 'sip:x@127.0.0.4', ['Content-Type: text/plain']))).toBe('403 Address Blocked');
    });

    it('sends MESSAGE to a peer allowed messages only, and refuses SUBSCRIBE to it', async () => {
      const partner = await UdpAgent.start(home.port('udp'), peerPort, '127.0.0.2');
      try {
        const sent = fromAlice('MESSAGE', 'sip:carol@partner.test', ['Content-Type: text/plain']);
        const got: SipRequest = await partner.request(200);
        expect(got.method).toBe('MESSAGE');
        expect((await sent).status).toBe(200);
        expect(statusLine(await fromAlice('SUBSCRIBE', 'sip:carol@partner.test', ['Event: presence', 'Expires: 60']))).toBe('403 Presence Not Allowed With partner.test');
      } finally {
        await partner.close();
      }
    });
  });

  describe('watchers of other domains', () => {
    async function subscriptionState(address: string, watcher: string): Promise<string> {
      const agent = await UdpAgent.start(home.port('udp'), 0, address);
      try {
        await agent.send({ method: 'SUBSCRIBE', uri: 'sip:alice@example.test', from: `<${watcher}>;tag=w`, to: '<sip:alice@example.test>', callId: `w-${Math.random()}`, headers: ['Event: presence', 'Expires: 60', 'Accept: application/pidf+xml'] });
        const res = await agent.response();
        expect(res.status).toBeLessThan(300);
        const notify = await agent.request(200);
        expect(notify.method).toBe('NOTIFY');
        return notify.header('subscription-state') ?? '';
      } finally {
        await agent.close();
      }
    }

    it('makes a configured peer’s watcher active at once, and leaves a domain found only through DNS pending', async () => {
      expect(await subscriptionState('127.0.0.2', 'sip:bob@peer.test')).toMatch(/^active/);
      expect(await subscriptionState('127.0.0.3', 'sip:eve@third.test')).toMatch(/^pending/);
    });
  });
});
