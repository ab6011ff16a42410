import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SipRequest, SipResponse } from '@herald/sip';
import { UdpClient, requestText } from '@herald/test-kit';
import { adminUrl } from './helpers/admin-client.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { TcpPhone } from './helpers/tcp-phone.js';

const TOKEN = 'im-limits-admin-token-0123456789';

/**
 * The offline store of one user cannot be filled by one sender or one other domain (issue 13
 * item 9): past `im.maxStoredPerSender` or `im.maxStoredPerForeignDomain` the sender gets
 * 480 naming the cap, while other senders' messages are still kept (202) and delivered.
 * A stored message is delivered with the Call-ID and CSeq it was sent with (item 10).
 */
describe('caps of the offline message store inside the per-user cap (RFC 3428 §7)', () => {
  let dir: string;
  let herald: HeraldProcess;
  let udp: UdpClient;
  const phones: TcpPhone[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'herald-im-limits-'));
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"]
dataDir: "${dir}"
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
im: { maxStoredPerUser: 6, maxStoredPerSender: 2, maxStoredPerForeignDomain: 3 }
# The senders of other domains are scripted on 127.0.0.1 without DNS; what is tested is the store's caps.
federation: { default: permissive }
users:
  - { user: alice, domain: example.com, password: "wonderland" }
  - { user: bob, domain: example.com, password: "builder" }
`);
    udp = await UdpClient.bind();
  });
  afterAll(async () => {
    for (const p of phones.splice(0)) p.close();
    await udp.close();
    await herald.stop();
    await rm(dir, { recursive: true, force: true });
  });

  /** A MESSAGE to bob from `from` (another domain: not challenged) over UDP; its final response. */
  async function fromStranger(from: string, body: string, callId = `m-${Math.random()}`, cseq = 1): Promise<SipResponse> {
    await udp.send(
      requestText({ method: 'MESSAGE', uri: 'sip:bob@example.com', from: `<${from}>;tag=s`, to: '<sip:bob@example.com>', callId, cseq, sentBy: `127.0.0.1:${udp.port}`, rport: true, headers: ['Content-Type: text/plain'], body }),
      herald.port('udp'),
    );
    for (;;) {
      const m = await udp.nextMessage();
      if (!m.isRequest() && m.status >= 200) return m;
    }
  }

  async function metric(line: string): Promise<number | undefined> {
    const text = await (await fetch(`${adminUrl(herald)}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));
    return found === undefined ? undefined : Number(found.split(' ')[1]);
  }

  it('refuses one sender past its cap and one domain past its cap (480), and still keeps and delivers another sender\'s message with its Call-ID and CSeq', async () => {
    const outcomes: Array<[string, number, string]> = [];
    const send = async (from: string, body: string, callId?: string, cseq?: number) => {
      const r = await fromStranger(from, body, callId, cseq);
      outcomes.push([body, r.status, r.reason]);
    };
    await send('sip:a@spam.example', 'a1');
    await send('sip:a@spam.example', 'a2');
    await send('sip:a@spam.example', 'a3');
    await send('sip:b@spam.example', 'b1');
    await send('sip:b@spam.example', 'b2');
    await send('sip:friend@other.example', 'friend', 'friend-call-1', 7);
    const alice = await TcpPhone.connect(herald.port('tcp'), 'alice', 'wonderland');
    phones.push(alice);
    outcomes.push(['alice', (await alice.sendMessage('sip:bob@example.com', 'alice')).status, '']);
    expect(outcomes).toEqual([
      ['a1', 202, 'Accepted'],
      ['a2', 202, 'Accepted'],
      ['a3', 480, 'Recipient Unavailable, Too Many Messages Stored From You'],
      ['b1', 202, 'Accepted'],
      ['b2', 480, 'Recipient Unavailable, Too Many Messages Stored From Your Domain'],
      ['friend', 202, 'Accepted'],
      ['alice', 202, ''],
    ]);
    expect(await metric('herald_im_offline_refused_total{cap="sender"}')).toBe(1);
    expect(await metric('herald_im_offline_refused_total{cap="sender_domain"}')).toBe(1);

    const bob = await TcpPhone.register(herald.port('tcp'), 'bob', 'builder');
    phones.push(bob);
    const delivered: SipRequest[] = [];
    for (let i = 0; i < 5; i++) {
      const m = await bob.nextRequest();
      delivered.push(m);
      await bob.answer(m);
    }
    expect(delivered.map((m) => m.body.toString())).toEqual(['a1', 'a2', 'b1', 'friend', 'alice']);
    const friend = delivered[3];
    expect(friend.from.uri).toMatchObject({ user: 'friend', host: 'other.example' });
    expect([friend.callId, friend.header('cseq')]).toEqual(['friend-call-1', '7 MESSAGE']);
  });
});
