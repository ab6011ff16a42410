import { readFileSync } from 'node:fs';
import { type RedisServer, startRedis } from '@herald/test-kit';
import { adminUrl, bindingsOf } from './helpers/admin-client.js';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { sippRegister } from './helpers/sipp-register.js';

const TOKEN = 'e2e-admin-token-0123456789abcdef';

function config(redis: string, workers: number): string {
  return `
admin: { listen: "127.0.0.1:0", token: "${TOKEN}" }
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"]
store: "${redis}"
workers: ${workers}
log: { level: info }
users:
  - { user: alice, domain: example.com, password: "wonderland" }
  - { user: bob, domain: example.com, password: "builder" }
auth: { maxFailuresPerUser: 3 }
`;
}

/** Pids of the processes `pid` forked. */
function children(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

describe('workers and nodes sharing bindings through Redis', () => {
  let redis: RedisServer;
  let nodeA: HeraldProcess;
  let nodeB: HeraldProcess;
  beforeAll(async () => {
    redis = await startRedis();
    const url = `${redis.url}/3`;
    nodeA = await startHerald(config(url, 2));
    nodeB = await startHerald(config(url, 1));
  }, 30_000);
  afterAll(async () => {
    await nodeA?.stop();
    await nodeB?.stop();
    await redis?.stop();
  });

  it('runs two worker processes for workers: 2', () => {
    expect(children(nodeA.child.pid!)).toHaveLength(2);
  });

  it('a REGISTER through one node is visible to every worker of both', async () => {
    const reg = await sippRegister(nodeA.port('udp'), 'register-stay.xml', 'u1', 'alice', 'wonderland');
    expect(reg.code).toBe(0);
    const viaB = await sippRegister(nodeB.port('udp'), 'register-query.xml', 'u1', 'alice', 'wonderland');
    expect(viaB.code).toBe(0);
    // Queries over TCP land on either worker of node A (connections are spread among them).
    for (let i = 0; i < 4; i++) {
      const viaA = await sippRegister(nodeA.port('tcp'), 'register-query.xml', 't1', 'alice', 'wonderland');
      expect(viaA.code).toBe(0);
    }
  });

  it('replaces a worker that dies', async () => {
    const [victim] = children(nodeA.child.pid!);
    process.kill(victim, 'SIGKILL');
    const now = await eventually(() => children(nodeA.child.pid!), (pids) => pids.length === 2 && !pids.includes(victim));
    expect(now).toHaveLength(2);
    expect(now).not.toContain(victim);
    const reg = await sippRegister(nodeA.port('udp'), 'register-stay.xml', 'u1', 'alice', 'wonderland');
    expect(reg.code).toBe(0);
  });

  it('counts failed authentications across nodes: three wrong passwords on one, refused on the other', async () => {
    for (let i = 0; i < 3; i++) {
      const wrong = await sippRegister(nodeA.port('udp'), 'register-wrong-password.xml', 'u1', 'bob', 'guess' + i);
      expect(wrong.code).toBe(0);
    }
    const blocked = await sippRegister(nodeB.port('udp'), 'register-blocked.xml', 'u1', 'bob', 'builder');
    expect(blocked.code).toBe(0);
    const alice = await sippRegister(nodeB.port('udp'), 'register-stay.xml', 'u1', 'alice', 'wonderland');
    expect(alice.code).toBe(0);
  });

  it('serves the admin API from the primary, with every worker\'s counters summed in /metrics', async () => {
    const base = adminUrl(nodeA);
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok', store: 'ok' });
    expect(await bindingsOf(base, TOKEN, 'sip:alice@example.com')).not.toHaveLength(0);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const registers = Number(/^herald_sip_requests_total\{method="REGISTER"\} (\d+)/m.exec(metrics)?.[1]);
    // After the killed worker (whose counts went with it), node A took 1 + 3 registrations of
    // two REGISTERs each; the workers' sums add up to at least that.
    expect(registers).toBeGreaterThanOrEqual(8);
    expect(metrics).toMatch(/^herald_registered_aors 1$/m);
    // The store timings come through the same sums, buckets consistent with the count.
    const series = (name: string) => Number(new RegExp(`^herald_store_operation_seconds_${name}(?:\\{le="\\+Inf",|\\{)store="locations",operation="compareAndSet"\\} (\\d+)`, 'm').exec(metrics)?.[1]);
    expect(series('count')).toBeGreaterThanOrEqual(1);
    expect(series('bucket')).toBe(series('count'));
  });
});
