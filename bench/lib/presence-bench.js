// Section 5: presence over UDP, Herald (embedded; Redis ×1 and ×2 workers) and Kamailio's
// presence modules in the same run, 10,000 presentities (the section 3 accounts).
//   SUBSCRIBE: one call = SUBSCRIBE → 200 → NOTIFY → 200, then un-SUBSCRIBE → 200 →
//   NOTIFY (terminated) → 200; the section 3 ramp.
//   Fan-out: 1,000 watchers of one presentity (bench/lib/watcher-fleet.js), then one
//   PUBLISH; the time from the PUBLISH until the 1,000th NOTIFY has been answered.
//   PUBLISH: 1,000 presentities with 10 watchers each; one call = PUBLISH, then its
//   removal (SIP-If-Match, Expires: 0), each followed by a NOTIFY to the 10 watchers; the
//   section 3 ramp, with the NOTIFYs the watchers got over the whole ramp.
// Herald runs with presence.notifyWindow: 0, so that it notifies every change as Kamailio does.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DOMAIN, registerTargets, startRedis, writeUsersCsv } from './register-targets.js';
import { printRampTable, rampPlan, rampTarget } from './register-bench.js';
import { startWatcherFleet } from './watcher-fleet.js';
import { cpuMicros } from './proc.js';
import { median } from './ramp.js';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const FAN_OUT = 1_000;
const PUBLISHERS = 1_000;
const WATCHERS_EACH = 10;
const SUBSCRIBE_RATE = 1_000;
const user = (i) => `u${String(i).padStart(4, '0')}`;

export async function presenceSection({ quick, log, table, fmt, here, targetFilter = null }) {
  log(`\n## 5. Presence over UDP (SIPp and a watcher fleet), 10,000 presentities, ${quick ? 3 : 15} s steps\n`);
  const workDir = mkdtempSync(join(tmpdir(), 'herald-bench-presence-'));
  const out = { subscribe: [], fanOut: [], publish: [], notes: [] };
  const scenario = (f) => join(here, 'scenarios', f);
  let redis = null;
  try {
    const usersCsv = writeUsersCsv(join(workDir, 'users.csv'));
    const publishersCsv = writeUsersCsv(join(workDir, 'publishers.csv'), PUBLISHERS);
    redis = await startRedis().catch((e) => { out.notes.push(`no Redis rows: ${e.message}`); return null; });
    const targets = registerTargets.filter((x) => !targetFilter || targetFilter.test(x.name));
    const plan = rampPlan({ quick, workDir, log });

    for (const t of targets) {
      log(`SUBSCRIBE + NOTIFY, then un-SUBSCRIBE — ${t.name}:`);
      const tag = `subscribe-${t.kind}-${out.subscribe.length}`;
      out.subscribe.push(await rampTarget(t, { start: { workDir, auth: false, presence: true, redis, tag }, plan: { ...plan, tag, scenario: scenario('subscribe-uac.xml'), sippArgs: ['-inf', usersCsv] }, log }));
    }
    printRampTable('SUBSCRIBE → 200 → NOTIFY, then un-SUBSCRIBE → 200 → NOTIFY (one call)', out.subscribe, { log, table, fmt });

    log('\nOne PUBLISH to 1,000 watchers:');
    for (const t of targets) {
      const tag = `fanout-${t.kind}-${out.fanOut.length}`;
      log(`${t.name}:`);
      out.fanOut.push({ target: t.name, ...(await fanOut(t, { workDir, redis, tag, log })) });
    }
    printFanOut(out.fanOut, { log, table, fmt });

    for (const t of targets) {
      log(`PUBLISH with ${WATCHERS_EACH} watchers each — ${t.name}:`);
      const tag = `publish-${t.kind}-${out.publish.length}`;
      const watchers = publishWatchers({ tag, log });
      // each call is 20 NOTIFYs: the ramp starts lower than the others
      const row = await rampTarget(t, { start: { workDir, auth: false, presence: true, redis, tag }, plan: { ...plan, startRate: 100, tag, scenario: scenario('publish-uac.xml'), sippArgs: ['-inf', publishersCsv] }, log, prepare: watchers.prepare });
      watchers.noteOn(row);
      out.publish.push(row);
    }
    printRampTable(`PUBLISH + removal, ${WATCHERS_EACH} watchers per presentity (one call = 2 PUBLISH, ${2 * WATCHERS_EACH} NOTIFYs)`, out.publish, { log, table, fmt });
  } finally {
    await redis?.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
  if (out.notes.length) log('\nNotes:\n' + out.notes.map((n) => `- ${n}`).join('\n'));
  return out;
}

/**
 * The PUBLISH scenario's watchers: `prepare` (for `rampTarget`) subscribes 10 watchers to
 * each of the 1,000 publishers; `noteOn(row)` notes how many NOTIFYs they got over the ramp.
 */
export function publishWatchers({ tag, log }) {
  let fleet = null;
  return {
    async prepare(server) {
      fleet = await startWatcherFleet({ domain: DOMAIN });
      const presentities = Array.from({ length: PUBLISHERS }, (_, i) => user(i));
      await fleet.subscribe({ serverPort: server.port, presentities, perPresentity: WATCHERS_EACH, rate: SUBSCRIBE_RATE, tag });
      await fleet.waitFor(PUBLISHERS * WATCHERS_EACH, 30_000);
      log(`  ${PUBLISHERS * WATCHERS_EACH} watchers subscribed`);
      fleet.notifies = 0;
      return () => fleet.stop();
    },
    noteOn(row) {
      if (!fleet || !row.steps) return;
      // The warm-up's calls before the steps NOTIFY the watchers as well.
      const published = [row.warmup, ...row.steps].reduce((n, s) => n + (s?.successful ?? 0), 0);
      row.note = `NOTIFYs received over the ramp (warm-up included): ${fleet.notifies} of ${2 * WATCHERS_EACH * published} (2 × ${WATCHERS_EACH} per call)`;
      log(`  ${row.note}`);
    },
  };
}

/**
 * 1,000 watchers of u0000, then `runs` PUBLISHes one after the other (each changing the
 * state); ms until the last of each one's 1,000 NOTIFYs was answered, the first run's and
 * the median, and the server's CPU ms per fan-out.
 */
export async function fanOut(t, { workDir, redis, tag, log, runs = 1, nodeArgs = [] }) {
  const server = await t.start({ workDir, auth: false, presence: true, redis, tag, nodeArgs }).catch((e) => ({ skip: `start failed: ${e.message}` }));
  if (server.skip) { log(`  skipped: ${server.skip}`); return { skipped: server.skip }; }
  const fleet = await startWatcherFleet({ domain: DOMAIN });
  try {
    await fleet.subscribe({ serverPort: server.port, presentities: [user(0)], perPresentity: FAN_OUT, rate: SUBSCRIBE_RATE, tag });
    await fleet.waitFor(FAN_OUT, 30_000);
    const times = [];
    const cpu0 = cpuMicros(server.pids[0]);
    for (let run = 0; run < runs; run++) {
      if (run > 0) await sleep(300);
      times.push(await timeFanOut(fleet, { serverPort: server.port, presentity: user(0), watchers: FAN_OUT, run }));
    }
    const cpuMs = (cpuMicros(server.pids[0]) - cpu0) / 1000 / runs;
    const ms = times[0];
    const medianMs = median(times);
    log(`  ${FAN_OUT} watchers; the PUBLISH's NOTIFYs all answered after ${ms.toFixed(0)} ms (${Math.round(FAN_OUT / (ms / 1000))} NOTIFY/s)` +
      (runs > 1 ? `; ${runs} PUBLISHes: ${times.map((x) => x.toFixed(0)).join(', ')} ms, median ${medianMs.toFixed(0)}, ${cpuMs.toFixed(1)} CPU ms each` : ''));
    return { watchers: FAN_OUT, ms, perSecond: FAN_OUT / (ms / 1000), times, medianMs, cpuMs };
  } catch (e) {
    log(`  error: ${e.message}`);
    return { error: e.message };
  } finally {
    await fleet.stop();
    await server.stop();
  }
}

/**
 * One PUBLISH for `presentity` (open on even `run`s, closed on odd ones), whose `watchers`
 * are subscribed on `fleet` with their earlier NOTIFYs in: ms until the last of its NOTIFYs was answered.
 */
export async function timeFanOut(fleet, { serverPort, presentity, watchers, run = 0 }) {
  const before = fleet.notifies;
  const body = `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:${presentity}@${DOMAIN}"><tuple id="fan${run}"><status><basic>${run % 2 === 0 ? 'open' : 'closed'}</basic></status></tuple></presence>`;
  const t0 = performance.now();
  fleet.publish({ serverPort, presentity, body });
  await fleet.waitFor(before + watchers, 30_000);
  return fleet.lastNotifyAt - t0;
}

function printFanOut(rows, { log, table, fmt }) {
  log('\n### One PUBLISH fanned out to 1,000 watchers\n');
  const ref = rows.find((r) => r.target === 'Kamailio' && r.ms);
  table(['target', 'ms until the last NOTIFY was answered', 'NOTIFY/s', 'vs Kamailio (time)', 'note'], rows.map((r) => [
    r.target, fmt(r.ms, 0), fmt(r.perSecond, 0), ref && r.ms && r !== ref ? `${(r.ms / ref.ms).toFixed(2)}×` : '—', r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : '',
  ]), ['note']);
}
