import { type RedisServer, startRedis } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { pidf } from './helpers/pidf.js';
import { UdpAgent } from './helpers/udp-agent.js';

/**
 * Two workers on one Redis: a burst of changes to one presentity, handled by whichever
 * worker the kernel hands each PUBLISH to, reaches a watcher as the first change at once
 * and one merged NOTIFY at the end of the window, not once per change or per worker.
 * @see RFC 3856 §6.10
 */
describe('presence coalescing across workers', () => {
  let redis: RedisServer;
  let herald: HeraldProcess;

  beforeAll(async () => {
    redis = await startRedis();
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
store: "${redis.url}/6"
workers: 2
auth: { enabled: false }
log: { level: info }
presence: { notifyWindow: 2 }
users:
  - { user: alice, domain: example.com, password: "pw-alice" }
  - { user: bob, domain: example.com, password: "pw-bob" }
`);
  }, 30_000);
  afterAll(async () => {
    await herald?.stop();
    await redis?.stop();
  });

  it('sends the first of five changes at once and the last one, merged, when the window ends', async () => {
    const watcher = await UdpAgent.start(herald.port('udp'));
    const publishers = await Promise.all(Array.from({ length: 5 }, () => UdpAgent.start(herald.port('udp'))));
    try {
      await watcher.send({ method: 'SUBSCRIBE', uri: 'sip:alice@example.com', from: '<sip:bob@example.com>;tag=w', to: '<sip:alice@example.com>', callId: 'coalesce', headers: ['Event: presence', 'Expires: 600'] });
      expect((await watcher.response()).status).toBe(200);
      await watcher.request();
      // Five PUBLISHes from five sockets: whichever worker each reaches, the window is one claim in Redis.
      for (const [i, p] of publishers.entries()) {
        expect((await p.publish('alice', { callId: `pub-${i}`, body: pidf('alice', 'open', { inTuple: `<note>change ${i}</note>` }) })).status).toBe(200);
      }
      // The same tuple id in each publication: the latest one's tuple is what watchers see, in
      // the last NOTIFY. The first went out at once, before the burst ended. Two NOTIFYs when
      // the burst fits in one window; a loaded machine may stretch it past a window's end, or
      // let the next change in before the first NOTIFY reads the state, and that is as right
      // (RFC 3856 §6.10): what holds is fewer NOTIFYs than changes.
      const notified: string[] = [];
      while (!notified.at(-1)?.includes('change 4')) notified.push((await watcher.request(200, 6000)).body.toString());
      expect(notified.length).toBeGreaterThan(1);
      expect(notified.length).toBeLessThan(5);
      // Nothing more once the latest state is out.
      await expect(watcher.request(200, 3000)).rejects.toThrow(/nothing arrived/);
    } finally {
      await watcher.close();
      for (const p of publishers) await p.close();
    }
  }, 30_000);
});
