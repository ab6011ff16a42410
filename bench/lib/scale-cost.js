// Section 6 (scale), the Redis cost model: Herald on Redis with 1 worker, each request type
// driven by its section 3–5 SIPp scenario, and for each:
//   round trips: Redis's total_reads_processed per call at a low rate (LOW_RATE/s, calls
//     far apart, so one read event = one batch Herald sent and waited on), less what the
//     idle server reads (its sweeps) over the same time;
//   commands (INFO commandstats deltas, by command; commands inside a Lua script counted
//     under their own names as well as the EVALSHA), Redis CPU µs and Herald CPU µs per
//     call, at a fixed rate;
//   the max sustained rate of the one worker (the section 3 ramp, short steps).
// From those: the rate one Redis core carries per request type and how many such workers it serves.
import { join } from 'node:path';
import { ramp } from './ramp.js';
import { runSipp } from './sipp.js';
import { cpuMicros } from './proc.js';
import { DOMAIN, writeUsersCsv } from './register-targets.js';
import { registeredUas } from './message-bench.js';
import { redisDelta, redisReading } from './scale-measure.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const LOW_RATE = 100;

/** One call of each scenario, the SIP requests it makes, and the fixed rate (calls/s) of its step. */
const SCENARIOS = [
  { id: 'message', name: 'MESSAGE relayed to a registered UAS', unit: '1 MESSAGE', file: 'message-uac.xml', csv: 'users', rate: 1_000 },
  { id: 'subscribe', name: 'SUBSCRIBE → NOTIFY, un-SUBSCRIBE → NOTIFY', unit: '2 SUBSCRIBE + 2 NOTIFY', file: 'subscribe-uac.xml', csv: 'users', rate: 500 },
  { id: 'publish', name: 'PUBLISH initial, then removal (no watchers)', unit: '2 PUBLISH', file: 'publish-uac.xml', csv: 'publishers', rate: 500 },
  { id: 'register', name: 'REGISTER, no auth', unit: '1 REGISTER', file: 'register-uac.xml', csv: 'users', rate: 1_000 },
  { id: 'digest', name: 'REGISTER with digest (401, then 200)', unit: '2 REGISTER', file: 'register-auth-uac.xml', csv: 'users', rate: 500, auth: true },
];

export async function redisCostModel(t, { quick, redis, workDir, here, log }) {
  const csv = { users: writeUsersCsv(join(workDir, 'cost-users.csv')), publishers: writeUsersCsv(join(workDir, 'cost-publishers.csv'), 1_000) };
  const rows = [];
  for (const auth of [false, true]) {
    const tag = `cost-${auth ? 'digest' : 'plain'}`;
    const server = await t.start({ workDir, auth, messages: !auth, presence: !auth, redis, tag }).catch((e) => ({ skip: `start failed: ${e.message}` }));
    const mine = SCENARIOS.filter((s) => Boolean(s.auth) === auth);
    if (server.skip) {
      log(`  skipped: ${server.skip}`);
      rows.push(...mine.map((s) => ({ id: s.id, name: s.name, skipped: server.skip })));
      continue;
    }
    let undo = null;
    try {
      // the MESSAGE rows need the 10,000 users registered at a UAS; a second try when a busy machine lost that step
      if (!auth) undo = await registeredUas({ here, usersCsv: csv.users, workDir, tag, log })(server).catch(() => registeredUas({ here, usersCsv: csv.users, workDir, tag: `${tag}-again`, log })(server));
      const idle = await idleReads(redis, quick ? 3_000 : 5_000);
      for (const sc of mine) {
        log(`${sc.name}:`);
        rows.push(await costOf(sc, { server, redis, idle, csv, quick, workDir, here, log }));
      }
    } catch (e) {
      log(`  error: ${e.message}`);
      rows.push(...mine.filter((s) => !rows.some((r) => r.id === s.id)).map((s) => ({ id: s.id, name: s.name, error: e.message })));
    } finally {
      await undo?.().catch(() => undefined);
      await server.stop();
    }
  }
  return rows;
}

/** Redis reads and commands per second while Herald is up and idle (its sweeps, the marker). */
async function idleReads(redis, ms) {
  const a = redisReading(redis);
  const t0 = performance.now();
  await sleep(ms);
  const d = redisDelta(a, redisReading(redis));
  const s = (performance.now() - t0) / 1000;
  return { reads: d.reads / s, commands: d.commands / s, cpuUs: d.cpuUs / s };
}

async function costOf(sc, { server, redis, idle, csv, quick, workDir, here, log }) {
  const scenario = join(here, 'scenarios', sc.file);
  const sippArgs = ['-inf', csv[sc.csv], ...(sc.auth ? ['-auth_uri', DOMAIN] : [])];
  const step = async (rate, seconds, tag) => {
    const a = redisReading(redis);
    const c0 = cpuMicros(server.pids[0]);
    const t0 = performance.now();
    const st = await runSipp({ scenario, port: server.port, keys: { ruri: server.ruri }, args: sippArgs, rate, seconds, workDir, tag: `cost-${sc.id}-${tag}` });
    const wall = (performance.now() - t0) / 1000;
    const d = redisDelta(a, redisReading(redis));
    const calls = st.successful + st.failed;
    return { rate, calls, failed: st.failed, d, wall, heraldUs: (cpuMicros(server.pids[0]) - c0) / calls };
  };
  await step(Math.min(sc.rate, 500), 2, 'warmup');
  const low = await step(LOW_RATE, quick ? 3 : 5, 'low');
  const roundTrips = (low.d.reads - idle.reads * low.wall) / low.calls;
  const fixed = await step(sc.rate, quick ? 5 : 10, 'fixed');
  const per = (x) => x / fixed.calls;
  const commands = Object.fromEntries(Object.entries(fixed.d.calls).map(([k, v]) => [k, per(v)]).filter(([, v]) => v >= 0.05).sort((x, y) => y[1] - x[1]));
  const row = {
    id: sc.id, name: sc.name, unit: sc.unit,
    roundTrips, lowCalls: low.calls, lowFailed: low.failed,
    rate: sc.rate, calls: fixed.calls, failed: fixed.failed,
    commandsPerCall: per(fixed.d.commands - idle.commands * fixed.wall), commands,
    readsPerCallAtRate: per(fixed.d.reads - idle.reads * fixed.wall),
    redisUs: per(fixed.d.cpuUs - idle.cpuUs * fixed.wall), heraldUs: fixed.heraldUs,
  };
  log(`  ${row.roundTrips.toFixed(2)} round trips/call at ${LOW_RATE}/s; at ${sc.rate}/s: ${row.commandsPerCall.toFixed(1)} commands/call ` +
    `(${Object.entries(commands).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')}), Redis ${row.redisUs.toFixed(1)} µs/call, Herald ${row.heraldUs.toFixed(0)} µs/call; ${fixed.failed} failed`);
  try {
    const r = await ramp(server, { scenario, sippArgs, stepSeconds: quick ? 3 : 5, startRate: sc.rate, factor: 1.5, maxSteps: 8, bisections: 1, pauseMs: 500, workDir, log, tag: `cost-${sc.id}-ramp` });
    row.maxRate = r.best?.rate ?? null;
    row.redisUsAtMax = r.best?.sideCpuUsPerCall?.redis ?? null;
  } catch (e) {
    row.maxRate = e.partial?.best?.rate ?? null;
    row.rampError = e.message;
  }
  // Redis's cost per call falls as the rate rises (more commands per read event): the
  // capacity figure uses the cost at the higher of the fixed rate and the worker's max rate
  row.redisCoreRate = 1e6 / (row.maxRate > sc.rate && row.redisUsAtMax ? row.redisUsAtMax : row.redisUs);
  if (row.maxRate) row.workersPerRedis = row.redisCoreRate / row.maxRate;
  return row;
}

export function printCost(rows, { log, table, fmt }) {
  log(`\n### Redis cost model (Herald on Redis, 1 worker)\n`);
  table(['request (one call =)', 'round trips/call', 'Redis commands/call', 'Redis CPU µs/call (fixed rate)', 'Herald CPU µs/call (fixed rate)', 'max calls/s of one Herald worker', 'Redis CPU µs/call at that rate', 'calls/s one Redis core carries (at the higher rate)', 'Herald workers one Redis core serves', 'note'], rows.map((r) => [
    `${r.name} (${r.unit ?? '?'})`, fmt(r.roundTrips, 2), fmt(r.commandsPerCall, 1), `${fmt(r.redisUs, 1)} (${r.rate ?? '—'}/s)`, fmt(r.heraldUs, 0), r.maxRate ?? '—', fmt(r.redisUsAtMax, 1), fmt(r.redisCoreRate, 0), fmt(r.workersPerRedis, 1),
    r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : [r.failed ? `${r.failed} failed at ${r.rate}/s` : '', r.rampError ? `ramp: ${r.rampError}` : ''].filter(Boolean).join('; '),
  ]), ['note']);
  log('\nRedis commands per call, by command (at the fixed rate; commands inside a script counted under their names too):\n');
  table(['request', 'fixed rate', 'commands per call'], rows.filter((r) => r.commands).map((r) => [r.name, `${r.rate}/s`,
    Object.entries(r.commands).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ')]), ['commands per call']);
}
