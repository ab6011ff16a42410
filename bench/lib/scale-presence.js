// Section 6 (scale), presence held: `count` subscriptions held by watcher fleets (1,000 of
// them on u0000, the rest 10 per presentity over u0001..), Herald RSS and Redis memory per
// subscription, then one PUBLISH of u0000 fanned out to its 1,000 watchers while all the
// others stay subscribed (the section 5 fan-out, timed by its timeFanOut).
import { DOMAIN } from './register-targets.js';
import { timeFanOut } from './presence-bench.js';
import { startWatcherFleet } from './watcher-fleet.js';
import { MB, redisDelta, redisReading, settledRss, treeRss } from './scale-measure.js';

const FAN_OUT = 1_000;
const PER_PRESENTITY = 10;
/** Subscriptions per fleet (one UDP socket each), so no one socket's buffers carry them all. */
const PER_FLEET = 25_000;
const SUBSCRIBE_RATE = 1_500;
const user = (i) => `u${String(i).padStart(4, '0')}`;

export async function heldSubscriptions(t, { count, quick, redis, workDir, log }) {
  const tag = `held-${t.name.includes('Redis') ? 'redis' : 'embedded'}`;
  const onRedis = t.name.includes('Redis');
  const row = { target: t.name, asked: count };
  const server = await t.start({ workDir, auth: false, presence: true, redis, tag }).catch((e) => ({ skip: `start failed: ${e.message}` }));
  if (server.skip) { log(`  skipped: ${server.skip}`); return { ...row, skipped: server.skip }; }
  const pid = server.pids[0];
  const fleets = [];
  try {
    const rss0 = treeRss(pid);
    const r0 = onRedis ? redisReading(redis) : null;
    // the watched set: u0000 × 1,000, then u0001.. × 10 (at most the 10,000 configured users)
    const others = Math.ceil((count - FAN_OUT) / PER_PRESENTITY);
    if (others > 9_999) throw new Error(`${count} subscriptions need more than the 10,000 configured presentities`);
    const jobs = [{ presentities: [user(0)], per: FAN_OUT }];
    for (let first = 1; first <= others; first += PER_FLEET / PER_PRESENTITY) {
      jobs.push({ presentities: Array.from({ length: Math.min(PER_FLEET / PER_PRESENTITY, others - first + 1) }, (_, i) => user(first + i)), per: PER_PRESENTITY });
    }
    const t0 = performance.now();
    let held = 0;
    for (const [i, job] of jobs.entries()) {
      const fleet = await startWatcherFleet({ domain: DOMAIN });
      fleets.push(fleet);
      const n = job.presentities.length * job.per;
      await fleet.subscribe({ serverPort: server.port, presentities: job.presentities, perPresentity: job.per, rate: SUBSCRIBE_RATE, tag: `${tag}-${i}` });
      await fleet.waitFor(n, 60_000); // every first NOTIFY in and answered
      held += n;
    }
    row.held = held;
    row.subscribeSeconds = (performance.now() - t0) / 1000;
    log(`  ${held} subscriptions held on ${fleets.length} sockets after ${row.subscribeSeconds.toFixed(0)} s (asked ${SUBSCRIBE_RATE}/s)`);
    row.rss = await settledRss(pid, quick ? 5_000 : 35_000);
    row.rssBefore = rss0;
    row.rssPerSubscription = (row.rss - rss0) / held;
    if (onRedis) {
      row.redisMemory = redisDelta(r0, redisReading(redis)).usedMemory;
      row.redisPerSubscription = row.redisMemory / held;
    }
    log(`  Herald RSS ${(rss0 / MB).toFixed(0)} → ${(row.rss / MB).toFixed(0)} MB: ${row.rssPerSubscription.toFixed(0)} B/subscription` +
      (onRedis ? `; Redis used_memory +${(row.redisMemory / MB).toFixed(0)} MB: ${row.redisPerSubscription.toFixed(0)} B/subscription` : ''));
    row.ms = await timeFanOut(fleets[0], { serverPort: server.port, presentity: user(0), watchers: FAN_OUT });
    log(`  ${FAN_OUT} watchers; the PUBLISH's NOTIFYs all answered after ${row.ms.toFixed(0)} ms (${Math.round(FAN_OUT / (row.ms / 1000))} NOTIFY/s)`);
  } catch (e) {
    log(`  error: ${e.message}`);
    row.error = e.message;
  } finally {
    for (const f of fleets) await f.stop();
    await server.stop();
  }
  return row;
}

export function printHeld(rows, { log, table, fmt }) {
  log('\n### Presence: subscriptions held, and one PUBLISH to 1,000 of their watchers\n');
  const mb = (b) => (b == null ? '—' : (b / MB).toFixed(0));
  table(['target', 'subscriptions held', 'Herald RSS MB (before → settled)', 'Herald B/subscription', 'Redis MB', 'Redis B/subscription', 'ms until the last NOTIFY was answered', 'note'], rows.map((r) => [
    r.target, r.held ?? '—', r.rss ? `${mb(r.rssBefore)} → ${mb(r.rss)}` : '—', fmt(r.rssPerSubscription, 0), mb(r.redisMemory), fmt(r.redisPerSubscription, 0), fmt(r.ms, 0),
    r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : '',
  ]), ['note']);
}
