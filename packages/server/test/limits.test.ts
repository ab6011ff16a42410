import type { SipResponse } from '@herald/sip';
import { StreamClient, UdpClient, requestText } from '@herald/test-kit';
import { adminUrl } from './helpers/admin-client.js';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { TcpPhone } from './helpers/tcp-phone.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';

function config(sip: string): string {
  return `
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "ws://127.0.0.1:0"]
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
sip: ${sip}
# Requests from other domains come from 127.0.0.1 without DNS; what is tested is the transaction table.
federation: { default: permissive }
users:
  - { user: bob, domain: example.com, password: "builder" }
`;
}

/** One sample of a metric from `/metrics`, 0 when absent. */
async function metric(herald: HeraldProcess, name: string): Promise<number> {
  const text = await (await fetch(`${adminUrl(herald)}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

const options = (client: UdpClient, cseq = 1) => requestText({ uri: 'sip:example.com', sentBy: `${client.address}:${client.port}`, cseq });

/** Final responses on `client` until `ms` pass without one. */
async function drain(client: UdpClient, ms = 300): Promise<SipResponse[]> {
  const got: SipResponse[] = [];
  for (;;) {
    try {
      got.push((await client.nextMessage(ms)) as SipResponse);
    } catch {
      return got;
    }
  }
}

describe('per-source request budget (sip.rateLimit)', () => {
  let herald: HeraldProcess;
  let port: number;

  beforeAll(async () => {
    herald = await startHerald(config('{ rateLimit: { requestsPerSecond: 50, burst: 100 } }'));
    port = herald.port('udp');
  }, 30_000);
  afterAll(() => herald?.stop());

  it('drops a one-source flood beyond the budget, with a 503 and Retry-After now and then, while a polite client is served', async () => {
    const flooder = await UdpClient.bind('127.0.0.2');
    const polite = await UdpClient.bind('127.0.0.3');
    const started = Date.now();
    const flood = (async () => {
      for (let i = 0; i < 3000; i++) {
        await flooder.send(options(flooder, i + 1), port, '127.0.0.1');
        if (i % 100 === 99) await new Promise((r) => setImmediate(r));
      }
    })();
    const answers: number[] = [];
    for (let i = 0; i < 20; i++) {
      await polite.send(options(polite, i + 1), port, '127.0.0.1');
      answers.push(((await polite.nextMessage(5000)) as SipResponse).status);
    }
    await flood;
    const seconds = (Date.now() - started) / 1000;
    const got = await drain(flooder);
    await Promise.all([flooder.close(), polite.close()]);

    expect(answers).toEqual(Array(20).fill(200));
    const ok = got.filter((r) => r.status === 200).length;
    const refused = got.filter((r) => r.status === 503);
    // The burst, the refill over the time the flood took, and rounding.
    expect(ok).toBeLessThanOrEqual(100 + Math.ceil(50 * (seconds + 1)));
    expect(ok).toBeGreaterThanOrEqual(100);
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused.length).toBeLessThanOrEqual(Math.ceil(seconds) + 2);
    expect(refused[0].reason).toBe('Too Many Requests From This Address');
    expect(refused[0].header('retry-after')).toBe('1');
    expect(await metric(herald, 'herald_limit_hits_total{limit="rateLimit"}')).toBeGreaterThanOrEqual(3000 - ok);
    expect(herald.stdout.some((l) => l.includes('"limit reached: rateLimit"'))).toBe(true);
  }, 60_000);
});

describe('stateless answers and the transaction table (sip.maxTransactions)', () => {
  let herald: HeraldProcess;
  let port: number;
  let bob: TcpPhone;

  beforeAll(async () => {
    herald = await startHerald(config('{ maxTransactions: 6 }'));
    port = herald.port('udp');
    bob = await TcpPhone.register(herald.port('tcp'), 'bob', 'builder');
  }, 30_000);
  afterAll(async () => {
    bob?.close();
    await herald?.stop();
  });

  it('holds no transaction for OPTIONS answered or requests refused at once (RFC 3261 §8.2.7)', async () => {
    const client = await UdpClient.bind('127.0.0.1');
    for (let i = 0; i < 20; i++) await client.send(options(client, i + 1), port);
    const refusal = requestText({ method: 'MESSAGE', uri: 'sip:bob@example.com', from: '<sip:mallory@evil.test>;tag=m', sentBy: `127.0.0.1:${client.port}`, headers: ['Route: <sip:192.0.2.1;lr>'] });
    for (let i = 0; i < 10; i++) await client.send(refusal.replace(/branch=\w+/, `branch=z9hG4bKr${i}`), port);
    const got = await drain(client);
    await client.close();
    expect(got.map((r) => r.status).sort()).toEqual([...Array(20).fill(200), ...Array(10).fill(403)]);
    // Held for Timer J (32 s) they would fill the table of six and be counted here.
    expect(await metric(herald, 'herald_transactions_in_flight{kind="non_invite_server"}')).toBe(0);
  });

  it('answers 503 with Retry-After once the table is full, and serves again when it drains', async () => {
    const client = await UdpClient.bind('127.0.0.1');
    const message = (i: number) => requestText({ method: 'MESSAGE', uri: 'sip:bob@example.com', from: '<sip:carol@elsewhere.test>;tag=c', sentBy: `127.0.0.1:${client.port}`, callId: `cap-${i}`, headers: ['Content-Type: text/plain'], body: `m${i}` });
    const delivered = [];
    for (let i = 0; i < 3; i++) {
      await client.send(message(i), port);
      delivered.push(await bob.nextRequest(5000));
    }
    await client.send(message(3), port);
    const refused = (await client.nextMessage(5000)) as SipResponse;
    expect(refused.status).toBe(503);
    expect(refused.header('retry-after')).toBe('5');
    expect(refused.header('call-id')).toBe('cap-3');
    expect(await metric(herald, 'herald_limit_hits_total{limit="maxTransactions"}')).toBe(1);

    for (const req of delivered) await bob.answer(req, 200);
    const answered = await drain(client);
    expect(answered.map((r) => r.status)).toEqual([200, 200, 200]);
    // TCP on Herald's side ends its client transactions at once; the UDP server ones wait for Timer J.
    expect(await metric(herald, 'herald_transactions_in_flight{kind="non_invite_server"}')).toBe(3);
    await client.close();
  });
});

describe('connections (sip.maxConnections, sip.messageTimeout)', () => {
  let herald: HeraldProcess;
  let tcp: number;

  beforeAll(async () => {
    herald = await startHerald(config('{ maxConnections: 3, messageTimeout: 1 }'));
    tcp = herald.port('tcp');
  }, 30_000);
  afterAll(() => herald?.stop());

  const sendOptions = async (client: StreamClient) => {
    await client.write(requestText({ transport: 'TCP', uri: 'sip:example.com', sentBy: `127.0.0.1:${client.localPort}` }));
    return (await client.nextMessage(5000)) as SipResponse;
  };

  it('closes a connection that sends nothing, or trickles a message, after messageTimeout, and keeps one that sent its message', async () => {
    const silent = await StreamClient.connect('tcp', tcp);
    const trickler = await StreamClient.connect('tcp', tcp);
    const polite = await StreamClient.connect('tcp', tcp);
    expect((await sendOptions(polite)).status).toBe(200);
    const text = requestText({ transport: 'TCP', uri: 'sip:example.com' });
    let trickled = 0;
    const trickle = setInterval(() => {
      if (!trickler.socket.destroyed) trickler.socket.write(text[trickled++ % text.length]);
    }, 100);
    try {
      await silent.closed;
      await trickler.closed;
    } finally {
      clearInterval(trickle);
    }
    expect(trickled).toBeGreaterThan(5);
    expect(polite.socket.destroyed).toBe(false);
    expect((await sendOptions(polite)).status).toBe(200);
    polite.end();
    expect(await metric(herald, 'herald_limit_hits_total{limit="messageTimeout"}')).toBe(2);
    expect(await eventually(() => metric(herald, 'herald_connections_accepted'), (n) => n === 0)).toBe(0);
  }, 20_000);

  it('keeps a busy connection whose every chunk ends inside the next message', async () => {
    const busy = await StreamClient.connect('tcp', tcp);
    const stream = Array.from({ length: 16 }, (_, i) => requestText({ transport: 'TCP', uri: 'sip:example.com', sentBy: `127.0.0.1:${busy.localPort}`, callId: `busy-${i}` })).join('');
    const chunk = Math.ceil(stream.length / 16) + 7;
    // 16 chunks 100 ms apart: 1.6 s with a message always begun, against a messageTimeout of 1 s.
    for (let at = 0; at < stream.length; at += chunk) {
      await busy.write(stream.slice(at, at + chunk));
      await new Promise((r) => setTimeout(r, 100));
    }
    const answers = [];
    for (let i = 0; i < 16; i++) answers.push(((await busy.nextMessage(5000)) as SipResponse).status);
    expect(answers).toEqual(Array(16).fill(200));
    expect(busy.socket.destroyed).toBe(false);
    busy.socket.destroy();
    expect(await eventually(() => metric(herald, 'herald_connections_accepted'), (n) => n === 0)).toBe(0);
  }, 20_000);

  it('refuses connections beyond maxConnections, logs it, and keeps the admin API and the others working', async () => {
    const open = await Promise.all([0, 1, 2].map(() => StreamClient.connect('tcp', tcp)));
    for (const c of open) expect((await sendOptions(c)).status).toBe(200);
    expect(await metric(herald, 'herald_connections_accepted')).toBe(3);
    const extra = await StreamClient.connect('tcp', tcp);
    await extra.closed;
    expect(await metric(herald, 'herald_limit_hits_total{limit="maxConnections"}')).toBe(1);
    expect((await fetch(`${adminUrl(herald)}/healthz`)).status).toBe(200);
    expect(herald.stdout.some((l) => l.includes('"limit reached: maxConnections"'))).toBe(true);
    expect((await sendOptions(open[0])).status).toBe(200);

    open[0].end();
    expect(await eventually(() => metric(herald, 'herald_connections_accepted'), (n) => n === 2)).toBe(2);
    const next = await StreamClient.connect('tcp', tcp);
    expect((await sendOptions(next)).status).toBe(200);
    for (const c of [...open, next]) c.socket.destroy();
  }, 20_000);
});
