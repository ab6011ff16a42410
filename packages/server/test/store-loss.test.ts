import { readFileSync } from 'node:fs';
import { type SipResponse, randomHex } from '@herald/sip';
import { type RedisServer, StreamClient, requestText, startRedis } from '@herald/test-kit';
import { Redis } from 'ioredis';
import { adminUrl } from './helpers/admin-client.js';
import { digestCredentials } from './helpers/digest-credentials.js';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';
const ALICE = { user: 'alice', domain: 'example.com', password: 'wonderland' };
const ROUND = 20;
/** Two checks of the store (5 s apart) and some room: every worker has looked by then. */
const DETECTION_MS = 15_000;

/** Sends `text` on a new TCP connection and resolves with the answer; the connection is closed after. */
async function exchange(port: number, text: string): Promise<SipResponse> {
  const client = await StreamClient.connect('tcp', port);
  try {
    await client.write(text);
    return (await client.nextMessage(5000)) as SipResponse;
  } finally {
    client.destroy();
  }
}

/**
 * One REGISTER answering its challenge, "401 200" when both go well. The challenge and the
 * answer each go over a new connection, and the primary hands new connections to the
 * workers in turn: the nonce one worker issued is checked by the other, and they must
 * agree on the secret.
 */
async function register(port: number): Promise<string> {
  const aor = `<sip:${ALICE.user}@${ALICE.domain}>`;
  const callId = `loss-${randomHex(6)}`;
  // One contact for every REGISTER, so that each replaces the binding (registrar.maxContacts).
  const base = { method: 'REGISTER', uri: `sip:${ALICE.domain}`, transport: 'TCP', sentBy: '127.0.0.1:5999', callId };
  const named = (text: string) => text.replace('From: <sip:alice@herald.test>;tag=a1', `From: ${aor};tag=r`).replace('To: <sip:bob@herald.test>', `To: ${aor}`);
  const contact = 'Contact: <sip:alice@127.0.0.1:5999;transport=tcp>';
  const challenge = await exchange(port, named(requestText({ ...base, cseq: 1, headers: [contact] })));
  if (challenge.status !== 401) return String(challenge.status);
  const authorization = `Authorization: ${digestCredentials(challenge.wwwAuthenticate, ALICE, 'REGISTER', base.uri)}`;
  const answer = await exchange(port, named(requestText({ ...base, cseq: 2, headers: [contact, authorization] })));
  return `401 ${answer.status}`;
}

async function round(port: number): Promise<string[]> {
  const outcomes: string[] = [];
  for (let i = 0; i < ROUND; i++) outcomes.push(await register(port));
  return outcomes;
}

const allRegistered = (outcomes: string[]) => outcomes.every((o) => o === '401 200');

async function health(herald: HeraldProcess): Promise<{ status: string; storeFoundEmptyAt?: string }> {
  return (await fetch(`${adminUrl(herald)}/healthz`)).json() as Promise<{ status: string; storeFoundEmptyAt?: string }>;
}

/** The pids of the primary's workers (Linux). */
function workerPids(herald: HeraldProcess): number[] {
  const pid = herald.child.pid!;
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
}

const warnings = (herald: HeraldProcess) => herald.stdout.filter((line) => line.includes('"level":"warn"') && line.includes('store found empty'));

describe('Redis emptied under running workers (restarted without its data, FLUSHALL)', () => {
  let redis: RedisServer;
  let herald: HeraldProcess;
  let admin: Redis;
  beforeAll(async () => {
    redis = await startRedis();
    herald = await startHerald(`
domains: [example.com]
listen: ["tcp://127.0.0.1:0"]
store: "${redis.url}"
workers: 2
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
users:
  - { user: alice, password: "wonderland" }
  - { user: bob, password: "builder" }
`);
    admin = new Redis(redis.url);
  }, 30_000);
  afterAll(async () => {
    admin?.disconnect();
    await herald?.stop();
    await redis?.stop();
  });

  it('registers through every worker before the loss', async () => {
    expect(await round(herald.port('tcp'))).toEqual(Array(ROUND).fill('401 200'));
    expect(await health(herald)).toEqual({ status: 'ok', store: 'ok' });
  });

  it('writes the users: accounts again, reports the loss in /healthz and in one warning, and registers again', async () => {
    await admin.flushall();
    const reported = await eventually(() => health(herald), (h) => h.storeFoundEmptyAt !== undefined, DETECTION_MS);
    expect(reported).toEqual({ status: 'ok', store: 'ok', storeFoundEmptyAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    // The marker says the store was found empty as the re-seed begins: the accounts follow it.
    const listUsers = async () => ((await (await fetch(`${adminUrl(herald)}/api/users`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as { users: unknown[] }).users;
    const users = await eventually(listUsers, (list) => list.length === 2, DETECTION_MS);
    expect(users).toMatchObject([{ user: 'alice', domain: 'example.com' }, { user: 'bob', domain: 'example.com' }]);
    expect(await eventually(() => round(herald.port('tcp')), allRegistered, DETECTION_MS)).toEqual(Array(ROUND).fill('401 200'));
    expect(warnings(herald)).toHaveLength(1);
  }, 60_000);

  it('brings every worker to one nonce secret when a worker started after the loss wrote a new one', async () => {
    const before = (await health(herald)).storeFoundEmptyAt!;
    await admin.flushall();
    // What a worker starting on the emptied store does first: it writes a secret of its own.
    await admin.set('auth-secret', randomHex(32));
    const [victim] = workerPids(herald);
    process.kill(victim, 'SIGKILL');
    await eventually(() => herald.stdout.some((line) => line.includes('worker started in place of the one that died')), Boolean, DETECTION_MS);
    expect(await eventually(() => round(herald.port('tcp')), allRegistered, DETECTION_MS)).toEqual(Array(ROUND).fill('401 200'));
    const after = await eventually(() => health(herald), (h) => h.storeFoundEmptyAt !== undefined && h.storeFoundEmptyAt > before, DETECTION_MS);
    expect(after.status).toBe('ok');
    expect(warnings(herald)).toHaveLength(2);
  }, 60_000);
});
