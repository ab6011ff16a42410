import net from 'node:net';
import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import { Inbox, type NamedServer, StreamClient, freePort, startNamed } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { UdpAgent } from './helpers/udp-agent.js';

const TOKEN = 'dns-routing-token';

/**
 * Other domains found in DNS (RFC 3263): a real named serves the records an operator would
 * publish, other hosts are other loopback addresses, and a real Herald resolves and fails
 * over. T1 is 50 ms, so that Timer F (64·T1) gives up on a dead destination in 3.2 s.
 */
describe('RFC 3263 server location and failover, end to end', () => {
  let named: NamedServer;
  let herald: HeraldProcess;
  let adminPort: number;
  const agents: UdpAgent[] = [];
  /** Ports of the far ends: nothing listens on `dead`; `live` on 127.0.0.3 answers 200, `busy` on 127.0.0.4 answers 503. */
  let ports: { dead: number; live: number; busy: number; second: number; tcp: number };

  beforeAll(async () => {
    ports = { dead: await freePort(), live: await freePort(), busy: await freePort(), second: await freePort(), tcp: await freePort() };
    named = await startNamed([
      {
        origin: 'peer.test',
        records: [
          `_sip._udp IN SRV 10 0 ${ports.dead} dead`,
          `_sip._udp IN SRV 20 0 ${ports.live} live`,
          'dead IN A 127.0.0.2',
          'live IN A 127.0.0.3',
        ],
      },
      {
        origin: 'busy.test',
        records: [`_sip._udp IN SRV 10 0 ${ports.busy} first`, `_sip._udp IN SRV 20 0 ${ports.second} second`, 'first IN A 127.0.0.4', 'second IN A 127.0.0.3'],
      },
      {
        origin: 'naptr.test',
        records: ['@ IN NAPTR 10 50 "s" "SIP+D2T" "" _sip._tcp', '@ IN NAPTR 20 50 "s" "SIP+D2U" "" _sip._udp', `_sip._udp IN SRV 10 0 ${ports.live} host`, 'host IN A 127.0.0.3'],
      },
      { origin: 'hops.test', records: [`_sip._udp.first IN SRV 10 0 ${ports.busy} busy`, 'busy IN A 127.0.0.4'] },
      { origin: 'tcp.test', records: [`_sip._tcp IN SRV 10 0 ${ports.dead} dead`, `_sip._tcp IN SRV 20 0 ${ports.tcp} live`, 'dead IN A 127.0.0.2', 'live IN A 127.0.0.3'] },
    ]);
    adminPort = await freePort();
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
sip: { t1: 50, t2: 200 }
dns: { servers: ["${named.server}"] }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
routes:
  - { domain: routed.test, to: ["sip:first.hops.test", "sip:127.0.0.3:${ports.second}"] }
`);
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.close();
  });
  afterAll(async () => {
    await herald?.stop();
    await named?.stop();
  });

  async function agent(host = '127.0.0.1', port = 0): Promise<UdpAgent> {
    const a = await UdpAgent.start(herald.port('udp'), port, host);
    agents.push(a);
    return a;
  }

  async function message(from: UdpAgent, to: string, callId: string): Promise<SipResponse> {
    await from.send({ method: 'MESSAGE', uri: to, from: '<sip:alice@example.com>;tag=a', to: `<${to}>`, callId, cseq: 1, headers: ['Content-Type: text/plain'], body: 'hello' });
    return from.response(10_000);
  }

  async function failovers(): Promise<number> {
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    return Number(/^herald_proxy_failovers_total (\d+)$/m.exec(metrics)?.[1] ?? NaN);
  }

  it('delivers to a domain with no route through its SRV records, past a first destination where nothing listens', async () => {
    const alice = await agent();
    const live = await agent('127.0.0.3', ports.live);
    const before = await failovers();
    const answered = message(alice, 'sip:bob@peer.test', 'dns-dead-1');
    const received = await live.request(200, 10_000);
    expect(received.uriText).toBe('sip:bob@peer.test');
    expect((await answered).status).toBe(200);
    expect(await failovers()).toBe(before + 1);

    // RFC 3263 §4.3: the dead destination is avoided for a while: the next request goes straight to the live one.
    const again = message(alice, 'sip:bob@peer.test', 'dns-dead-2');
    expect((await live.request(200, 2000)).callId).toBe('dns-dead-2');
    expect((await again).status).toBe(200);
    expect(await failovers()).toBe(before + 1);
  });

  it('moves on to the next destination when the first answers 503, as a new branch', async () => {
    const alice = await agent();
    const busy = await agent('127.0.0.4', ports.busy);
    const second = await agent('127.0.0.3', ports.second);
    const answered = message(alice, 'sip:bob@busy.test', 'dns-503');
    const refused: SipRequest = await busy.request(503);
    const taken: SipRequest = await second.request(200);
    expect(taken.callId).toBe('dns-503');
    expect(taken.topVia.params.get('branch')).not.toBe(refused.topVia.params.get('branch'));
    expect((await answered).status).toBe(200);
  });

  it('follows NAPTR to SRV to A, keeping the transports Herald sends on', async () => {
    const alice = await agent();
    const live = await agent('127.0.0.3', ports.live);
    const answered = message(alice, 'sip:bob@naptr.test', 'dns-naptr');
    expect((await live.request(200)).uriText).toBe('sip:bob@naptr.test');
    expect((await answered).status).toBe(200);
  });

  it('tries the next hops of a route in order, the first found by SRV, and fails over to the second', async () => {
    const alice = await agent();
    const busy = await agent('127.0.0.4', ports.busy);
    const second = await agent('127.0.0.3', ports.second);
    const answered = message(alice, 'sip:bob@routed.test', 'route-hops');
    expect((await busy.request(503)).uriText).toBe('sip:bob@routed.test');
    expect((await second.request(200)).callId).toBe('route-hops');
    expect((await answered).status).toBe(200);
  });

  it('moves on at once when a TCP connection to the first destination is refused', async () => {
    const alice = await agent();
    const accepted = new Inbox<StreamClient>();
    const server = net.createServer((socket) => accepted.push(StreamClient.wrap(socket)));
    await new Promise<void>((resolve) => server.listen(ports.tcp, '127.0.0.3', resolve));
    try {
      const before = await failovers();
      const answered = message(alice, 'sip:bob@tcp.test;transport=tcp', 'dns-tcp');
      const connection = await accepted.next();
      const received = (await connection.nextMessage()) as SipRequest;
      expect(received.topVia.transport).toBe('TCP');
      await connection.write(createResponse(received, 200).toBuffer());
      expect((await answered).status).toBe(200);
      // The refused connection to 127.0.0.2 came first.
      expect(await failovers()).toBe(before + 1);
      connection.destroy();
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers 404 naming a domain DNS does not know, and 504 when DNS cannot answer', async () => {
    const alice = await agent();
    const unknown = await message(alice, 'sip:bob@ghost.peer.test', 'dns-404');
    expect(unknown.status).toBe(404);
    expect(unknown.reason).toBe('No Route To Domain ghost.peer.test');
    // named serves no such zone and does not recurse: it refuses the question.
    const refused = await message(alice, 'sip:bob@elsewhere.example', 'dns-504');
    expect(refused.status).toBe(504);
  });
});
