import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, UdpClient, requestText, startRedis } from '@herald/test-kit';
import type { SipResponse } from '@herald/sip';
import { adminUrl } from './helpers/admin-client.js';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { registerOnce, sipJsMessage, sipJsPhone } from './helpers/sipjs.js';
import { TcpPhone } from './helpers/tcp-phone.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';

function config(store: string, dataDir: string): string {
  return `
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "ws://127.0.0.1:0/"]
dataDir: "${dataDir}"
store: "${store}"
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
im: { maxBodySize: 4000 }
# The 513 test's MESSAGE comes from herald.test, a stranger sending from 127.0.0.1 without DNS: taken at its word.
federation: { default: permissive }
users:
  - { user: alice, domain: example.com, password: "wonderland" }
${Array.from({ length: 20 }, (_, i) => `  - { user: user${i}, domain: example.com, password: "pw${i}" }`).join('\n')}
`;
}

const CPIM = [
  'From: <sip:alice@example.com>',
  'To: <sip:bob@example.com>',
  'DateTime: 2026-12-01T10:00:00.000Z',
  'NS: imdn <urn:ietf:params:imdn>',
  'imdn.Message-ID: 34jk324j',
  'imdn.Disposition-Notification: positive-delivery, display',
  '',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Grüße über CPIM',
].join('\r\n');

const IS_COMPOSING = '<?xml version="1.0" encoding="UTF-8"?>\n<isComposing xmlns="urn:ietf:params:xml:ns:im-iscomposing"><state>active</state></isComposing>';

async function api(herald: HeraldProcess, path: string, method = 'GET'): Promise<Record<string, unknown>> {
  const r = await fetch(`${adminUrl(herald)}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  expect(r.status).toBe(200);
  return (await r.json()) as Record<string, unknown>;
}

async function stored(herald: HeraldProcess, aor: string): Promise<Array<Record<string, unknown>>> {
  return (await api(herald, `/api/messages/${encodeURIComponent(aor)}`)).messages as Array<Record<string, unknown>>;
}

describe.each([
  ['embedded', false],
  ['Redis', true],
] as const)('instant messages on the %s store (RFC 3428)', (_, onRedis) => {
  let redis: RedisServer | null = null;
  let dir: string;
  let herald: HeraldProcess;
  let users = 0;
  const phones: TcpPhone[] = [];
  const next = () => {
    const i = users++;
    return { user: `user${i}`, password: `pw${i}`, aor: `sip:user${i}@example.com` };
  };
  const start = async () => {
    herald = await startHerald(config(redis ? `${redis.url}/5` : 'embedded', dir));
  };
  const phone = async (p: Promise<TcpPhone>) => {
    const ph = await p;
    phones.push(ph);
    return ph;
  };

  beforeAll(async () => {
    if (onRedis) redis = await startRedis();
    dir = await mkdtemp(join(tmpdir(), 'herald-im-'));
    await start();
  }, 30_000);
  afterEach(() => {
    for (const p of phones.splice(0)) p.close();
  });
  afterAll(async () => {
    await herald?.stop();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  describe('normal path', () => {
    it.each([
      ['text/plain', 'hello, bob'],
      ['message/cpim', CPIM],
      ['application/im-iscomposing+xml', IS_COMPOSING],
    ])('relays a %s MESSAGE to the online recipient with its body unchanged; the 200 goes back', async (type, body) => {
      const bob = next();
      const recipient = await phone(TcpPhone.register(herald.port('tcp'), bob.user, bob.password));
      const sender = await phone(TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland'));
      const sent = sender.sendMessage(bob.aor, body, type);
      const message = await recipient.nextRequest();
      expect(message.method).toBe('MESSAGE');
      expect(message.header('content-type')).toBe(type);
      expect(message.body.toString('utf8')).toBe(body);
      await recipient.answer(message);
      expect((await sent).status).toBe(200);
    });

    it('SIP.js over WebSocket sends a MESSAGE to a TCP phone and receives one from it', async () => {
      const bob = next();
      const carol = next();
      const received: string[] = [];
      const web = await sipJsPhone(`ws://127.0.0.1:${herald.port('ws')}/`, carol.aor, carol.password, {
        onMessage: (m) => {
          received.push(m.request.body);
          void m.accept();
        },
      });
      try {
        expect(await registerOnce(web)).toBe(200);
        const tcp = await phone(TcpPhone.register(herald.port('tcp'), bob.user, bob.password));
        const sent = sipJsMessage(web, bob.aor, 'from the browser');
        const message = await tcp.nextRequest();
        expect(message.body.toString()).toBe('from the browser');
        await tcp.answer(message);
        expect(await sent).toBe(200);
        expect((await tcp.sendMessage(carol.aor, 'to the browser')).status).toBe(200);
        expect(received).toEqual(['to the browser']);
      } finally {
        await web.stop();
      }
    });

    it('keeps messages for an offline user (202), then delivers them in order with their From and Date once they register', async () => {
      const bob = next();
      const sender = await phone(TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland'));
      expect((await sender.sendMessage(bob.aor, 'first')).status).toBe(202);
      expect((await sender.sendMessage(bob.aor, 'second', 'text/plain', ['Date: Tue, 01 Dec 2026 10:00:00 GMT'])).status).toBe(202);
      // isComposing is never stored (RFC 3994 §3).
      expect((await sender.sendMessage(bob.aor, IS_COMPOSING, 'application/im-iscomposing+xml')).status).toBe(480);
      expect((await stored(herald, bob.aor)).map((m) => m.body)).toEqual(['first', 'second']);

      const recipient = await phone(TcpPhone.register(herald.port('tcp'), bob.user, bob.password));
      const first = await recipient.nextRequest();
      expect(first.body.toString()).toBe('first');
      expect(first.from.uri).toMatchObject({ user: 'alice', host: 'example.com' });
      expect(first.hasHeader('date')).toBe(true);
      await recipient.answer(first);
      const second = await recipient.nextRequest();
      expect(second.body.toString()).toBe('second');
      expect(second.header('date')).toBe('Tue, 01 Dec 2026 10:00:00 GMT');
      await recipient.answer(second);
      await expect(recipient.nextRequest(500)).rejects.toThrow(/nothing arrived/);
      expect(await eventually(() => stored(herald, bob.aor), (list) => list.length === 0)).toEqual([]);
    });

    it('keeps a message the recipient did not take, and delivers it again on the next registration', async () => {
      const bob = next();
      const sender = await phone(TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland'));
      expect((await sender.sendMessage(bob.aor, 'again')).status).toBe(202);
      const refusing = await phone(TcpPhone.register(herald.port('tcp'), bob.user, bob.password));
      await refusing.answer(await refusing.nextRequest(), 480, 'Temporarily Unavailable');
      // The attempt is counted once Herald has the 480, shortly after the phone sent it.
      const [kept] = await eventually(() => stored(herald, bob.aor), (list) => list[0]?.attempts === 1);
      expect(kept).toMatchObject({ body: 'again', attempts: 1 });
      refusing.close();
      const taking = await phone(TcpPhone.register(herald.port('tcp'), bob.user, bob.password));
      const again = await taking.nextRequest();
      expect(again.body.toString()).toBe('again');
      await taking.answer(again);
      await expect(taking.nextRequest(500)).rejects.toThrow(/nothing arrived/);
    });

    it('stores a message whose every branch fails with 480, as for an offline user', async () => {
      const bob = next();
      const busy = await phone(TcpPhone.register(herald.port('tcp'), bob.user, bob.password));
      const sender = await phone(TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland'));
      const sent = sender.sendMessage(bob.aor, 'later');
      await busy.answer(await busy.nextRequest(), 480, 'Temporarily Unavailable');
      // Stored before the 202 was sent.
      expect((await sent).status).toBe(202);
      expect((await stored(herald, bob.aor)).map((m) => m.body)).toEqual(['later']);
    });

    it('keeps stored messages across a restart of Herald, and delivers each once', async () => {
      const bob = next();
      const sender = await phone(TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland'));
      expect((await sender.sendMessage(bob.aor, 'survives')).status).toBe(202);
      sender.close();
      await herald.stop();
      await start();
      const recipient = await phone(TcpPhone.register(herald.port('tcp'), bob.user, bob.password));
      const message = await recipient.nextRequest();
      expect(message.body.toString()).toBe('survives');
      await recipient.answer(message);
      await expect(recipient.nextRequest(500)).rejects.toThrow(/nothing arrived/);
      // Registering again delivers nothing: it was removed after the 200.
      const again = await phone(TcpPhone.register(herald.port('tcp'), bob.user, bob.password));
      await expect(again.nextRequest(500)).rejects.toThrow(/nothing arrived/);
    }, 30_000);

    it('lists and purges a user\'s stored messages through the admin API', async () => {
      const bob = next();
      const sender = await phone(TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland'));
      await sender.sendMessage(bob.aor, 'one');
      await sender.sendMessage(bob.aor, 'two');
      const listed = await stored(herald, bob.aor);
      expect(listed.map((m) => [m.body, m.contentType, m.attempts])).toEqual([
        ['one', 'text/plain', 0],
        ['two', 'text/plain', 0],
      ]);
      expect(listed[0].from).toContain('sip:alice@example.com');
      expect(await api(herald, `/api/messages/${encodeURIComponent(bob.aor)}`, 'DELETE')).toEqual({ aor: bob.aor, purged: 2 });
      expect(await stored(herald, bob.aor)).toEqual([]);
    });
  });

  describe('failure path', () => {
    it('answers 404 for a user with no account, and never 415 whatever the body type', async () => {
      const sender = await phone(TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland'));
      expect((await sender.sendMessage('sip:nobody@example.com', 'hi')).status).toBe(404);
      const bob = next();
      expect((await sender.sendMessage(bob.aor, '\x00\x01', 'application/x-unheard-of')).status).toBe(202);
    });

    it('answers 413 for a body over im.maxBodySize', async () => {
      const sender = await phone(TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland'));
      const res = await sender.sendMessage(next().aor, 'x'.repeat(4001));
      expect(res.status).toBe(413);
    });

    it('answers 513 for a MESSAGE over UDP larger than 1300 bytes (RFC 3428 §5); the same over TCP is taken', async () => {
      const udp = await UdpClient.bind();
      try {
        const bob = next();
        const text = requestText({ method: 'MESSAGE', uri: bob.aor, sentBy: `127.0.0.1:${udp.port}`, rport: true, body: 'y'.repeat(1400) });
        await udp.send(text, herald.port('udp'));
        const res = (await udp.nextMessage()) as SipResponse;
        expect(res.status).toBe(513);
      } finally {
        await udp.close();
      }
      const sender = await phone(TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland'));
      expect((await sender.sendMessage(next().aor, 'y'.repeat(1400))).status).toBe(202);
    });
  });
});
