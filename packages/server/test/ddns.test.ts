import { networkInterfaces } from 'node:os';
import type { SipResponse } from '@herald/sip';
import { type NamedServer, type TsigKey, UdpClient, makeTsigKey, requestText, startNamed, startRedis } from '@herald/test-kit';
import { adminUrl } from './helpers/admin-client.js';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';

const ZONE = 'example.test';
const SRV_NAME = `_sip._udp.${ZONE}`;
const TOKEN = 'e2e-admin-token-0123456789abcdef';

/** A BIND key statement, as `tsig-keygen` writes it: the file both named and Herald read. */
function keyFile(key: TsigKey): string {
  return `key "${key.name}" {\n\talgorithm ${key.algorithm};\n\tsecret "${key.secret}";\n};\n`;
}

/** A node with `ddns:` publishing `host` and a `_sip._udp` SRV to `port`; `where` gives its address (`address: …` or `interface: …`). */
function startNode(named: NamedServer, key: TsigKey, host: string, where: string, port: number, extra = ''): Promise<HeraldProcess> {
  const yaml = `
domains: [${ZONE}]
listen: ["udp://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
ddns:
  zone: ${ZONE}
  server: "${named.server}"
  key: { name: ${key.name}, secretFile: ddns.key }
  host: ${host}
  ${where}
  records: { srv: [{ service: _sip._udp, port: ${port} }] }
${extra}`;
  return startHerald(yaml, { 'ddns.key': keyFile(key) });
}

async function ddnsCount(herald: HeraldProcess, result: string): Promise<number> {
  const text = await (await fetch(`${adminUrl(herald)}/metrics`)).text();
  return Number(new RegExp(`^herald_ddns_updates_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(text)?.[1]);
}

describe('dynamic DNS self-update of the running daemon (RFC 2136 + TSIG, against BIND named)', () => {
  const key = makeTsigKey('herald-ddns');
  let named: NamedServer;
  const running: HeraldProcess[] = [];

  beforeEach(async () => {
    named = await startNamed([{ origin: ZONE, records: [], updateKey: key }]);
  });
  afterEach(async () => {
    for (const herald of running.splice(0)) await herald.stop();
    await named.stop();
  });

  describe('normal path', () => {
    it('two nodes publish their addresses and SRV targets at start, side by side; one that stops takes only its own', async () => {
      const [sip1, sip2] = await Promise.all([startNode(named, key, 'sip1', 'address: 127.0.0.2', 5060), startNode(named, key, 'sip2', 'address: 127.0.0.3', 5062)]);
      running.push(sip1, sip2);
      const srv = () => named.dig(SRV_NAME, 'SRV').then((lines) => lines.sort());
      const both = [`10 10 5060 sip1.${ZONE}.`, `10 10 5062 sip2.${ZONE}.`];
      expect(await eventually(srv, (lines) => lines.length === 2)).toEqual(both);
      expect(await eventually(() => named.dig(`sip1.${ZONE}`, 'A'), (a) => a.length > 0)).toEqual(['127.0.0.2']);
      expect(await eventually(() => named.dig(`sip2.${ZONE}`, 'A'), (a) => a.length > 0)).toEqual(['127.0.0.3']);
      expect(await eventually(() => ddnsCount(sip1, 'ok'), (n) => n === 2)).toBe(2);

      running.splice(running.indexOf(sip1), 1);
      expect(await sip1.stop()).toBe(0);
      expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual([]);
      expect(await srv()).toEqual([`10 10 5062 sip2.${ZONE}.`]);
      expect(await named.dig(`sip2.${ZONE}`, 'A')).toEqual(['127.0.0.3']);
    });

    it('with workers, the primary alone publishes the addresses of the configured interface, and /metrics shows its count once', async () => {
      const redis = await startRedis();
      try {
        const herald = await startNode(named, key, 'sip1', 'interface: lo', 5060, `store: "${redis.url}/4"\nworkers: 2\n`);
        running.push(herald);
        // What `lo` holds here: no ::1 where IPv6 is disabled (Docker's default), and then no AAAA update.
        const lo = (family: string) => (networkInterfaces().lo ?? []).filter((a) => a.family === family).map((a) => a.address).sort();
        const [v4, v6] = [lo('IPv4'), lo('IPv6')];
        const updates = [v4, v6].filter((addresses) => addresses.length > 0).length + 1;
        expect(await eventually(() => ddnsCount(herald, 'ok'), (n) => n >= updates)).toBe(updates);
        expect((await named.dig(`sip1.${ZONE}`, 'A')).sort()).toEqual(v4);
        expect((await named.dig(`sip1.${ZONE}`, 'AAAA')).sort()).toEqual(v6);
        expect(await named.dig(SRV_NAME, 'SRV')).toEqual([`10 10 5060 sip1.${ZONE}.`]);
        const text = await (await fetch(`${adminUrl(herald)}/metrics`)).text();
        expect(text.match(/^# HELP herald_ddns_updates_total /gm)).toHaveLength(1);
        expect(text).toMatch(/^# HELP herald_sip_requests_total /m);
        running.splice(running.indexOf(herald), 1);
        expect(await herald.stop()).toBe(0);
        expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual([]);
        expect(await named.dig(SRV_NAME, 'SRV')).toEqual([]);
      } finally {
        await redis.stop();
      }
    });
  });

  describe('failure path', () => {
    it('a wrong TSIG key is refused by named, logged with what it means and counted, and SIP service carries on', async () => {
      const wrong = { ...key, secret: makeTsigKey().secret };
      const herald = await startNode(named, wrong, 'sip1', 'address: 127.0.0.2', 5060);
      running.push(herald);
      const refusal = () => herald.stdout.map((l) => JSON.parse(l) as { level: string; message: string }).find((e) => /^ddns publish refused/.test(e.message));
      const entry = await eventually(refusal, (e) => e !== undefined);
      expect(entry).toMatchObject({ level: 'warn', message: expect.stringMatching(/NOTAUTH\/BADSIG, the TSIG signature did not verify \(wrong secret\); SIP service carries on/) });
      expect(await eventually(() => ddnsCount(herald, 'notauth'), (n) => n >= 1)).toBeGreaterThanOrEqual(1);
      expect(await ddnsCount(herald, 'ok')).toBe(0);
      expect(await named.dig(`sip1.${ZONE}`, 'A')).toEqual([]);

      const client = await UdpClient.bind();
      try {
        await client.send(requestText({ uri: `sip:${ZONE}`, sentBy: `127.0.0.1:${client.port}`, rport: true }), herald.port('udp'));
        expect(((await client.nextMessage()) as SipResponse).status).toBe(200);
        const contact = `<sip:alice@127.0.0.1:${client.port}>`;
        await client.send(
          requestText({ method: 'REGISTER', uri: `sip:${ZONE}`, from: `<sip:alice@${ZONE}>;tag=r1`, to: `<sip:alice@${ZONE}>`, sentBy: `127.0.0.1:${client.port}`, rport: true, headers: [`Contact: ${contact}`, 'Expires: 60'] }),
          herald.port('udp'),
        );
        expect(((await client.nextMessage()) as SipResponse).status).toBe(200);
      } finally {
        await client.close();
      }
    });
  });
});
