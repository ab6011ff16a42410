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
      let fleet = null;
      const prepare = async (server) => {
        fleet = await startWatcherFleet({ domain: DOMAIN });
        const presentities = Array.from({ length: PUBLISHERS }, (_, i) => user(i));
        await fleet.subscribe({ serverPort: server.port, presentities, perPresentity: WATCHERS_EACH, rate: SUBSCRIBE_RATE, tag });
        await fleet.waitFor(PUBLISHERS * WATCHERS_EACH, 30_000);
        log(`  ${PUBLISHERS * WATCHERS_EACH} watchers subscribed`);
        fleet.notifies = 0;
        return () => fleet.stop();
      };
      // each call is 20 NOTIFYs: the ramp starts lower than the others
      const row = await rampTarget(t, { start: { workDir, auth: false, presence: true, redis, tag }, plan: { ...plan, startRate: 100, tag, scenario: scenario('publish-uac.xml'), sippArgs: ['-inf', publishersCsv] }, log, prepare });
      if (fleet && row.steps) {
        const published = row.steps.reduce((n, s) => n + (s.successful ?? 0), 0);
        row.note = `NOTIFYs received over the ramp: ${fleet.notifies} of ${2 * WATCHERS_EACH * published} (2 × ${WATCHERS_EACH} per call)`;
        log(`  ${row.note}`);
      }
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

/** 1,000 watchers of u0000, then one PUBLISH; ms until the last of its 1,000 NOTIFYs was answered. */
async function fanOut(t, { workDir, redis, tag, log }) {
  const server = await t.start({ workDir, auth: false, presence: true, redis, tag }).catch((e) => ({ skip: `start failed: ${e.message}` }));
  if (server.skip) { log(`  skipped: ${server.skip}`); return { skipped: server.skip }; }
  const fleet = await startWatcherFleet({ domain: DOMAIN });
  try {
    await fleet.subscribe({ serverPort: server.port, presentities: [user(0)], perPresentity: FAN_OUT, rate: SUBSCRIBE_RATE, tag });
    await fleet.waitFor(FAN_OUT, 30_000);
    return await timeFanOut(fleet, { serverPort: server.port, presentity: user(0), watchers: FAN_OUT, log });
  } catch (e) {
    log(`  error: ${e.message}`);
    return { error: e.message };
  } finally {
    await fleet.stop();
    await server.stop();
  }
}

/**
 * One initial PUBLISH for `presentity`, whose `watchers` are subscribed on `fleet` (their
 * first NOTIFYs already in): ms until the last of the PUBLISH's NOTIFYs was answered.
 */
export async function timeFanOut(fleet, { serverPort, presentity, watchers, log }) {
  const before = fleet.notifies;
  const body = `<?xml version="1.0" encoding="UTF-8"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:${presentity}@${DOMAIN}"><tuple id="fan"><status><basic>open</basic></status></tuple></presence>`;
  const t0 = performance.now();
  fleet.publish({ serverPort, presentity, body });
  await fleet.waitFor(before + watchers, 30_000);
  const ms = fleet.lastNotifyAt - t0;
  log(`  ${watchers} watchers; the PUBLISH's NOTIFYs all answered after ${ms.toFixed(0)} ms (${Math.round(watchers / (ms / 1000))} NOTIFY/s)`);
  return { watchers, ms, perSecond: watchers / (ms / 1000) };
}

function printFanOut(rows, { log, table, fmt }) {
  log('\n### One PUBLISH fanned out to 1,000 watchers\n');
  const ref = rows.find((r) => r.target === 'Kamailio' && r.ms);
  table(['target', 'ms until the last NOTIFY was answered', 'NOTIFY/s', 'vs Kamailio (time)', 'note'], rows.map((r) => [
    r.target, fmt(r.ms, 0), fmt(r.perSecond, 0), ref && r.ms && r !== ref ? `${(r.ms / ref.ms).toFixed(2)}×` : '—', r.skipped ? `skipped: ${r.skipped}` : r.error ? `error: ${r.error}` : '',
  ]), ['note']);
}
