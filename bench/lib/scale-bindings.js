// Section 6 (scale), bindings: N distinct AoRs (s1..sN@bench.test) registered through Herald
// by SIPp over UDP (no auth), then: Redis memory and Herald RSS per binding, the CPU of the
// refresh load of 1,000,000 bindings at Expires 3600 (278 REGISTER/s), and a restart with
// the bindings present (time to the first answered binding query, and whether it survived).
import { join } from 'node:path';
import { runSipp } from './sipp.js';
import { cpuMicros, freeUdpPort } from './proc.js';
import { ADMIN_TOKEN, DOMAIN } from './register-targets.js';
import { MB, redisCli, redisDelta, redisReading, settledRss, treeRss } from './scale-measure.js';
import { queryBindings, restartAndQuery } from './scale-restart.js';

export const REFRESH_RATE = Math.round(1_000_000 / 3600); // 278/s
/** REGISTERs/s asked while filling: what one Herald worker sustains here with SIPp and Redis on the same 2 cores. */
const FILL_RATE = { redis: 3_000, embedded: 5_000 };

/**
 * Fill `t` (a register-targets.js target) with `count` bindings and measure; `redis` is the
 * section's throwaway Redis (kept across the restart: the second start must not flush it).
 */
export async function bindings(t, { count, quick, redis, workDir, here, log }) {
  const tag = `bindings-${t.kind}-${t.name.includes('Redis') ? 'redis' : 'embedded'}`;
  const onRedis = t.name.includes('Redis');
  const row = { target: t.name, asked: count };
  // the admin API's /metrics gives herald_registered_aors: the AoRs stored, on either store
  const adminPort = await freeUdpPort();
  const config = [`admin: { listen: "127.0.0.1:${adminPort}", token: "${ADMIN_TOKEN}" }`];
  const server = await t.start({ workDir, auth: false, redis, tag, config }).catch((e) => ({ skip: `start failed: ${e.message}` }));
  if (server.skip) { log(`  skipped: ${server.skip}`); return { ...row, skipped: server.skip }; }
  const scenario = join(here, 'scenarios/scale-register-uac.xml');
  const pid = server.pids[0];
  const fillRate = FILL_RATE[onRedis ? 'redis' : 'embedded'];
  let stopped = false;
  try {
    const rss0 = treeRss(pid);
    const r0 = onRedis ? redisReading(redis) : null;
    const t0 = performance.now();
    // The AoRs stored are counted, not the 200s (a REGISTER whose 200 was lost may be stored).
    // A busy machine loses some: top-up runs register that many more AoRs under other prefixes (t, u).
    row.registered = 0;
    row.fillFailed = 0;
    row.fillRetrans = 0;
    for (const pfx of ['s', 't', 'u']) {
      const todo = count - row.registered;
      if (todo <= count * 0.001) break;
      const fill = await runSipp({ scenario, port: server.port, keys: { ruri: server.ruri, pfx }, rate: fillRate, seconds: todo / fillRate, workDir, tag: `${tag}-fill-${pfx}` });
      row.registered = await registeredAors(adminPort);
      row.fillFailed += fill.failed;
      row.fillRetrans += fill.retransmissions;
      log(`  ${pfx}1..${pfx}${todo}: ${fill.successful} of ${todo} REGISTERs got 200 (asked ${fillRate}/s; ${fill.failed} failed, ${fill.retransmissions} retransmissions); ${row.registered} AoRs stored`);
    }
    row.fillSeconds = (performance.now() - t0) / 1000;
    row.fillRate = fillRate;
    row.rssAfterFill = treeRss(pid);
    // completed transactions linger 32 s (Timer J): the settled RSS is what the bindings hold
    row.rss = await settledRss(pid, quick ? 5_000 : 35_000);
    row.rssPerBinding = (row.rss - rss0) / row.registered;
    row.rssBefore = rss0;
    if (onRedis) {
      const d = redisDelta(r0, redisReading(redis));
      row.redisMemory = d.usedMemory;
      row.redisPerBinding = d.usedMemory / row.registered;
      row.redisKeys = Number(redisCliDbsize(redis));
    }
    log(`  Herald RSS ${(rss0 / MB).toFixed(0)} → ${(row.rssAfterFill / MB).toFixed(0)} MB after the fill, ${(row.rss / MB).toFixed(0)} MB settled: ${row.rssPerBinding.toFixed(0)} B/binding` +
      (onRedis ? `; Redis used_memory +${(row.redisMemory / MB).toFixed(0)} MB: ${row.redisPerBinding.toFixed(0)} B/binding (${row.redisKeys} keys)` : ''));

    // the refresh load of 1,000,000 bindings at Expires 3600, on the bindings now present
    const seconds = quick ? 10 : 30;
    const c0 = cpuMicros(pid);
    const rc0 = onRedis ? redisReading(redis) : null;
    const ref = await runSipp({ scenario, port: server.port, keys: { ruri: server.ruri, pfx: 's' }, rate: REFRESH_RATE, seconds, workDir, tag: `${tag}-refresh` });
    const done = ref.successful + ref.failed;
    row.refresh = { rate: REFRESH_RATE, seconds, successful: ref.successful, failed: ref.failed, heraldUs: (cpuMicros(pid) - c0) / done };
    if (onRedis) row.refresh.redisUs = redisDelta(rc0, redisReading(redis)).cpuUs / done;
    row.refresh.heraldCorePct = (REFRESH_RATE * row.refresh.heraldUs) / 1e4;
    if (onRedis) row.refresh.redisCorePct = (REFRESH_RATE * row.refresh.redisUs) / 1e4;
    log(`  refresh at ${REFRESH_RATE}/s for ${seconds} s: ${ref.successful} ok, ${ref.failed} failed; Herald ${row.refresh.heraldUs.toFixed(0)} µs/REGISTER = ${row.refresh.heraldCorePct.toFixed(1)} % of a core` +
      (onRedis ? `; Redis ${row.refresh.redisUs.toFixed(0)} µs/REGISTER = ${row.refresh.redisCorePct.toFixed(1)} % of a core` : ''));

    const before = await queryBindings({ port: server.port, user: 's1', domain: DOMAIN, timeoutMs: 5_000 });
    await server.stop();
    stopped = true;
    const again = await restartAndQuery({ config: join(workDir, `herald-${tag}.yaml`), port: server.port, user: 's1', domain: DOMAIN, timeoutMs: 120_000 });
    row.restart = { ms: again.ms, contactsBefore: before.contacts, contactsAfter: again.contacts };
    if (onRedis) row.restart.redisKeysAfter = Number(redisCliDbsize(redis));
    log(`  restart: binding query answered ${again.ms.toFixed(0)} ms after spawn; s1 has ${again.contacts} Contact(s) (${before.contacts} before the restart)`);
  } catch (e) {
    log(`  error: ${e.message}`);
    row.error = e.message;
  } finally {
    if (!stopped) await server.stop();
  }
  return row;
}

const redisCliDbsize = (redis) => redisCli(redis.port, 'dbsize');

/** herald_registered_aors from the admin API's /metrics on 127.0.0.1:`port`. */
async function registeredAors(port) {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` }, signal: AbortSignal.timeout(30_000) });
  const m = /^herald_registered_aors(?:\{[^}]*\})? (\d+)/m.exec(await res.text());
  if (!m) throw new Error(`GET /metrics → ${res.status} without herald_registered_aors`);
  return Number(m[1]);
}

export function printBindings(rows, { log, table, fmt }) {
  log('\n### Bindings: memory, refresh load and restart\n');
  const mb = (b) => (b == null ? '—' : (b / MB).toFixed(0));
  table(['target', 'AoRs registered', 'fill s (REGISTER/s asked)', 'Herald RSS MB (before → settled)', 'Herald B/binding', 'Redis MB', 'Redis B/binding', 'note'], rows.map((r) => [
    r.target, r.registered ?? '—', r.fillSeconds ? `${r.fillSeconds.toFixed(0)} (${r.fillRate}/s)` : '—', r.rss ? `${mb(r.rssBefore)} → ${mb(r.rss)}` : '—', fmt(r.rssPerBinding, 0), mb(r.redisMemory), fmt(r.redisPerBinding, 0),
    r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : r.fillFailed ? `${r.fillFailed} fill REGISTERs failed (${r.fillRetrans} retransmissions), topped up` : '',
  ]), ['note']);
  log(`\nRefresh of 1,000,000 bindings at Expires 3600 = ${REFRESH_RATE} REGISTER/s, measured at that rate on the bindings above:\n`);
  table(['target', 'Herald CPU µs/REGISTER', 'Herald % of one core', 'Redis CPU µs/REGISTER', 'Redis % of one core', 'failed'], rows.filter((r) => r.refresh).map((r) => [
    r.target, fmt(r.refresh.heraldUs, 0), fmt(r.refresh.heraldCorePct, 1), fmt(r.refresh.redisUs, 0), fmt(r.refresh.redisCorePct, 1), r.refresh.failed,
  ]));
  log('\nRestart with the bindings present (the same config started again; a binding query for s1 every 20 ms from the spawn):\n');
  table(['target', 'ms from spawn to the first answered query', 'Contacts of s1 before', 'after', 'bindings kept'], rows.filter((r) => r.restart).map((r) => [
    r.target, fmt(r.restart.ms, 0), r.restart.contactsBefore ?? '—', r.restart.contactsAfter, r.restart.contactsAfter > 0 ? 'yes' : 'no: all lost',
  ]));
}
