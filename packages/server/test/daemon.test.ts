import { createTestCertificate, requestText, runSipp, StreamClient, UdpClient, WsClient } from '@herald/test-kit';
import type { SipResponse } from '@herald/sip';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type HeraldProcess, runHerald, startHerald } from './helpers/herald-process.js';

const scenarios = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

const CONFIG = `
domains: [herald.test]
listen:
  - udp://127.0.0.1:0
  - tcp://127.0.0.1:0
  - tls://127.0.0.1:0
  - ws://127.0.0.1:0
  - wss://127.0.0.1:0
tls: { cert: cert.pem, key: key.pem }
log: { level: info, format: json }
`;

function expectOptionsAnswer(res: SipResponse): void {
  expect(res.status).toBe(200);
  expect(res.header('allow')).toContain('OPTIONS');
  expect(res.hasHeader('accept')).toBe(true);
  expect(res.hasHeader('supported')).toBe(true);
}

describe('herald start on all four transport kinds', () => {
  let herald: HeraldProcess;

  beforeAll(async () => {
    const { cert, key } = await createTestCertificate();
    herald = await startHerald(CONFIG, { 'cert.pem': cert, 'key.pem': key });
  });

  afterAll(async () => {
    await herald?.stop();
  });

  it('answers OPTIONS over UDP', async () => {
    const client = await UdpClient.bind();
    await client.send(requestText({ uri: 'sip:herald.test', sentBy: `127.0.0.1:${client.port}`, rport: true }), herald.port('udp'));
    expectOptionsAnswer((await client.nextMessage()) as SipResponse);
    await client.close();
  });

  it.each(['tcp', 'tls'] as const)('answers OPTIONS over %s', async (transport) => {
    const client = await StreamClient.connect(transport, herald.port(transport));
    await client.write(requestText({ uri: 'sip:herald.test', transport: transport.toUpperCase() }));
    expectOptionsAnswer((await client.nextMessage()) as SipResponse);
    client.destroy();
  });

  it.each(['ws', 'wss'] as const)('answers OPTIONS over %s (RFC 7118)', async (transport) => {
    const client = await WsClient.connect(`${transport}://127.0.0.1:${herald.port(transport)}`);
    await client.send(requestText({ uri: 'sip:herald.test', transport: transport.toUpperCase(), sentBy: 'df7jal23ls0d.invalid' }));
    expectOptionsAnswer((await client.nextMessage()) as SipResponse);
    client.close();
  });

  it.each(['u1', 't1'] as const)('answers SIPp OPTIONS (-t %s)', async (transport) => {
    const port = herald.port(transport === 'u1' ? 'udp' : 'tcp');
    const run = await runSipp(join(scenarios, 'options.xml'), port, transport, 3, ['-s', 'herald.test']);
    expect(run.output).not.toMatch(/Failed call\s*\|\s*[1-9]/);
    expect(run.code).toBe(0);
  });

  it('answers OPTIONS addressed to its own address', async () => {
    const client = await UdpClient.bind();
    await client.send(requestText({ uri: `sip:127.0.0.1:${herald.port('udp')}`, sentBy: `127.0.0.1:${client.port}`, rport: true }), herald.port('udp'));
    expectOptionsAnswer((await client.nextMessage()) as SipResponse);
    await client.close();
  });

  it('logs nothing per message at info level', () => {
    const perMessage = herald.stdout.filter((l) => /OPTIONS|Call-ID|callId/.test(l));
    expect(herald.stdout.length).toBeGreaterThan(0);
    expect(perMessage).toEqual([]);
  });
});

describe('herald start: lifecycle', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('drains and exits 0 on %s', async (signal) => {
    const herald = await startHerald('domains: [herald.test]\nlisten: ["udp://127.0.0.1:0"]\n');
    expect(await herald.stop(signal)).toBe(0);
    expect(herald.stdout.some((l) => l.includes('"stopped"'))).toBe(true);
  });

  describe('failure path', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'herald-cli-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('exits 2 naming the bad key and the fix', async () => {
      await writeFile(join(dir, 'bad.yaml'), 'listens: ["udp://127.0.0.1:0"]\nlisten: ["tcp//0.0.0.0:5060"]\n');
      const run = await runHerald(['start', '--config', 'bad.yaml'], dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('listens');
      expect(run.stderr).toContain('did you mean `listen`');
      expect(run.stderr).toContain('listen[0]');
      expect(run.stderr).toContain('tcp://HOST:PORT');
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });

    it('exits 2 naming dataDir when it lies under /proc, where creating it would spin for ever', async () => {
      await writeFile(join(dir, 'proc.yaml'), 'listen: ["udp://127.0.0.1:0"]\ndataDir: /proc/herald\n');
      const run = await runHerald(['start', '--config', 'proc.yaml'], dir, 10_000);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('dataDir: "/proc/herald" cannot be created');
    });

    it('exits 2 when the config file does not exist', async () => {
      const run = await runHerald(['start', '--config', 'missing.yaml'], dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('missing.yaml');
    });

    it('exits 1 naming the listener when the port is taken', async () => {
      const first = await startHerald('listen: ["tcp://127.0.0.1:0"]\n');
      const port = first.port('tcp');
      await writeFile(join(dir, 'taken.yaml'), `listen: ["tcp://127.0.0.1:${port}"]\n`);
      const run = await runHerald(['start', '--config', 'taken.yaml'], dir);
      await first.stop();
      expect(run.code).toBe(1);
      expect(run.stdout + run.stderr).toContain(String(port));
    });

    it('rejects an unknown command with usage', async () => {
      const run = await runHerald(['launch'], dir);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('Usage: herald');
    });
  });
});
