/**
 * REGISTER answered as a stateless UAS (RFC 3261 §8.2.7, §26.3.2.4): the registrar's answers
 * and the REGISTER challenge keep no server transaction, so a retransmission (the same bytes
 * from the same source) is processed again and must get the same answer without changing
 * a binding (§10.3 step 7). A counted digest failure keeps its transaction, so that its
 * retransmissions are answered from it rather than counted again.
 */
import { type SipResponse, digestResponse, ha1 } from '@herald/sip';
import { type RedisServer, UdpClient, branch, requestText, startRedis } from '@herald/test-kit';
import { adminUrl, bindingsOf } from './helpers/admin-client.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';
const AOR = 'sip:alice@example.com';

function config(extra: string): string {
  return `
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
users:
  - { user: alice, domain: example.com, password: "wonderland" }
${extra}
`;
}

/** One sample of a metric from `/metrics` (summed over workers), 0 when absent. */
async function metric(herald: HeraldProcess, name: string): Promise<number> {
  const text = await (await fetch(`${adminUrl(herald)}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(name + ' '));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

/** MD5 credentials for alice (nc 1) answering `challenge`; Herald offers a client without a User-Agent MD5 alone. */
function credentials(challenge: SipResponse, password: string): string {
  const nonce = challenge.wwwAuthenticate[0].params.get('nonce')!;
  const response = digestResponse({ algorithm: 'MD5', ha1: ha1('MD5', 'alice', 'example.com', password), method: 'REGISTER', uri: 'sip:example.com', nonce, qop: 'auth', nc: '00000001', cnonce: 'c1' });
  return `Digest username="alice", realm="example.com", nonce="${nonce}", uri="sip:example.com", algorithm=MD5, qop=auth, nc=00000001, cnonce="c1", response="${response}"`;
}

/** A phone on UDP whose REGISTERs are kept as bytes, so that it can retransmit them exactly. */
class Phone {
  private constructor(
    readonly client: UdpClient,
    private readonly server: number,
  ) {}

  static async start(server: number): Promise<Phone> {
    return new Phone(await UdpClient.bind('127.0.0.1'), server);
  }

  get contact(): string {
    return `sip:alice@127.0.0.1:${this.client.port}`;
  }

  /** The bytes of a REGISTER of Call-ID `callId` and CSeq `cseq`, with `authorization` if given. */
  register(callId: string, cseq: number, authorization?: string, expires = 600): string {
    const { address, port } = this.client;
    const headers = [`Contact: <${this.contact}>;expires=${expires}`];
    if (authorization !== undefined) headers.push(`Authorization: ${authorization}`);
    const text = requestText({ method: 'REGISTER', uri: 'sip:example.com', callId, cseq, branch: branch(), sentBy: `${address}:${port}`, rport: true, headers });
    return text.replace('From: <sip:alice@herald.test>;tag=a1\r\nTo: <sip:bob@herald.test>', `From: <${AOR}>;tag=a1\r\nTo: <${AOR}>`);
  }

  async send(text: string): Promise<SipResponse> {
    await this.client.send(text, this.server, '127.0.0.1');
    for (;;) {
      const m = await this.client.nextMessage(5000);
      if (!m.isRequest() && m.status >= 200) return m;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

describe.each([
  ['the embedded store', false],
  ['Redis, two workers', true],
] as const)('stateless REGISTER answers on %s (RFC 3261 §8.2.7)', (_, onRedis) => {
  let redis: RedisServer | null = null;
  let herald: HeraldProcess;
  let phone: Phone;

  beforeAll(async () => {
    if (onRedis) redis = await startRedis();
    herald = await startHerald(config(redis ? `store: "${redis.url}/4"\nworkers: 2` : ''));
    phone = await Phone.start(herald.port('udp'));
  }, 30_000);
  afterAll(async () => {
    await phone?.close();
    await herald?.stop();
    await redis?.stop();
  });

  it('challenges a retransmitted REGISTER afresh each time, and answers a retransmitted registration 200 again with the same binding, holding no transaction', async () => {
    const callId = `stateless-${onRedis}`;
    const bare = phone.register(callId, 1);
    const challenges = [await phone.send(bare), await phone.send(bare)];
    expect(challenges.map((c) => c.status)).toEqual([401, 401]);
    // Answered afresh, not from a transaction: each 401 carries a nonce of its own.
    expect(challenges[0].wwwAuthenticate[0].params.get('nonce')).not.toBe(challenges[1].wwwAuthenticate[0].params.get('nonce'));

    const registration = phone.register(callId, 2, credentials(challenges[1], 'wonderland'));
    const first = await phone.send(registration);
    expect(first.status).toBe(200);
    const before = await bindingsOf(adminUrl(herald), TOKEN, AOR);
    expect(before).toMatchObject([{ contact: phone.contact, callId, cseq: 2 }]);

    // The same bytes again, as a client whose 200 was lost retransmits them (RFC 3261 §17.1.2.2).
    const again = await phone.send(registration);
    expect(again.status).toBe(200);
    const contactOf = (r: SipResponse) => r.headerValues('contact').map((v) => v.replace(/;expires=\d+/, ''));
    expect(contactOf(again)).toEqual([`<${phone.contact}>`]);
    expect(contactOf(first)).toEqual([`<${phone.contact}>`]);
    const after = await bindingsOf(adminUrl(herald), TOKEN, AOR);
    expect(after).toMatchObject([{ contact: phone.contact, callId, cseq: 2 }]);

    expect(await metric(herald, 'herald_transactions_in_flight{kind="non_invite_server"}')).toBe(0);
  });

  it('still refuses a lower CSeq of the same Call-ID (RFC 3261 §10.3 step 7)', async () => {
    const callId = `stateless-${onRedis}`;
    const challenge = await phone.send(phone.register(callId, 1));
    const older = await phone.send(phone.register(callId, 1, credentials(challenge, 'wonderland')));
    expect(older.status).toBe(400);
    expect(older.reason).toBe('CSeq older than the registered binding');
    expect(await bindingsOf(adminUrl(herald), TOKEN, AOR)).toMatchObject([{ callId, cseq: 2 }]);
  });

  it('keeps the transaction of an un-REGISTER: its retransmission is answered from it', async () => {
    const callId = `stateless-${onRedis}`;
    const challenge = await phone.send(phone.register(callId, 3));
    const removal = phone.register(callId, 4, credentials(challenge, 'wonderland'), 0);
    expect((await phone.send(removal)).status).toBe(200);
    expect(await bindingsOf(adminUrl(herald), TOKEN, AOR)).toEqual([]);
    if (!onRedis) {
      // One worker holds every retransmission: the one transaction left is the removal's.
      expect(await metric(herald, 'herald_transactions_in_flight{kind="non_invite_server"}')).toBe(1);
      expect((await phone.send(removal)).status).toBe(200);
    }
  });

  it('applies a repeated registration no second time: the same bytes after an un-REGISTER with a fresh nonce bind nothing again', async () => {
    const callId = `resurrect-${onRedis}`;
    const first = await phone.send(phone.register(callId, 1));
    const registration = phone.register(callId, 2, credentials(first, 'wonderland'));
    expect((await phone.send(registration)).status).toBe(200);
    expect(await bindingsOf(adminUrl(herald), TOKEN, AOR)).toMatchObject([{ contact: phone.contact, callId, cseq: 2 }]);
    // The phone un-registers, answering a new challenge (a nonce of its own, so the first nonce's nc is untouched).
    const second = await phone.send(phone.register(callId, 3));
    expect((await phone.send(phone.register(callId, 4, credentials(second, 'wonderland'), 0))).status).toBe(200);
    expect(await bindingsOf(adminUrl(herald), TOKEN, AOR)).toEqual([]);
    // The registration's bytes again within Timer F (a late duplicate, or a replay from its source).
    const again = await phone.send(registration);
    expect(again.status).toBe(200);
    expect(again.headerValues('contact')).toEqual([]);
    expect(await bindingsOf(adminUrl(herald), TOKEN, AOR)).toEqual([]);
  });

  if (!onRedis) {
    it('counts a retransmitted wrong-password REGISTER as one failure: its 401 is kept and sent again', async () => {
      const failures = await metric(herald, 'herald_auth_failures_total{reason="wrong-password"}');
      const transactions = await metric(herald, 'herald_transactions_in_flight{kind="non_invite_server"}');
      const challenge = await phone.send(phone.register('wrong', 1));
      const wrong = phone.register('wrong', 2, credentials(challenge, 'not-the-password'));
      const answers = [await phone.send(wrong), await phone.send(wrong), await phone.send(wrong)];
      expect(answers.map((a) => a.status)).toEqual([401, 401, 401]);
      const nonces = answers.map((a) => a.wwwAuthenticate[0].params.get('nonce'));
      expect(new Set(nonces).size).toBe(1);
      expect(await metric(herald, 'herald_auth_failures_total{reason="wrong-password"}')).toBe(failures + 1);
      expect(await metric(herald, 'herald_transactions_in_flight{kind="non_invite_server"}')).toBe(transactions + 1);
    });
  }
});
