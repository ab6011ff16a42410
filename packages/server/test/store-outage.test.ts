import { type SipResponse, digestResponse, ha1 } from '@herald/sip';
import { Redis } from 'ioredis';
import { type RedisServer, UdpClient, requestText, startRedis } from '@herald/test-kit';
import { adminUrl } from './helpers/admin-client.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';

/** A REGISTER for alice, answering `challenge` (a 401) with MD5 credentials when given. */
function register(client: UdpClient, cseq: number, challenge?: SipResponse): string {
  const headers = ['To: <sip:alice@example.com>', 'Contact: <sip:alice@127.0.0.1:' + client.port + '>', 'User-Agent: store-outage-test'];
  if (challenge) {
    const md5 = challenge.wwwAuthenticate.find((c) => c.params.get('algorithm') === 'MD5')!;
    const nonce = md5.params.get('nonce')!;
    const response = digestResponse({ algorithm: 'MD5', ha1: ha1('MD5', 'alice', 'example.com', 'wonderland'), method: 'REGISTER', uri: 'sip:example.com', nonce, qop: 'auth', nc: '00000001', cnonce: 'c' + cseq });
    headers.push(`Authorization: Digest username="alice", realm="example.com", nonce="${nonce}", uri="sip:example.com", algorithm=MD5, qop=auth, nc=00000001, cnonce="c${cseq}", response="${response}"`);
  }
  return requestText({ method: 'REGISTER', uri: 'sip:example.com', callId: 'outage', cseq, sentBy: `127.0.0.1:${client.port}`, rport: true, headers }).replace(
    'From: <sip:alice@herald.test>;tag=a1\r\nTo: <sip:bob@herald.test>\r\n',
    'From: <sip:alice@example.com>;tag=a1\r\n',
  );
}

describe('a store outage (Redis stops answering, then answers again)', () => {
  let redis: RedisServer;
  let herald: HeraldProcess;
  let client: UdpClient;
  beforeAll(async () => {
    redis = await startRedis();
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
store: "redis://127.0.0.1:${redis.port}"
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
users: [{ user: alice, domain: example.com, password: "wonderland" }]
`);
    client = await UdpClient.bind();
  }, 30_000);
  afterAll(async () => {
    await client?.close();
    await herald?.stop();
    await redis?.stop();
  });

  async function send(text: string): Promise<SipResponse> {
    await client.send(text, herald.port('udp'));
    return (await client.nextMessage(5000)) as SipResponse;
  }

  it('answers 503 with Retry-After while Redis holds its commands, reports it in /healthz, and serves again after', async () => {
    const challenge = await send(register(client, 1));
    expect(challenge.status).toBe(401);
    expect((await send(register(client, 2, challenge))).status).toBe(200);

    // CLIENT PAUSE makes Redis hold every command: Herald's 2 s deadline answers for it.
    const admin = new Redis(redis.url);
    try {
      await admin.call('CLIENT', 'PAUSE', '8000', 'ALL');
      const [during, health] = await Promise.all([send(register(client, 3, await send(register(client, 3)))), fetch(`${adminUrl(herald)}/healthz`)]);
      expect(during.status).toBe(503);
      expect(during.header('retry-after')).toBe('5');
      expect(health.status).toBe(503);

      let after: SipResponse | undefined;
      for (let cseq = 10; cseq < 40 && after?.status !== 200; cseq++) {
        after = await send(register(client, cseq, await send(register(client, cseq))));
        if (after.status !== 200) await new Promise((r) => setTimeout(r, 500));
      }
      expect(after?.status).toBe(200);
      expect((await fetch(`${adminUrl(herald)}/healthz`)).status).toBe(200);
      expect(herald.stdout.some((l) => l.includes('store unavailable: answering 503'))).toBe(true);
    } finally {
      admin.disconnect();
    }
  }, 30_000);
});
