import type { SipResponse } from '@herald/sip';
import { type NamedServer, freePort, startNamed } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { UdpAgent } from './helpers/udp-agent.js';

// Herald serves example.test on 127.0.0.1. Community chicago (chi.test) has its connector at
// 127.0.0.2 and a trusted address 127.0.0.5; community ny (ny.test) has no proxies, and a real
// named gives ny.test only an A record (127.0.0.3), reached at the community port; community
// closed (closed.test) is switched off. Impostors send from 127.0.0.9.

function statusLine(res: SipResponse): string {
  return `${res.status} ${res.reason}`;
}

describe('gateway communities: the policy both ways (UDP)', () => {
  let named: NamedServer;
  let herald: HeraldProcess;
  let alice: UdpAgent;
  let connectorPort: number;
  let nyPort: number;

  beforeAll(async () => {
    [connectorPort, nyPort] = await Promise.all([freePort(), freePort()]);
    named = await startNamed([{ origin: 'ny.test', records: ['@ IN A 127.0.0.3'] }]);
    herald = await startHerald(`domains: [example.test]
listen: ["udp://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
dns: { servers: ["${named.server}"] }
communities:
  list:
    - { name: chicago, domains: [chi.test], proxies: ["sip:127.0.0.2:${connectorPort}"], trustedIps: [127.0.0.5] }
    - { name: ny, domains: [ny.test], port: ${nyPort} }
    - { name: closed, domains: [closed.test], trustedIps: [127.0.0.5], enabled: false }
`);
    alice = await UdpAgent.start(herald.port('udp'));
    const aor = '<sip:alice@example.test>';
    await alice.send({ method: 'REGISTER', uri: 'sip:example.test', from: `${aor};tag=r`, to: aor, callId: 'reg-alice', headers: ['Expires: 600'] });
    expect(statusLine(await alice.response())).toBe('200 OK');
  });
  afterAll(async () => {
    await alice?.close();
    await herald?.stop();
    await named?.stop();
  });

  /** The final response to a MESSAGE for Alice from `from`, sent from `address`. */
  async function messageFrom(address: string, from: string): Promise<SipResponse> {
    const agent = await UdpAgent.start(herald.port('udp'), 0, address);
    try {
      await agent.send({ method: 'MESSAGE', uri: 'sip:alice@example.test', from: `<${from}>;tag=f`, to: '<sip:alice@example.test>', headers: ['Content-Type: text/plain'], body: 'hi' });
      return await agent.response();
    } finally {
      await agent.close();
    }
  }

  describe('inbound', () => {
    it('takes a trusted address and the connector, keeping P-Asserted-Identity (RFC 3325 §5)', async () => {
      const agent = await UdpAgent.start(herald.port('udp'), 0, '127.0.0.5');
      try {
        await agent.send({ method: 'MESSAGE', uri: 'sip:alice@example.test', from: '<sip:bob@chi.test>;tag=f', to: '<sip:alice@example.test>', headers: ['Content-Type: text/plain', 'P-Asserted-Identity: <sip:bob@chi.test>'], body: 'hi' });
        const got = await alice.request(200);
        expect(got.header('p-asserted-identity')).toBe('<sip:bob@chi.test>');
        expect((await agent.response()).status).toBe(200);
      } finally {
        await agent.close();
      }
      const connector = await UdpAgent.start(herald.port('udp'), 0, '127.0.0.2');
      try {
        await connector.send({ method: 'MESSAGE', uri: 'sip:alice@example.test', from: '<sip:carol@chi.test>;tag=f', to: '<sip:alice@example.test>', headers: ['Content-Type: text/plain'], body: 'hi' });
        await alice.request(200);
        expect((await connector.response()).status).toBe(200);
      } finally {
        await connector.close();
      }
    });

    it('refuses an impostor claiming a community domain, and a switched-off community', async () => {
      expect(statusLine(await messageFrom('127.0.0.9', 'sip:mallory@chi.test'))).toBe('403 Source Not Authorized For chi.test');
      expect(statusLine(await messageFrom('127.0.0.5', 'sip:bob@closed.test'))).toBe('403 Community closed Disabled');
    });

    it('removes P-Asserted-Identity from anyone outside the trust domain, Herald’s own users too', async () => {
      const bob = await UdpAgent.start(herald.port('udp'));
      try {
        await bob.send({ method: 'MESSAGE', uri: 'sip:alice@example.test', from: '<sip:bob@example.test>;tag=b', to: '<sip:alice@example.test>', headers: ['Content-Type: text/plain', 'P-Asserted-Identity: <sip:ceo@example.test>'], body: 'hi' });
        const got = await alice.request(200);
        expect(got.hasHeader('p-asserted-identity')).toBe(false);
        expect((await bob.response()).status).toBe(200);
      } finally {
        await bob.close();
      }
    });
  });

  describe('outbound', () => {
    async function fromAlice(uri: string, headers: string[] = []): Promise<SipResponse> {
      await alice.send({ method: 'MESSAGE', uri, from: '<sip:alice@example.test>;tag=a', to: `<${uri}>`, headers: ['Content-Type: text/plain', ...headers], body: 'hi' });
      return alice.response();
    }

    it('sends to the community’s connector, with no P-Asserted-Identity of an unauthenticated sender', async () => {
      const connector = await UdpAgent.start(herald.port('udp'), connectorPort, '127.0.0.2');
      try {
        const sent = fromAlice('sip:carol@chi.test', ['P-Asserted-Identity: <sip:ceo@example.test>']);
        const got = await connector.request(200);
        expect(got.uriText).toBe('sip:carol@chi.test');
        expect(got.hasHeader('p-asserted-identity')).toBe(false);
        expect((await sent).status).toBe(200);
      } finally {
        await connector.close();
      }
    });

    it('sends to a community without proxies at its A record and port', async () => {
      const server = await UdpAgent.start(herald.port('udp'), nyPort, '127.0.0.3');
      try {
        const sent = fromAlice('sip:dave@ny.test');
        expect((await server.request(200)).method).toBe('MESSAGE');
        expect((await sent).status).toBe(200);
      } finally {
        await server.close();
      }
    });

    it('refuses a switched-off community before anything leaves', async () => {
      expect(statusLine(await fromAlice('sip:erin@closed.test'))).toBe('403 Community closed Disabled');
    });
  });
});
