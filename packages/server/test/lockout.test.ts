import { type SipResponse, digestResponse, ha1 } from '@herald/sip';
import { type RedisServer, UdpClient, branch, requestText, startRedis } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';

/*
 * Issue 13 item 8, "lockout as a weapon": ten wrong passwords for an account from one
 * address must not lock the account's owner out of every other address.
 */
function config(store: string): string {
  return `
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
${store}
log: { level: info }
users: [{ user: alice, domain: example.com, password: "wonderland" }]
`;
}

/** A phone of alice's on UDP at `host`: REGISTERs, answering a 401 with the password it is given. */
class Phone {
  private cseq = 0;

  private constructor(
    readonly client: UdpClient,
    private readonly server: number,
  ) {}

  static async bind(host: string, server: number): Promise<Phone> {
    return new Phone(await UdpClient.bind(host), server);
  }

  /** Sends a REGISTER (with credentials answering `challenge`) and resolves with the final response. */
  async register(challenge?: SipResponse, password = 'wonderland'): Promise<SipResponse> {
    await this.send(challenge, password);
    return this.response();
  }

  /** Sends a REGISTER without waiting for its answer. */
  async send(challenge?: SipResponse, password = 'wonderland'): Promise<void> {
    const cseq = ++this.cseq;
    const { address, port } = this.client;
    const headers = [`Contact: <sip:alice@${address}:${port}>`];
    if (challenge) headers.push(`Authorization: ${credentials(challenge, password, cseq)}`);
    const text = requestText({ method: 'REGISTER', uri: 'sip:example.com', callId: `lockout-${address}-${port}-${cseq}`, cseq, branch: branch(), sentBy: `${address}:${port}`, rport: true, headers });
    await this.client.send(text.replace('From: <sip:alice@herald.test>;tag=a1\r\nTo: <sip:bob@herald.test>', 'From: <sip:alice@example.com>;tag=a1\r\nTo: <sip:alice@example.com>'), this.server, '127.0.0.1');
  }

  async response(): Promise<SipResponse> {
    for (;;) {
      const m = await this.client.nextMessage(15_000);
      if (!m.isRequest() && m.status >= 200) return m;
    }
  }

  close(): Promise<void> {
    return this.client.close();
  }
}

/** MD5 credentials for alice answering `challenge` (Herald offers a client without a User-Agent MD5 alone). */
function credentials(challenge: SipResponse, password: string, cseq: number): string {
  const nonce = challenge.wwwAuthenticate[0].params.get('nonce')!;
  const cnonce = `c${cseq}`;
  const response = digestResponse({ algorithm: 'MD5', ha1: ha1('MD5', 'alice', 'example.com', password), method: 'REGISTER', uri: 'sip:example.com', nonce, qop: 'auth', nc: '00000001', cnonce });
  return `Digest username="alice", realm="example.com", nonce="${nonce}", uri="sip:example.com", algorithm=MD5, qop=auth, nc=00000001, cnonce="${cnonce}", response="${response}"`;
}

describe.each([
  ['the embedded store', false],
  ['Redis, two workers', true],
] as const)('failed authentications on %s (issue 13 item 8)', (_, onRedis) => {
  let redis: RedisServer | null = null;
  let herald: HeraldProcess;
  const phones: Phone[] = [];

  beforeAll(async () => {
    if (onRedis) redis = await startRedis();
    herald = await startHerald(config(redis ? `store: "${redis.url}/3"\nworkers: 2` : ''));
  }, 30_000);
  afterAll(async () => {
    for (const p of phones) await p.close();
    await herald?.stop();
    await redis?.stop();
  });

  async function phone(host: string): Promise<Phone> {
    const p = await Phone.bind(host, herald.port('udp'));
    phones.push(p);
    return p;
  }

  it("a stranger's ten wrong passwords lock the stranger out, not alice on another address", async () => {
    const stranger = await phone('127.0.0.2');
    const challenge = await stranger.register();
    expect(challenge.status).toBe(401);
    // Eleven guesses at once (each answer past the third is slowed; together they wait once).
    // A guess read after ten others were counted is already refused: at least ten count.
    for (let i = 0; i < 11; i++) await stranger.send(challenge, `guess-${i}`);
    const answers = (await Promise.all(Array.from({ length: 11 }, () => stranger.response()))).map((r) => r.status);
    expect(answers.filter((s) => s === 401).length).toBeGreaterThanOrEqual(10);
    expect(answers.filter((s) => s !== 401 && s !== 403)).toEqual([]);

    const alice = await phone('127.0.0.1');
    const ok = await alice.register(await alice.register());
    expect(ok.status).toBe(200);

    // The stranger stays refused, even with the right password.
    const refused = await stranger.register(await stranger.register());
    expect([refused.status, refused.reason]).toEqual([403, 'Too Many Failed Authentications']);
  }, 60_000);
});
