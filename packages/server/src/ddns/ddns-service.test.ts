import { type Server, type Socket, createServer } from 'node:net';
import { PassThrough } from 'node:stream';
import { UPDATE_TIMEOUT_MS, sendUpdate } from '@herald/stack';
import { FakeClock, type NamedServer, type TsigKey, makeTsigKey, startNamed } from '@herald/test-kit';
import type { DdnsConfig } from '../config/herald-config.js';
import { createLogger } from '../logger.js';
import { DDNS_DEFAULTS, type DdnsResult, DdnsService, RETRY_MIN_MS, WITHDRAW_DEADLINE_MS } from './ddns-service.js';

const ZONE = 'example.test';
const SRV_NAME = `_sip._udp.${ZONE}`;

/** One node: its service, the addresses it reports (the test changes them), what it logged and counted. */
interface Node {
  service: DdnsService;
  addresses: string[];
  results: DdnsResult[];
  warnings: string[];
  /** The warnings as logged, with their fields. */
  warned: Record<string, unknown>[];
  /** Where its updates go: the test points it elsewhere to take the name server away. */
  server: { host: string; port: number };
  /** Called as each update is sent. */
  onSend?: () => void;
}

describe('DdnsService: RFC 2136 self-update of a node against BIND named', () => {
  const key = makeTsigKey('herald-ddns');
  let named: NamedServer;
  let clock: FakeClock;
  const nodes: Node[] = [];

  beforeEach(async () => {
    named = await startNamed([{ origin: ZONE, records: ['operator 60 IN A 192.0.2.200'], updateKey: key }]);
    clock = new FakeClock(Date.now());
  });
  afterEach(async () => {
    for (const node of nodes.splice(0)) await node.service.stop();
    await named.stop();
  });

  function node(host: string, addresses: string[], options: { port?: number; naptr?: boolean; key?: TsigKey; withdraw?: boolean } = {}): Node {
    const config: DdnsConfig = {
      zone: ZONE,
      server: { host: named.host, port: named.port },
      key: options.key ?? key,
      host: `${host}.${ZONE}`,
      address: { kind: 'static', addresses },
      ttl: 60,
      records: { address: true, srv: [{ service: '_sip._udp', port: options.port ?? 5060, priority: 10, weight: 10 }], naptr: options.naptr ?? false },
      checkIntervalMs: DDNS_DEFAULTS.checkIntervalMs,
      withdrawOnShutdown: options.withdraw ?? true,
    };
    const out = new PassThrough();
    const n: Node = { addresses, results: [], warnings: [], warned: [], server: config.server, service: undefined as unknown as DdnsService };
    out.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n').filter(Boolean)) {
        const entry = JSON.parse(line) as { level: string; message: string };
        if (entry.level !== 'warn') continue;
        n.warnings.push(entry.message);
        n.warned.push(entry);
      }
    });
    n.service = new DdnsService({
      config,
      send: (update) => {
        n.onSend?.();
        return sendUpdate(update, { server: n.server, key: config.key, clock });
      },
      addresses: () => n.addresses,
      clock,
      logger: createLogger({ level: 'info', format: 'json' }, out),
      onResult: (result) => n.results.push(result),
    });
    nodes.push(n);
    return n;
  }

  it('publishes the node’s address and its SRV (and the NAPTR) at start', async () => {
    const sip1 = node('sip1', ['127.0.0.2', '::2'], { naptr: true });
    expect(await sip1.service.start()).toBe(true);
    expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual(['127.0.0.2']);
    expect(await named.dig(`sip1.${ZONE}`, 'AAAA')).toEqual(['::2']);
    expect(await named.dig(SRV_NAME, 'SRV')).toEqual([`10 10 5060 sip1.${ZONE}.`]);
    expect(await named.dig(ZONE, 'NAPTR')).toEqual([`10 10 "S" "SIP+D2U" "" ${SRV_NAME}.`]);
    expect(sip1.results).toEqual(['ok', 'ok', 'ok']);
    expect(sip1.warnings).toEqual([]);
  });

  it('follows an address change, and leaves the SRV alone', async () => {
    const sip1 = node('sip1', ['127.0.0.2']);
    expect(await sip1.service.check()).toBe(true);
    sip1.addresses = ['127.0.0.4', '127.0.0.5'];
    expect(await sip1.service.check()).toBe(true);
    expect((await named.dig(`sip1.${ZONE}`, 'A')).sort()).toEqual(['127.0.0.4', '127.0.0.5']);
    sip1.addresses = ['127.0.0.5', '::5'];
    expect(await sip1.service.check()).toBe(true);
    expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual(['127.0.0.5']);
    expect(await named.dig(`sip1.${ZONE}`, 'AAAA')).toEqual(['::5']);
    expect(await named.dig(SRV_NAME, 'SRV')).toEqual([`10 10 5060 sip1.${ZONE}.`]);
    // A check with nothing changed sends nothing.
    const sent = sip1.results.length;
    expect(await sip1.service.check()).toBe(true);
    expect(sip1.results).toHaveLength(sent);
  });

  it('reads its addresses again every checkInterval', async () => {
    const sip1 = node('sip1', ['127.0.0.2']);
    expect(await sip1.service.start()).toBe(true);
    sip1.addresses = ['127.0.0.6'];
    clock.advance(DDNS_DEFAULTS.checkIntervalMs - 1);
    await sip1.service.whenIdle();
    expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual(['127.0.0.2']);
    clock.advance(1);
    await sip1.service.whenIdle();
    expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual(['127.0.0.6']);
    sip1.addresses = ['127.0.0.7'];
    clock.advance(DDNS_DEFAULTS.checkIntervalMs);
    await sip1.service.whenIdle();
    expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual(['127.0.0.7']);
  });

  it('lists two nodes together, and a node that withdraws takes only its own records', async () => {
    const sip1 = node('sip1', ['127.0.0.2']);
    const sip2 = node('sip2', ['127.0.0.3'], { port: 5070 });
    expect(await Promise.all([sip1.service.check(), sip2.service.check()])).toEqual([true, true]);
    expect((await named.dig(SRV_NAME, 'SRV')).sort()).toEqual([`10 10 5060 sip1.${ZONE}.`, `10 10 5070 sip2.${ZONE}.`]);
    await sip1.service.stop();
    expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual([]);
    expect(await named.dig(SRV_NAME, 'SRV')).toEqual([`10 10 5070 sip2.${ZONE}.`]);
    expect(await named.dig(`sip2.${ZONE}`, 'A')).toEqual(['127.0.0.3']);
    expect(sip1.warnings).toEqual([]);
  });

  it('never takes over a host name whose address another node or the operator set, and claims it once it is free', async () => {
    const intruder = node('operator', ['127.0.0.9']);
    expect(await intruder.service.check()).toBe(false);
    expect(await named.dig(`operator.${ZONE}`, 'A')).toEqual(['192.0.2.200']);
    expect(intruder.results).toEqual(['conflict', 'ok']);
    expect(intruder.warnings).toEqual([expect.stringMatching(/^ddns publish refused by .*: NXRRSET, .*another node or the operator changed it/)]);
    // Its SRV went in (it names only its own target); the address is retried with backoff.
    expect((await named.dig(SRV_NAME, 'SRV')).sort()).toEqual([`10 10 5060 operator.${ZONE}.`]);
    // The operator frees the name; the next retry claims it.
    const free = await sendUpdate({ zone: ZONE, updates: [{ kind: 'delete-rrset', name: `operator.${ZONE}`, type: 'A' }] }, { server: { host: named.host, port: named.port }, key });
    expect(free.rcode).toBe('NOERROR');
    clock.advance(RETRY_MIN_MS);
    await intruder.service.whenIdle();
    expect(await named.dig(`operator.${ZONE}`, 'A')).toEqual(['127.0.0.9']);
    expect(intruder.results).toEqual(['conflict', 'ok', 'ok']);
    await intruder.service.stop();
    expect(await named.dig(`operator.${ZONE}`, 'A')).toEqual([]);
    expect(await named.dig(SRV_NAME, 'SRV')).toEqual([]);
  });

  it('withdraws at shutdown only its own SRV when it never held its host name', async () => {
    const intruder = node('operator', ['127.0.0.9']);
    expect(await intruder.service.check()).toBe(false);
    await intruder.service.stop();
    expect(await named.dig(`operator.${ZONE}`, 'A')).toEqual(['192.0.2.200']);
    expect(await named.dig(SRV_NAME, 'SRV')).toEqual([]);
  });

  it('after a restart confirms the address it published before, without a warning', async () => {
    const before = node('sip1', ['127.0.0.2'], { withdraw: false });
    expect(await before.service.check()).toBe(true);
    await before.service.stop();
    const after = node('sip1', ['127.0.0.2']);
    expect(await after.service.check()).toBe(true);
    expect(after.results).toEqual(['ok', 'ok']);
    expect(after.warnings).toEqual([]);
    expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual(['127.0.0.2']);
  });

  it('logs and counts an update the server refuses for a wrong key, and retries it with exponential backoff', async () => {
    const wrong = node('sip1', ['127.0.0.2'], { key: { ...key, secret: makeTsigKey().secret } });
    expect(await wrong.service.start()).toBe(false);
    expect(wrong.results).toEqual(['notauth', 'notauth']);
    expect(wrong.warnings[0]).toMatch(/^ddns publish refused by 127\.0\.0\.1:\d+: NOTAUTH\/BADSIG, the TSIG signature did not verify \(wrong secret\); SIP service carries on and the update is retried/);
    expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual([]);
    // The first retry comes after RETRY_MIN_MS, the next after twice that.
    const afterRetries = async (ms: number) => {
      clock.advance(ms);
      await wrong.service.whenIdle();
      return wrong.results.length;
    };
    expect(await afterRetries(RETRY_MIN_MS - 1)).toBe(2);
    expect(await afterRetries(1)).toBe(4);
    expect(await afterRetries(2 * RETRY_MIN_MS - 1)).toBe(4);
    expect(await afterRetries(1)).toBe(6);
    expect(wrong.warnings).toHaveLength(6);
  });

  describe('a name server that stops answering', () => {
    /** A TCP port that accepts connections and never answers; counts them. */
    let silent: Server;
    const connections: Socket[] = [];
    beforeEach(async () => {
      silent = createServer((socket) => connections.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      for (const socket of connections.splice(0)) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });
    const silentServer = () => ({ host: '127.0.0.1', port: (silent.address() as { port: number }).port });
    const connected = (count: number) =>
      new Promise<void>((resolve) => {
        const ready = () => (connections.length >= count ? resolve() : silent.once('connection', () => setImmediate(ready)));
        ready();
      });

    it('stop() abandons the round in flight and gives up the withdrawal after WITHDRAW_DEADLINE_MS, logging what stays', async () => {
      const sip1 = node('sip1', ['127.0.0.2']);
      expect(await sip1.service.check()).toBe(true);
      sip1.server = silentServer();
      sip1.addresses = ['127.0.0.4', '::4'];
      const round = sip1.service.check();
      await connected(1);

      let stopped = false;
      const stopping = sip1.service.stop().then(() => (stopped = true));
      clock.advance(WITHDRAW_DEADLINE_MS - 1);
      await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).toBe(false);
      clock.advance(1);
      await stopping;
      expect(sip1.warnings).toEqual([expect.stringMatching(/^ddns withdraw not done within 3000 ms: no answer from 127\.0\.0\.1:\d+; its records stay in the zone, and an unanswered update may still be applied/)]);
      expect(sip1.warned[0]).toMatchObject({
        records: [`-sip1.${ZONE} A`, `-_sip._udp.${ZONE} SRV 10 10 5060 sip1.${ZONE}`],
        unanswered: [`-sip1.${ZONE} A`, `+sip1.${ZONE} A 127.0.0.4`],
      });

      // The update in flight ends late (its own timeout): the round sends nothing more, the withdrawal neither.
      clock.advance(UPDATE_TIMEOUT_MS);
      expect(await round).toBe(false);
      await sip1.service.whenIdle();
      expect(connections).toHaveLength(1);
      expect(sip1.results).toEqual(['ok', 'ok', 'failed']);
      expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual(['127.0.0.2']);
      expect(await named.dig(`sip1.${ZONE}`, 'AAAA')).toEqual([]);
    });

    it('stop() withdraws once the update in flight has been answered, and publishes nothing after it', async () => {
      const sip1 = node('sip1', ['127.0.0.2']);
      sip1.addresses = ['127.0.0.2', '::2'];
      const sent = new Promise<void>((resolve) => (sip1.onSend = resolve));
      const round = sip1.service.check();
      await sent;
      // Stopped while its first update (the A RRset) is on the wire: the AAAA and SRV updates of the round are never sent.
      const stopping = sip1.service.stop();
      expect(await round).toBe(false);
      await stopping;
      expect(sip1.results).toEqual(['ok', 'ok']);
      expect(sip1.warnings).toEqual([]);
      expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual([]);
      expect(await named.dig(`sip1.${ZONE}`, 'AAAA')).toEqual([]);
      expect(await named.dig(SRV_NAME, 'SRV')).toEqual([]);
    });
  });
});
